/**
 * The digest and signature algorithms by OID that CMS, certificates, CRLs and OCSP use, and hashing by the
 * names the tables give: node:crypto's for SHA, ours for Streebog.
 */
import crypto from 'node:crypto';

import * as GOST_OID from '../gost/oids';
import { Streebog } from '../gost/streebog';
import * as OID from './oids';

/** Digests by OID; `node` is node:crypto's name, or streebog256/512 for ours (see hashBytes). */
export const DIGESTS: Record<string, { name: string; node: string }> = {
	[OID.OID_SHA1]: { name: 'SHA-1', node: 'sha1' },
	[OID.OID_SHA224]: { name: 'SHA-224', node: 'sha224' },
	[OID.OID_SHA256]: { name: 'SHA-256', node: 'sha256' },
	[OID.OID_SHA384]: { name: 'SHA-384', node: 'sha384' },
	[OID.OID_SHA512]: { name: 'SHA-512', node: 'sha512' },
	[GOST_OID.TC26_GOST_3411_12_256]: { name: 'STREEBOG-256', node: 'streebog256' },
	[GOST_OID.TC26_GOST_3411_12_512]: { name: 'STREEBOG-512', node: 'streebog512' },
};

export function hashBytes(node: string, data: Uint8Array): Buffer {
	if (node === 'streebog256') return new Streebog(256).update(data).digest();
	if (node === 'streebog512') return new Streebog(512).update(data).digest();
	return crypto.createHash(node).update(data).digest();
}

/**
 * Signature algorithms: the key type they need and the hash they imply (undefined: the SignerInfo digest).
 * GOST: OpenSSL's engine writes the key OID (id-tc26-gost3410-12-256/512), RFC 9215 the signwithdigest OIDs;
 * both are accepted.
 */
export const SIGNATURES: Record<string, { name: string; keyType: 'rsa' | 'ec' | 'gost'; hash?: string; gostBits?: 256 | 512 }> = {
	[OID.OID_RSA_ENCRYPTION]: { name: 'rsaEncryption', keyType: 'rsa' },
	[OID.OID_SHA1_WITH_RSA]: { name: 'sha1WithRSAEncryption', keyType: 'rsa', hash: 'sha1' },
	[OID.OID_SHA224_WITH_RSA]: { name: 'sha224WithRSAEncryption', keyType: 'rsa', hash: 'sha224' },
	[OID.OID_SHA256_WITH_RSA]: { name: 'sha256WithRSAEncryption', keyType: 'rsa', hash: 'sha256' },
	[OID.OID_SHA384_WITH_RSA]: { name: 'sha384WithRSAEncryption', keyType: 'rsa', hash: 'sha384' },
	[OID.OID_SHA512_WITH_RSA]: { name: 'sha512WithRSAEncryption', keyType: 'rsa', hash: 'sha512' },
	[OID.OID_EC_PUBLIC_KEY]: { name: 'ecPublicKey', keyType: 'ec' },
	[OID.OID_ECDSA_WITH_SHA1]: { name: 'ecdsa-with-SHA1', keyType: 'ec', hash: 'sha1' },
	[OID.OID_ECDSA_WITH_SHA224]: { name: 'ecdsa-with-SHA224', keyType: 'ec', hash: 'sha224' },
	[OID.OID_ECDSA_WITH_SHA256]: { name: 'ecdsa-with-SHA256', keyType: 'ec', hash: 'sha256' },
	[OID.OID_ECDSA_WITH_SHA384]: { name: 'ecdsa-with-SHA384', keyType: 'ec', hash: 'sha384' },
	[OID.OID_ECDSA_WITH_SHA512]: { name: 'ecdsa-with-SHA512', keyType: 'ec', hash: 'sha512' },
	[GOST_OID.TC26_GOST_3410_12_256]: { name: 'id-tc26-gost3410-12-256', keyType: 'gost', gostBits: 256 },
	[GOST_OID.TC26_GOST_3410_12_512]: { name: 'id-tc26-gost3410-12-512', keyType: 'gost', gostBits: 512 },
	[GOST_OID.TC26_SIGNWITHDIGEST_GOST_3410_12_256]: {
		name: 'id-tc26-signwithdigest-gost3410-12-256',
		keyType: 'gost',
		hash: 'streebog256',
		gostBits: 256,
	},
	[GOST_OID.TC26_SIGNWITHDIGEST_GOST_3410_12_512]: {
		name: 'id-tc26-signwithdigest-gost3410-12-512',
		keyType: 'gost',
		hash: 'streebog512',
		gostBits: 512,
	},
};
