/**
 * Modes of operation for the GOST R 34.12-2015 block ciphers (Kuznyechik, Magma):
 * ECB, CBC, CTR and OMAC (CMAC) of GOST R 34.13-2015, and CTR-ACPKM with ACPKM re-keying of
 * R 1323565.1.017-2018 (RFC 8645).
 */
import { EdoCryptoError } from '../errors';
import { Kuznyechik } from './kuznyechik';
import { Magma } from './magma';

/** The shape the modes and KExp15 need from a block cipher. */
export interface BlockCipher {
	/** Block size in bytes: 8 for Magma, 16 for Kuznyechik. */
	readonly blockSize: number;
	encryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void;
	decryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void;
	/** Wipes the key schedule, where the cipher supports it. */
	destroy?(): void;
}

/** Makes a cipher instance for a 256-bit key. */
export type BlockCipherFactory = (key: Uint8Array) => BlockCipher;

export type Gost2015CipherName = 'kuznyechik' | 'magma';

export function blockCipherFactory(name: Gost2015CipherName): BlockCipherFactory {
	if (name === 'kuznyechik') return (key) => new Kuznyechik(key);
	if (name === 'magma') return (key) => new Magma(key);
	throw new EdoCryptoError('UNSUPPORTED_ALGORITHM', `Unknown GOST R 34.12-2015 cipher "${String(name)}".`);
}

function invalid(message: string): EdoCryptoError {
	return new EdoCryptoError('INVALID_INPUT', message);
}

/** ECB (GOST R 34.13-2015 §5.1) without padding: data must be whole blocks. */
export function ecbEncrypt(cipher: BlockCipher, data: Uint8Array): Uint8Array {
	return ecb(cipher, data, true);
}

export function ecbDecrypt(cipher: BlockCipher, data: Uint8Array): Uint8Array {
	return ecb(cipher, data, false);
}

function ecb(cipher: BlockCipher, data: Uint8Array, encrypt: boolean): Uint8Array {
	const n = cipher.blockSize;
	if (data.length % n !== 0) throw invalid(`ECB data must be a multiple of ${n} bytes, got ${data.length}.`);
	const out = new Uint8Array(data.length);
	for (let i = 0; i < data.length; i += n) {
		if (encrypt) cipher.encryptBlock(data, i, out, i);
		else cipher.decryptBlock(data, i, out, i);
	}
	return out;
}

/**
 * CBC (GOST R 34.13-2015 §5.4) without padding. The IV is the initial shift register and may be
 * any whole number of blocks (m = z·n); one block is the usual CBC.
 */
export function cbcEncrypt(cipher: BlockCipher, iv: Uint8Array, data: Uint8Array): Uint8Array {
	return cbc(cipher, iv, data, true);
}

export function cbcDecrypt(cipher: BlockCipher, iv: Uint8Array, data: Uint8Array): Uint8Array {
	return cbc(cipher, iv, data, false);
}

function cbc(cipher: BlockCipher, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
	const n = cipher.blockSize;
	if (iv.length === 0 || iv.length % n !== 0) throw invalid(`The CBC IV must be a multiple of ${n} bytes, got ${iv.length}.`);
	if (data.length % n !== 0) throw invalid(`CBC data must be a multiple of ${n} bytes, got ${data.length}.`);
	const register = Uint8Array.from(iv);
	const block = new Uint8Array(n);
	const out = new Uint8Array(data.length);
	for (let i = 0; i < data.length; i += n) {
		if (encrypt) {
			for (let j = 0; j < n; j++) block[j] = data[i + j] ^ register[j];
			cipher.encryptBlock(block, 0, out, i);
		} else {
			cipher.decryptBlock(data, i, block, 0);
			for (let j = 0; j < n; j++) out[i + j] = block[j] ^ register[j];
		}
		register.copyWithin(0, n);
		register.set((encrypt ? out : data).subarray(i, i + n), register.length - n);
	}
	return out;
}

function incrementCounter(counter: Uint8Array): void {
	for (let i = counter.length - 1; i >= 0; i--) {
		counter[i] = (counter[i] + 1) & 255;
		if (counter[i] !== 0) break;
	}
}

function checkCtrIv(cipher: BlockCipher, iv: Uint8Array): void {
	if (!(iv instanceof Uint8Array) || iv.length !== cipher.blockSize / 2) {
		throw invalid(`The CTR IV must be ${cipher.blockSize / 2} bytes (half a block).`);
	}
}

/**
 * CTR (GOST R 34.13-2015 §5.2): the counter starts as IV || 0...0 (IV is half a block) and is
 * incremented modulo 2^n. Encryption and decryption are the same operation.
 */
export function ctrCrypt(cipher: BlockCipher, iv: Uint8Array, data: Uint8Array): Uint8Array {
	checkCtrIv(cipher, iv);
	const n = cipher.blockSize;
	const counter = new Uint8Array(n);
	counter.set(iv);
	const gamma = new Uint8Array(n);
	const out = new Uint8Array(data.length);
	for (let i = 0; i < data.length; i += n) {
		cipher.encryptBlock(counter, 0, gamma, 0);
		incrementCounter(counter);
		const end = Math.min(n, data.length - i);
		for (let j = 0; j < end; j++) out[i + j] = data[i + j] ^ gamma[j];
	}
	return out;
}

/** The constant D = 80 81 ... 9F of the ACPKM transformation. */
const ACPKM_D = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);

/** ACPKM re-keying (R 1323565.1.017-2018 §4.1): the next section key is E_K(D) over the 32 bytes of D. */
export function acpkmNextKey(cipher: BlockCipher): Uint8Array {
	const next = new Uint8Array(32);
	for (let i = 0; i < 32; i += cipher.blockSize) cipher.encryptBlock(ACPKM_D, i, next, i);
	return next;
}

/**
 * CTR-ACPKM (R 1323565.1.017-2018 §4.2, RFC 8645 §6.2.2): CTR whose key is replaced by
 * ACPKM(K) after every `sectionSize` bytes; the counter runs on across sections.
 * `sectionSize` must be a positive multiple of the block size.
 */
export function ctrAcpkmCrypt(factory: BlockCipherFactory, key: Uint8Array, iv: Uint8Array, data: Uint8Array, sectionSize: number): Uint8Array {
	let cipher = factory(key);
	checkCtrIv(cipher, iv);
	const n = cipher.blockSize;
	if (!Number.isInteger(sectionSize) || sectionSize <= 0 || sectionSize % n !== 0) {
		throw invalid(`The ACPKM section size must be a positive multiple of ${n} bytes, got ${sectionSize}.`);
	}
	const counter = new Uint8Array(n);
	counter.set(iv);
	const gamma = new Uint8Array(n);
	const out = new Uint8Array(data.length);
	for (let i = 0; i < data.length; i += n) {
		if (i > 0 && i % sectionSize === 0) {
			const nextKey = acpkmNextKey(cipher);
			cipher.destroy?.();
			cipher = factory(nextKey);
			nextKey.fill(0);
		}
		cipher.encryptBlock(counter, 0, gamma, 0);
		incrementCounter(counter);
		const end = Math.min(n, data.length - i);
		for (let j = 0; j < end; j++) out[i + j] = data[i + j] ^ gamma[j];
	}
	cipher.destroy?.();
	gamma.fill(0);
	return out;
}

/** Left shift by one bit of a whole byte string. */
function shiftLeft(input: Uint8Array): Uint8Array {
	const out = new Uint8Array(input.length);
	for (let i = 0; i < input.length; i++) {
		out[i] = ((input[i] << 1) | (i + 1 < input.length ? input[i + 1] >>> 7 : 0)) & 255;
	}
	return out;
}

function omacSubkeys(cipher: BlockCipher): [Uint8Array, Uint8Array] {
	const n = cipher.blockSize;
	const b = n === 16 ? 0x87 : 0x1b;
	const r = new Uint8Array(n);
	cipher.encryptBlock(r, 0, r, 0);
	const k1 = shiftLeft(r);
	if (r[0] & 0x80) k1[n - 1] ^= b;
	const k2 = shiftLeft(k1);
	if (k1[0] & 0x80) k2[n - 1] ^= b;
	r.fill(0);
	return [k1, k2];
}

/**
 * OMAC (CMAC) of GOST R 34.13-2015 §5.6: returns the first `macLength` bytes (a whole block by
 * default). OpenSSL's magma-mac and kuznyechik-mac.
 */
export function omac(cipher: BlockCipher, data: Uint8Array, macLength: number = cipher.blockSize): Uint8Array {
	const n = cipher.blockSize;
	if (!Number.isInteger(macLength) || macLength < 1 || macLength > n) throw invalid(`The OMAC length must be 1..${n} bytes, got ${macLength}.`);
	const [k1, k2] = omacSubkeys(cipher);
	const state = new Uint8Array(n);
	const blocks = Math.max(1, Math.ceil(data.length / n));
	for (let b = 0; b < blocks; b++) {
		const offset = b * n;
		const last = b === blocks - 1;
		const take = Math.min(n, data.length - offset);
		for (let j = 0; j < take; j++) state[j] ^= data[offset + j];
		if (last) {
			const complete = take === n;
			if (!complete) state[take] ^= 0x80;
			const subkey = complete ? k1 : k2;
			for (let j = 0; j < n; j++) state[j] ^= subkey[j];
		}
		cipher.encryptBlock(state, 0, state, 0);
	}
	k1.fill(0);
	k2.fill(0);
	return state.slice(0, macLength);
}

// Named helpers for the combinations CMS uses.

export function kuznyechikCtrAcpkmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, sectionSize: number): Uint8Array {
	return ctrAcpkmCrypt(blockCipherFactory('kuznyechik'), key, iv, data, sectionSize);
}

export function magmaCtrAcpkmDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array, sectionSize: number): Uint8Array {
	return ctrAcpkmCrypt(blockCipherFactory('magma'), key, iv, data, sectionSize);
}

export function kuznyechikCtrDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
	const cipher = new Kuznyechik(key);
	try {
		return ctrCrypt(cipher, iv, data);
	} finally {
		cipher.destroy();
	}
}

export function magmaCtrDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
	const cipher = new Magma(key);
	try {
		return ctrCrypt(cipher, iv, data);
	} finally {
		cipher.destroy();
	}
}

export function kuznyechikOmac(key: Uint8Array, data: Uint8Array, macLength = 16): Uint8Array {
	const cipher = new Kuznyechik(key);
	try {
		return omac(cipher, data, macLength);
	} finally {
		cipher.destroy();
	}
}

export function magmaOmac(key: Uint8Array, data: Uint8Array, macLength = 8): Uint8Array {
	const cipher = new Magma(key);
	try {
		return omac(cipher, data, macLength);
	} finally {
		cipher.destroy();
	}
}
