/**
 * KExp15 / KImp15 key export (R 1323565.1.026-2019, RFC 9189 §8.2.1) and the GOST R 34.12-2015
 * key transport and content encryption of OpenSSL's gost engine CMS.
 *
 * ============================================================================================
 * CMS map: what `openssl cms -encrypt -binary -<cipher> ... cert.pem` (gost engine 3.0.1) makes
 * for a gost2012_256 (paramset A) or gost2012_512 (paramset A) certificate. Learned from
 * `openssl cms -cmsout -print` / `asn1parse` of its output and proven by test/gost/envelope-map.test.ts.
 * ============================================================================================
 *
 * Common: ContentInfo(envelopedData 1.2.840.113549.1.7.3) → EnvelopedData, one
 * KeyTransRecipientInfo (version 0, rid = issuerAndSerialNumber), encryptedContentInfo with
 * contentType id-data, encryptedContent [0] IMPLICIT primitive. No originatorInfo.
 *
 * 1. `-gost89` (GOST 28147-89 content, CryptoPro key transport, RFC 4490 style)
 *    EnvelopedData version 0.
 *    keyEncryptionAlgorithm = the recipient certificate's key algorithm, copied with its parameters:
 *      1.2.643.7.1.1.1.1 (gost2012-256) or 1.2.643.7.1.1.1.2 (gost2012-512),
 *      params SEQUENCE { curve OID, digest OID 1.2.643.7.1.1.2.2 / .2.3 }.
 *    encryptedKey = DER of GostR3410-KeyTransport:
 *      SEQUENCE {
 *        sessionEncryptedKey SEQUENCE { encryptedKey OCTET STRING (32), macKey OCTET STRING (4) },
 *        transportParameters [0] IMPLICIT SEQUENCE {
 *          encryptionParamSet OID  -- 1.2.643.7.1.2.5.1.1 (TC26 Z) for 2012 keys: S-box of the key wrap
 *          ephemeralPublicKey [0] IMPLICIT SubjectPublicKeyInfo  -- sender's ephemeral key, same curve
 *          ukm OCTET STRING (8) } }
 *    KEK = VKO_GOSTR3410_2012 (recipient private key, ephemeral public key, UKM = the 8 bytes read as
 *          a little-endian integer) hashed with Streebog-256 — for 512-bit keys too (32 bytes)
 *          (vko.ts vkoKeyTransport2012).
 *    CEK = cryptoProKeyUnwrap(KEK, encryptedKey || macKey, ukm, sbox(encryptionParamSet))   (gost89.ts)
 *    contentEncryptionAlgorithm = 1.2.643.2.2.21 (id-Gost28147-89),
 *      params Gost28147-89-Parameters SEQUENCE { iv OCTET STRING (8), encryptionParamSet OID (TC26 Z) }.
 *    content = gost89Decrypt('cfb', CEK, iv, data, { sbox: sbox(encryptionParamSet), meshing: true })
 *    (CryptoPro key meshing every 1024 bytes.) No padding.
 *
 * 2. `-kuznyechik-ctr-acpkm` / `-magma-ctr-acpkm` (GOST R 34.12-2015, KExp15 key transport)
 *    EnvelopedData version 0.
 *    keyEncryptionAlgorithm = 1.2.643.7.1.1.7.2.1 (id-tc26-cipher-gostr3412-2015-kuznyechik-kexp15)
 *      or 1.2.643.7.1.1.7.1.1 (…-magma-kexp15), params SEQUENCE { OID 1.2.643.7.1.1.6.1
 *      (id-tc26-agreement-gost-3410-2012-256) or 1.2.643.7.1.1.6.2 (-512), after the recipient key size }.
 *    encryptedKey = DER of GostR3410-2012-KeyTransport (PSKeyTransport):
 *      SEQUENCE { psexp OCTET STRING (32 + n: 48 Kuznyechik, 40 Magma),
 *                 ephemeralPublicKey SubjectPublicKeyInfo (untagged),
 *                 ukm OCTET STRING (32) }
 *    Export keys (the engine's KEG; vko.ts kegGost2012 does all of it):
 *      vkoUkm = ukm[0..16] read as a BIG-endian integer (1 if all zero) — unlike the little-endian
 *        8-byte UKM of profile 1; vkoUkmFromTransportUkm gives it in vko2012's little-endian order;
 *      512-bit recipient: VKO with Streebog-512 → 64 bytes;
 *      256-bit recipient: VKO with Streebog-256 → 32 bytes, then
 *        KDF_TREE_GOSTR3411_2012_256(vko, "kdf tree", ukm[16..24], R = 1) → 64 bytes   (kexp15KeysFromVko)
 *      K_Exp_MAC = keys[0..32], K_Exp_ENC = keys[32..64].
 *    CEK (32 bytes) = KImp15(cipher, K_Exp_ENC, K_Exp_MAC, psexp, IV = ukm[24 .. 24 + n/2])
 *                                                                        (unwrapKExp15Transport)
 *    contentEncryptionAlgorithm = 1.2.643.7.1.1.5.2.1 (kuznyechik-ctracpkm) or 1.2.643.7.1.1.5.1.1
 *      (magma-ctracpkm), params SEQUENCE { ukm OCTET STRING } with ukm = IV (n/2: 8 or 4 bytes) || seed (8).
 *    content = CTR-ACPKM(CEK, IV, data) with the section size of this profile: 256 KiB for Kuznyechik,
 *      8 KiB for Magma (NOT the 4096/1024 of `openssl enc`); the seed is unused.   (decryptCmsGost2015Content)
 *
 * 3. `-kuznyechik-ctr-acpkm-omac` / `-magma-ctr-acpkm-omac`: as 2, plus a MAC.
 *    EnvelopedData version 2 (it has unprotectedAttrs).
 *    contentEncryptionAlgorithm = 1.2.643.7.1.1.5.2.2 / 1.2.643.7.1.1.5.1.2, same params.
 *    keys = KDF_TREE_GOSTR3411_2012_256(CEK, "kdf tree", seed, R = 1) → 64 bytes:
 *      cipher key = keys[0..32], MAC key = keys[32..64].
 *    content = CTR-ACPKM(cipher key, IV, data) with the section sizes above.
 *    unprotectedAttrs [1] holds one attribute 1.2.643.7.1.0.6.1.1 (id-cms-mac-attr) whose value is
 *      an OCTET STRING (n bytes) = OMAC(MAC key, plaintext) (plain OMAC over the whole plaintext)
 *      XOR the CTR-ACPKM key stream that continues right after the content's last byte.
 *
 * Not produced by `openssl cms` and so not proven here: KeyAgreeRecipientInfo (CryptoPro CSP can
 * emit it for 28147 envelopes) and 2001 keys (the engine wraps for them with the CryptoPro-A S-box).
 * Other 28147 S-boxes need nothing extra: the S-box is always taken from the OIDs above.
 * ============================================================================================
 */
import { EdoCryptoError } from '../errors';
import { KDF_TREE_LABEL, kdfTreeGostR3411_2012_256 } from './kdf';
import { blockCipherFactory, ctrAcpkmCrypt, ctrCrypt, omac, type Gost2015CipherName } from './modes2015';

function blockSizeOf(cipher: Gost2015CipherName): number {
	if (cipher === 'kuznyechik') return 16;
	if (cipher === 'magma') return 8;
	throw new EdoCryptoError('UNSUPPORTED_ALGORITHM', `Unknown GOST R 34.12-2015 cipher "${String(cipher)}".`);
}

function requireLength(what: string, value: Uint8Array, length: number): void {
	if (!(value instanceof Uint8Array) || value.length !== length) {
		throw new EdoCryptoError('INVALID_INPUT', `The ${what} must be ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}.`);
	}
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}

/**
 * KExp15(K, K_Exp_MAC, K_Exp_ENC, IV) = CTR_{K_Exp_ENC}(IV, K || OMAC_{K_Exp_MAC}(IV || K)).
 * `iv` is half a block (8 bytes for Kuznyechik, 4 for Magma); the result is |K| + one block.
 */
export function kexp15(cipher: Gost2015CipherName, key: Uint8Array, kekEnc: Uint8Array, kekMac: Uint8Array, iv: Uint8Array): Uint8Array {
	const n = blockSizeOf(cipher);
	requireLength('KExp15 encryption key', kekEnc, 32);
	requireLength('KExp15 MAC key', kekMac, 32);
	requireLength('KExp15 IV', iv, n / 2);
	const make = blockCipherFactory(cipher);
	const macCipher = make(kekMac);
	const macInput = new Uint8Array(iv.length + key.length);
	macInput.set(iv);
	macInput.set(key, iv.length);
	const mac = omac(macCipher, macInput);
	macCipher.destroy?.();
	const plain = new Uint8Array(key.length + n);
	plain.set(key);
	plain.set(mac, key.length);
	const encCipher = make(kekEnc);
	const exported = ctrCrypt(encCipher, iv, plain);
	encCipher.destroy?.();
	plain.fill(0);
	macInput.fill(0);
	return exported;
}

/**
 * KImp15: the inverse of KExp15. Throws DECRYPTION_FAILED when the MAC does not verify (wrong
 * keys, wrong IV, or damaged data).
 */
export function kimp15(cipher: Gost2015CipherName, kekEnc: Uint8Array, kekMac: Uint8Array, exported: Uint8Array, iv: Uint8Array): Uint8Array {
	const n = blockSizeOf(cipher);
	requireLength('KExp15 encryption key', kekEnc, 32);
	requireLength('KExp15 MAC key', kekMac, 32);
	requireLength('KExp15 IV', iv, n / 2);
	if (!(exported instanceof Uint8Array) || exported.length <= n) {
		throw new EdoCryptoError('INVALID_CMS', 'The exported key (KExp15) is too short.');
	}
	const make = blockCipherFactory(cipher);
	const encCipher = make(kekEnc);
	const plain = ctrCrypt(encCipher, iv, exported);
	encCipher.destroy?.();
	const keyLength = exported.length - n;
	const key = plain.slice(0, keyLength);
	const macInput = new Uint8Array(iv.length + keyLength);
	macInput.set(iv);
	macInput.set(key, iv.length);
	const macCipher = make(kekMac);
	const mac = omac(macCipher, macInput);
	macCipher.destroy?.();
	const ok = timingSafeEqual(mac, plain.subarray(keyLength));
	plain.fill(0);
	macInput.fill(0);
	if (!ok) {
		key.fill(0);
		throw new EdoCryptoError(
			'DECRYPTION_FAILED',
			'The exported GOST key (KExp15) did not verify (its MAC does not match).',
			'The message was encrypted to another key, or it is damaged.',
		);
	}
	return key;
}

/** The key-export keys (K_Exp_MAC, K_Exp_ENC) the gost engine derives from the VKO result. */
export interface KExp15Keys {
	kekMac: Uint8Array;
	kekEnc: Uint8Array;
}

/**
 * The VKO UKM of the KExp15 key transport, in the little-endian byte order VKO reads its UKM in
 * (vko.ts vko2012). The engine's KEG takes the first 16 bytes of the 32-byte transport UKM as a
 * big-endian integer (1 when they are all zero), so this returns them reversed. (The 8-byte UKM of
 * the GOST 28147-89 transport is used as is: it is little-endian.)
 */
export function vkoUkmFromTransportUkm(ukm: Uint8Array): Uint8Array {
	requireLength('key transport UKM', ukm, 32);
	// Uint8Array.from copies: Buffer#slice would return a view and reverse() would change the caller's UKM.
	const vkoUkm = Uint8Array.from(ukm.subarray(0, 16)).reverse();
	if (vkoUkm.every((b) => b === 0)) vkoUkm[0] = 1;
	return vkoUkm;
}

/**
 * Export keys from the VKO result as the gost engine's KEG does: a 64-byte VKO (512-bit keys, VKO
 * over Streebog-512) is used as is; a 32-byte VKO (256-bit keys, Streebog-256) is expanded by
 * KDF_TREE_GOSTR3411_2012_256(VKO, "kdf tree", UKM[16..24], R = 1) to 64 bytes.
 * The first 32 bytes are K_Exp_MAC, the last 32 K_Exp_ENC. (The 64-byte output of vko.ts
 * kegGost2012 can be passed here too: it is split the same way.)
 */
export function kexp15KeysFromVko(vko: Uint8Array, ukm: Uint8Array): KExp15Keys {
	requireLength('key transport UKM', ukm, 32);
	let keys: Uint8Array;
	if (vko.length === 64) keys = Uint8Array.from(vko);
	else if (vko.length === 32) keys = kdfTreeGostR3411_2012_256(vko, KDF_TREE_LABEL, ukm.subarray(16, 24), 64, 1);
	else throw new EdoCryptoError('INVALID_INPUT', `The VKO result must be 32 or 64 bytes, got ${vko.length}.`);
	const result = { kekMac: keys.slice(0, 32), kekEnc: keys.slice(32, 64) };
	keys.fill(0);
	return result;
}

/** The KExp15 IV of the key transport: UKM[24 .. 24 + n/2]. */
export function kexp15IvFromTransportUkm(cipher: Gost2015CipherName, ukm: Uint8Array): Uint8Array {
	requireLength('key transport UKM', ukm, 32);
	return Uint8Array.from(ukm.subarray(24, 24 + blockSizeOf(cipher) / 2));
}

/**
 * Unwraps the content-encryption key of a KExp15 key transport (GostR3410-2012-KeyTransport):
 * `exportKeys` from kexp15KeysFromVko, `ukm` the structure's 32-byte UKM, `psexp` its exported key.
 */
export function unwrapKExp15Transport(cipher: Gost2015CipherName, exportKeys: KExp15Keys, ukm: Uint8Array, psexp: Uint8Array): Uint8Array {
	return kimp15(cipher, exportKeys.kekEnc, exportKeys.kekMac, psexp, kexp15IvFromTransportUkm(cipher, ukm));
}

/** Key-export algorithm OIDs of the KExp15 key transport (keyEncryptionAlgorithm of the RecipientInfo). */
export const KEXP15_KEY_EXPORT_OIDS: Readonly<Record<string, Gost2015CipherName>> = {
	'1.2.643.7.1.1.7.1.1': 'magma',
	'1.2.643.7.1.1.7.2.1': 'kuznyechik',
};

export interface Gost2015ContentAlgorithm {
	cipher: Gost2015CipherName;
	/** The -omac variant: keys from KDF_TREE and a MAC in the unprotected attributes. */
	withMac: boolean;
}

/** Content-encryption algorithm OIDs (R 1323565.1.025 / the gost engine's CMS). */
export const GOST2015_CONTENT_OIDS: Readonly<Record<string, Gost2015ContentAlgorithm>> = {
	'1.2.643.7.1.1.5.1.1': { cipher: 'magma', withMac: false },
	'1.2.643.7.1.1.5.1.2': { cipher: 'magma', withMac: true },
	'1.2.643.7.1.1.5.2.1': { cipher: 'kuznyechik', withMac: false },
	'1.2.643.7.1.1.5.2.2': { cipher: 'kuznyechik', withMac: true },
};

/** The unprotected attribute that carries the encrypted MAC of the -omac variants (id-cms-mac-attr). */
export const CMS_MAC_ATTRIBUTE_OID = '1.2.643.7.1.0.6.1.1';

/** ACPKM section sizes of the CMS profile (bytes). */
export const CMS_ACPKM_SECTION_SIZE: Readonly<Record<Gost2015CipherName, number>> = {
	kuznyechik: 256 * 1024,
	magma: 8 * 1024,
};

export interface Gost2015ContentInput {
	algorithm: Gost2015ContentAlgorithm;
	/** The content-encryption key unwrapped from the recipient info (32 bytes). */
	cek: Uint8Array;
	/** The `ukm` OCTET STRING of the content-encryption algorithm parameters: IV (n/2) || seed (8). */
	contentUkm: Uint8Array;
	ciphertext: Uint8Array;
	/** For the -omac variants: the value of the id-cms-mac-attr unprotected attribute (n bytes). */
	encryptedMac?: Uint8Array;
}

/**
 * Decrypts the encryptedContent of a GOST R 34.12-2015 CMS envelope (profiles 2 and 3 of the map
 * above). For the -omac variants the MAC is required and verified; DECRYPTION_FAILED when it
 * does not match.
 */
export function decryptCmsGost2015Content(input: Gost2015ContentInput): Uint8Array {
	const { cipher, withMac } = input.algorithm;
	const n = blockSizeOf(cipher);
	requireLength('content-encryption key', input.cek, 32);
	if (!(input.contentUkm instanceof Uint8Array) || input.contentUkm.length !== n / 2 + 8) {
		throw new EdoCryptoError('INVALID_CMS', `The ${cipher} content parameters must carry a ${n / 2 + 8}-byte UKM.`);
	}
	const iv = input.contentUkm.subarray(0, n / 2);
	const sectionSize = CMS_ACPKM_SECTION_SIZE[cipher];
	const make = blockCipherFactory(cipher);
	if (!withMac) return ctrAcpkmCrypt(make, input.cek, iv, input.ciphertext, sectionSize);

	if (!(input.encryptedMac instanceof Uint8Array) || input.encryptedMac.length !== n) {
		throw new EdoCryptoError('INVALID_CMS', `The ${cipher}-ctr-acpkm-omac envelope has no ${n}-byte MAC attribute.`);
	}
	const keys = kdfTreeGostR3411_2012_256(input.cek, KDF_TREE_LABEL, input.contentUkm.subarray(n / 2), 64, 1);
	const cipherKey = keys.subarray(0, 32);
	const macKey = keys.subarray(32, 64);
	// The MAC is encrypted by the key stream that follows the content, so run CTR-ACPKM over both.
	const joined = new Uint8Array(input.ciphertext.length + n);
	joined.set(input.ciphertext);
	joined.set(input.encryptedMac, input.ciphertext.length);
	const opened = ctrAcpkmCrypt(make, cipherKey, iv, joined, sectionSize);
	const plaintext = opened.slice(0, input.ciphertext.length);
	const macCipher = make(macKey);
	const mac = omac(macCipher, plaintext);
	macCipher.destroy?.();
	const ok = timingSafeEqual(mac, opened.subarray(input.ciphertext.length));
	keys.fill(0);
	opened.fill(0);
	if (!ok) {
		plaintext.fill(0);
		throw new EdoCryptoError(
			'DECRYPTION_FAILED',
			'The encrypted content did not verify (its MAC does not match).',
			'The message was damaged or altered after encryption.',
		);
	}
	return plaintext;
}
