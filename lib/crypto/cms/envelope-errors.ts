import { EdoCryptoError } from '../errors';
import { GostPrivateKey } from '../gost/gostKey';
import type { PrivateKey } from '../keys';
import { describeOid } from './envelope-oids';

/** The one failure a decryptor reports for any cryptographic mismatch: it must not say which check failed. */
export function decryptionFailed(): EdoCryptoError {
	return new EdoCryptoError(
		'DECRYPTION_FAILED',
		'Decryption failed: the envelope was not encrypted for this key, or it was altered or damaged on the way.',
		'Check that the private key belongs to the certificate the envelope was made for, and that the envelope ' +
			'reached you unchanged (binary DER or its exact base64, not re-encoded text).',
	);
}

export function invalidCms(detail: string): EdoCryptoError {
	return new EdoCryptoError(
		'INVALID_CMS',
		`Not a valid CMS encrypted envelope: ${detail}.`,
		'Pass the DER bytes (or their base64/PEM) of a CMS EnvelopedData or AuthEnvelopedData, as produced by ' +
			'`openssl cms -encrypt` or an EDO operator.',
	);
}

export function unsupportedAlgorithm(role: string, oid: string, supported: string): EdoCryptoError {
	return new EdoCryptoError(
		'UNSUPPORTED_ALGORITHM',
		`Unsupported ${role} ${describeOid(oid)}.`,
		`Supported ${role}s: ${supported}.`,
	);
}

export function keyTypeMismatch(scheme: string, key: PrivateKey): EdoCryptoError {
	const type = key instanceof GostPrivateKey ? key.description : (key.asymmetricKeyType ?? 'unknown');
	return new EdoCryptoError(
		'KEY_MISMATCH',
		`The envelope uses ${scheme} for this certificate, but the private key is of type ${type}.`,
		'Use the private key that belongs to the recipient certificate.',
	);
}
