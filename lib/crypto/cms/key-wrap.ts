import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DER_NULL, algorithmIdentifier } from './der';
import { OID_AES128_WRAP, OID_AES192_WRAP, OID_AES256_WRAP, OID_CMS3DES_WRAP } from './envelope-oids';

/** A key-encryption-key wrap algorithm as used inside KeyAgreeRecipientInfo. */
export interface KeyWrapAlgorithm {
	oid: string;
	kekLength: number;
	/** The AlgorithmIdentifier DER we write (and that enters the ECC-CMS-SharedInfo). */
	algorithmIdentifier: Buffer;
	wrap(kek: Buffer, contentKey: Buffer): Buffer;
	/** Throws (any error) when the integrity check fails. */
	unwrap(kek: Buffer, wrapped: Buffer): Buffer;
}

const RFC3394_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function nodeWrap(oid: string, cipher: string, kekLength: number, iv: Buffer, parameters?: Buffer): KeyWrapAlgorithm {
	return {
		oid,
		kekLength,
		algorithmIdentifier: algorithmIdentifier(oid, parameters),
		wrap: (kek, contentKey) => {
			const wrapper = createCipheriv(cipher, kek, iv);
			return Buffer.concat([wrapper.update(contentKey), wrapper.final()]);
		},
		unwrap: (kek, wrapped) => {
			const unwrapper = createDecipheriv(cipher, kek, iv);
			return Buffer.concat([unwrapper.update(wrapped), unwrapper.final()]);
		},
	};
}

const KEY_WRAPS: KeyWrapAlgorithm[] = [
	// RFC 3565: AES key wrap parameters are absent.
	nodeWrap(OID_AES128_WRAP, 'id-aes128-wrap', 16, RFC3394_IV),
	nodeWrap(OID_AES192_WRAP, 'id-aes192-wrap', 24, RFC3394_IV),
	nodeWrap(OID_AES256_WRAP, 'id-aes256-wrap', 32, RFC3394_IV),
	// RFC 3217 / RFC 3370: parameters NULL; OpenSSL's cipher draws the random IV and does the double CBC pass.
	nodeWrap(OID_CMS3DES_WRAP, 'id-smime-alg-CMS3DESwrap', 24, Buffer.alloc(0), DER_NULL),
];

export function keyWrapByOid(oid: string): KeyWrapAlgorithm | undefined {
	return KEY_WRAPS.find((wrap) => wrap.oid === oid);
}

export const SUPPORTED_KEY_WRAPS = 'AES-128/192/256 key wrap (RFC 3394), 3DES key wrap (RFC 3217)';
