/**
 * GOST 28147-89 block cipher (RFC 5830) with the modes and key handling CMS needs:
 * ECB, CFB, CNT (gamma), CBC, the IMIT MAC, CryptoPro key meshing (RFC 4357 §2.3.2),
 * the GOST 28147-89 key wrap (RFC 4357 §6.1), CryptoPro KEK diversification (§6.5) and the
 * CryptoPro key wrap (§6.3).
 *
 * Byte order is the one of RFC 5830 / RFC 4357 and OpenSSL's gost engine: key and block halves
 * are little-endian 32-bit words. (Magma, GOST R 34.12-2015, is the same cipher with big-endian
 * conventions; see magma.ts.)
 */
import { EdoCryptoError } from '../errors';

export type Gost28147SboxName = 'CryptoPro-A' | 'CryptoPro-B' | 'CryptoPro-C' | 'CryptoPro-D' | 'TC26-Z' | 'Test';

/**
 * Substitution boxes, one hex string per 4-bit S-box K1..K8; K1 substitutes the lowest nibble of
 * the 32-bit word. Values from RFC 4357 §11.2 (CryptoPro A-D, Test) and RFC 7836 §A.1 (TC26 Z).
 */
const SBOX_ROWS: Record<Gost28147SboxName, readonly string[]> = {
	'Test': [
		'42f59108e3bcd7a6', 'c9fe813a274d60b5', 'd8ec739a15246f0b', 'e9b25f710dc6a438',
		'3e59680dab7c21f4', '8f6b19c5d37a0e24', '9bc0367548ef1a2d', 'c652b09d3e7af418',
	],
	'CryptoPro-A': [
		'96328b17a4efc0d5', '37e98af0526cb4d1', 'e462b3d8cf5a0719', 'e7acd13902b4f856',
		'b5198df0e423c7a6', '3adc120b75948fe6', '1d297a608c45f3be', 'baf50ce8623917d4',
	],
	'CryptoPro-B': [
		'84b135092eacd67f', '012a4d5c973fb86e', 'ec0a92db758f3614', '750db6123acf4e98',
		'27cf95ab140d68e3', '83264debc17fa095', '52ab91c374d06f8e', '04be8371a296fd5c',
	],
	'CryptoPro-C': [
		'1bc29d0f458ea763', '017db4528efc9a63', '825049fa37cd6e1b', '36015da8b297efc4',
		'8db0451293ce6fa7', 'c9b18e247365a0fd', 'a968de20f35b41c7', '7405a2fec61bd938',
	],
	'CryptoPro-D': [
		'fc2a645079ed1b83', 'b634cfe27d805a91', '1cb0fe65ad489372', '15eca70d62b493f8',
		'0c89d2ab73654ef1', '80f325eb1a47c9d6', '306f1e92d8c4ba57', '1a68fb04c3597d2e',
	],
	'TC26-Z': [
		'c462a5b9e8d703f1', '68239a5c1e47bd0f', 'b3582fade174c960', 'c821d4f670a53e9b',
		'7f5a816d093eb42c', '5df692cab78143e0', '8e25691cf4b0da37', '17ed05834fa69cb2',
	],
};

/** Object identifiers of the parameter sets (RFC 4357 §10.3, RFC 7836 §A.1). */
export const GOST28147_PARAMSET_OIDS: Readonly<Record<string, Gost28147SboxName>> = {
	'1.2.643.2.2.31.0': 'Test',
	'1.2.643.2.2.31.1': 'CryptoPro-A',
	'1.2.643.2.2.31.2': 'CryptoPro-B',
	'1.2.643.2.2.31.3': 'CryptoPro-C',
	'1.2.643.2.2.31.4': 'CryptoPro-D',
	'1.2.643.7.1.2.5.1.1': 'TC26-Z',
};

export function gost28147SboxByOid(oid: string): Gost28147SboxName {
	const name = GOST28147_PARAMSET_OIDS[oid];
	if (!name) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The GOST 28147-89 parameter set ${oid} is not supported.`,
			'Supported parameter sets: CryptoPro A, B, C, D, TC26 Z and the test set.',
		);
	}
	return name;
}

/** f() of the round function as four byte-indexed tables with the S-boxes and the 11-bit rotation folded in. */
type RoundTables = readonly [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
const roundTableCache = new Map<Gost28147SboxName, RoundTables>();

function rotl11(x: number): number {
	return ((x << 11) | (x >>> 21)) >>> 0;
}

function roundTables(sbox: Gost28147SboxName): RoundTables {
	let tables = roundTableCache.get(sbox);
	if (tables) return tables;
	const rows = SBOX_ROWS[sbox];
	if (!rows) {
		throw new EdoCryptoError('UNSUPPORTED_ALGORITHM', `Unknown GOST 28147-89 S-box "${String(sbox)}".`);
	}
	const s = rows.map((row) => Array.from(row, (digit) => parseInt(digit, 16)));
	const made = [0, 1, 2, 3].map((pair) => {
		const table = new Uint32Array(256);
		const low = s[pair * 2];
		const high = s[pair * 2 + 1];
		for (let b = 0; b < 256; b++) {
			table[b] = rotl11(((high[b >>> 4] << 4) | low[b & 15]) << (8 * pair));
		}
		return table;
	});
	tables = [made[0], made[1], made[2], made[3]];
	roundTableCache.set(sbox, tables);
	return tables;
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
	return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function writeUint32LE(bytes: Uint8Array, offset: number, value: number): void {
	bytes[offset] = value & 255;
	bytes[offset + 1] = (value >>> 8) & 255;
	bytes[offset + 2] = (value >>> 16) & 255;
	bytes[offset + 3] = (value >>> 24) & 255;
}

/** The CryptoPro key meshing constant C (RFC 4357 §2.3.2). */
const KEY_MESHING_CONSTANT = Uint8Array.from([
	0x69, 0x00, 0x72, 0x22, 0x64, 0xc9, 0x04, 0x23, 0x8d, 0x3a, 0xdb, 0x96, 0x46, 0xe9, 0x2a, 0xc4,
	0x18, 0xfe, 0xac, 0x94, 0x00, 0xed, 0x07, 0x12, 0xc0, 0x86, 0xdc, 0xc2, 0xef, 0x4c, 0xa9, 0x2b,
]);

/** CryptoPro key meshing happens after every 1024 bytes of data. */
export const KEY_MESHING_INTERVAL = 1024;

/**
 * The bare 32-round Feistel network on two 32-bit halves. Keys are eight 32-bit words.
 * Shared by GOST 28147-89 (little-endian words) and Magma (big-endian words).
 */
export class Gost28147Core {
	private readonly t0: Uint32Array;
	private readonly t1: Uint32Array;
	private readonly t2: Uint32Array;
	private readonly t3: Uint32Array;
	readonly key = new Uint32Array(8);
	/** Output of the last block operation: the first and second 32-bit half as GOST names them (N1, N2). */
	out1 = 0;
	out2 = 0;

	constructor(sbox: Gost28147SboxName) {
		[this.t0, this.t1, this.t2, this.t3] = roundTables(sbox);
	}

	private f(x: number): number {
		return this.t3[x >>> 24] ^ this.t2[(x >>> 16) & 255] ^ this.t1[(x >>> 8) & 255] ^ this.t0[x & 255];
	}

	/** Encrypts (n1, n2); the result is (out1, out2) = (N1 after, N2 after) in GOST's naming of the output block. */
	encryptHalves(n1: number, n2: number): void {
		const k = this.key;
		const t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3;
		let x: number;
		for (let round = 0; round < 3; round++) {
			for (let j = 0; j < 8; j += 2) {
				x = (n1 + k[j]) >>> 0;
				n2 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
				x = (n2 + k[j + 1]) >>> 0;
				n1 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
			}
		}
		for (let j = 7; j > 0; j -= 2) {
			x = (n1 + k[j]) >>> 0;
			n2 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
			x = (n2 + k[j - 1]) >>> 0;
			n1 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
		}
		this.out1 = n2 >>> 0;
		this.out2 = n1 >>> 0;
	}

	decryptHalves(n1: number, n2: number): void {
		const k = this.key;
		const t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3;
		let x: number;
		for (let j = 0; j < 8; j += 2) {
			x = (n1 + k[j]) >>> 0;
			n2 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
			x = (n2 + k[j + 1]) >>> 0;
			n1 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
		}
		for (let round = 0; round < 3; round++) {
			for (let j = 7; j > 0; j -= 2) {
				x = (n1 + k[j]) >>> 0;
				n2 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
				x = (n2 + k[j - 1]) >>> 0;
				n1 ^= t3[x >>> 24] ^ t2[(x >>> 16) & 255] ^ t1[(x >>> 8) & 255] ^ t0[x & 255];
			}
		}
		this.out1 = n2 >>> 0;
		this.out2 = n1 >>> 0;
	}

	/** The 16-round transformation of the IMIT (MAC) mode; (out1, out2) without the final swap. */
	imitHalves(n1: number, n2: number): void {
		const k = this.key;
		for (let round = 0; round < 2; round++) {
			for (let j = 0; j < 8; j += 2) {
				n2 ^= this.f((n1 + k[j]) >>> 0);
				n1 ^= this.f((n2 + k[j + 1]) >>> 0);
			}
		}
		this.out1 = n1 >>> 0;
		this.out2 = n2 >>> 0;
	}
}

function checkLength(what: string, value: Uint8Array, length: number): void {
	if (!(value instanceof Uint8Array) || value.length !== length) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			`The GOST 28147-89 ${what} must be ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}.`,
		);
	}
}

/** GOST 28147-89 with a key set: block operations on little-endian halves, plus CryptoPro key meshing. */
export class Gost28147 {
	readonly core: Gost28147Core;

	constructor(key: Uint8Array, readonly sbox: Gost28147SboxName = 'CryptoPro-A') {
		this.core = new Gost28147Core(sbox);
		this.setKey(key);
	}

	setKey(key: Uint8Array): void {
		checkLength('key', key, 32);
		for (let i = 0; i < 8; i++) this.core.key[i] = readUint32LE(key, i * 4);
	}

	getKey(): Uint8Array {
		const key = new Uint8Array(32);
		for (let i = 0; i < 8; i++) writeUint32LE(key, i * 4, this.core.key[i]);
		return key;
	}

	encryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
		this.core.encryptHalves(readUint32LE(input, inOffset), readUint32LE(input, inOffset + 4));
		writeUint32LE(output, outOffset, this.core.out1);
		writeUint32LE(output, outOffset + 4, this.core.out2);
	}

	decryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
		this.core.decryptHalves(readUint32LE(input, inOffset), readUint32LE(input, inOffset + 4));
		writeUint32LE(output, outOffset, this.core.out1);
		writeUint32LE(output, outOffset + 4, this.core.out2);
	}

	/**
	 * CryptoPro key meshing (RFC 4357 §2.3.2): K' = D_K(C), and the 8-byte register `iv`, when
	 * given, becomes E_K'(iv). (The IMIT mode meshes the key only and keeps its register.)
	 */
	meshKey(iv?: Uint8Array): void {
		const next = new Uint8Array(32);
		for (let i = 0; i < 32; i += 8) this.decryptBlock(KEY_MESHING_CONSTANT, i, next, i);
		this.setKey(next);
		next.fill(0);
		if (iv) this.encryptBlock(iv, 0, iv, 0);
	}
}

export type Gost89Mode = 'ecb' | 'cfb' | 'cnt' | 'cbc';

export interface Gost89Options {
	/**
	 * S-box (parameter set); CryptoPro-A when not given. (OpenSSL's gost engine 3.0 defaults to TC26-Z
	 * for `gost89` and `gost89-cbc` and to CryptoPro-A for `gost89-cnt`; CMS names the set explicitly.)
	 */
	sbox?: Gost28147SboxName;
	/**
	 * CryptoPro key meshing after every 1024 bytes (CFB and CNT only: OpenSSL's gost89 CFB and CNT
	 * ciphers mesh, its CBC does not, and no profile defines meshing for ECB or CBC).
	 */
	meshing?: boolean;
}

/** The counter constants of the CNT (gamma) mode, GOST 28147-89 §3. */
const CNT_C1 = 0x01010104;
const CNT_C2 = 0x01010101;

function cipherMode(
	direction: 'encrypt' | 'decrypt',
	mode: Gost89Mode,
	key: Uint8Array,
	iv: Uint8Array | undefined,
	data: Uint8Array,
	options: Gost89Options,
): Uint8Array {
	const cipher = new Gost28147(key, options.sbox ?? 'CryptoPro-A');
	const meshing = options.meshing === true;
	const out = new Uint8Array(data.length);
	if (mode === 'ecb' || mode === 'cbc') {
		if (meshing) {
			throw new EdoCryptoError('INVALID_INPUT', `CryptoPro key meshing is defined for the GOST 28147-89 CFB and CNT modes, not ${mode.toUpperCase()}.`);
		}
		if (data.length % 8 !== 0) {
			throw new EdoCryptoError('INVALID_INPUT', `GOST 28147-89 ${mode.toUpperCase()} data must be a multiple of 8 bytes, got ${data.length}.`);
		}
	}
	if (mode === 'ecb') {
		for (let i = 0; i < data.length; i += 8) {
			if (direction === 'encrypt') cipher.encryptBlock(data, i, out, i);
			else cipher.decryptBlock(data, i, out, i);
		}
		return out;
	}
	checkLength('IV', iv as Uint8Array, 8);
	const register = Uint8Array.from(iv as Uint8Array);
	const gamma = new Uint8Array(8);
	if (mode === 'cfb') {
		for (let i = 0; i < data.length; i += 8) {
			if (meshing && i > 0 && i % KEY_MESHING_INTERVAL === 0) cipher.meshKey(register);
			cipher.encryptBlock(register, 0, gamma, 0);
			const n = Math.min(8, data.length - i);
			for (let j = 0; j < n; j++) {
				out[i + j] = data[i + j] ^ gamma[j];
				register[j] = direction === 'encrypt' ? out[i + j] : data[i + j];
			}
		}
		return out;
	}
	if (mode === 'cbc') {
		const block = new Uint8Array(8);
		for (let i = 0; i < data.length; i += 8) {
			if (direction === 'encrypt') {
				for (let j = 0; j < 8; j++) block[j] = data[i + j] ^ register[j];
				cipher.encryptBlock(block, 0, out, i);
				register.set(out.subarray(i, i + 8));
			} else {
				cipher.decryptBlock(data, i, block, 0);
				for (let j = 0; j < 8; j++) out[i + j] = block[j] ^ register[j];
				register.set(data.subarray(i, i + 8));
			}
		}
		return out;
	}
	// CNT: the register (N3, N4) starts as E_K(IV) and steps by C2 / C1 before each gamma block.
	cipher.encryptBlock(register, 0, register, 0);
	for (let i = 0; i < data.length; i += 8) {
		if (meshing && i > 0 && i % KEY_MESHING_INTERVAL === 0) cipher.meshKey(register);
		const n3 = (readUint32LE(register, 0) + CNT_C2) >>> 0;
		const n4Before = readUint32LE(register, 4);
		let n4 = n4Before + CNT_C1;
		// addition modulo 2^32 - 1
		if (n4 > 0xffffffff) n4 = n4 - 0xffffffff;
		writeUint32LE(register, 0, n3);
		writeUint32LE(register, 4, n4 >>> 0);
		cipher.encryptBlock(register, 0, gamma, 0);
		const n = Math.min(8, data.length - i);
		for (let j = 0; j < n; j++) out[i + j] = data[i + j] ^ gamma[j];
	}
	return out;
}

/** Encrypts with GOST 28147-89. ECB and CBC need whole 8-byte blocks (no padding is added); CFB and CNT take any length. */
export function gost89Encrypt(mode: Gost89Mode, key: Uint8Array, iv: Uint8Array | undefined, data: Uint8Array, options: Gost89Options = {}): Uint8Array {
	return cipherMode('encrypt', mode, key, iv, data, options);
}

/** Decrypts with GOST 28147-89; see gost89Encrypt. CMS content uses CFB with key meshing. */
export function gost89Decrypt(mode: Gost89Mode, key: Uint8Array, iv: Uint8Array | undefined, data: Uint8Array, options: Gost89Options = {}): Uint8Array {
	return cipherMode('decrypt', mode, key, iv, data, options);
}

export interface Gost89ImitOptions {
	sbox?: Gost28147SboxName;
	/** Initial value of the MAC register (8 bytes); zero when not given. The key wraps use the UKM here. */
	iv?: Uint8Array;
	/** MAC length in bytes, 1..8; 4 by default. */
	macLength?: number;
	/** CryptoPro key meshing after every 1024 bytes, as OpenSSL's gost-mac does. */
	meshing?: boolean;
}

/**
 * GOST 28147-89 IMIT (MAC) mode. The last partial block is padded with zeros; a message of one
 * block or less is MACed as two blocks (with a zero block appended), as GOST 28147-89 and
 * OpenSSL's gost-mac do; an empty message leaves the register as it was (OpenSSL gives zeros).
 * The MAC is the first macLength bytes of the register. Key meshing changes only the key.
 */
export function gost89Imit(key: Uint8Array, data: Uint8Array, options: Gost89ImitOptions = {}): Uint8Array {
	const cipher = new Gost28147(key, options.sbox ?? 'CryptoPro-A');
	const macLength = options.macLength ?? 4;
	if (!Number.isInteger(macLength) || macLength < 1 || macLength > 8) {
		throw new EdoCryptoError('INVALID_INPUT', `The GOST 28147-89 MAC length must be 1..8 bytes, got ${macLength}.`);
	}
	const register = new Uint8Array(8);
	if (options.iv !== undefined) {
		checkLength('MAC IV', options.iv, 8);
		register.set(options.iv);
	}
	const blocks = data.length === 0 ? 0 : Math.max(2, Math.ceil(data.length / 8));
	for (let b = 0; b < blocks; b++) {
		const offset = b * 8;
		if (options.meshing && offset > 0 && offset % KEY_MESHING_INTERVAL === 0) cipher.meshKey();
		for (let j = 0; j < 8 && offset + j < data.length; j++) register[j] ^= data[offset + j];
		cipher.core.imitHalves(readUint32LE(register, 0), readUint32LE(register, 4));
		writeUint32LE(register, 0, cipher.core.out1);
		writeUint32LE(register, 4, cipher.core.out2);
	}
	return register.slice(0, macLength);
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}

/**
 * GOST 28147-89 key wrap (RFC 4357 §6.1): returns UKM (8) | ECB_KEK(CEK) (32) | IMIT_KEK,UKM(CEK) (4).
 */
export function gost28147KeyWrap(kek: Uint8Array, cek: Uint8Array, ukm: Uint8Array, sbox: Gost28147SboxName): Uint8Array {
	checkLength('key-encryption key', kek, 32);
	checkLength('content-encryption key', cek, 32);
	checkLength('UKM', ukm, 8);
	const mac = gost89Imit(kek, cek, { sbox, iv: ukm });
	const encrypted = gost89Encrypt('ecb', kek, undefined, cek, { sbox });
	const wrapped = new Uint8Array(44);
	wrapped.set(ukm, 0);
	wrapped.set(encrypted, 8);
	wrapped.set(mac, 40);
	return wrapped;
}

/**
 * GOST 28147-89 key unwrap (RFC 4357 §6.2). `wrapped` is the 32-byte encrypted key followed by
 * its 4-byte MAC. Throws DECRYPTION_FAILED when the MAC does not match (wrong key or damaged data).
 */
export function gost28147KeyUnwrap(kek: Uint8Array, wrapped: Uint8Array, ukm: Uint8Array, sbox: Gost28147SboxName): Uint8Array {
	checkLength('key-encryption key', kek, 32);
	checkLength('wrapped key (encrypted key and MAC)', wrapped, 36);
	checkLength('UKM', ukm, 8);
	const cek = gost89Decrypt('ecb', kek, undefined, wrapped.subarray(0, 32), { sbox });
	const mac = gost89Imit(kek, cek, { sbox, iv: ukm });
	if (!timingSafeEqual(mac, wrapped.subarray(32, 36))) {
		cek.fill(0);
		throw new EdoCryptoError(
			'DECRYPTION_FAILED',
			'The wrapped GOST 28147-89 key did not verify (its MAC does not match).',
			'The message was encrypted to another key, or it is damaged.',
		);
	}
	return cek;
}

/**
 * CryptoPro KEK diversification (RFC 4357 §6.5): eight CFB passes of the KEK over itself, each
 * with an IV made of the sums of the key words selected by one UKM byte's bits.
 */
export function cryptoProKeyDiversify(kek: Uint8Array, ukm: Uint8Array, sbox: Gost28147SboxName): Uint8Array {
	checkLength('key-encryption key', kek, 32);
	checkLength('UKM', ukm, 8);
	let key: Uint8Array = Uint8Array.from(kek);
	const iv = new Uint8Array(8);
	for (let i = 0; i < 8; i++) {
		let selected = 0;
		let others = 0;
		for (let j = 0; j < 8; j++) {
			const word = readUint32LE(key, j * 4);
			if ((ukm[i] >>> j) & 1) selected = (selected + word) >>> 0;
			else others = (others + word) >>> 0;
		}
		writeUint32LE(iv, 0, selected);
		writeUint32LE(iv, 4, others);
		const next = gost89Encrypt('cfb', key, iv, key, { sbox });
		key.fill(0);
		key = next;
	}
	return key;
}

/** CryptoPro key wrap (RFC 4357 §6.3): the GOST 28147-89 key wrap under the diversified KEK. */
export function cryptoProKeyWrap(kek: Uint8Array, cek: Uint8Array, ukm: Uint8Array, sbox: Gost28147SboxName): Uint8Array {
	const diversified = cryptoProKeyDiversify(kek, ukm, sbox);
	try {
		return gost28147KeyWrap(diversified, cek, ukm, sbox);
	} finally {
		diversified.fill(0);
	}
}

/**
 * CryptoPro key unwrap (RFC 4357 §6.4). `wrapped` is the 32-byte encrypted key followed by its
 * 4-byte MAC (Gost28147-89-EncryptedKey's encryptedKey and macKey), `ukm` the 8-byte UKM.
 */
export function cryptoProKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array, ukm: Uint8Array, sbox: Gost28147SboxName): Uint8Array {
	const diversified = cryptoProKeyDiversify(kek, ukm, sbox);
	try {
		return gost28147KeyUnwrap(diversified, wrapped, ukm, sbox);
	} finally {
		diversified.fill(0);
	}
}
