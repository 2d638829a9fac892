import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { runPerItem } from '../shared/runPerItem';
import { signerCredentialTests } from '../shared/signerCredentialTests';
import { chosenSignerLoader, SIGNER_SOURCE_FIELD, signerSourceParameter } from '../shared/signer';
import * as activateSession from './actions/activateSession.operation';
import * as apiRequest from './actions/apiRequest.operation';
import * as certificateLogin from './actions/certificateLogin.operation';
import * as cloudCertificateLogin from './actions/cloudCertificateLogin.operation';
import * as loginAndActivate from './actions/loginAndActivate.operation';
import type { TaxcomAction, TaxcomContext, TaxcomOperation } from './actions/types';
import { taxcomApiTest } from './credentialTest';
import { TaxcomClient } from './transport/client';
import { taxcomSettings } from './transport/settings';

export const TAXCOM_CREDENTIAL = 'taxcomApi';

const actions: Record<TaxcomOperation, TaxcomAction> = {
	cloudCertificateLogin,
	certificateLogin,
	activateSession,
	loginAndActivate,
	apiRequest,
};

/** Where the node does not log in: activating, or calling with an Assistant-Key from the input. */
const NO_LOGIN = { operation: ['activateSession'], sessionSource: ['input'] };

export class Taxcom implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Taxcom',
		name: 'taxcom',
		icon: { light: 'file:taxcom.svg', dark: 'file:taxcom.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { activateSession: "Activate Session", apiRequest: "API Request", certificateLogin: "Certificate Login", cloudCertificateLogin: "Cloud Certificate Login", loginAndActivate: "Login and Activate" }[$parameter["operation"]] }}',
		description: 'Log in to Taxcom Docliner (cloud or local certificate), decrypt and activate the session, and call its API',
		defaults: { name: 'Taxcom' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'taxcomApi', required: true, testedBy: 'taxcomApiTest' },
			{
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed
				name: 'edoCertificate',
				required: true,
				testedBy: 'edoCertificateTest',
				// Needed wherever the node logs in: its certificate receives the token and its key decrypts it.
				displayOptions: { show: { signerSource: ['edoCertificate'] }, hide: NO_LOGIN },
			},
			{
				name: 'edoRemoteSigner',
				required: true,
				testedBy: 'edoRemoteSignerTest',
				displayOptions: { show: { signerSource: ['edoRemoteSigner'] }, hide: NO_LOGIN },
			},
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Activate Session',
						value: 'activateSession',
						description: 'ActivateSession with a decrypted token in Assistant-Key',
						action: 'Activate a session',
					},
					{
						name: 'API Request',
						value: 'apiRequest',
						description: 'Call any Docliner method in a session',
						action: 'Call an API method',
					},
					{
						name: 'Certificate Login',
						value: 'certificateLogin',
						description: 'CertificateLogin with the signer\'s certificate; decrypt the token it returns',
						action: 'Log in with a certificate',
					},
					{
						name: 'Cloud Certificate Login',
						value: 'cloudCertificateLogin',
						description: 'CloudCertificateLogin with the cloud account; the token is encrypted to the signer\'s certificate',
						action: 'Log in with a cloud certificate',
					},
					{
						name: 'Login and Activate',
						value: 'loginAndActivate',
						description: 'The whole chain: login, decryption, activation; outputs the Assistant-Key and its expiry',
						action: 'Log in and activate a session',
					},
				],
				default: 'loginAndActivate',
			},
			{
				...SIGNER_SOURCE_FIELD,
				description: 'Which credential holds the certificate the token is encrypted to, and the key that decrypts it',
				displayOptions: { hide: NO_LOGIN },
			},
			...cloudCertificateLogin.description,
			...certificateLogin.description,
			...activateSession.description,
			...loginAndActivate.description,
			...apiRequest.description,
		],
	};

	methods = {
		credentialTest: { taxcomApiTest, ...signerCredentialTests },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		let loading: Promise<TaxcomClient> | undefined;
		const context: TaxcomContext = {
			client: async (itemIndex) => {
				loading ??= this.getCredentials<ICredentialDataDecryptedObject>(TAXCOM_CREDENTIAL, itemIndex).then(
					(data) => new TaxcomClient(taxcomSettings(data)),
				);
				return await loading;
			},
			signer: chosenSignerLoader(this, signerSourceParameter(this)),
		};
		return await runPerItem(this, async (item, itemIndex) => {
			const operation = this.getNodeParameter('operation', itemIndex) as TaxcomOperation;
			return await actions[operation].execute.call(this, item, itemIndex, context);
		});
	}
}
