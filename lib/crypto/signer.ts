import type { CertificateInfo } from './certificate';

/** SHA-2 for RSA and ECDSA keys; Streebog (GOST R 34.11-2012) for GOST R 34.10-2012 keys. */
export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'STREEBOG-256' | 'STREEBOG-512';

export interface SignOptions {
	/** Detached (the default) leaves the content out of the CMS; attached embeds it. */
	detached?: boolean;
	hashAlgorithm?: HashAlgorithm;
	signingTime?: Date;
}

/**
 * What every node signs and decrypts with: a local key (RSA, ECDSA, GOST) or a remote signer (CSC).
 * Signatures are DER-encoded CMS ContentInfo(SignedData) with the signer certificate included.
 */
export interface Signer {
	/** A short human description, e.g. "local key CN=Ivanov, 3F2A…". Never contains secrets. */
	readonly description: string;
	/** DER of the signer's certificate. */
	getCertificate(): Promise<Buffer>;
	getCertificateInfo(): Promise<CertificateInfo>;
	/** CMS SignedData over the bytes. */
	sign(data: Uint8Array, options?: SignOptions): Promise<Buffer>;
	/** Decrypts a CMS EnvelopedData / AuthEnvelopedData (DER) addressed to this signer's certificate. */
	decrypt(envelope: Uint8Array): Promise<Buffer>;
}
