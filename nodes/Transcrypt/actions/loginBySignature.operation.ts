import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { decodeBinary, looksLikeDer } from '../../../lib/crypto/encoding';
import { EdoCryptoError } from '../../../lib/crypto/errors';
import type { HashAlgorithm } from '../../../lib/crypto/signer';
import { readBinaryProperty } from '../../shared/binary';
import type { LoginOutcome } from '../transport/models';
import { transcryptTokens } from '../transport/tokens';
import { fetchSecret, SECRET_ENDPOINT_FIELDS } from './getSecret.operation';
import { forOperation, type TranscryptContext } from './types';

export type SecretEncoding = 'utf8' | 'utf16le';

export const description: INodeProperties[] = forOperation('loginBySignature', [
	{
		displayName: 'Secret Source',
		name: 'secretSource',
		type: 'options',
		options: [
			{ name: 'Field', value: 'parameter', description: 'The Secret from the Secret field (e.g. mapped from an earlier node)' },
			{ name: 'Ask Transcrypt First', value: 'endpoint', description: 'Fetch a Secret from the API, then sign it' },
		],
		default: 'parameter',
	},
	{
		displayName: 'Secret',
		name: 'secret',
		// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing -- a one-time challenge that is mapped from the previous node, not a credential
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.Secret }}',
		description: 'The secret string to sign, usually an expression from the node that obtained it',
		displayOptions: { show: { secretSource: ['parameter'] } },
	},
	...SECRET_ENDPOINT_FIELDS.map((field) => ({ ...field, displayOptions: { show: { secretSource: ['endpoint'] } } })),
	{
		displayName: 'Secret Encoding',
		name: 'secretEncoding',
		type: 'options',
		options: [
			{ name: 'UTF-8', value: 'utf8', description: 'Sign the UTF-8 bytes of the Secret (.NET Encoding.UTF8)' },
			{ name: 'UTF-16LE', value: 'utf16le', description: 'Sign the UTF-16LE bytes (CAdESCOM and CryptoPro plug-in default for strings)' },
		],
		default: 'utf8',
		description: 'Which bytes of the Secret are signed; the docs do not say, UTF-8 is the common choice',
	},
	{
		displayName: 'Signature Source',
		name: 'signatureSource',
		type: 'options',
		options: [
			{ name: 'Sign With EDO Certificate', value: 'signer', description: 'Make a detached CMS signature with the EDO Certificate credential' },
			{
				name: 'Sign With EDO Remote Signer',
				value: 'edoRemoteSigner',
				description: 'Make a detached CMS signature with a key held by a remote signer (CSC API)',
			},
			{ name: 'Base64 Field', value: 'base64', description: 'A detached CMS signature made elsewhere, as base64' },
			{ name: 'Binary File', value: 'binary', description: 'A detached CMS signature file (.sig/.p7s) in a binary field' },
		],
		default: 'signer',
	},
	{
		displayName: 'Signature (Base64)',
		name: 'signature',
		type: 'string',
		default: '',
		required: true,
		description: 'Base64 of the DER CMS SignedData over the Secret, without the content',
		displayOptions: { show: { signatureSource: ['base64'] } },
	},
	{
		displayName: 'Signature Binary Field',
		name: 'signatureBinaryPropertyName',
		type: 'string',
		default: 'signature',
		required: true,
		hint: 'The name of the input binary field holding the signature file',
		displayOptions: { show: { signatureSource: ['binary'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Continue When Refused',
				name: 'ignoreLoginErrors',
				type: 'boolean',
				default: false,
				description: 'Whether to output the answer instead of failing when it has an Error text or CertificateNotFound',
			},
			{
				displayName: 'Hash Algorithm',
				name: 'hashAlgorithm',
				type: 'options',
				options: [
					{ name: 'SHA-256', value: 'SHA-256' },
					{ name: 'SHA-384', value: 'SHA-384' },
					{ name: 'SHA-512', value: 'SHA-512' },
				],
				default: 'SHA-256',
				description: 'Digest algorithm of the signature made by the node (EDO Certificate or EDO Remote Signer)',
			},
			{
				displayName: 'Include Signature',
				name: 'includeSignature',
				type: 'boolean',
				default: false,
				description: 'Whether to add the base64 signature that was sent to the output',
			},
		],
	},
]);

interface LoginOptions {
	ignoreLoginErrors?: boolean;
	hashAlgorithm?: HashAlgorithm;
	includeSignature?: boolean;
}

/** A signature given by the user, as base64 of DER (base64, PEM or DER bytes are accepted). */
function signatureFromInput(value: Buffer | string): string {
	const der = decodeBinary(value, 'signature');
	if (!looksLikeDer(der)) {
		throw new EdoCryptoError('INVALID_CMS', 'The signature is not a DER CMS SignedData', 'Provide the detached CMS signature (.sig/.p7s) as base64 or as a file.');
	}
	return der.toString('base64');
}

/** The answer of a login as output fields, in the API's own names. */
export function loginJson(outcome: LoginOutcome): IDataObject {
	const { answer } = outcome;
	return {
		Token: answer.Token,
		Organizations: answer.Organizations as unknown as IDataObject[],
		NeedSignLicense: answer.NeedSignLicense,
		IsNewClient: answer.IsNewClient,
		IsNewEmployee: answer.IsNewEmployee,
		IsNewCertificate: answer.IsNewCertificate,
		CertificateNotFound: answer.CertificateNotFound,
		Error: answer.Error,
	};
}

/** Success: caches the token for API Request. Refusal: throws, unless the user asked to continue. */
export async function finishLogin(outcome: LoginOutcome, ignoreLoginErrors: boolean, context: TranscryptContext, itemIndex: number): Promise<IDataObject> {
	if (outcome.problem && !ignoreLoginErrors) throw outcome.problem;
	if (!outcome.problem && outcome.answer.Token) transcryptTokens.put(await context.credentialKey(itemIndex), outcome.answer.Token);
	return { ...loginJson(outcome), ...(outcome.problem ? { loginRefused: outcome.problem.message } : {}) };
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: TranscryptContext,
): Promise<INodeExecutionData> {
	const options = this.getNodeParameter('options', itemIndex, {}) as LoginOptions;
	const secretSource = this.getNodeParameter('secretSource', itemIndex, 'parameter') as string;
	const secretValue = secretSource === 'endpoint' ? await fetchSecret.call(this, itemIndex, context) : this.getNodeParameter('secret', itemIndex, '');
	const secret = typeof secretValue === 'string' ? secretValue : secretValue === undefined || secretValue === null ? '' : String(secretValue);
	if (secret.length === 0) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'The Secret is empty',
			'Map the Secret from the node that obtained it (e.g. {{ $json.Secret }}), or set Secret Source to "Ask Transcrypt First".',
		);
	}
	const encoding = this.getNodeParameter('secretEncoding', itemIndex, 'utf8') as SecretEncoding;
	const signatureSource = this.getNodeParameter('signatureSource', itemIndex, 'signer') as string;

	let signature: string;
	let certificate: string | undefined;
	if (signatureSource === 'signer' || signatureSource === 'edoRemoteSigner') {
		const signer = await context.signer(itemIndex);
		const der = await signer.sign(Buffer.from(secret, encoding), { detached: true, hashAlgorithm: options.hashAlgorithm ?? 'SHA-256' });
		signature = der.toString('base64');
		certificate = signer.thumbprint;
	} else if (signatureSource === 'binary') {
		const property = this.getNodeParameter('signatureBinaryPropertyName', itemIndex) as string;
		signature = signatureFromInput((await readBinaryProperty(this, itemIndex, property)).bytes);
	} else {
		signature = signatureFromInput(String(this.getNodeParameter('signature', itemIndex, '') ?? ''));
	}

	const client = await context.client(itemIndex);
	const outcome = await client.loginBySignature(secret, signature, certificate);
	const result = await finishLogin(outcome, options.ignoreLoginErrors === true, context, itemIndex);
	return {
		json: {
			...item.json,
			...result,
			...(certificate ? { certificateThumbprint: certificate } : {}),
			...(options.includeSignature ? { Signature: signature } : {}),
		},
	};
}
