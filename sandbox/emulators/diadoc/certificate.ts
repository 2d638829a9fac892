/** Certificate helpers shared by authentication and registration. */
import { createHash, X509Certificate } from 'node:crypto';

/** SHA-1 of the certificate DER as upper-case hex: how Diadoc names a certificate. */
export function thumbprintOf(certificateDer: Buffer): string {
	return createHash('sha1').update(certificateDer).digest('hex').toUpperCase();
}

/** Whether the bytes are one DER-encoded X.509 certificate. */
export function isCertificateDer(bytes: Buffer): boolean {
	if (bytes.length === 0 || bytes[0] !== 0x30) return false;
	try {
		new X509Certificate(bytes);
		return true;
	} catch {
		return false;
	}
}
