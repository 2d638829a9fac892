import type { INodeProperties } from 'n8n-workflow';

import { returnUnfavourableOption } from '../../helpers/fields';

export const boxIdField: INodeProperties = {
	displayName: 'Box ID',
	name: 'boxId',
	type: 'string',
	default: '',
	required: true,
	placeholder: '54e9ca30-09c3-4bc9-926f-8f3c1ab56ca3',
	description: 'The Diadoc box of the organization (a GUID or "&lt;32 hex digits&gt;@diadoc.ru")',
};

/** What DSS Sign and Sign and Wait share: the box, the API version, the certificate and the files. */
export const signFields: INodeProperties[] = [
	boxIdField,
	{
		displayName: 'Method',
		name: 'apiVersion',
		type: 'options',
		options: [
			{ name: 'DssSign', value: 'v1', description: 'POST /DssSign with a DSS certificate' },
			{ name: 'V2/DssSign', value: 'v2', description: 'POST /V2/DssSign: a DSS certificate or Goskey' },
		],
		default: 'v1',
	},
	{
		displayName: 'Sign Data Source',
		name: 'signDataSource',
		type: 'options',
		options: [
			{ name: 'Certificate (CertificateSign)', value: 'CertificateSign' },
			{ name: 'Goskey (GosKeySign)', value: 'GosKeySign' },
		],
		default: 'CertificateSign',
		displayOptions: { show: { apiVersion: ['v2'] } },
	},
	{
		displayName: 'Certificate Thumbprint',
		name: 'certificateThumbprint',
		type: 'string',
		default: '',
		description:
			'SHA-1 thumbprint of the DSS certificate to sign with; empty: Diadoc picks the unexpired DSS certificate of the user that is valid the longest',
		displayOptions: { hide: { signDataSource: ['GosKeySign'] } },
	},
	{
		displayName: 'SNILS',
		name: 'snils',
		type: 'string',
		default: '',
		required: true,
		placeholder: '112-233-445 95',
		description: 'Must match the SNILS in the user settings in Diadoc',
		displayOptions: { show: { apiVersion: ['v2'], signDataSource: ['GosKeySign'] } },
	},
	{
		displayName: 'OID',
		name: 'oid',
		type: 'string',
		default: '',
		description: 'GosKeyData.Oid, if Diadoc asks for one',
		displayOptions: { show: { apiVersion: ['v2'], signDataSource: ['GosKeySign'] } },
	},
	{
		displayName: 'Binary Properties',
		name: 'binaryPropertyNames',
		type: 'string',
		default: 'data',
		placeholder: 'data, attachment',
		description:
			'Binary properties of the item to sign, comma-separated; * for all of them; empty for none. They are streamed, never held as one base64 string. Each file keeps its file name.',
	},
	{
		displayName: 'Other Files',
		name: 'files',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add File',
		default: {},
		description: 'Files given by content, shelf name or Diadoc IDs; signed after the binary properties, in this order',
		options: [
			{
				displayName: 'File',
				name: 'file',
				values: [
					{
						displayName: 'Content (Base64)',
						name: 'content',
						type: 'string',
						default: '',
						displayOptions: { show: { source: ['base64'] } },
					},
					{
						displayName: 'Content Source',
						name: 'source',
						type: 'options',
						options: [
							{ name: 'Base64 Content', value: 'base64' },
							{ name: 'Name on Shelf', value: 'nameOnShelf', description: 'A file uploaded with Shelf Upload' },
							{ name: 'Entity ID', value: 'entityId', description: 'A document in a Diadoc message' },
							{ name: 'Patched Content ID', value: 'patchedContentId', description: 'From PrepareDocumentsToSign' },
						],
						default: 'base64',
					},
					{
						displayName: 'Entity ID',
						name: 'entityId',
						type: 'string',
						default: '',
						displayOptions: { show: { source: ['entityId'] } },
					},
					{
						displayName: 'File Name',
						name: 'fileName',
						type: 'string',
						default: '',
						placeholder: 'invoice.xml',
					},
					{
						displayName: 'Message ID',
						name: 'messageId',
						type: 'string',
						default: '',
						displayOptions: { show: { source: ['entityId'] } },
					},
					{
						displayName: 'Name on Shelf',
						name: 'nameOnShelf',
						type: 'string',
						default: '',
						displayOptions: { show: { source: ['nameOnShelf'] } },
					},
					{
						displayName: 'Patched Content ID',
						name: 'patchedContentId',
						type: 'string',
						default: '',
						displayOptions: { show: { source: ['patchedContentId'] } },
					},
				],
			},
		],
	},
];

/** Options of the operations that output a result. */
export const resultOptionFields: INodeProperties[] = [
	returnUnfavourableOption,
	{
		displayName: 'Binary Property Prefix',
		name: 'binaryPropertyPrefix',
		type: 'string',
		default: 'signature',
		description: 'Signatures are output as binary properties &lt;prefix&gt;_1, &lt;prefix&gt;_2… (one per file, in order), named "&lt;file name&gt;.sig"',
	},
	{
		displayName: 'Include Signatures as Base64',
		name: 'includeSignatureBase64',
		type: 'boolean',
		default: true,
		description: 'Whether each file entry of the JSON also carries its signature as base64',
	},
];
