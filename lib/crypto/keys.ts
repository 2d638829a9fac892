/**
 * The private-key type of the crypto core: Node's KeyObject for RSA and EC keys, GostPrivateKey for GOST
 * R 34.10-2012 keys (which a KeyObject cannot hold), and the one question every loader asks of both.
 */
import crypto from 'node:crypto';

import type { Certificate } from './certificate';
import { GostPrivateKey, isGostPrivateKey } from './gost/gostKey';

export type PrivateKey = crypto.KeyObject | GostPrivateKey;

export { GostPrivateKey, isGostPrivateKey };

/** True when the private key belongs to the certificate's public key (UNSUPPORTED_ALGORITHM for unknown certificate keys). */
export function keyMatchesCertificate(key: PrivateKey, certificate: Certificate): boolean {
	if (isGostPrivateKey(key)) return certificate.isGost && key.publicKey.equals(certificate.gostPublicKey);
	if (certificate.isGost) return false;
	const keySpki = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
	return keySpki.equals(certificate.publicKey.export({ type: 'spki', format: 'der' }));
}
