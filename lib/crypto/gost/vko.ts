/**
 * Key agreement on GOST R 34.10 keys.
 *
 * VKO GOST R 34.10-2012 (RFC 7836 §4.3, R 50.1.113-2016): K = (m/q) * ((UKM * d mod q) * Q), the shared key
 * is Streebog-256 or Streebog-512 of LE(K.x) || LE(K.y), each coordinate as long as a field element (so 128
 * bytes for 512-bit keys). UKM is read as a little-endian integer. The cofactor m/q (4 on TC26 256-A and 512-C)
 * is applied to the point, as OpenSSL's GOST engine does; for keys in the subgroup this equals the RFC's
 * ((m/q) * UKM * d mod q) * Q.
 *
 * Profiles built on it, as OpenSSL's GOST engine implements them:
 * - key transport with GOST 28147-89 (RFC 4490 KeyTransRecipientInfo, `openssl cms -encrypt -gost89`): an
 *   8-byte UKM and VKO with Streebog-256 for every 2012 key, 512-bit keys included
 *   (vkoKeyTransport2012); the 32-byte result is the key-encryption key of the CryptoPro key wrap;
 * - KEG (R 1323565.1.020-2018 §6.4.5.1) for the 2015 ciphers (KExp15): kegGost2012.
 * The 2001 variant (VKO with GOST R 34.11-94, RFC 4357 §5.2) is only used by 2001 keys, which OpenSSL no
 * longer encrypts to, and is not implemented.
 */
import { EdoCryptoError } from '../errors';
import { bigIntToBytesLE, bytesToBigIntLE } from './field';
import { KDF_TREE_LABEL, kdfTreeGostR3411_2012_256 } from './kdf';
import type { AffinePoint, GostCurve } from './point';
import { Streebog, type StreebogSize } from './streebog';

/** The VKO point K = (m/q) * ((UKM * d mod q) * Q) in affine coordinates (constant-time in d). */
export function vkoPoint(curve: GostCurve, d: bigint, peer: AffinePoint, ukm: Uint8Array): AffinePoint {
	if (d <= 0n || d >= curve.q) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'The GOST private key is out of range for its curve.',
			'Check that the key and its parameter set belong together.',
		);
	}
	if (!curve.isValidPublicKey(peer)) {
		throw new EdoCryptoError(
			'DECRYPTION_FAILED',
			'The sender\'s GOST public key is not a point of the recipient key\'s curve.',
			'The message was made for a key on another parameter set, or it is damaged.',
		);
	}
	let scalar = bytesToBigIntLE(ukm) % curve.q;
	if (scalar === 0n) scalar = 1n;
	scalar = (scalar * d) % curve.q;
	let point = curve.multiply(peer, scalar);
	for (let factor = curve.cofactor; factor > 1n; factor >>= 1n) point = curve.double(point);
	const affine = curve.toAffine(point);
	if (!affine) throw new EdoCryptoError('DECRYPTION_FAILED', 'The GOST key agreement gave no key.', 'The message or the key is damaged.');
	return affine;
}

/** VKO GOST R 34.10-2012 with Streebog-`hashSize`: 32 or 64 bytes. */
export function vko2012(
	curve: GostCurve,
	d: bigint,
	peer: AffinePoint,
	ukm: Uint8Array,
	hashSize: StreebogSize,
): Buffer {
	const point = vkoPoint(curve, d, peer, ukm);
	const length = curve.coordinateBytes;
	const encoded = Buffer.concat([bigIntToBytesLE(point.x, length), bigIntToBytesLE(point.y, length)]);
	const key = new Streebog(hashSize).update(encoded).digest();
	encoded.fill(0);
	return key;
}

/** VKO_GOSTR3410_2012_256 (RFC 7836 §4.3.1). */
export function vko2012_256(curve: GostCurve, d: bigint, peer: AffinePoint, ukm: Uint8Array): Buffer {
	return vko2012(curve, d, peer, ukm, 256);
}

/** VKO_GOSTR3410_2012_512 (RFC 7836 §4.3.2). */
export function vko2012_512(curve: GostCurve, d: bigint, peer: AffinePoint, ukm: Uint8Array): Buffer {
	return vko2012(curve, d, peer, ukm, 512);
}

/**
 * The key-encryption key of GOST 28147-89 key transport for a 2012 key (256 or 512 bit): VKO with Streebog-256
 * and the 8-byte UKM of the GostR3410-TransportParameters. 32 bytes.
 */
export function vkoKeyTransport2012(curve: GostCurve, d: bigint, peer: AffinePoint, ukm: Uint8Array): Buffer {
	if (ukm.length !== 8) {
		throw new EdoCryptoError('INVALID_CMS', 'The GOST key transport UKM is not 8 bytes long.', 'The encrypted message is damaged.');
	}
	return vko2012(curve, d, peer, ukm, 256);
}

/**
 * KEG (R 1323565.1.020-2018 §6.4.5.1) as OpenSSL's GOST engine computes it for the 2015 key export (KExp15):
 * from a 32-byte UKM source, 64 bytes (the engine takes the MAC key from bytes 0-31 and the cipher key from
 * 32-63). The VKO UKM is the first 16 bytes read big-endian (1 if they are all zero); 512-bit keys: VKO with
 * Streebog-512; 256-bit keys: VKO with Streebog-256, then KDF_TREE_GOSTR3411_2012_256 with label "kdf tree",
 * seed = bytes 16-23 of the UKM source, R = 1.
 */
export function kegGost2012(
	curve: GostCurve,
	keySize: 256 | 512,
	d: bigint,
	peer: AffinePoint,
	ukmSource: Uint8Array,
): Buffer {
	if (ukmSource.length < 24) {
		throw new EdoCryptoError('INVALID_CMS', 'The GOST key export UKM is too short.', 'The encrypted message is damaged.');
	}
	const head = Buffer.from(ukmSource.subarray(0, 16));
	const ukm = head.every((byte) => byte === 0) ? Buffer.from([1]) : head.reverse();
	if (keySize === 512) return vko2012(curve, d, peer, ukm, 512);
	const shared = vko2012(curve, d, peer, ukm, 256);
	const keys = kdfTreeGostR3411_2012_256(shared, KDF_TREE_LABEL, ukmSource.subarray(16, 24), 64, 1);
	shared.fill(0);
	return Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength);
}
