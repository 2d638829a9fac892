/**
 * signHash's algorithm rules: which signAlgo a key accepts, which digest algorithm applies (given by
 * hashAlgorithmOID / hashAlgo or implied by signAlgo), how long each digest must be, and what the keystore
 * signs (the DigestInfo for RSA, the bare digest for ECDSA and GOST).
 */
import { algorithmIdentifier, DER_NULL, octetString, sequence } from '../lib/crypto/cms/der';
import { OID, type CredentialKey, type SignOperation, type SignScheme } from './keystore';

export interface DigestAlgorithm {
	name: string;
	oid: string;
	length: number;
}

const DIGESTS: DigestAlgorithm[] = [
	{ name: 'SHA-224', oid: OID.sha224, length: 28 },
	{ name: 'SHA-256', oid: OID.sha256, length: 32 },
	{ name: 'SHA-384', oid: OID.sha384, length: 48 },
	{ name: 'SHA-512', oid: OID.sha512, length: 64 },
	{ name: 'GOST R 34.11-2012 (Streebog) 256', oid: OID.streebog256, length: 32 },
	{ name: 'GOST R 34.11-2012 (Streebog) 512', oid: OID.streebog512, length: 64 },
];

const OID_SHA1 = '1.3.14.3.2.26';

interface SignAlgorithm {
	family: CredentialKey['family'];
	scheme: SignScheme;
	/** The digest the OID names (…WithRSAEncryption, ecdsa-with-…); undefined for the bare key OIDs. */
	digestOid?: string;
	/** GOST: the key size the OID belongs to. */
	gostBits?: number;
}

const SIGN_ALGORITHMS: Record<string, SignAlgorithm> = {
	[OID.rsaEncryption]: { family: 'RSA', scheme: 'rsa-pkcs1' },
	[OID.sha224WithRsa]: { family: 'RSA', scheme: 'rsa-pkcs1', digestOid: OID.sha224 },
	[OID.sha256WithRsa]: { family: 'RSA', scheme: 'rsa-pkcs1', digestOid: OID.sha256 },
	[OID.sha384WithRsa]: { family: 'RSA', scheme: 'rsa-pkcs1', digestOid: OID.sha384 },
	[OID.sha512WithRsa]: { family: 'RSA', scheme: 'rsa-pkcs1', digestOid: OID.sha512 },
	[OID.ecPublicKey]: { family: 'EC', scheme: 'ecdsa' },
	[OID.ecdsaWithSha224]: { family: 'EC', scheme: 'ecdsa', digestOid: OID.sha224 },
	[OID.ecdsaWithSha256]: { family: 'EC', scheme: 'ecdsa', digestOid: OID.sha256 },
	[OID.ecdsaWithSha384]: { family: 'EC', scheme: 'ecdsa', digestOid: OID.sha384 },
	[OID.ecdsaWithSha512]: { family: 'EC', scheme: 'ecdsa', digestOid: OID.sha512 },
	[OID.gost2012_256]: { family: 'GOST', scheme: 'gost', digestOid: OID.streebog256, gostBits: 256 },
	[OID.gost2012SignWithDigest256]: { family: 'GOST', scheme: 'gost', digestOid: OID.streebog256, gostBits: 256 },
	[OID.gost2012_512]: { family: 'GOST', scheme: 'gost', digestOid: OID.streebog512, gostBits: 512 },
	[OID.gost2012SignWithDigest512]: { family: 'GOST', scheme: 'gost', digestOid: OID.streebog512, gostBits: 512 },
};

export const SUPPORTED_SIGN_ALGORITHMS = Object.keys(SIGN_ALGORITHMS);

/** A refusal of the request, phrased for `error_description`. */
export class AlgorithmError extends Error {}

export interface ResolvedSignature {
	digest: DigestAlgorithm;
	operations: SignOperation[];
}

function digestByOid(oid: string): DigestAlgorithm | undefined {
	return DIGESTS.find((digest) => digest.oid === oid);
}

/**
 * The keystore operations for signHash, or AlgorithmError: unknown or mismatched signAlgo, a digest algorithm
 * that contradicts it, a digest of the wrong length.
 */
export function resolveSignature(key: CredentialKey, signAlgo: string, hashOid: string | undefined, hashes: Buffer[]): ResolvedSignature {
	const algorithm = SIGN_ALGORITHMS[signAlgo];
	if (!algorithm) throw new AlgorithmError(`Invalid parameter signAlgo: ${signAlgo} is not supported (supported: ${SUPPORTED_SIGN_ALGORITHMS.join(', ')})`);
	if (algorithm.family !== key.family || (algorithm.gostBits !== undefined && algorithm.gostBits !== key.bits)) {
		throw new AlgorithmError(`Invalid parameter signAlgo: ${signAlgo} does not fit the credential's ${key.family}-${key.bits} key`);
	}
	if (hashOid === OID_SHA1) throw new AlgorithmError('Invalid parameter hashAlgorithmOID: SHA-1 is not accepted for signatures');
	if (hashOid !== undefined && !digestByOid(hashOid)) throw new AlgorithmError(`Invalid parameter hashAlgorithmOID: ${hashOid} is not supported`);
	if (hashOid !== undefined && algorithm.digestOid !== undefined && hashOid !== algorithm.digestOid) {
		throw new AlgorithmError(`Invalid parameter hashAlgorithmOID: ${hashOid} contradicts signAlgo ${signAlgo}`);
	}
	let digest = digestByOid(hashOid ?? algorithm.digestOid ?? '');
	if (!digest) {
		if (algorithm.scheme === 'rsa-pkcs1') {
			throw new AlgorithmError('Missing parameter hashAlgorithmOID: RSA with signAlgo rsaEncryption needs the digest algorithm for the DigestInfo');
		}
		// Bare ecPublicKey: ECDSA does not need the OID, the digest length tells it.
		digest = DIGESTS.find((candidate) => candidate.oid.startsWith('2.16.') && candidate.length === hashes[0]?.length);
		if (!digest) throw new AlgorithmError('Invalid digest value length: expected the 28, 32, 48 or 64 bytes of a SHA-2 digest');
	}
	for (const hash of hashes) {
		if (hash.length !== digest.length) {
			throw new AlgorithmError(`Invalid digest value length: ${digest.name} digests are ${digest.length} bytes, got ${hash.length}`);
		}
	}
	const chosen = digest;
	const operations = hashes.map((hash) => ({
		scheme: algorithm.scheme,
		input: algorithm.scheme === 'rsa-pkcs1' ? digestInfo(chosen.oid, hash) : hash,
	}));
	return { digest: chosen, operations };
}

/** DER DigestInfo { AlgorithmIdentifier { oid, NULL }, OCTET STRING digest } (RFC 8017 9.2). */
export function digestInfo(digestOid: string, digest: Buffer): Buffer {
	return sequence(algorithmIdentifier(digestOid, DER_NULL), octetString(digest));
}
