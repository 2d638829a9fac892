/**
 * GOST R 34.10-2012 (and -2001) signatures, 256 and 512 bit.
 *
 * Conventions, as OpenSSL's GOST engine, CryptoPro and CMS (RFC 4491 / RFC 9215) use them:
 * - the digest is the Streebog (or GOST R 34.11-94) output as the hash function returns it, read as a
 *   little-endian integer: alpha = sum digest[i] * 256^i, e = alpha mod q, and e = 1 when that is 0;
 * - the signature value is s || r, each big-endian and exactly as long as a coordinate (32 or 64 bytes);
 * - the private key is the scalar d, the public key the point Q = dG (see keys.ts for their encodings).
 * s = (r d + k e) mod q with r = x(kG) mod q; no inverse of k is needed.
 */
import { EdoCryptoError } from '../errors';
import type { GostParamSet } from './curves';
import { bigIntToBytes, bytesToBigInt, bytesToBigIntLE, invertModulo, randomNonZero } from './field';
import type { AffinePoint, GostCurve } from './point';
import { Streebog } from './streebog';

export interface GostSignOptions {
	/**
	 * A fixed nonce k in [1, q - 1]: ONLY for reproducing published test vectors. Reusing k with different
	 * digests reveals the private key.
	 */
	k?: bigint;
}

/** e = (digest as a little-endian integer) mod q, or 1 if that is 0. */
export function digestToScalar(curve: GostCurve, digest: Uint8Array): bigint {
	const e = bytesToBigIntLE(digest) % curve.q;
	return e === 0n ? 1n : e;
}

/** Signs a precomputed digest with the scalar d; returns s || r (64 or 128 bytes). */
export function signDigest(curve: GostCurve, d: bigint, digest: Uint8Array, options: GostSignOptions = {}): Buffer {
	return signScalar(curve, d, digestToScalar(curve, digest), options);
}

/** Signs the integer e directly (the form the standard's examples state their vectors in). */
export function signScalar(curve: GostCurve, d: bigint, e: bigint, options: GostSignOptions = {}): Buffer {
	const q = curve.q;
	if (d <= 0n || d >= q) {
		throw keyOutOfRange();
	}
	const length = curve.coordinateBytes;
	for (;;) {
		const k = options.k ?? randomNonZero(q, length);
		if (k <= 0n || k >= q) throw new RangeError('k must be in [1, q - 1]');
		const point = curve.toAffine(curve.multiplyBase(k));
		const r = point ? point.x % q : 0n;
		const s = (r * d + k * e) % q;
		if (r !== 0n && s !== 0n) return Buffer.concat([bigIntToBytes(s, length), bigIntToBytes(r, length)]);
		if (options.k !== undefined) throw new RangeError('the fixed k gives r = 0 or s = 0');
	}
}

/** Verifies s || r over a precomputed digest with the public point Q. False for any malformed input. */
export function verifyDigest(
	curve: GostCurve,
	publicKey: AffinePoint,
	digest: Uint8Array,
	signature: Uint8Array,
): boolean {
	const length = curve.coordinateBytes;
	if (signature.length !== 2 * length) return false;
	const s = bytesToBigInt(signature.subarray(0, length));
	const r = bytesToBigInt(signature.subarray(length));
	return verifyScalar(curve, publicKey, digestToScalar(curve, digest), r, s);
}

export function verifyScalar(curve: GostCurve, publicKey: AffinePoint, e: bigint, r: bigint, s: bigint): boolean {
	const q = curve.q;
	if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
	if (!curve.isValidPublicKey(publicKey)) return false;
	const v = invertModulo(e % q, q);
	const z1 = (s * v) % q;
	const z2 = (q - ((r * v) % q)) % q;
	const point = curve.toAffine(curve.multiplyTwoPublic(z1, z2, publicKey), false);
	return point !== undefined && point.x % q === r;
}

/** The public point Q = dG. */
export function publicKeyFromPrivate(curve: GostCurve, d: bigint): AffinePoint {
	if (d <= 0n || d >= curve.q) {
		throw keyOutOfRange();
	}
	const point = curve.toAffine(curve.multiplyBase(d));
	if (!point) throw new EdoCryptoError('INVALID_INPUT', 'The GOST private key gives no public key.', 'Use another key.');
	return point;
}

/** A fresh random key pair on the curve. */
export function generateKeyPair(curve: GostCurve): { d: bigint; Q: AffinePoint } {
	const d = randomNonZero(curve.q, curve.coordinateBytes);
	return { d, Q: publicKeyFromPrivate(curve, d) };
}

/** The Streebog size that goes with a parameter set (256-bit keys: Streebog-256; 512-bit: Streebog-512). */
export function digestSizeFor(paramSet: GostParamSet): 256 | 512 {
	return paramSet.size;
}

/** Hashes the data with the matching Streebog and signs it: GOST R 34.10-2012 with GOST R 34.11-2012. */
export function signData(paramSet: GostParamSet, d: bigint, data: Uint8Array): Buffer {
	const digest = new Streebog(digestSizeFor(paramSet)).update(data).digest();
	return signDigest(paramSet.curve, d, digest);
}

export function verifyData(
	paramSet: GostParamSet,
	publicKey: AffinePoint,
	data: Uint8Array,
	signature: Uint8Array,
): boolean {
	const digest = new Streebog(digestSizeFor(paramSet)).update(data).digest();
	return verifyDigest(paramSet.curve, publicKey, digest, signature);
}

function keyOutOfRange(): EdoCryptoError {
	return new EdoCryptoError(
		'INVALID_INPUT',
		'The GOST private key is out of range for its curve.',
		'Check that the key and its parameter set belong together.',
	);
}
