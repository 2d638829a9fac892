import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { decodeBinary } from '../../../lib/crypto/encoding';
import { readBinaryProperty, toBinaryData } from '../../shared/binary';
import { forOperation, mergeJson } from './fields';
import type { OperationContext } from './types';

export const description: INodeProperties[] = forOperation('decrypt', [
	{
		displayName: 'Encrypted Data Source',
		name: 'envelopeSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A .p7m/.enc file in a binary field' },
			{ name: 'Text Field', value: 'field', description: 'The encrypted message as base64 or PEM text' },
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Field',
		name: 'envelopeBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the encrypted file',
		displayOptions: { show: { envelopeSource: ['binary'] } },
	},
	{
		displayName: 'Encrypted Data',
		name: 'envelope',
		type: 'string',
		default: '',
		required: true,
		description: 'The CMS EnvelopedData (e.g. an encrypted token) as base64 or PEM',
		displayOptions: { show: { envelopeSource: ['field'] } },
	},
	{
		displayName: 'Output As',
		name: 'outputFormat',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file in a binary field' },
			{ name: 'Text', value: 'text', description: 'A JSON field with the content read as UTF-8 text' },
			{ name: 'Base64', value: 'base64', description: 'A JSON field with the content as base64' },
		],
		default: 'binary',
	},
	{
		displayName: 'Output Binary Field',
		name: 'outputBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the decrypted file in',
		displayOptions: { show: { outputFormat: ['binary'] } },
	},
	{
		displayName: 'Output Field',
		name: 'outputField',
		type: 'string',
		default: 'decrypted',
		required: true,
		description: 'The name of the output JSON field to put the decrypted content in',
		displayOptions: { show: { outputFormat: ['text', 'base64'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { outputFormat: ['binary'] } },
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'document.pdf',
				description:
					'Defaults to the input file name without its .p7m/.enc/.p7e extension, or "decrypted.bin"',
			},
			{
				displayName: 'MIME Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'application/pdf',
				description: 'Defaults to the type guessed from the file name',
			},
		],
	},
]);

const ENCRYPTED_EXTENSION = /\.(p7m|p7e|enc)$/i;

function decryptedFileName(inputFileName: string | undefined): string {
	if (inputFileName && ENCRYPTED_EXTENSION.test(inputFileName)) return inputFileName.replace(ENCRYPTED_EXTENSION, '');
	return 'decrypted.bin';
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: OperationContext,
): Promise<INodeExecutionData> {
	const signer = await context.signer(itemIndex);
	let envelope: Buffer;
	let inputFileName: string | undefined;
	if ((this.getNodeParameter('envelopeSource', itemIndex) as string) === 'field') {
		envelope = decodeBinary(this.getNodeParameter('envelope', itemIndex) as string, 'encrypted data');
	} else {
		const propertyName = this.getNodeParameter('envelopeBinaryPropertyName', itemIndex) as string;
		const { bytes, metadata } = await readBinaryProperty(this, itemIndex, propertyName);
		envelope = bytes;
		inputFileName = metadata.fileName;
	}
	const content = await signer.decrypt(envelope);

	const outputFormat = this.getNodeParameter('outputFormat', itemIndex) as 'binary' | 'text' | 'base64';
	if (outputFormat === 'binary') {
		const propertyName = this.getNodeParameter('outputBinaryPropertyName', itemIndex) as string;
		const options = this.getNodeParameter('options', itemIndex, {}) as { fileName?: string; mimeType?: string };
		const fileName = options.fileName || decryptedFileName(inputFileName);
		const binary = await toBinaryData(this, content, fileName, options.mimeType || undefined);
		return { json: { ...item.json }, binary: { ...item.binary, [propertyName]: binary } };
	}
	const field = this.getNodeParameter('outputField', itemIndex) as string;
	const value = outputFormat === 'text' ? content.toString('utf8') : content.toString('base64');
	return { json: mergeJson(item.json, { [field]: value }), binary: item.binary };
}
