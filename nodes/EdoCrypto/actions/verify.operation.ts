import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Certificate, loadCertificates } from '../../../lib/crypto/certificate';
import { verifyCms, type CmsSignerReport, type CmsVerification } from '../../../lib/crypto/cms/verify';
import { checkRevocation, httpCrlFetcher, httpOcspTransport, type RevocationReport, type RevocationSources } from '../../../lib/crypto/revocation';
import { decodeBinary } from '../../../lib/crypto/encoding';
import { readBinaryProperty } from '../../shared/binary';
import { bytesFromField } from '../../shared/input';
import { forOperation, mergeJson } from './fields';

export const description: INodeProperties[] = forOperation('verify', [
	{
		displayName: 'Signature Source',
		name: 'signatureSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A .sig/.p7s file in a binary field' },
			{ name: 'Text Field', value: 'field', description: 'The signature as base64 or PEM text' },
		],
		default: 'binary',
	},
	{
		displayName: 'Signature Binary Field',
		name: 'signatureBinaryPropertyName',
		type: 'string',
		default: 'signature',
		required: true,
		hint: 'The name of the input binary field containing the signature file',
		displayOptions: { show: { signatureSource: ['binary'] } },
	},
	{
		displayName: 'Signature',
		name: 'signature',
		type: 'string',
		default: '',
		required: true,
		description: 'The CMS signature as base64 or PEM',
		displayOptions: { show: { signatureSource: ['field'] } },
	},
	{
		displayName: 'Signed Data',
		name: 'contentSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'The signed file, for a detached signature' },
			{ name: 'Text', value: 'text', description: 'The signed text (UTF-8), for a detached signature' },
			{ name: 'Base64', value: 'base64', description: 'The signed bytes as base64, for a detached signature' },
			{
				name: 'Included in the Signature',
				value: 'attached',
				description: 'An attached signature carries the data itself',
			},
		],
		default: 'binary',
	},
	{
		displayName: 'Data Binary Field',
		name: 'contentBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the signed file',
		displayOptions: { show: { contentSource: ['binary'] } },
	},
	{
		displayName: 'Text',
		name: 'contentText',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The signed text; its UTF-8 bytes are checked',
		displayOptions: { show: { contentSource: ['text'] } },
	},
	{
		displayName: 'Base64 Data',
		name: 'contentBase64',
		type: 'string',
		default: '',
		description: 'The signed bytes, encoded as base64',
		displayOptions: { show: { contentSource: ['base64'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Error If Invalid',
				name: 'errorIfInvalid',
				type: 'boolean',
				default: false,
				description:
					'Whether to fail the item when the signature does not verify. Off: the output field "valid" says so, for an IF node to branch on.',
			},
			{
				displayName: 'Trusted Certificates',
				name: 'trustedCertificates',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				placeholder: '-----BEGIN CERTIFICATE-----',
				description:
					'Root (or any) certificates to trust, as PEM blocks, base64 or a .p7b bundle. Given these, the signer certificate must chain to one of them for "valid" to be true. Revocation is checked only with Check Revocation.',
			},
			{
				displayName: 'Check Validity At',
				name: 'validityAt',
				type: 'options',
				options: [
					{ name: 'Signing Time', value: 'signingTime', description: 'The signingTime in the signature, or now when it has none' },
					{ name: 'Now', value: 'now' },
				],
				default: 'signingTime',
				description: 'The moment the certificates of the chain must be valid at, with Trusted Certificates',
			},
			{
				displayName: 'Check Revocation',
				name: 'revocationCheck',
				type: 'options',
				options: [
					{ name: 'No', value: 'none' },
					{ name: 'OCSP, Then CRL', value: 'ocspThenCrl', description: 'Ask the OCSP responder; when it cannot answer, use the CRL' },
					{ name: 'OCSP Only', value: 'ocsp' },
					{ name: 'CRL Only', value: 'crl' },
				],
				default: 'none',
				description:
					'Whether to ask the OCSP responders and/or CRLs that the certificates of a trusted path name whether any is revoked (needs Trusted Certificates). "valid" then needs every status to be "good".',
			},
		],
	},
]);

type ContentSource = 'binary' | 'text' | 'base64' | 'attached';

type SignerWithRevocation = CmsSignerReport & { revocation?: RevocationReport[] };

/** Adds each trusted signer's revocation statuses; "valid" stays true only when every status is "good". */
async function addRevocation(verification: CmsVerification, check: 'ocspThenCrl' | 'ocsp' | 'crl'): Promise<void> {
	const sources: RevocationSources = {
		...(check !== 'crl' ? { ocsp: httpOcspTransport() } : {}),
		...(check !== 'ocsp' ? { crl: httpCrlFetcher() } : {}),
	};
	for (const signer of verification.signers as SignerWithRevocation[]) {
		const chain = signer.trustChain;
		if (!chain?.trusted) continue;
		const path = chain.path.flatMap((link) => verification.certificates.find((certificate) => certificate.thumbprint === link.thumbprint) ?? []);
		signer.revocation = await checkRevocation(path, new Date(chain.checkedAt), sources);
		if (signer.revocation.some((report) => report.status !== 'good')) verification.valid = false;
	}
}

function revocationProblem(signer: SignerWithRevocation, index: number): string | undefined {
	const problem = signer.revocation?.find((report) => report.status !== 'good');
	if (!problem) return undefined;
	if (problem.status === 'revoked') {
		return `signer ${index + 1}: "${problem.subject}" was revoked on ${problem.revokedAt}${problem.reason ? ` (${problem.reason})` : ''}`;
	}
	return `signer ${index + 1}: the revocation of "${problem.subject}" could not be checked: ${problem.error}`;
}

function loadTrustedCertificates(text: string, context: IExecuteFunctions, itemIndex: number): Certificate[] {
	try {
		return loadCertificates(text);
	} catch (error) {
		const reason = error instanceof Error ? error.message : 'they could not be read';
		throw new NodeOperationError(context.getNode(), `The trusted certificates could not be read: ${reason}`, {
			itemIndex,
			description: 'Paste the root certificates as PEM blocks (-----BEGIN CERTIFICATE-----), base64 DER or a base64 .p7b bundle.',
		});
	}
}

function signerReport(report: CmsSignerReport): IDataObject {
	const { certificateDer, ...rest } = report;
	const output: IDataObject = { ...rest };
	if (certificateDer) {
		try {
			const info = Certificate.fromDer(certificateDer).info();
			output.certificate = { ...info };
		} catch {
			output.certificate = null;
		}
	}
	return output;
}

async function signatureBytes(this: IExecuteFunctions, itemIndex: number): Promise<Buffer> {
	if ((this.getNodeParameter('signatureSource', itemIndex) as string) === 'field') {
		return decodeBinary(this.getNodeParameter('signature', itemIndex) as string, 'signature');
	}
	const propertyName = this.getNodeParameter('signatureBinaryPropertyName', itemIndex) as string;
	return (await readBinaryProperty(this, itemIndex, propertyName)).bytes;
}

async function contentBytes(this: IExecuteFunctions, itemIndex: number, source: ContentSource): Promise<Buffer | undefined> {
	if (source === 'attached') return undefined;
	if (source === 'binary') {
		const propertyName = this.getNodeParameter('contentBinaryPropertyName', itemIndex) as string;
		return (await readBinaryProperty(this, itemIndex, propertyName)).bytes;
	}
	const value = this.getNodeParameter(source === 'text' ? 'contentText' : 'contentBase64', itemIndex);
	return bytesFromField(value, source, 'signed data');
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const source = this.getNodeParameter('contentSource', itemIndex) as ContentSource;
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		errorIfInvalid?: boolean;
		trustedCertificates?: string;
		validityAt?: 'signingTime' | 'now';
		revocationCheck?: 'none' | 'ocspThenCrl' | 'ocsp' | 'crl';
	};
	const signature = await signatureBytes.call(this, itemIndex);
	const content = await contentBytes.call(this, itemIndex, source);
	const trustedCertificates = options.trustedCertificates?.trim() ? loadTrustedCertificates(options.trustedCertificates, this, itemIndex) : undefined;
	const revocationCheck = options.revocationCheck ?? 'none';
	if (revocationCheck !== 'none' && !trustedCertificates) {
		throw new NodeOperationError(this.getNode(), 'Check Revocation needs Trusted Certificates', {
			itemIndex,
			description: 'Revocation is checked along the path to a trusted certificate: add your root certificates under Trusted Certificates.',
		});
	}
	const verification = verifyCms(signature, content, { trustedCertificates, validityAt: options.validityAt });
	if (revocationCheck !== 'none') await addRevocation(verification, revocationCheck);
	const signers = verification.signers.map(signerReport);

	if (!verification.valid && options.errorIfInvalid) {
		const reasons = verification.signers
			.map(
				(signer, index) =>
					signer.error ??
					(signer.signatureValid && signer.digestMatches ? undefined : `signer ${index + 1} does not match the data`) ??
					(signer.trustChain && !signer.trustChain.trusted ? `signer ${index + 1} is not trusted: ${signer.trustChain.error}` : undefined) ??
					revocationProblem(signer, index),
			)
			.filter((reason): reason is string => Boolean(reason));
		throw new NodeOperationError(this.getNode(), 'The signature is not valid', {
			itemIndex,
			description: reasons.length > 0 ? reasons.join('; ') : 'The signature holds no signer.',
		});
	}
	return {
		json: mergeJson(item.json, {
			valid: verification.valid,
			detached: verification.detached,
			signers,
			trustChainChecked: verification.trustChainChecked,
		}),
		binary: item.binary,
	};
}
