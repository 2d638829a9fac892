/**
 * ECDSA over a digest computed elsewhere, for the software keystore. node:crypto only signs messages (it hashes
 * them itself), while signHash receives the digest. The expensive and secret-dependent step, k·G, is done by
 * OpenSSL through node's ECDH (setPrivateKey(k) computes k·G); the remaining scalar arithmetic mod n is blinded
 * with a random factor so that BigInt timing does not follow the key or the nonce. Good enough for the sandbox
 * and demos; keys that matter belong in a token (pkcs11Keystore).
 */
import { createECDH, randomBytes, type KeyObject } from 'node:crypto';

interface Curve {
	opensslName: string;
	/** Group order n. */
	order: bigint;
	/** Bit length of n. */
	orderBits: number;
	/** Bytes of a scalar and of a coordinate. */
	size: number;
}

const CURVES: Record<string, Curve> = {
	'P-256': {
		opensslName: 'prime256v1',
		order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
		orderBits: 256,
		size: 32,
	},
	'P-384': {
		opensslName: 'secp384r1',
		order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
		orderBits: 384,
		size: 48,
	},
	'P-521': {
		opensslName: 'secp521r1',
		order: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
		orderBits: 521,
		size: 66,
	},
};

function toBigInt(bytes: Uint8Array): bigint {
	return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function toBytes(value: bigint, size: number): Buffer {
	return Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');
}

function mod(value: bigint, modulus: bigint): bigint {
	const result = value % modulus;
	return result < 0n ? result + modulus : result;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
	let result = 1n;
	let power = mod(base, modulus);
	let rest = exponent;
	while (rest > 0n) {
		if (rest & 1n) result = (result * power) % modulus;
		power = (power * power) % modulus;
		rest >>= 1n;
	}
	return result;
}

/** A uniformly random scalar in [1, n-1] (64 extra bits make the modulo bias negligible). */
function randomScalar(curve: Curve): bigint {
	return mod(toBigInt(randomBytes(curve.size + 8)), curve.order - 1n) + 1n;
}

/** SEC 1 / FIPS 186-4: the leftmost orderBits bits of the digest as an integer. */
function digestToInteger(digest: Buffer, curve: Curve): bigint {
	const value = toBigInt(digest);
	const excess = digest.length * 8 - curve.orderBits;
	return excess > 0 ? value >> BigInt(excess) : value;
}

function derInteger(value: Buffer): Buffer {
	let start = 0;
	while (start < value.length - 1 && value[start] === 0) start++;
	let content = value.subarray(start);
	if (content[0] & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
	return Buffer.concat([Buffer.from([0x02, content.length]), content]);
}

/** Raw r||s (PKCS#11 CKM_ECDSA output, IEEE P1363) to the DER ECDSA-Sig-Value that CMS carries. */
export function ecdsaRawToDer(raw: Buffer): Buffer {
	const half = raw.length / 2;
	const content = Buffer.concat([derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half))]);
	const length = content.length < 0x80 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
	return Buffer.concat([Buffer.from([0x30]), length, content]);
}

export function curveOfKey(key: KeyObject): Curve | undefined {
	const name = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''];
	return name ? CURVES[name] : undefined;
}

/** A signing function bound to an EC private key: digest in, DER ECDSA-Sig-Value out. */
export function rawEcdsaSigner(privateKey: KeyObject): (digest: Buffer) => Buffer {
	const curve = curveOfKey(privateKey);
	if (!curve || privateKey.type !== 'private') throw new Error('rawEcdsaSigner needs a P-256, P-384 or P-521 private key');
	const jwk = privateKey.export({ format: 'jwk' });
	const secret = toBigInt(Buffer.from(jwk.d as string, 'base64url'));
	const { order } = curve;
	return (digest) => {
		const e = digestToInteger(digest, curve);
		for (;;) {
			const k = randomScalar(curve);
			const ecdh = createECDH(curve.opensslName);
			ecdh.setPrivateKey(toBytes(k, curve.size));
			const point = ecdh.getPublicKey();
			const r = mod(toBigInt(point.subarray(1, 1 + curve.size)), order);
			if (r === 0n) continue;
			// s = k⁻¹(e + r·d) mod n, computed as (b·k)⁻¹ · (b·e + b·r·d) with a random blinding factor b.
			const blind = randomScalar(curve);
			const inverse = modPow((blind * k) % order, order - 2n, order);
			const s = (inverse * mod(blind * e + ((blind * r) % order) * secret, order)) % order;
			if (s === 0n) continue;
			return ecdsaRawToDer(Buffer.concat([toBytes(r, curve.size), toBytes(s, curve.size)]));
		}
	};
}
