/**
 * What Cloud Certificate Login and Certificate Login have in common: a login whose answer is the token
 * encrypted to the signer's certificate, output decrypted, or as it came for a step-by-step chain
 * (Login → EDO Crypto Decrypt → Activate Session).
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { toBinaryData } from '../../shared/binary';
import type { DecryptedTokenFormat } from '../transport/token';
import { decryptAssistantKey, DECRYPTED_TOKEN_FORMAT_OPTION, requestEncryptedToken, TRUSTED_CERTIFICATE_ENCODING_FIELD, type LoginMethod } from './session';
import { forOperations, type TaxcomContext, type TaxcomOperation } from './types';

interface TokenLoginOptions {
	decryptedTokenFormat?: DecryptedTokenFormat;
	encryptedTokenField?: string;
	encryptedTokenBinaryPropertyName?: string;
}

export function tokenLoginDescription(operation: TaxcomOperation, method: LoginMethod): INodeProperties[] {
	return forOperations(
		[operation],
		[
			...(method === 'cloud' ? [TRUSTED_CERTIFICATE_ENCODING_FIELD] : []),
			{
				displayName: 'Decrypt Token',
				name: 'decryptToken',
				type: 'boolean',
				default: true,
				description:
					'Whether to decrypt the token with the chosen signer here. Off: output the encrypted token (base64 and a file) for an EDO Crypto Decrypt step.',
			},
			{
				displayName: 'Options',
				name: 'tokenLoginOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					DECRYPTED_TOKEN_FORMAT_OPTION,
					{
						displayName: 'Encrypted Token Field',
						name: 'encryptedTokenField',
						// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing -- the name of an output field
						type: 'string',
						default: 'encryptedToken',
						description: 'Output field of the encrypted token (base64), when it is not decrypted',
					},
					{
						displayName: 'Encrypted Token Binary Field',
						name: 'encryptedTokenBinaryPropertyName',
						// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing -- the name of an output field
						type: 'string',
						default: 'encryptedToken',
						description: 'Output binary field of the encrypted token (DER), when it is not decrypted',
					},
				],
			},
		],
	);
}

export function tokenLoginExecutor(method: LoginMethod) {
	return async function execute(
		this: IExecuteFunctions,
		item: INodeExecutionData,
		itemIndex: number,
		context: TaxcomContext,
	): Promise<INodeExecutionData> {
		const options = this.getNodeParameter('tokenLoginOptions', itemIndex, {}) as TokenLoginOptions;
		const encoding = method === 'cloud' ? (this.getNodeParameter('trustedCertificateEncoding', itemIndex, 'base64') as 'base64' | 'array') : 'base64';
		const decrypt = this.getNodeParameter('decryptToken', itemIndex, true) as boolean;
		const client = await context.client(itemIndex);
		const signer = await context.signer(itemIndex);
		const envelope = await requestEncryptedToken(client, signer, method, encoding);
		const common = { loginMethod: method, certificateThumbprint: signer.thumbprint };
		if (decrypt) {
			const assistantKey = await decryptAssistantKey(signer, envelope, options.decryptedTokenFormat ?? 'text');
			return { json: { ...item.json, ...common, assistantKey, sessionActivated: false } };
		}
		const binaryName = options.encryptedTokenBinaryPropertyName || 'encryptedToken';
		const binary = await toBinaryData(this, envelope, 'token.p7m', 'application/pkcs7-mime');
		return {
			json: { ...item.json, ...common, [options.encryptedTokenField || 'encryptedToken']: envelope.toString('base64') },
			binary: { ...item.binary, [binaryName]: binary },
		};
	};
}
