/**
 * EDO Certificate credential values for tests, built from `test/helpers/pki.ts` identities with the openssl CLI.
 */
import { readFileSync } from 'node:fs';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { openssl, tempPath, type TestIdentity } from '../helpers/pki';

export function pemCredential(identity: TestIdentity, extra: { chainPem?: string } = {}): ICredentialDataDecryptedObject {
	return {
		format: 'pem',
		publicCertificate: identity.certPem + (extra.chainPem ?? ''),
		privateKey: identity.keyPem,
	};
}

/** The identity's key encrypted with a passphrase (PKCS#8, AES-256-CBC). */
export function encryptedKeyPem(identity: TestIdentity, passphrase: string): string {
	return openssl(['pkcs8', '-topk8', '-in', identity.keyPath, '-v2', 'aes-256-cbc', '-passout', `pass:${passphrase}`]).toString();
}

/** A PFX of the identity made by `openssl pkcs12 -export` (AES/PBKDF2 by default, RC2/3DES with `legacy`). */
export function createPfx(identity: TestIdentity, password: string, options: { legacy?: boolean } = {}): Buffer {
	const out = tempPath(options.legacy ? 'legacy.pfx' : 'modern.pfx');
	const args = ['pkcs12', '-export', '-inkey', identity.keyPath, '-in', identity.certPath, '-passout', `pass:${password}`, '-out', out];
	if (options.legacy) args.push('-legacy');
	openssl(args);
	return readFileSync(out);
}

export function pfxCredential(identity: TestIdentity, password: string, options: { legacy?: boolean } = {}): ICredentialDataDecryptedObject {
	return { format: 'pfx', pfxCertificate: createPfx(identity, password, options).toString('base64'), pfxPassword: password };
}

/** SHA-1 thumbprint as OpenSSL computes it: uppercase hex without separators. */
export function opensslThumbprint(identity: TestIdentity): string {
	const output = openssl(['x509', '-in', identity.certPath, '-noout', '-fingerprint', '-sha1']).toString();
	return output.replace(/^.*=/, '').replace(/[:\s]/g, '').toUpperCase();
}
