import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { loadCertificates, type Certificate } from '../../../lib/crypto/certificate';
import { EdoCryptoError } from '../../../lib/crypto/errors';
import { readBinaryProperty } from '../../shared/binary';
import { forOperation, mergeJson } from './fields';
import type { OperationContext } from './types';

export const description: INodeProperties[] = forOperation('certificateInfo', [
	{
		displayName: 'Certificate Source',
		name: 'certificateSource',
		type: 'options',
		options: [
			{
				name: 'Credential',
				value: 'credential',
				description: 'The certificate of the selected signer (EDO Certificate or EDO Remote Signer)',
			},
			{ name: 'Text Field', value: 'field', description: 'A certificate given as PEM or base64 text' },
			{ name: 'Binary File', value: 'binary', description: 'A .cer/.crt/.pem file in a binary field' },
		],
		default: 'credential',
	},
	{
		displayName: 'Certificate',
		name: 'certificate',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: '-----BEGIN CERTIFICATE-----',
		description: 'The certificate as PEM or base64 (DER). If several are given, the first one is described.',
		displayOptions: { show: { certificateSource: ['field'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'certificateBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the certificate file',
		displayOptions: { show: { certificateSource: ['binary'] } },
	},
]);

function firstCertificate(input: string | Buffer, what: string): Certificate {
	const [certificate] = loadCertificates(input);
	if (!certificate) {
		throw new EdoCryptoError('NOT_A_CERTIFICATE', `The ${what} holds no certificate.`, 'Provide an X.509 certificate as PEM, base64 or a .cer file.');
	}
	return certificate;
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: OperationContext,
): Promise<INodeExecutionData> {
	const source = this.getNodeParameter('certificateSource', itemIndex) as 'credential' | 'field' | 'binary';
	let certificate: Certificate;
	if (source === 'credential') {
		certificate = (await context.signer(itemIndex)).certificate;
	} else if (source === 'field') {
		certificate = firstCertificate(this.getNodeParameter('certificate', itemIndex) as string, 'certificate field');
	} else {
		const propertyName = this.getNodeParameter('certificateBinaryPropertyName', itemIndex) as string;
		const { bytes } = await readBinaryProperty(this, itemIndex, propertyName);
		certificate = firstCertificate(bytes, `binary field "${propertyName}"`);
	}
	const info = certificate.info();
	return { json: mergeJson(item.json, { ...info } as IDataObject), binary: item.binary };
}
