/**
 * What to ask a remote signer for and what to put into the CMS, keyed by the certificate's key algorithm and
 * the digest: the hash OID of signHash, the signAlgo OIDs it may accept (the first one the credential lists
 * wins), the SignerInfo.signatureAlgorithm, and how a returned signature value is checked and normalized.
 * GOST R 34.10-2012: the signed attributes are hashed here with Streebog of the key size, signHash gets
 * hashAlgorithmOID id-tc26-gost3411-12-256/512 and signAlgo id-tc26-signwithdigest-gost3410-12-256/512 (the key
 * OID when that is all the credential lists), and the value is 64/128 bytes s || r, carried in CMS as it is.
 */
import crypto from 'node:crypto';

import type { Certificate } from '../../crypto/certificate';
import { algorithmIdentifier, DER_NULL } from '../../crypto/cms/der';
import { EdoCryptoError } from '../../crypto/errors';
import { hashContent } from '../../crypto/hash';
import type { HashAlgorithm } from '../../crypto/signer';

export type KeyFamily = 'RSA' | 'ECDSA' | 'GOST2012-256' | 'GOST2012-512';

export interface RemoteAlgorithm {
	family: KeyFamily;
	/** The digest name as the CMS builder knows it (SHA-256…; STREEBOG-256/512 for GOST). */
	hash: HashAlgorithm;
	/** Node's name of the digest, when Node can compute it. */
	nodeHash?: string;
	hashOid: string;
	digestLength: number;
	/** signAlgo candidates in order of preference. */
	signAlgoOids: string[];
	/** SignerInfo.signatureAlgorithm (AlgorithmIdentifier DER). */
	cmsSignatureAlgorithm: Buffer;
}

const OID = {
	rsaEncryption: '1.2.840.113549.1.1.1',
	ecPublicKey: '1.2.840.10045.2.1',
	gost2012_256: '1.2.643.7.1.1.1.1',
	gost2012_512: '1.2.643.7.1.1.1.2',
	gost2012SignWithDigest256: '1.2.643.7.1.1.3.2',
	gost2012SignWithDigest512: '1.2.643.7.1.1.3.3',
};

function row(
	family: KeyFamily,
	hash: HashAlgorithm,
	nodeHash: string | undefined,
	hashOid: string,
	digestLength: number,
	signAlgoOids: string[],
	cmsSignatureAlgorithm: Buffer,
): RemoteAlgorithm {
	return { family, hash, nodeHash, hashOid, digestLength, signAlgoOids, cmsSignatureAlgorithm };
}

const RSA_CMS = algorithmIdentifier(OID.rsaEncryption, DER_NULL);

const TABLE: RemoteAlgorithm[] = [
	row('RSA', 'SHA-256', 'sha256', '2.16.840.1.101.3.4.2.1', 32, ['1.2.840.113549.1.1.11', OID.rsaEncryption], RSA_CMS),
	row('RSA', 'SHA-384', 'sha384', '2.16.840.1.101.3.4.2.2', 48, ['1.2.840.113549.1.1.12', OID.rsaEncryption], RSA_CMS),
	row('RSA', 'SHA-512', 'sha512', '2.16.840.1.101.3.4.2.3', 64, ['1.2.840.113549.1.1.13', OID.rsaEncryption], RSA_CMS),
	row('ECDSA', 'SHA-256', 'sha256', '2.16.840.1.101.3.4.2.1', 32, ['1.2.840.10045.4.3.2', OID.ecPublicKey], algorithmIdentifier('1.2.840.10045.4.3.2')),
	row('ECDSA', 'SHA-384', 'sha384', '2.16.840.1.101.3.4.2.2', 48, ['1.2.840.10045.4.3.3', OID.ecPublicKey], algorithmIdentifier('1.2.840.10045.4.3.3')),
	row('ECDSA', 'SHA-512', 'sha512', '2.16.840.1.101.3.4.2.3', 64, ['1.2.840.10045.4.3.4', OID.ecPublicKey], algorithmIdentifier('1.2.840.10045.4.3.4')),
	// SignerInfo.signatureAlgorithm as our local GOST signer writes it (RFC 9215); the key OID is accepted too.
	row('GOST2012-256', 'STREEBOG-256', undefined, '1.2.643.7.1.1.2.2', 32, [OID.gost2012SignWithDigest256, OID.gost2012_256], algorithmIdentifier(OID.gost2012SignWithDigest256)),
	row('GOST2012-512', 'STREEBOG-512', undefined, '1.2.643.7.1.1.2.3', 64, [OID.gost2012SignWithDigest512, OID.gost2012_512], algorithmIdentifier(OID.gost2012SignWithDigest512)),
];

export function keyFamilyOf(certificate: Certificate): KeyFamily | undefined {
	const { name, oid } = certificate.keyAlgorithm;
	if (name === 'RSA') return 'RSA';
	if (name === 'EC') return 'ECDSA';
	if (oid === OID.gost2012_256) return 'GOST2012-256';
	if (oid === OID.gost2012_512) return 'GOST2012-512';
	return undefined;
}

/** The digest of the data to sign, as signHash takes it: node:crypto for SHA-2, our Streebog for GOST. */
export function digestForSigning(algorithm: RemoteAlgorithm, data: Uint8Array): Buffer {
	return algorithm.nodeHash ? crypto.createHash(algorithm.nodeHash).update(data).digest() : hashContent(algorithm.hash, data);
}

/** The table row for this certificate and digest, or UNSUPPORTED_ALGORITHM. */
export function remoteAlgorithm(certificate: Certificate, hash: string): RemoteAlgorithm {
	const family = keyFamilyOf(certificate);
	const found = family && TABLE.find((entry) => entry.family === family && entry.hash === hash);
	if (!found) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The remote signer's certificate has a ${certificate.keyAlgorithm.description} key, which cannot sign with ${hash} here`,
			'RSA and ECDSA keys sign with SHA-256, SHA-384 or SHA-512; GOST keys with Streebog.',
		);
	}
	return found;
}

/** The signAlgo to send: the first candidate the credential lists, else the most specific one. */
export function chooseSignAlgo(algorithm: RemoteAlgorithm, credentialAlgos: readonly string[]): string {
	const offered = new Set(credentialAlgos);
	return algorithm.signAlgoOids.find((candidate) => offered.has(candidate)) ?? algorithm.signAlgoOids[0];
}

// ---------------------------------------------------------------- signature values

function fieldBytes(certificate: Certificate): number {
	return Math.ceil(certificate.keyAlgorithm.bits / 8);
}

/** Minimal DER INTEGER of an unsigned big-endian number. */
function derUnsignedInteger(bytes: Buffer): Buffer {
	let start = 0;
	while (start < bytes.length - 1 && bytes[start] === 0) start++;
	let value = bytes.subarray(start);
	if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
	return Buffer.concat([Buffer.from([0x02, value.length]), value]);
}

function derSequence(content: Buffer): Buffer {
	const length = content.length < 0x80 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
	return Buffer.concat([Buffer.from([0x30]), length, content]);
}

/** Reads a DER ECDSA-Sig-Value and returns r and s, or undefined when it is not one. */
function readEcdsaDer(value: Buffer, maxIntegerBytes: number): { r: Buffer; s: Buffer } | undefined {
	if (value.length < 8 || value[0] !== 0x30) return undefined;
	let offset = 1;
	let length = value[offset++];
	if (length === 0x81) length = value[offset++];
	else if (length & 0x80) return undefined;
	if (offset + length !== value.length) return undefined;
	const integers: Buffer[] = [];
	for (let index = 0; index < 2; index++) {
		if (value[offset++] !== 0x02) return undefined;
		const size = value[offset++];
		if (size === 0 || size > maxIntegerBytes + 1 || offset + size > value.length) return undefined;
		integers.push(value.subarray(offset, offset + size));
		offset += size;
	}
	return offset === value.length ? { r: integers[0], s: integers[1] } : undefined;
}

function wrongLength(what: string, got: number, expected: string): EdoCryptoError {
	return new EdoCryptoError(
		'REMOTE_SIGNER_PROTOCOL',
		`The remote signer returned a ${what} signature value of ${got} bytes, but the credential's key gives ${expected}`,
		'The endpoint signed with another key or algorithm than its certificate says, or cut the value: check the credential configured on the signer.',
	);
}

/**
 * Checks a signature value against the key size and brings it into the form CMS carries: RSA as is
 * (exactly the modulus length), ECDSA as DER (raw r||s of twice the field size is converted), GOST raw.
 */
export function normalizeSignatureValue(value: Buffer, certificate: Certificate, algorithm: RemoteAlgorithm): Buffer {
	const size = fieldBytes(certificate);
	switch (algorithm.family) {
		case 'RSA':
			if (value.length !== size) throw wrongLength('RSA', value.length, `${size} bytes`);
			return value;
		case 'ECDSA': {
			if (value.length === 2 * size && value[0] !== 0x30) {
				return derSequence(Buffer.concat([derUnsignedInteger(value.subarray(0, size)), derUnsignedInteger(value.subarray(size))]));
			}
			if (readEcdsaDer(value, size)) return value;
			if (value.length === 2 * size) {
				// 0x30 may also start a raw r: it is raw when it does not parse as DER.
				return derSequence(Buffer.concat([derUnsignedInteger(value.subarray(0, size)), derUnsignedInteger(value.subarray(size))]));
			}
			throw wrongLength('ECDSA', value.length, `a DER ECDSA value or ${2 * size} raw bytes`);
		}
		default: {
			const expected = algorithm.family === 'GOST2012-256' ? 64 : 128;
			if (value.length !== expected) throw wrongLength('GOST', value.length, `${expected} bytes`);
			return value;
		}
	}
}

/**
 * Whether the value verifies with the certificate's public key over the signed data (RSA and ECDSA with Node,
 * GOST with our implementation). Catches an endpoint that signs with a key other than its certificate's before
 * a service rejects the CMS with a less telling message.
 */
export function signatureMatchesCertificate(data: Buffer, value: Buffer, certificate: Certificate, algorithm: RemoteAlgorithm): boolean {
	if (algorithm.family === 'GOST2012-256' || algorithm.family === 'GOST2012-512') {
		try {
			return certificate.gostPublicKey.verifyDigest(hashContent(algorithm.hash, data), value);
		} catch {
			return false;
		}
	}
	if (!algorithm.nodeHash) return true;
	try {
		return crypto.verify(algorithm.nodeHash, data, certificate.publicKey, value);
	} catch {
		return false;
	}
}
