import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { signerCredentialTests } from '../shared/signerCredentialTests';
import { SIGNER_SOURCE_FIELD } from '../shared/signer';
import * as certificateInfo from './actions/certificateInfo.operation';
import * as decrypt from './actions/decrypt.operation';
import { router } from './actions/router';
import * as sign from './actions/sign.operation';
import * as verify from './actions/verify.operation';

/** Where no key is used: verifying, and describing a certificate given in the input. */
const NO_SIGNER_NEEDED = { operation: ['verify'], certificateSource: ['field', 'binary'] };

export class EdoCrypto implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'EDO Crypto',
		name: 'edoCrypto',
		icon: { light: 'file:edoCrypto.svg', dark: 'file:edoCrypto.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { certificateInfo: "Certificate Info", sign: "Sign", verify: "Verify", decrypt: "Decrypt" }[$parameter["operation"]] }}',
		description: 'Sign, verify and decrypt CMS (PKCS#7) messages with a certificate, for Russian EDO operators',
		defaults: { name: 'EDO Crypto' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed
				name: 'edoCertificate',
				required: true,
				testedBy: 'edoCertificateTest',
				// Verifying needs no key, nor does describing a certificate given in the input.
				displayOptions: { show: { signerSource: ['edoCertificate'] }, hide: NO_SIGNER_NEEDED },
			},
			{
				name: 'edoRemoteSigner',
				required: true,
				testedBy: 'edoRemoteSignerTest',
				displayOptions: { show: { signerSource: ['edoRemoteSigner'] }, hide: NO_SIGNER_NEEDED },
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
						name: 'Certificate Info',
						value: 'certificateInfo',
						description: 'Describe a certificate: owner, issuer, validity, INN/OGRN/SNILS',
						action: 'Get certificate info',
					},
					{
						name: 'Decrypt',
						value: 'decrypt',
						description: 'Decrypt a CMS message (EnvelopedData) addressed to the certificate',
						action: 'Decrypt data',
					},
					{
						name: 'Sign',
						value: 'sign',
						description: 'Create a CMS (PKCS#7) signature of a file or text',
						action: 'Sign data',
					},
					{
						name: 'Verify',
						value: 'verify',
						description: 'Check a CMS (PKCS#7) signature against the signed data',
						action: 'Verify a signature',
					},
				],
				default: 'sign',
			},
			{
				...SIGNER_SOURCE_FIELD,
				// Only `hide`: n8n's editor hides the Operation field itself when a credential-related field is shown by operation.
				displayOptions: { hide: NO_SIGNER_NEEDED },
			},
			...certificateInfo.description,
			...sign.description,
			...verify.description,
			...decrypt.description,
		],
	};

	methods = {
		credentialTest: { ...signerCredentialTests },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
