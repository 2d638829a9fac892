/**
 * Kuznyechik, the 128-bit block cipher of GOST R 34.12-2015 (RFC 7801).
 *
 * Bytes are in the order the standard writes them (a15 first). The round function LS is done with
 * sixteen 256-entry tables, one per byte position, each entry the 16-byte image L(S(b) at p) as four
 * 32-bit words. Decryption runs in the L^-1-transformed domain so that it uses the same table
 * shape for L^-1∘S^-1.
 */
import { EdoCryptoError } from '../errors';
import type { BlockCipher } from './modes2015';

/** The substitution π of GOST R 34.12-2015 §4.1.1. */
const PI_HEX =
	'fceedd11cf6e3116fbc4fada23c5044de977f0db932e99ba1736f1bb14cd5fc1' +
	'f918655ae25cef21811c3c428b018e4f058402aee36a8fa0060bed987fd4d31f' +
	'eb342c51eac848abf22a68a2fd3aceccb5700e56080c7612bf7213479cb75d87' +
	'15a19629107b9ac7f391786f9d9eb2b13275193dff358a7e6d54c680c3bd0d57' +
	'dff524a93ea843c9d779d6f67c22b903e00fecde7a94b0bcdce828504e330a4a' +
	'a79760731e0062441ab83882649f2641ad454692275e552f8ca3a57d69d5953b' +
	'0758b34086ac1df730376be488d9e789e11b83494c3ff8fe8d53aa90cad88561' +
	'207167a42d2b095bcb9b25d0bee56c5259a674d2e6f4b4c0d166afc2394b63b6';

/** Coefficients of the linear map ℓ (GOST R 34.12-2015 §4.1.2) for a15..a0. */
const L_COEFFICIENTS = [0x94, 0x20, 0x85, 0x10, 0xc2, 0xc0, 0x01, 0xfb, 0x01, 0xc0, 0xc2, 0x10, 0x85, 0x20, 0x94, 0x01];

/** Multiplication in GF(2^8) modulo x^8 + x^7 + x^6 + x + 1. */
function gfMultiply(a: number, b: number): number {
	let product = 0;
	while (b) {
		if (b & 1) product ^= a;
		a = a & 0x80 ? ((a << 1) ^ 0x1c3) & 0xff : a << 1;
		b >>>= 1;
	}
	return product;
}

/** The linear transformation L = R^16 on a 16-byte vector, in place. */
function linear(x: Uint8Array): void {
	for (let round = 0; round < 16; round++) {
		let l = 0;
		for (let i = 0; i < 16; i++) l ^= gfMultiply(L_COEFFICIENTS[i], x[i]);
		x.copyWithin(1, 0, 15);
		x[0] = l;
	}
}

/** L^-1 = (R^-1)^16, in place. */
function linearInverse(x: Uint8Array): void {
	for (let round = 0; round < 16; round++) {
		const first = x[0];
		x.copyWithin(0, 1, 16);
		let l = first;
		for (let i = 0; i < 15; i++) l ^= gfMultiply(L_COEFFICIENTS[i], x[i]);
		x[15] = l;
	}
}

interface Tables {
	pi: Uint8Array;
	piInverse: Uint8Array;
	/** [(p * 256 + b) * 4 + w]: word w of L(π(b) at position p). */
	forward: Uint32Array;
	/** [(p * 256 + b) * 4 + w]: word w of L^-1(π^-1(b) at position p). */
	inverse: Uint32Array;
	/** Round constants C1..C32 of the key schedule. */
	constants: Uint8Array[];
}

let tables: Tables | undefined;

function readWordLE(bytes: Uint8Array, offset: number): number {
	return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function buildTables(): Tables {
	if (PI_HEX.length !== 512) throw new Error('Kuznyechik π table is damaged');
	const pi = Uint8Array.from(Buffer.from(PI_HEX, 'hex'));
	const piInverse = new Uint8Array(256);
	for (let i = 0; i < 256; i++) piInverse[pi[i]] = i;
	const forward = new Uint32Array(16 * 256 * 4);
	const inverse = new Uint32Array(16 * 256 * 4);
	const v = new Uint8Array(16);
	for (let p = 0; p < 16; p++) {
		for (let b = 0; b < 256; b++) {
			const at = (p * 256 + b) * 4;
			v.fill(0);
			v[p] = pi[b];
			linear(v);
			for (let w = 0; w < 4; w++) forward[at + w] = readWordLE(v, w * 4);
			v.fill(0);
			v[p] = piInverse[b];
			linearInverse(v);
			for (let w = 0; w < 4; w++) inverse[at + w] = readWordLE(v, w * 4);
		}
	}
	const constants: Uint8Array[] = [];
	for (let i = 1; i <= 32; i++) {
		const c = new Uint8Array(16);
		c[15] = i;
		linear(c);
		constants.push(c);
	}
	return { pi, piInverse, forward, inverse, constants };
}

function getTables(): Tables {
	if (!tables) tables = buildTables();
	return tables;
}

/** state (4 words) := T(state) where T is one of the position tables. */
function applyTable(table: Uint32Array, s: Uint32Array): void {
	let y0 = 0, y1 = 0, y2 = 0, y3 = 0;
	for (let w = 0; w < 4; w++) {
		const word = s[w];
		for (let shift = 0, p = w * 4; shift < 32; shift += 8, p++) {
			const at = ((p << 8) | ((word >>> shift) & 255)) << 2;
			y0 ^= table[at];
			y1 ^= table[at + 1];
			y2 ^= table[at + 2];
			y3 ^= table[at + 3];
		}
	}
	s[0] = y0;
	s[1] = y1;
	s[2] = y2;
	s[3] = y3;
}

function substituteWords(box: Uint8Array, s: Uint32Array): void {
	for (let w = 0; w < 4; w++) {
		const x = s[w];
		s[w] = (box[x & 255] | (box[(x >>> 8) & 255] << 8) | (box[(x >>> 16) & 255] << 16) | (box[x >>> 24] << 24)) >>> 0;
	}
}

export class Kuznyechik implements BlockCipher {
	readonly blockSize = 16;
	/** Round keys K1..K10 as 4 words each. */
	private readonly roundKeys = new Uint32Array(40);
	/** L^-1(K2)..L^-1(K9) for decryption, at the index of the key. */
	private readonly inverseRoundKeys = new Uint32Array(40);
	private readonly state = new Uint32Array(4);

	constructor(key: Uint8Array) {
		if (!(key instanceof Uint8Array) || key.length !== 32) {
			throw new EdoCryptoError('INVALID_INPUT', 'A Kuznyechik key must be 32 bytes.');
		}
		const t = getTables();
		const k1 = new Uint32Array(4);
		const k2 = new Uint32Array(4);
		for (let w = 0; w < 4; w++) {
			k1[w] = readWordLE(key, w * 4);
			k2[w] = readWordLE(key, 16 + w * 4);
		}
		this.roundKeys.set(k1, 0);
		this.roundKeys.set(k2, 4);
		const tmp = new Uint32Array(4);
		for (let i = 0; i < 32; i++) {
			const c = t.constants[i];
			for (let w = 0; w < 4; w++) tmp[w] = k1[w] ^ readWordLE(c, w * 4);
			applyTable(t.forward, tmp);
			for (let w = 0; w < 4; w++) tmp[w] ^= k2[w];
			k2.set(k1);
			k1.set(tmp);
			if (i % 8 === 7) {
				const pair = (i + 1) / 8;
				this.roundKeys.set(k1, pair * 8);
				this.roundKeys.set(k2, pair * 8 + 4);
			}
		}
		const bytes = new Uint8Array(16);
		for (let k = 1; k < 9; k++) {
			for (let w = 0; w < 4; w++) {
				const word = this.roundKeys[k * 4 + w];
				bytes[w * 4] = word & 255;
				bytes[w * 4 + 1] = (word >>> 8) & 255;
				bytes[w * 4 + 2] = (word >>> 16) & 255;
				bytes[w * 4 + 3] = word >>> 24;
			}
			linearInverse(bytes);
			for (let w = 0; w < 4; w++) this.inverseRoundKeys[k * 4 + w] = readWordLE(bytes, w * 4);
		}
		tmp.fill(0);
		k1.fill(0);
		k2.fill(0);
		bytes.fill(0);
	}

	private load(input: Uint8Array, offset: number): void {
		for (let w = 0; w < 4; w++) this.state[w] = readWordLE(input, offset + w * 4);
	}

	private store(output: Uint8Array, offset: number): void {
		for (let w = 0; w < 4; w++) {
			const word = this.state[w];
			output[offset + w * 4] = word & 255;
			output[offset + w * 4 + 1] = (word >>> 8) & 255;
			output[offset + w * 4 + 2] = (word >>> 16) & 255;
			output[offset + w * 4 + 3] = word >>> 24;
		}
	}

	encryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
		const forward = getTables().forward;
		const s = this.state;
		const k = this.roundKeys;
		this.load(input, inOffset);
		for (let round = 0; round < 9; round++) {
			const at = round * 4;
			s[0] ^= k[at];
			s[1] ^= k[at + 1];
			s[2] ^= k[at + 2];
			s[3] ^= k[at + 3];
			applyTable(forward, s);
		}
		s[0] ^= k[36];
		s[1] ^= k[37];
		s[2] ^= k[38];
		s[3] ^= k[39];
		this.store(output, outOffset);
	}

	decryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
		const t = getTables();
		const s = this.state;
		const k = this.roundKeys;
		const ik = this.inverseRoundKeys;
		this.load(input, inOffset);
		for (let w = 0; w < 4; w++) s[w] ^= k[36 + w];
		// z10 = L^-1(c ^ K10), computed as (L^-1∘π^-1)(π(...)).
		substituteWords(t.pi, s);
		applyTable(t.inverse, s);
		for (let key = 8; key >= 1; key--) {
			applyTable(t.inverse, s);
			const at = key * 4;
			s[0] ^= ik[at];
			s[1] ^= ik[at + 1];
			s[2] ^= ik[at + 2];
			s[3] ^= ik[at + 3];
		}
		substituteWords(t.piInverse, s);
		for (let w = 0; w < 4; w++) s[w] ^= k[w];
		this.store(output, outOffset);
	}

	/** Wipes the key schedule. */
	destroy(): void {
		this.roundKeys.fill(0);
		this.inverseRoundKeys.fill(0);
		this.state.fill(0);
	}
}

export function createKuznyechik(key: Uint8Array): Kuznyechik {
	return new Kuznyechik(key);
}
