import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { Asn1Error, Tag, type Asn1Node } from '../encoding';
import { algorithmIdentifier, integer, octetString, sequence } from './der';
import { decryptionFailed, invalidCms } from './envelope-errors';
import { GOST_CONTENT_CIPHERS, type GostContentCipherName } from './gost-content-ciphers';
import {
	OID_AES128_CBC,
	OID_AES128_GCM,
	OID_AES192_CBC,
	OID_AES192_GCM,
	OID_AES256_CBC,
	OID_AES256_GCM,
	OID_DES_EDE3_CBC,
} from './envelope-oids';

export type ContentCipherName =
	| 'aes-128-cbc'
	| 'aes-192-cbc'
	| 'aes-256-cbc'
	| 'des-ede3-cbc'
	| 'aes-128-gcm'
	| 'aes-192-gcm'
	| 'aes-256-gcm'
	| GostContentCipherName;

export interface EncryptedContent {
	algorithmIdentifier: Buffer;
	ciphertext: Buffer;
	/** The authentication tag of an AEAD cipher (AuthEnvelopedData `mac`), or the value of the `macAttribute`. */
	mac?: Buffer;
}

export interface AuthenticationInput {
	/** The AEAD tag, or the value of the cipher's `macAttribute`. */
	mac: Buffer;
	/** DER of the authAttrs as a SET OF, when present. */
	additionalData?: Buffer;
}

/**
 * One content-encryption algorithm. AEAD ciphers go into AuthEnvelopedData, the others into EnvelopedData.
 * The GOST algorithms (GOST 28147-89, Magma, Kuznyechik) come from gost-content-ciphers.ts.
 */
export interface ContentCipher {
	name: ContentCipherName;
	oid: string;
	keyLength: number;
	authenticated: boolean;
	/**
	 * EnvelopedData ciphers with a MAC outside the AEAD model (GOST -omac): the OID of the unprotected attribute
	 * that carries it (EnvelopedData version 2).
	 */
	macAttribute?: string;
	generateKey(): Buffer;
	encrypt(key: Buffer, plaintext: Uint8Array, additionalData?: Buffer): EncryptedContent;
	/** `parameters` are the AlgorithmIdentifier parameters; AEAD ciphers require `authentication`. */
	decrypt(
		key: Buffer,
		parameters: Asn1Node | undefined,
		ciphertext: Buffer,
		authentication?: AuthenticationInput,
	): Buffer;
}

function cbcCipher(name: ContentCipherName, oid: string, keyLength: number, blockSize: number): ContentCipher {
	return {
		name,
		oid,
		keyLength,
		authenticated: false,
		generateKey: () => (name === 'des-ede3-cbc' ? withOddParity(randomBytes(keyLength)) : randomBytes(keyLength)),
		encrypt: (key, plaintext) => {
			const iv = randomBytes(blockSize);
			const cipher = createCipheriv(name, key, iv);
			return {
				algorithmIdentifier: algorithmIdentifier(oid, octetString(iv)),
				ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]),
			};
		},
		decrypt: (key, parameters, ciphertext) => {
			const iv = readOctetStringParameter(parameters, `${name} IV`);
			if (iv.length !== blockSize) throw invalidCms(`the ${name} IV is ${iv.length} bytes instead of ${blockSize}`);
			if (ciphertext.length === 0 || ciphertext.length % blockSize !== 0) throw decryptionFailed();
			try {
				const decipher = createDecipheriv(name, key, iv);
				return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
			} catch {
				throw decryptionFailed();
			}
		},
	};
}

const GCM_NONCE_LENGTH = 12;
const GCM_TAG_LENGTH = 16;

function gcmCipher(name: ContentCipherName & CipherGCMTypes, oid: string, keyLength: number): ContentCipher {
	return {
		name,
		oid,
		keyLength,
		authenticated: true,
		generateKey: () => randomBytes(keyLength),
		encrypt: (key, plaintext, additionalData) => {
			const nonce = randomBytes(GCM_NONCE_LENGTH);
			const cipher = createCipheriv(name, key, nonce, { authTagLength: GCM_TAG_LENGTH });
			if (additionalData) cipher.setAAD(additionalData);
			const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
			// GCMParameters (RFC 5084): aes-ICVlen DEFAULT 12, so the 16 we use is written out.
			const parameters = sequence(octetString(nonce), integer(GCM_TAG_LENGTH));
			return { algorithmIdentifier: algorithmIdentifier(oid, parameters), ciphertext, mac: cipher.getAuthTag() };
		},
		decrypt: (key, parameters, ciphertext, authentication) => {
			const { nonce, tagLength } = readGcmParameters(parameters, name);
			if (!authentication) throw invalidCms(`${name} content must be carried in AuthEnvelopedData (RFC 5084)`);
			if (authentication.mac.length !== tagLength) throw decryptionFailed();
			try {
				const decipher = createDecipheriv(name, key, nonce, { authTagLength: tagLength });
				decipher.setAuthTag(authentication.mac);
				if (authentication.additionalData) decipher.setAAD(authentication.additionalData);
				return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
			} catch {
				throw decryptionFailed();
			}
		},
	};
}

const CONTENT_CIPHERS: ContentCipher[] = [
	cbcCipher('aes-128-cbc', OID_AES128_CBC, 16, 16),
	cbcCipher('aes-192-cbc', OID_AES192_CBC, 24, 16),
	cbcCipher('aes-256-cbc', OID_AES256_CBC, 32, 16),
	cbcCipher('des-ede3-cbc', OID_DES_EDE3_CBC, 24, 8),
	gcmCipher('aes-128-gcm', OID_AES128_GCM, 16),
	gcmCipher('aes-192-gcm', OID_AES192_GCM, 24),
	gcmCipher('aes-256-gcm', OID_AES256_GCM, 32),
	...GOST_CONTENT_CIPHERS,
];

export const SUPPORTED_CONTENT_CIPHERS =
	'AES-128/192/256-CBC, DES-EDE3-CBC, AES-128/192/256-GCM, GOST 28147-89, Kuznyechik and Magma CTR-ACPKM(-OMAC)';

export function contentCipherByOid(oid: string): ContentCipher | undefined {
	return CONTENT_CIPHERS.find((cipher) => cipher.oid === oid);
}

export function contentCipherByName(name: string): ContentCipher | undefined {
	return CONTENT_CIPHERS.find((cipher) => cipher.name === name);
}

function readOctetStringParameter(parameters: Asn1Node | undefined, what: string): Buffer {
	if (!parameters) throw invalidCms(`the ${what} is missing`);
	if (!parameters.is(Tag.octetString)) throw invalidCms(`the ${what} is not an OCTET STRING`);
	return parameters.bytes;
}

/** GCMParameters (RFC 5084) have no pkijs class. */
function readGcmParameters(parameters: Asn1Node | undefined, name: string): { nonce: Buffer; tagLength: number } {
	if (!parameters) throw invalidCms(`the ${name} parameters (nonce) are missing`);
	try {
		const [nonce, length] = parameters.expect(Tag.sequence).children;
		if (!nonce?.is(Tag.octetString) || nonce.bytes.length === 0) throw new Asn1Error('no nonce');
		const tagLength = length ? length.integer : 12;
		if (tagLength < 12 || tagLength > 16) throw new Asn1Error(`tag length ${tagLength}`);
		return { nonce: nonce.bytes, tagLength };
	} catch (error) {
		if (error instanceof Asn1Error) throw invalidCms(`the ${name} parameters are malformed (${error.message})`);
		throw error;
	}
}

/** DES keys carry odd parity in each byte's low bit; OpenSSL sets it too, strict peers check it. */
function withOddParity(key: Buffer): Buffer {
	for (let i = 0; i < key.length; i++) {
		let ones = 0;
		for (let bit = 1; bit < 0x100; bit <<= 1) if (key[i] & bit & 0xfe) ones++;
		key[i] = (key[i] & 0xfe) | (ones % 2 === 0 ? 1 : 0);
	}
	return key;
}
