/**
 * HMAC over Streebog (RFC 2104 with GOST R 34.11-2012; RFC 7836 §4.1 HMAC_GOSTR3411_2012_256/512) and PBKDF2
 * over it (RFC 8018 with HMAC-Streebog-512 as the PRF, as R 50.1.111-2016 and the Russian PKCS#12 profile use).
 */
import { Streebog, type StreebogSize } from './streebog';

const BLOCK = 64;

/** A keyed HMAC-Streebog: the inner and outer states after the padded key, reusable for any number of MACs. */
export class HmacStreebog {
	readonly size: StreebogSize;
	readonly digestLength: number;
	private readonly inner: Streebog;
	private readonly outer: Streebog;

	constructor(size: StreebogSize, key: Uint8Array) {
		this.size = size;
		this.digestLength = size / 8;
		const padded = new Uint8Array(BLOCK);
		padded.set(key.length > BLOCK ? new Streebog(size).update(key).digest() : key);
		const ipad = new Uint8Array(BLOCK);
		const opad = new Uint8Array(BLOCK);
		for (let i = 0; i < BLOCK; i++) {
			ipad[i] = padded[i] ^ 0x36;
			opad[i] = padded[i] ^ 0x5c;
		}
		this.inner = new Streebog(size).update(ipad);
		this.outer = new Streebog(size).update(opad);
		padded.fill(0);
		ipad.fill(0);
		opad.fill(0);
	}

	/** HMAC of the concatenation of the parts. */
	mac(...parts: Uint8Array[]): Buffer {
		const inner = this.inner.copy();
		for (const part of parts) inner.update(part);
		return this.outer.copy().update(inner.digest()).digest();
	}
}

export function hmacStreebog256(key: Uint8Array, data: Uint8Array): Buffer {
	return new HmacStreebog(256, key).mac(data);
}

export function hmacStreebog512(key: Uint8Array, data: Uint8Array): Buffer {
	return new HmacStreebog(512, key).mac(data);
}

/** PBKDF2 (RFC 8018 §5.2) with HMAC-Streebog-512 as the PRF. */
export function pbkdf2Streebog512(
	password: Uint8Array | string,
	salt: Uint8Array,
	iterations: number,
	keyLength: number,
): Buffer {
	return pbkdf2Streebog(512, password, salt, iterations, keyLength);
}

/** PBKDF2 with HMAC-Streebog-256 or -512 as the PRF. */
export function pbkdf2Streebog(
	size: StreebogSize,
	password: Uint8Array | string,
	salt: Uint8Array,
	iterations: number,
	keyLength: number,
): Buffer {
	if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('PBKDF2 iterations must be >= 1');
	if (!Number.isInteger(keyLength) || keyLength < 1) throw new RangeError('PBKDF2 key length must be >= 1');
	const prf = new HmacStreebog(size, typeof password === 'string' ? Buffer.from(password, 'utf8') : password);
	const hLen = size / 8;
	const blocks = Math.ceil(keyLength / hLen);
	const out = Buffer.alloc(blocks * hLen);
	const index = Buffer.alloc(4);
	for (let i = 1; i <= blocks; i++) {
		index.writeUInt32BE(i, 0);
		let u = prf.mac(salt, index);
		const t = Buffer.from(u);
		for (let c = 1; c < iterations; c++) {
			u = prf.mac(u);
			for (let j = 0; j < hLen; j++) t[j] ^= u[j];
		}
		t.copy(out, (i - 1) * hLen);
	}
	return out.subarray(0, keyLength);
}
