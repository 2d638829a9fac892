/**
 * The digest algorithms signatures use, by the names of HashAlgorithm: SHA-2 through node:crypto, Streebog
 * (GOST R 34.11-2012) through our own implementation. Also the rule that picks the digest for a certificate:
 * GOST R 34.10-2012 keys sign Streebog of their own size, whatever was asked for.
 */
import crypto from 'node:crypto';

import type { Certificate } from './certificate';
import { EdoCryptoError } from './errors';
import { Streebog } from './gost/streebog';
import type { HashAlgorithm } from './signer';

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512', 'STREEBOG-256', 'STREEBOG-512'];

const NODE_NAMES: Partial<Record<HashAlgorithm, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const STREEBOG_SIZES: Partial<Record<HashAlgorithm, 256 | 512>> = { 'STREEBOG-256': 256, 'STREEBOG-512': 512 };

/** An incremental hash with the one-call shape of node's Hash. */
export interface ContentHash {
	update(data: Uint8Array): ContentHash;
	digest(): Buffer;
}

export function isStreebog(algorithm: HashAlgorithm | undefined): boolean {
	return algorithm !== undefined && STREEBOG_SIZES[algorithm] !== undefined;
}

export function createContentHash(algorithm: HashAlgorithm): ContentHash {
	const nodeName = NODE_NAMES[algorithm];
	if (nodeName) {
		const hash = crypto.createHash(nodeName);
		const wrapper: ContentHash = {
			update: (data) => {
				hash.update(data);
				return wrapper;
			},
			digest: () => hash.digest(),
		};
		return wrapper;
	}
	const size = STREEBOG_SIZES[algorithm];
	if (!size) throw unsupportedHash(algorithm);
	const streebog = new Streebog(size);
	const wrapper: ContentHash = {
		update: (data) => {
			streebog.update(data);
			return wrapper;
		},
		digest: () => streebog.digest(),
	};
	return wrapper;
}

export function hashContent(algorithm: HashAlgorithm, data: Uint8Array): Buffer {
	return createContentHash(algorithm).update(data).digest();
}

/**
 * The digest a signature with this certificate's key uses: Streebog-256/512 for GOST R 34.10-2012 keys (any SHA
 * request is replaced, as GOST keys only sign Streebog digests), else the requested one (SHA-256 by default).
 */
export function signatureHashFor(certificate: Certificate, requested?: HashAlgorithm): HashAlgorithm {
	if (certificate.isGost) return certificate.keyAlgorithm.bits === 512 ? 'STREEBOG-512' : 'STREEBOG-256';
	if (isStreebog(requested)) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`${requested} (GOST R 34.11-2012) digests are signed by GOST keys, but the certificate has a ${certificate.keyAlgorithm.description} key.`,
			'Choose SHA-256, SHA-384 or SHA-512 for RSA and ECDSA certificates.',
		);
	}
	return requested ?? 'SHA-256';
}

function unsupportedHash(algorithm: unknown): EdoCryptoError {
	return new EdoCryptoError(
		'UNSUPPORTED_ALGORITHM',
		`Hash algorithm "${String(algorithm)}" is not supported.`,
		`Use one of: ${HASH_ALGORITHMS.join(', ')}.`,
	);
}
