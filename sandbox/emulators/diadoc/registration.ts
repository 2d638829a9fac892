/**
 * POST /Register and POST /RegisterConfirm as a state machine per certificate (by thumbprint):
 *
 *   Register ──requireProof──▶ CertificateOwnershipProofIsRequired + BoxId + DataToSign
 *            ──RegisterConfirm(valid CMS over DataToSign by that certificate)──▶ proven
 *   Register ──inProgressCalls times──▶ RegistrationIsInProgress ──▶ the configured final status
 *
 * Proof by certificate authentication (AuthenticateConfirm with the same certificate) counts too, as the
 * documentation allows. The signature may be detached or attached (with DataToSign as its content); when
 * neither call carried CertificateContent, the CMS must include the signer certificate. Field names are
 * PascalCase as documented: a misspelt "thumbprint" counts as absent (400).
 */
import { randomBytes } from 'node:crypto';
import { verifyCms, type CmsVerification } from '../../../lib/crypto/cms/verify';
import { isCertificateDer, thumbprintOf } from './certificate';
import { REGISTRATION_STATUSES, formatEnum, type RegistrationStatus } from './enums';
import { badRequest, base64Field, fail, optionalString, parseThumbprint, readJsonObject, requireJsonAccept } from './http';
import type { DiadocRoutes } from './routes';
import type { DiadocState, RegistrationState } from './state';

interface CertificateReference {
	thumbprint: string;
	certificateDer?: Buffer;
	by: 'Thumbprint' | 'CertificateContent';
}

/** Exactly one of Thumbprint and CertificateContent; 400 for both, neither or a malformed one. */
function certificateReference(body: Record<string, unknown>): CertificateReference {
	const thumbprint = optionalString(body, 'Thumbprint');
	const content = base64Field(body, 'CertificateContent', false);
	const hasThumbprint = thumbprint !== undefined && thumbprint !== '';
	const hasContent = content !== undefined && content.length > 0;
	if (hasThumbprint === hasContent) badRequest('Send exactly one of Thumbprint and CertificateContent.');
	if (hasThumbprint) return { thumbprint: parseThumbprint(thumbprint), by: 'Thumbprint' };
	if (!isCertificateDer(content as Buffer)) badRequest('CertificateContent is not a DER-encoded X.509 certificate.');
	return { thumbprint: thumbprintOf(content as Buffer), certificateDer: content, by: 'CertificateContent' };
}

function registrationFor(state: DiadocState, reference: CertificateReference): RegistrationState {
	const registration = state.registrationFor(reference.thumbprint);
	if (reference.certificateDer) registration.certificateDer = reference.certificateDer;
	return registration;
}

/** The UTF-8 text Register asks to sign: user id, box id, thumbprint and a timestamp (plus a nonce). */
function newDataToSign(userId: string, boxId: string, thumbprint: string, now: number): string {
	const text = `userId=${userId};boxId=${boxId};thumbprint=${thumbprint};timestamp=${new Date(now).toISOString()};nonce=${randomBytes(8).toString('hex')}`;
	return Buffer.from(text, 'utf8').toString('base64');
}

export function registerRegistrationRoutes(routes: DiadocRoutes, state: DiadocState): void {
	routes.api('/Register', ['POST'], (request, auth) => {
		const body = readJsonObject(request);
		const reference = certificateReference(body);
		requireJsonAccept(request, state.config.options.requireJsonAccept);
		const scenario = state.scenarioFor(reference.thumbprint);
		const owner = (scenario.login && state.findUser(scenario.login)) || auth.user;
		const boxId = scenario.boxId ?? owner.boxIds[0];
		const registration = registrationFor(state, reference);
		let status: RegistrationStatus;
		let dataToSign: string | undefined;
		if (scenario.requireProof && !registration.proven) {
			status = 'CertificateOwnershipProofIsRequired';
			dataToSign = newDataToSign(owner.userId, boxId, reference.thumbprint, state.now());
			registration.issued.push(dataToSign);
		} else if (registration.inProgressServed < scenario.inProgressCalls) {
			registration.inProgressServed += 1;
			status = 'RegistrationIsInProgress';
		} else {
			status = scenario.final;
		}
		const withBox = status === 'CertificateOwnershipProofIsRequired' || status === 'RegistrationIsCompleted';
		state.registerCalls.push({ thumbprint: reference.thumbprint, by: reference.by, status, boxId: withBox ? boxId : undefined, dataToSign });
		const answer: Record<string, unknown> = {
			RegistrationStatus: formatEnum(REGISTRATION_STATUSES, status, state.config.options.numericEnums),
		};
		if (withBox) answer.BoxId = boxId;
		if (dataToSign) answer.DataToSign = dataToSign;
		return { status: 200, json: answer };
	});

	routes.api('/RegisterConfirm', ['POST'], (request) => {
		const body = readJsonObject(request);
		const reference = certificateReference(body);
		const dataToSign = base64Field(body, 'DataToSign', true);
		const signature = base64Field(body, 'Signature', true);
		const dataToSignText = body.DataToSign as string;
		const registration = state.registrations.get(reference.thumbprint);
		const scenario = state.scenarioFor(reference.thumbprint);
		const record = {
			thumbprint: reference.thumbprint,
			by: reference.by,
			dataToSign: dataToSignText,
			signatureBytes: signature.length,
			signerThumbprints: [] as string[],
		};
		const reject: (status: number, code: string, reason: string, detached?: boolean) => never = (status, code, reason, detached) => {
			state.confirmations.push({ ...record, accepted: false, status, reason, detached });
			return fail(status, code, reason);
		};
		if (!registration || !scenario.requireProof || registration.proven || registration.issued.length === 0) {
			reject(409, 'Registration.ConfirmationNotRequired', 'The registration of this certificate does not require confirmation now.');
		}
		const issued = registration.issued.find((candidate) => Buffer.from(candidate, 'base64').equals(dataToSign));
		if (!issued) reject(400, 'Registration.InvalidDataToSign', 'DataToSign is not the value Register issued for this certificate.');
		if (reference.certificateDer) registration.certificateDer = reference.certificateDer;
		let verification: CmsVerification;
		try {
			verification = verifyCms(signature, dataToSign, registration.certificateDer ? { certificates: [registration.certificateDer] } : {});
		} catch (caught) {
			const detail = caught instanceof Error ? caught.message : String(caught);
			return reject(400, 'Registration.InvalidSignature', `Signature is not a CMS SignedData over DataToSign: ${detail}`);
		}
		record.signerThumbprints = verification.signers.flatMap((signer) => (signer.certificateDer ? [thumbprintOf(signer.certificateDer)] : []));
		if (!verification.valid) {
			reject(400, 'Registration.InvalidSignature', 'The signature does not verify over DataToSign.', verification.detached);
		}
		if (!record.signerThumbprints.includes(reference.thumbprint)) {
			reject(400, 'Registration.InvalidSignature', 'The signature is not made with the registering certificate.', verification.detached);
		}
		registration.proven = true;
		registration.issued = [];
		state.confirmations.push({ ...record, accepted: true, status: 200, detached: verification.detached });
		return { status: 200 };
	});
}
