/**
 * Checks the `Signature` of api/v2/auth/detachedsignature: base64 of a DER CMS SignedData without content,
 * verified over the bytes of the Secret in one of the accepted encodings.
 */
import { Certificate } from '../../../lib/crypto/certificate';
import { isEdoCryptoError } from '../../../lib/crypto/errors';
import { verifyCms } from '../../../lib/crypto/cms/verify';
import type { SecretEncoding } from './config';

export type SignatureCheck =
	| { ok: true; certificate: Certificate; encoding: SecretEncoding }
	/** malformed/attached/unsupported: a bad request; invalid: does not verify; noCertificate: signer unknown. */
	| { ok: false; reason: 'malformed' | 'attached' | 'unsupported' | 'invalid' | 'noCertificate'; message: string };

/** .NET Convert.FromBase64String: whitespace is skipped, anything else must be proper padded base64. */
export function decodeDotNetBase64(text: string): Buffer | undefined {
	const compact = text.replace(/[\s]/g, '');
	if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
	return Buffer.from(compact, 'base64');
}

export function checkSecretSignature(
	signatureBase64: string,
	secret: string,
	encodings: SecretEncoding[],
	knownCertificates: Buffer[],
): SignatureCheck {
	const der = decodeDotNetBase64(signatureBase64);
	if (!der || der[0] !== 0x30) {
		return { ok: false, reason: 'malformed', message: 'Signature must be the base64 of a DER CMS SignedData (detached).' };
	}
	let sawSignerCertificate = false;
	for (const encoding of encodings) {
		let result;
		try {
			result = verifyCms(der, Buffer.from(secret, encoding), { certificates: knownCertificates });
		} catch (error) {
			if (!isEdoCryptoError(error)) throw error;
			if (error.code === 'INVALID_INPUT') {
				return { ok: false, reason: 'attached', message: 'Signature must be detached: it must not carry the signed Secret itself.' };
			}
			if (error.code === 'UNSUPPORTED_ALGORITHM') {
				return { ok: false, reason: 'unsupported', message: `The sandbox verifies RSA and ECDSA signatures only: ${error.message}` };
			}
			return { ok: false, reason: 'malformed', message: `Signature is not a CMS SignedData: ${error.message}` };
		}
		if (!result.detached) {
			return { ok: false, reason: 'attached', message: 'Signature must be detached: it must not carry the signed Secret itself.' };
		}
		const signer = result.signers[0];
		if (signer?.certificateDer) sawSignerCertificate = true;
		if (result.valid && result.signers.length === 1 && signer?.certificateDer) {
			return { ok: true, certificate: Certificate.fromDer(signer.certificateDer), encoding };
		}
	}
	if (!sawSignerCertificate) {
		return { ok: false, reason: 'noCertificate', message: 'The signer certificate is neither in the signature nor registered.' };
	}
	return { ok: false, reason: 'invalid', message: 'The signature does not verify over the Secret.' };
}
