/**
 * Register and RegisterConfirm: the certificate reference (Thumbprint or CertificateContent), the ownership
 * proof (a detached DER CMS SignedData over the decoded DataToSign bytes, with the signer certificate inside,
 * as the official SDK's CryptSignMessage makes it), and what each RegistrationStatus means.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { loadCertificate, normalizeThumbprint } from '../../../lib/crypto/certificate';
import { verifyCms } from '../../../lib/crypto/cms/verify';
import { decodeBinary } from '../../../lib/crypto/encoding';
import { isEdoCryptoError } from '../../../lib/crypto/errors';
import { createHash } from 'node:crypto';
import type { DiadocClient } from '../transport/client';
import { binaryProperty } from './binarySource';
import { decodeBase64, diadocNodeError, param, type DiadocEnvironment } from './environment';
import { readRegistrationStatus, REGISTRATION_STATUS_INFO, type RegistrationStatus } from './enums';

/** Exactly one of the two, as RegistrationRequest and RegistrationConfirmRequest want. */
export type CertificateReference = { Thumbprint: string } | { CertificateContent: string };

export function thumbprintOfReference(reference: CertificateReference): string {
	if ('Thumbprint' in reference) return reference.Thumbprint;
	return createHash('sha1').update(Buffer.from(reference.CertificateContent, 'base64')).digest('hex').toUpperCase();
}

export async function certificateReference(ctx: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<CertificateReference> {
	const source = param<string>(ctx, 'certificateSource', itemIndex);
	switch (source) {
		case 'thumbprint':
			return { Thumbprint: normalizeThumbprint(String(param(ctx, 'thumbprint', itemIndex, ''))) };
		case 'signer': {
			const signer = await env.signer(itemIndex);
			return { CertificateContent: (await signer.getCertificate()).toString('base64') };
		}
		case 'text':
			return { CertificateContent: loadCertificate(String(param(ctx, 'certificateText', itemIndex, ''))).der.toString('base64') };
		case 'binary': {
			const property = String(param(ctx, 'certificateBinaryProperty', itemIndex, 'data'));
			binaryProperty(ctx, itemIndex, property);
			const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, property.trim());
			return { CertificateContent: loadCertificate(bytes).der.toString('base64') };
		}
		default:
			throw new NodeOperationError(ctx.getNode(), `Unknown certificate source "${source}"`, { itemIndex });
	}
}

export interface RegistrationAnswer {
	status: RegistrationStatus;
	raw?: string | number;
	BoxId?: string;
	/** As Diadoc sent it (base64), to be echoed unchanged to RegisterConfirm. */
	DataToSign?: string;
}

export async function register(client: DiadocClient, reference: CertificateReference): Promise<RegistrationAnswer> {
	const body = await client.json<Record<string, unknown>>({ method: 'POST', path: '/Register', body: reference });
	const reading = readRegistrationStatus(body?.RegistrationStatus);
	const answer: RegistrationAnswer = { status: reading.name };
	if (reading.raw !== undefined) answer.raw = reading.raw;
	if (typeof body?.BoxId === 'string' && body.BoxId) answer.BoxId = body.BoxId;
	if (typeof body?.DataToSign === 'string' && body.DataToSign) answer.DataToSign = body.DataToSign;
	return answer;
}

/** The output fields of a Register answer, with the docs' meaning and remedy of the status. */
export function registrationJson(answer: RegistrationAnswer): IDataObject {
	const info = REGISTRATION_STATUS_INFO[answer.status];
	const json: IDataObject = { RegistrationStatus: answer.status };
	if (answer.raw !== undefined) json.rawRegistrationStatus = answer.raw;
	if (answer.BoxId) json.BoxId = answer.BoxId;
	if (answer.DataToSign) json.DataToSign = answer.DataToSign;
	json.statusMeaning = info.meaning;
	json.remedy = info.remedy;
	return json;
}

export function unfavourableRegistrationError(ctx: IExecuteFunctions, answer: RegistrationAnswer, itemIndex: number): NodeOperationError {
	const info = REGISTRATION_STATUS_INFO[answer.status];
	const shown = answer.raw !== undefined ? `${answer.status} (Diadoc sent ${JSON.stringify(answer.raw)})` : answer.status;
	const error = new NodeOperationError(ctx.getNode(), `Diadoc registration: ${shown}. ${info.meaning}`, {
		itemIndex,
		description: `${info.remedy}${answer.BoxId ? ` BoxId: ${answer.BoxId}.` : ''} Enable "Continue on Unfavourable Status" to get this status as a result instead.`,
	});
	error.context.registrationStatus = answer.status;
	return error;
}

export interface Proof {
	signature: Buffer;
	/** 'signer' when the node signed, else where the signature came from. */
	madeBy: string;
}

/** The ownership proof over the decoded DataToSign: made by the signer or taken from the input. */
export async function ownershipProof(
	ctx: IExecuteFunctions,
	itemIndex: number,
	env: DiadocEnvironment,
	dataToSign: Buffer,
	reference: CertificateReference,
): Promise<Proof> {
	const source = param<string>(ctx, 'signatureSource', itemIndex, 'signer');
	if (source === 'signer') {
		const signer = await env.signer(itemIndex);
		const certificate = await signer.getCertificate();
		const expected = thumbprintOfReference(reference);
		const actual = createHash('sha1').update(certificate).digest('hex').toUpperCase();
		if (expected !== actual) {
			throw new NodeOperationError(ctx.getNode(), `The signer's certificate (${actual}) is not the certificate being registered (${expected})`, {
				itemIndex,
				description: "Diadoc accepts the proof only from the registered certificate's key: select the signer credential (EDO Certificate or EDO Remote Signer) that holds it, or register the signer's certificate.",
			});
		}
		return { signature: await signer.sign(dataToSign, { detached: true }), madeBy: signer.description };
	}
	let signature: Buffer;
	if (source === 'binary') {
		const property = String(param(ctx, 'signatureBinaryProperty', itemIndex, 'signature')).trim();
		binaryProperty(ctx, itemIndex, property);
		signature = decodeBinary(await ctx.helpers.getBinaryDataBuffer(itemIndex, property), 'signature');
	} else {
		signature = decodeBinary(String(param(ctx, 'signatureBase64', itemIndex, '')), 'signature');
	}
	checkGivenSignature(ctx, itemIndex, signature, dataToSign, thumbprintOfReference(reference));
	return { signature, madeBy: source === 'binary' ? 'binary property' : 'base64 field' };
}

/**
 * Catches a wrong signature before Diadoc does, with a clearer message: a CMS that does not verify over
 * DataToSign, or one made with another certificate. Algorithms the local verifier does not know (GOST) are
 * left to Diadoc.
 */
function checkGivenSignature(ctx: IExecuteFunctions, itemIndex: number, signature: Buffer, dataToSign: Buffer, thumbprint: string): void {
	let verification: ReturnType<typeof verifyCms>;
	try {
		verification = verifyCms(signature, dataToSign);
	} catch (error) {
		if (isEdoCryptoError(error) && error.code === 'UNSUPPORTED_ALGORITHM') return;
		if (isEdoCryptoError(error) && error.code === 'INVALID_INPUT' && /differs/.test(error.message)) {
			throw new NodeOperationError(ctx.getNode(), 'The given signature is an attached signature over other data than DataToSign', {
				itemIndex,
				description: 'Sign exactly the decoded DataToSign bytes of this registration, as a detached CMS signature.',
			});
		}
		throw diadocNodeError(ctx.getNode(), error, itemIndex);
	}
	const unsupported = verification.signers.some((signer) => /not supported|could not be checked|cannot be read/i.test(signer.error ?? ''));
	if (unsupported) return;
	if (!verification.valid) {
		throw new NodeOperationError(ctx.getNode(), 'The given signature does not verify over DataToSign', {
			itemIndex,
			description: 'The signature was made over other data (e.g. the base64 text instead of the decoded bytes, or an older DataToSign). Sign the decoded DataToSign bytes of this registration.',
		});
	}
	const signers = verification.signers.flatMap((signer) => (signer.certificateDer ? [createHash('sha1').update(signer.certificateDer).digest('hex').toUpperCase()] : []));
	if (signers.length > 0 && !signers.includes(thumbprint)) {
		throw new NodeOperationError(ctx.getNode(), `The given signature was made with another certificate (${signers.join(', ')}), not ${thumbprint}`, {
			itemIndex,
			description: 'The proof must be made with the private key of the certificate being registered.',
		});
	}
}

export interface ConfirmResult {
	confirmed: boolean;
	/** Set when Diadoc answered 409: the registration does not need confirmation now. */
	notRequired?: { serviceErrorCode?: string; traceId?: string; message?: string };
}

/** POST /RegisterConfirm; a 409 ("confirmation not required") is an answer, not a failure. */
export async function confirmRegistration(
	client: DiadocClient,
	reference: CertificateReference,
	dataToSign: string,
	signature: Buffer,
): Promise<ConfirmResult> {
	const response = await client.call<string>({
		method: 'POST',
		path: '/RegisterConfirm',
		body: { ...reference, DataToSign: dataToSign, Signature: signature.toString('base64') },
		responseType: 'text',
		okStatuses: [409],
	});
	if (response.status !== 409) return { confirmed: true };
	const message = typeof response.body === 'string' ? response.body.trim().slice(0, 300) : undefined;
	return {
		confirmed: false,
		notRequired: {
			serviceErrorCode: response.headers['x-diadoc-errorcode'],
			traceId: response.headers['x-kontur-trace-id'],
			message: message || undefined,
		},
	};
}

export function dataToSignBytes(ctx: IExecuteFunctions, dataToSign: string, itemIndex: number): Buffer {
	return decodeBase64(ctx, dataToSign, 'DataToSign', itemIndex);
}
