import type { IBinaryData, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { signatureHashFor } from '../../../lib/crypto/hash';
import type { HashAlgorithm } from '../../../lib/crypto/signer';
import { digestBinaryProperty, readBinaryProperty, toBinaryData } from '../../shared/binary';
import { bytesFromField } from '../../shared/input';
import { derivedFileName, forOperation, HASH_ALGORITHM_FIELD, mergeJson } from './fields';
import type { OperationContext } from './types';

export const description: INodeProperties[] = forOperation('sign', [
	{
		displayName: 'Input Data',
		name: 'dataSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'Sign the file in a binary field' },
			{ name: 'Text', value: 'text', description: 'Sign text, as its UTF-8 bytes' },
			{ name: 'Base64', value: 'base64', description: 'Sign the bytes given as a base64 string' },
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to sign',
		displayOptions: { show: { dataSource: ['binary'] } },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The text to sign; its UTF-8 bytes are signed',
		displayOptions: { show: { dataSource: ['text'] } },
	},
	{
		displayName: 'Base64 Data',
		name: 'base64Data',
		type: 'string',
		default: '',
		description: 'The bytes to sign, encoded as base64',
		displayOptions: { show: { dataSource: ['base64'] } },
	},
	{
		displayName: 'Signature Type',
		name: 'signatureType',
		type: 'options',
		options: [
			{
				name: 'Detached',
				value: 'detached',
				description: 'The signature file holds no copy of the data (what EDO operators expect)',
			},
			{ name: 'Attached', value: 'attached', description: 'The signature file embeds the signed data' },
		],
		default: 'detached',
	},
	HASH_ALGORITHM_FIELD,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Signature Field',
				name: 'signatureField',
				type: 'string',
				default: 'signature',
				description: 'The output JSON field for the signature as base64',
			},
			{
				displayName: 'Signature Binary Field',
				name: 'signatureBinaryPropertyName',
				type: 'string',
				default: 'signature',
				description: 'The output binary field for the signature file',
			},
			{
				displayName: 'Signature File Name',
				name: 'signatureFileName',
				type: 'string',
				default: '',
				placeholder: 'document.pdf.sig',
				description: 'Defaults to the input file name with ".sig" appended, or "signature.sig"',
			},
		],
	},
]);

interface SignOptions {
	signatureField?: string;
	signatureBinaryPropertyName?: string;
	signatureFileName?: string;
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: OperationContext,
): Promise<INodeExecutionData> {
	const dataSource = this.getNodeParameter('dataSource', itemIndex) as 'binary' | 'text' | 'base64';
	const detached = (this.getNodeParameter('signatureType', itemIndex) as string) !== 'attached';
	const requestedHash = this.getNodeParameter('hashAlgorithm', itemIndex) as HashAlgorithm;
	const options = this.getNodeParameter('options', itemIndex, {}) as SignOptions;
	const signer = await context.signer(itemIndex);
	// GOST certificates sign Streebog of their key size whatever the field says; streamed content is hashed with it.
	const hashAlgorithm = signatureHashFor(signer.certificate, requestedHash);

	let signature: Buffer;
	let inputBinary: IBinaryData | undefined;
	if (dataSource === 'binary') {
		const propertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
		if (detached) {
			const { digest, metadata } = await digestBinaryProperty(this, itemIndex, propertyName, hashAlgorithm);
			inputBinary = metadata;
			signature = await signer.signDigest(digest, { hashAlgorithm });
		} else {
			const { bytes, metadata } = await readBinaryProperty(this, itemIndex, propertyName);
			inputBinary = metadata;
			signature = await signer.sign(bytes, { detached, hashAlgorithm });
		}
	} else {
		const value = this.getNodeParameter(dataSource === 'text' ? 'text' : 'base64Data', itemIndex);
		const bytes = bytesFromField(value, dataSource, 'data to sign');
		signature = await signer.sign(bytes, { detached, hashAlgorithm });
	}

	const fileName = options.signatureFileName || derivedFileName(inputBinary?.fileName, '.sig', 'signature.sig');
	const signatureBinary = await toBinaryData(this, signature, fileName, 'application/pkcs7-signature');
	return {
		json: mergeJson(item.json, {
			[options.signatureField || 'signature']: signature.toString('base64'),
			signatureType: detached ? 'detached' : 'attached',
			hashAlgorithm,
			signerThumbprint: signer.thumbprint,
			signerSubject: signer.certificate.subject,
		}),
		binary: { ...item.binary, [options.signatureBinaryPropertyName || 'signature']: signatureBinary },
	};
}
