import { constants, createHash, createHmac, privateDecrypt, type KeyObject } from 'node:crypto';

/**
 * RSAES-PKCS1-v1_5 decryption of a content-encryption key of a known length, with implicit rejection.
 *
 * Node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809, the Marvin attack: the padding check's
 * success or failure leaks through errors and timing and lets an attacker decrypt). Without reverting that,
 * we decrypt raw (RSA_NO_PADDING) and check EME-PKCS1-v1_5 ourselves:
 * - the whole encoded message is examined with branch-free arithmetic, no early exit (as constant-time as JS
 *   allows; JIT and GC noise remain, far less than an exception path);
 * - since CMS tells us the key length, the separator must sit at a fixed position;
 * - on bad padding we return a substitute key instead of failing (implicit rejection, as OpenSSL 3.2+ does):
 *   the content decryption then fails exactly like with a wrong key, so nothing distinguishes the two.
 *   The substitute is derived from the private key and the ciphertext, so a replay gets the same answer.
 */
export function rsaPkcs1v15DecryptKey(key: KeyObject, ciphertext: Buffer, keyLength: number): Buffer {
	const encoded = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
	const modulusLength = encoded.length;
	const separatorIndex = modulusLength - keyLength - 1;
	if (separatorIndex < 10) throw new RangeError('RSA modulus too small for this key length');

	let bad = encoded[0] | (encoded[1] ^ 0x02) | encoded[separatorIndex];
	for (let i = 2; i < separatorIndex; i++) {
		// (b - 1) >>> 8 is 1 only for b = 0: a zero byte inside the padding string.
		bad |= ((encoded[i] - 1) >>> 8) & 1;
	}
	// 0x00 when the padding is valid, 0xff otherwise.
	const rejectMask = -((bad + 0xff) >> 8) & 0xff;
	const substitute = substituteKey(key, ciphertext, keyLength);
	const result = Buffer.alloc(keyLength);
	for (let i = 0; i < keyLength; i++) {
		const decrypted = encoded[separatorIndex + 1 + i];
		result[i] = (decrypted & ~rejectMask) | (substitute[i] & rejectMask);
	}
	encoded.fill(0);
	return result;
}

function substituteKey(key: KeyObject, ciphertext: Buffer, keyLength: number): Buffer {
	const privateDer = key.export({ format: 'der', type: 'pkcs8' });
	const derivationKey = createHash('sha256').update('CMS PKCS#1 implicit rejection').update(privateDer).digest();
	privateDer.fill(0);
	const blocks: Buffer[] = [];
	for (let counter = 0; blocks.length * 32 < keyLength; counter++) {
		blocks.push(
			createHmac('sha256', derivationKey)
				.update(Buffer.from([counter]))
				.update(ciphertext)
				.digest(),
		);
	}
	derivationKey.fill(0);
	return Buffer.concat(blocks).subarray(0, keyLength);
}
