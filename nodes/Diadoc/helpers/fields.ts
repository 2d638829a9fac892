/**
 * Parameter fragments several operations share: which certificate a registration is about, where a signature
 * comes from, polling, and the "continue on unfavourable status" switch.
 */
import type { INodeProperties } from 'n8n-workflow';

export const certificateFields: INodeProperties[] = [
	{
		displayName: 'Certificate',
		name: 'certificateSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'By Thumbprint', value: 'thumbprint', description: 'The SHA-1 thumbprint of a certificate Diadoc knows' },
			{ name: "Signer's Certificate", value: 'signer', description: 'The certificate of the selected signer (sent as CertificateContent)' },
			{ name: 'Certificate Text (PEM or Base64)', value: 'text' },
			{ name: 'Binary Property', value: 'binary', description: 'A certificate file (.cer/.crt, DER or PEM) from an earlier node' },
		],
		default: 'thumbprint',
	},
	{
		displayName: 'Thumbprint',
		name: 'thumbprint',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'B0E10292B0024E7197A76B741CE0D271FEAD7E10',
		description: 'SHA-1 thumbprint, 40 hexadecimal digits; spaces and colons are removed',
		displayOptions: { show: { certificateSource: ['thumbprint'] } },
	},
	{
		displayName: 'Certificate',
		name: 'certificateText',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: '-----BEGIN CERTIFICATE-----',
		displayOptions: { show: { certificateSource: ['text'] } },
	},
	{
		displayName: 'Certificate Binary Property',
		name: 'certificateBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { certificateSource: ['binary'] } },
	},
];

export const signatureSourceFields: INodeProperties[] = [
	{
		displayName: 'Signature',
		name: 'signatureSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Sign With the Signer', value: 'signer', description: 'A detached CMS signature made by the selected signer' },
			{ name: 'Given as Base64', value: 'base64', description: 'A detached DER CMS signature made elsewhere (base64 or PEM)' },
			{ name: 'Given as Binary Property', value: 'binary', description: 'A signature file (.sig/.p7s) from an earlier node' },
		],
		default: 'signer',
	},
	{
		displayName: 'Signature (Base64)',
		name: 'signatureBase64',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'Detached CMS SignedData in DER, base64-encoded, over the decoded DataToSign bytes',
		displayOptions: { show: { signatureSource: ['base64'] } },
	},
	{
		displayName: 'Signature Binary Property',
		name: 'signatureBinaryProperty',
		type: 'string',
		default: 'signature',
		required: true,
		displayOptions: { show: { signatureSource: ['binary'] } },
	},
];

/** Poll interval and overall timeout; `timeout` is the default of the timeout in seconds. */
export function pollingFields(timeout: 120 | 300, what: string): INodeProperties[] {
	const fields: INodeProperties[] = [
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 5,
			description: `Pause between two requests while ${what}`,
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 120,
			description: 'How long to wait in total before giving up',
		},
	];
	fields[1].default = timeout;
	return fields;
}

export const returnUnfavourableOption: INodeProperties = {
	displayName: 'Continue on Unfavourable Status',
	name: 'returnUnfavourable',
	type: 'boolean',
	default: false,
	description:
		'Whether an unfavourable status (e.g. access denied, signing canceled) is output as a result with its meaning and remedy instead of failing the item',
};
