/**
 * The signers the nodes choose between: a key on this machine (EDO Certificate) or a remote signer (CSC).
 * Both build the CMS locally and expose the same surface.
 */
import type { Certificate } from '../crypto/certificate';
import type { HashAlgorithm, Signer } from '../crypto/signer';

export interface CertificateSigner extends Signer {
	readonly certificate: Certificate;
	/** SHA-1 of the certificate, uppercase hex. */
	readonly thumbprint: string;
	/** A detached signature over content hashed by the caller (e.g. streamed): `digest` is its raw hash. */
	signDigest(digest: Uint8Array, options?: { hashAlgorithm?: HashAlgorithm; signingTime?: Date }): Promise<Buffer>;
	/** Announces how many signatures or decryptions are coming, where the signer can batch authorizations. */
	reserve?(count: number): void;
}

export * from './remote';
