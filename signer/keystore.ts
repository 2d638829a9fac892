/**
 * Where the signer's keys live: software keys in memory (the sandbox, demos) or a PKCS#11 token (SoftHSM2, a
 * Rutoken, an HSM). The CSC layer in server.ts knows nothing else about keys: it checks the caller, the SAD
 * and the request, and hands the keystore raw operations.
 */
import type { Certificate } from '../lib/crypto/certificate';

export type KeyFamily = 'RSA' | 'EC' | 'GOST';

export interface CredentialKey {
	family: KeyFamily;
	/** RSA modulus bits, EC/GOST field bits. */
	bits: number;
	/** OID of the named curve (EC) or of the GOST parameter set, when known. */
	curveOid?: string;
}

export interface KeystoreCredential {
	/** The CSC credentialID. */
	id: string;
	label?: string;
	certificate: Certificate;
	/** Issuer certificates the keystore holds, nearest first (the leaf is not repeated). */
	chain: Certificate[];
	key: CredentialKey;
}

/**
 * One private-key operation of signHash:
 * - `rsa-pkcs1`: RSASSA-PKCS1-v1_5 over `input` = the DER DigestInfo (PKCS#11 CKM_RSA_PKCS);
 * - `ecdsa`: ECDSA over `input` = the raw digest (CKM_ECDSA); the result is a DER ECDSA-Sig-Value, as CMS carries it;
 * - `gost`: GOST R 34.10-2012 over `input` = the raw Streebog digest (CKM_GOSTR3410 / CKM_GOSTR3410_512); the
 *   result is the token's 64/128-byte value, passed on as is.
 */
export type SignScheme = 'rsa-pkcs1' | 'ecdsa' | 'gost';

export interface SignOperation {
	scheme: SignScheme;
	input: Buffer;
}

export type KeystoreErrorKind =
	/** The PIN is wrong. */
	| 'pin_incorrect'
	/** The token itself refuses the PIN for good (its own retry counter ran out). */
	| 'pin_locked'
	/** No private key for this credential, or the credential vanished from the token. */
	| 'key_not_found'
	/** The key or the token cannot do this (a mechanism is missing, GOST in software mode). */
	| 'unsupported'
	/** The token failed (unplugged, out of sessions, a library error). */
	| 'token_error';

/** A keystore failure; the message is safe to show (no PIN, no key material, no data). */
export class KeystoreError extends Error {
	constructor(
		readonly kind: KeystoreErrorKind,
		message: string,
	) {
		super(message);
		this.name = 'KeystoreError';
	}
}

export interface Keystore {
	/** A short description for logs and `info`, e.g. "PKCS#11 token 'edo' (SoftHSM)". */
	readonly description: string;
	/** 'N' when PINs are digits only, 'A' otherwise (CSC credentials/info PIN.format). */
	readonly pinFormat: 'N' | 'A';
	list(): Promise<KeystoreCredential[]>;
	/** Throws KeystoreError pin_incorrect | pin_locked | key_not_found when the PIN does not open the key. */
	checkPin(credentialId: string, pin: string): Promise<void>;
	/** One signature per operation, in order. */
	sign(credentialId: string, pin: string, operations: SignOperation[]): Promise<Buffer[]>;
	/** Decrypts a DER CMS EnvelopedData/AuthEnvelopedData addressed to the credential's certificate. */
	decrypt(credentialId: string, pin: string, envelope: Buffer): Promise<Buffer>;
	close(): Promise<void>;
}

export const OID = {
	rsaEncryption: '1.2.840.113549.1.1.1',
	sha224WithRsa: '1.2.840.113549.1.1.14',
	sha256WithRsa: '1.2.840.113549.1.1.11',
	sha384WithRsa: '1.2.840.113549.1.1.12',
	sha512WithRsa: '1.2.840.113549.1.1.13',
	ecPublicKey: '1.2.840.10045.2.1',
	ecdsaWithSha224: '1.2.840.10045.4.3.1',
	ecdsaWithSha256: '1.2.840.10045.4.3.2',
	ecdsaWithSha384: '1.2.840.10045.4.3.3',
	ecdsaWithSha512: '1.2.840.10045.4.3.4',
	gost2012_256: '1.2.643.7.1.1.1.1',
	gost2012_512: '1.2.643.7.1.1.1.2',
	gost2012SignWithDigest256: '1.2.643.7.1.1.3.2',
	gost2012SignWithDigest512: '1.2.643.7.1.1.3.3',
	sha224: '2.16.840.1.101.3.4.2.4',
	sha256: '2.16.840.1.101.3.4.2.1',
	sha384: '2.16.840.1.101.3.4.2.2',
	sha512: '2.16.840.1.101.3.4.2.3',
	streebog256: '1.2.643.7.1.1.2.2',
	streebog512: '1.2.643.7.1.1.2.3',
} as const;

/** The key of a certificate as a keystore describes it; undefined for key types the signer cannot use. */
export function credentialKeyOf(certificate: Certificate): CredentialKey | undefined {
	const { name, oid, bits } = certificate.keyAlgorithm;
	if (name === 'RSA') return { family: 'RSA', bits };
	if (name === 'EC') {
		const curveOid = { 'P-256': '1.2.840.10045.3.1.7', 'P-384': '1.3.132.0.34', 'P-521': '1.3.132.0.35' }[certificate.keyAlgorithm.curve ?? 'P-256'];
		return { family: 'EC', bits, curveOid };
	}
	const curveOid = certificate.keyAlgorithm.gostParamSet;
	if (oid === OID.gost2012_256) return { family: 'GOST', bits: 256, ...(curveOid ? { curveOid } : {}) };
	if (oid === OID.gost2012_512) return { family: 'GOST', bits: 512, ...(curveOid ? { curveOid } : {}) };
	return undefined;
}

/** The signAlgo OIDs a key accepts, as credentials/info lists them (key.algo). */
export function signAlgorithmsFor(key: CredentialKey): string[] {
	switch (key.family) {
		case 'RSA':
			return [OID.rsaEncryption, OID.sha256WithRsa, OID.sha384WithRsa, OID.sha512WithRsa, OID.sha224WithRsa];
		case 'EC':
			return [OID.ecPublicKey, OID.ecdsaWithSha256, OID.ecdsaWithSha384, OID.ecdsaWithSha512, OID.ecdsaWithSha224];
		case 'GOST':
			return key.bits === 512 ? [OID.gost2012_512, OID.gost2012SignWithDigest512] : [OID.gost2012_256, OID.gost2012SignWithDigest256];
	}
}
