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
import { chosenSignerLoader, signerSourceParameter } from '../shared/signer';
import * as apiRequest from './actions/apiRequest.operation';
import * as getSecret from './actions/getSecret.operation';
import * as loginByPassword from './actions/loginByPassword.operation';
import * as loginBySignature from './actions/loginBySignature.operation';
import type { TranscryptAction, TranscryptContext, TranscryptOperation } from './actions/types';
import { transcryptApiTest } from './credentialTest';
import { TranscryptClient } from './transport/client';
import { credentialKey, transcryptSettings } from './transport/settings';

export const TRANSCRYPT_CREDENTIAL = 'transcryptApi';

const actions: Record<TranscryptOperation, TranscryptAction> = { getSecret, loginBySignature, loginByPassword, apiRequest };

export class Transcrypt implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transcrypt',
		name: 'transcrypt',
		icon: { light: 'file:transcrypt.svg', dark: 'file:transcrypt.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { apiRequest: "API Request", getSecret: "Get Secret", loginBySignature: "Login by Detached Signature", loginByPassword: "Login by Password" }[$parameter["operation"]] }}',
		description: 'Log in to Taxnet Transcrypt by detached CMS signature or password, and call its API',
		defaults: { name: 'Transcrypt' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'transcryptApi', required: true, testedBy: 'transcryptApiTest' },
			{
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed
				name: 'edoCertificate',
				required: true,
				testedBy: 'edoCertificateTest',
				displayOptions: { show: { operation: ['loginBySignature'], signatureSource: ['signer'] } },
			},
			{
				name: 'edoRemoteSigner',
				required: true,
				testedBy: 'edoRemoteSignerTest',
				displayOptions: { show: { operation: ['loginBySignature'], signatureSource: ['edoRemoteSigner'] } },
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
						name: 'API Request',
						value: 'apiRequest',
						description: 'Call any Transcrypt method with the token of a login',
						action: 'Call an API method',
					},
					{
						name: 'Get Secret',
						value: 'getSecret',
						description: 'Ask Transcrypt for a Secret to sign (the path is configurable: the docs do not name it)',
						action: 'Get a secret to sign',
					},
					{
						name: 'Login by Detached Signature',
						value: 'loginBySignature',
						description: 'Sign the Secret (detached CMS) and log in: POST api/v2/auth/detachedsignature',
						action: 'Log in by detached signature',
					},
					{
						name: 'Login by Password',
						value: 'loginByPassword',
						description: 'Log in with the login and password of the credential: POST api/v2/auth',
						action: 'Log in by password',
					},
				],
				default: 'loginBySignature',
			},
			...getSecret.description,
			...loginBySignature.description,
			...loginByPassword.description,
			...apiRequest.description,
		],
	};

	methods = {
		credentialTest: { transcryptApiTest, ...signerCredentialTests },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// "Sign With EDO Certificate" (value 'signer', kept for saved workflows) or "Sign With EDO Remote Signer".
		const signer = chosenSignerLoader(this, signerSourceParameter(this, 'signatureSource'));
		let loading: Promise<{ client: TranscryptClient; key: string }> | undefined;
		const connection = async (itemIndex: number) => {
			loading ??= this.getCredentials<ICredentialDataDecryptedObject>(TRANSCRYPT_CREDENTIAL, itemIndex).then((data) => {
				const settings = transcryptSettings(data);
				return { client: new TranscryptClient(settings), key: credentialKey(settings) };
			});
			return await loading;
		};
		const context: TranscryptContext = {
			client: async (itemIndex) => (await connection(itemIndex)).client,
			credentialKey: async (itemIndex) => (await connection(itemIndex)).key,
			signer,
		};
		return await runPerItem(this, async (item, itemIndex) => {
			const operation = this.getNodeParameter('operation', itemIndex) as TranscryptOperation;
			return await actions[operation].execute.call(this, item, itemIndex, context);
		});
	}
}
