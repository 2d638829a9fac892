/**
 * GOST content-encryption algorithms of CMS EnvelopedData, as OpenSSL's engine writes them (the map in
 * ../gost/kexp15.ts): GOST 28147-89 CFB with CryptoPro key meshing (RFC 4490), and Kuznyechik / Magma
 * CTR-ACPKM with or without the OMAC carried, encrypted, in the id-cms-mac-attr unprotected attribute.
 */
import { randomBytes } from 'node:crypto';

import { Asn1Error, Tag } from '../encoding';
import { gost28147SboxByOid, gost89Decrypt, gost89Encrypt } from '../gost/gost89';
import { KDF_TREE_LABEL, kdfTreeGostR3411_2012_256 } from '../gost/kdf';
import {
	CMS_ACPKM_SECTION_SIZE,
	CMS_MAC_ATTRIBUTE_OID,
	decryptCmsGost2015Content,
	type Gost2015ContentAlgorithm,
} from '../gost/kexp15';
import { blockCipherFactory, ctrAcpkmCrypt, omac, type Gost2015CipherName } from '../gost/modes2015';
import type { ContentCipher } from './content-ciphers';
import { algorithmIdentifier, octetString, oid, sequence } from './der';
import { decryptionFailed, invalidCms } from './envelope-errors';

export const OID_GOST28147_89 = '1.2.643.2.2.21';
/** The S-box OpenSSL's engine uses for 2012 keys: id-tc26-gost-28147-param-Z. */
export const OID_GOST28147_PARAMSET_Z = '1.2.643.7.1.2.5.1.1';

const GOST2015_OIDS: Record<string, string> = {
	'magma-ctr-acpkm': '1.2.643.7.1.1.5.1.1',
	'magma-ctr-acpkm-omac': '1.2.643.7.1.1.5.1.2',
	'kuznyechik-ctr-acpkm': '1.2.643.7.1.1.5.2.1',
	'kuznyechik-ctr-acpkm-omac': '1.2.643.7.1.1.5.2.2',
};

export type GostContentCipherName =
	| 'gost89'
	| 'kuznyechik-ctr-acpkm'
	| 'magma-ctr-acpkm'
	| 'kuznyechik-ctr-acpkm-omac'
	| 'magma-ctr-acpkm-omac';

export const GOST_CONTENT_CIPHER_NAMES: readonly GostContentCipherName[] = [
	'gost89',
	'kuznyechik-ctr-acpkm',
	'magma-ctr-acpkm',
	'kuznyechik-ctr-acpkm-omac',
	'magma-ctr-acpkm-omac',
];

export function isGostContentCipherName(name: string | undefined): name is GostContentCipherName {
	return GOST_CONTENT_CIPHER_NAMES.includes(name as GostContentCipherName);
}

function malformed(what: string): never {
	throw invalidCms(`the ${what} parameters are malformed`);
}

const gost89: ContentCipher = {
	name: 'gost89',
	oid: OID_GOST28147_89,
	keyLength: 32,
	authenticated: false,
	generateKey: () => randomBytes(32),
	encrypt: (key, plaintext) => {
		const iv = randomBytes(8);
		const ciphertext = gost89Encrypt('cfb', key, iv, plaintext, { sbox: 'TC26-Z', meshing: true });
		return {
			algorithmIdentifier: algorithmIdentifier(OID_GOST28147_89, sequence(octetString(iv), oid(OID_GOST28147_PARAMSET_Z))),
			ciphertext: Buffer.from(ciphertext),
		};
	},
	decrypt: (key, parameters, ciphertext) => {
		let iv: Buffer;
		let paramSet: string;
		try {
			const [ivNode, setNode] = (parameters ?? malformed('GOST 28147-89')).expect(Tag.sequence).children;
			iv = ivNode.expect(Tag.octetString).bytes;
			paramSet = setNode.oid;
		} catch (error) {
			if (error instanceof Asn1Error || error instanceof TypeError) malformed('GOST 28147-89');
			throw error;
		}
		if (iv.length !== 8) throw invalidCms(`the GOST 28147-89 IV is ${iv.length} bytes instead of 8`);
		const sbox = gost28147SboxByOid(paramSet);
		return Buffer.from(gost89Decrypt('cfb', key, iv, ciphertext, { sbox, meshing: sbox !== 'Test' }));
	},
};

function gost2015(name: GostContentCipherName, cipher: Gost2015CipherName, withMac: boolean): ContentCipher {
	const algorithm: Gost2015ContentAlgorithm = { cipher, withMac };
	const blockSize = cipher === 'kuznyechik' ? 16 : 8;
	const algorithmOid = GOST2015_OIDS[name];
	return {
		name,
		oid: algorithmOid,
		keyLength: 32,
		authenticated: false,
		macAttribute: withMac ? CMS_MAC_ATTRIBUTE_OID : undefined,
		generateKey: () => randomBytes(32),
		encrypt: (key, plaintext) => {
			// ukm = IV (half a block) || seed (8); the seed feeds the KDF_TREE of the -omac variant.
			const ukm = randomBytes(blockSize / 2 + 8);
			const iv = ukm.subarray(0, blockSize / 2);
			const make = blockCipherFactory(cipher);
			const section = CMS_ACPKM_SECTION_SIZE[cipher];
			const algorithmIdentifierDer = algorithmIdentifier(algorithmOid, sequence(octetString(ukm)));
			if (!withMac) {
				return { algorithmIdentifier: algorithmIdentifierDer, ciphertext: Buffer.from(ctrAcpkmCrypt(make, key, iv, plaintext, section)) };
			}
			const keys = kdfTreeGostR3411_2012_256(key, KDF_TREE_LABEL, ukm.subarray(blockSize / 2), 64, 1);
			const macCipher = make(keys.subarray(32, 64));
			const mac = omac(macCipher, plaintext);
			macCipher.destroy?.();
			// The MAC is encrypted by the key stream that follows the content.
			const joined = new Uint8Array(plaintext.length + blockSize);
			joined.set(plaintext);
			joined.set(mac, plaintext.length);
			const sealed = Buffer.from(ctrAcpkmCrypt(make, keys.subarray(0, 32), iv, joined, section));
			keys.fill(0);
			joined.fill(0);
			return {
				algorithmIdentifier: algorithmIdentifierDer,
				ciphertext: sealed.subarray(0, plaintext.length),
				mac: sealed.subarray(plaintext.length),
			};
		},
		decrypt: (key, parameters, ciphertext, authentication) => {
			let contentUkm: Buffer;
			try {
				contentUkm = (parameters ?? malformed(name)).expect(Tag.sequence).child(0).expect(Tag.octetString).bytes;
			} catch (error) {
				if (error instanceof Asn1Error) malformed(name);
				throw error;
			}
			if (withMac && !authentication?.mac) throw invalidCms(`the ${name} envelope has no MAC attribute (${CMS_MAC_ATTRIBUTE_OID})`);
			try {
				return Buffer.from(
					decryptCmsGost2015Content({ algorithm, cek: key, contentUkm, ciphertext, encryptedMac: authentication?.mac }),
				);
			} catch (error) {
				if ((error as { code?: string }).code === 'INVALID_CMS') throw invalidCms((error as Error).message.replace(/\.$/, ''));
				throw decryptionFailed();
			}
		},
	};
}

export const GOST_CONTENT_CIPHERS: ContentCipher[] = [
	gost89,
	gost2015('kuznyechik-ctr-acpkm', 'kuznyechik', false),
	gost2015('magma-ctr-acpkm', 'magma', false),
	gost2015('kuznyechik-ctr-acpkm-omac', 'kuznyechik', true),
	gost2015('magma-ctr-acpkm-omac', 'magma', true),
];
