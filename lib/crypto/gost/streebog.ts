/**
 * GOST R 34.11-2012 "Streebog" (RFC 6986), 256- and 512-bit, streaming and one-shot.
 *
 * Layout: a 512-bit vector is held the way it sits in memory, little-endian: byte 0 is the least significant
 * byte a_0 of the standard's notation, and the first byte of the message is the first byte of the first block
 * (this is why RFC 6986 prints its test messages byte-reversed). The state is 8 little-endian 64-bit words,
 * each kept as a pair of int32 halves (lo at 2w, hi at 2w + 1): V8 computes with int32 without allocating,
 * while BigInt/BigUint64Array arithmetic allocates per operation and measured 4-5 times slower here.
 *
 * Speed comes from the usual precomputation: P (byte transposition) only decides which byte goes where, S is
 * folded into the table, and L is linear, so LPS is 8 lookups and XORs per output word in LPS_TABLE.
 * Where WebAssembly is available the same computation runs in the small module of streebog-wasm.ts (64-bit
 * words, about twice as fast); this file's JavaScript is the reference and the fallback.
 */
import {
	streebogWasm,
	WASM_H,
	WASM_INPUT,
	WASM_INPUT_BYTES,
	WASM_LENGTH,
	WASM_N,
	WASM_SCRATCH_END,
	WASM_SCRATCH_START,
	WASM_SIGMA,
	type StreebogWasm,
} from './streebog-wasm';

/** The substitution pi (RFC 6986 §6.2; the same S-box as Kuznyechik). */
const PI = [
	252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77, 233, 119, 240, 219, 147, 46, 153, 186,
	23, 54, 241, 187, 20, 205, 95, 193, 249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79, 5,
	132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31, 235, 52, 44, 81, 234, 200, 72, 171, 242,
	42, 104, 162, 253, 58, 206, 204, 181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135, 21,
	161, 150, 41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177, 50, 117, 25, 61, 255, 53, 138, 126,
	109, 84, 198, 128, 195, 189, 13, 87, 223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3,
	224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74, 167, 151, 96, 115, 30, 0, 98, 68, 26,
	184, 56, 130, 100, 159, 38, 65, 173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59, 7, 88,
	179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217, 231, 137, 225, 27, 131, 73, 76, 63, 248, 254, 141, 83,
	170, 144, 202, 216, 133, 97, 32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82, 89, 166,
	116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57, 75, 99, 182,
];

/** Rows A_0..A_63 of the matrix of l (RFC 6986 §6.4); A_0 belongs to the most significant bit of the word. */
const A = [
	'8e20faa72ba0b470', '47107ddd9b505a38', 'ad08b0e0c3282d1c', 'd8045870ef14980e',
	'6c022c38f90a4c07', '3601161cf205268d', '1b8e0b0e798c13c8', '83478b07b2468764',
	'a011d380818e8f40', '5086e740ce47c920', '2843fd2067adea10', '14aff010bdd87508',
	'0ad97808d06cb404', '05e23c0468365a02', '8c711e02341b2d01', '46b60f011a83988e',
	'90dab52a387ae76f', '486dd4151c3dfdb9', '24b86a840e90f0d2', '125c354207487869',
	'092e94218d243cba', '8a174a9ec8121e5d', '4585254f64090fa0', 'accc9ca9328a8950',
	'9d4df05d5f661451', 'c0a878a0a1330aa6', '60543c50de970553', '302a1e286fc58ca7',
	'18150f14b9ec46dd', '0c84890ad27623e0', '0642ca05693b9f70', '0321658cba93c138',
	'86275df09ce8aaa8', '439da0784e745554', 'afc0503c273aa42a', 'd960281e9d1d5215',
	'e230140fc0802984', '71180a8960409a42', 'b60c05ca30204d21', '5b068c651810a89e',
	'456c34887a3805b9', 'ac361a443d1c8cd2', '561b0d22900e4669', '2b838811480723ba',
	'9bcf4486248d9f5d', 'c3e9224312c8c1a0', 'effa11af0964ee50', 'f97d86d98a327728',
	'e4fa2054a80b329c', '727d102a548b194e', '39b008152acb8227', '9258048415eb419d',
	'492c024284fbaec0', 'aa16012142f35760', '550b8e9e21f7a530', 'a48b474f9ef5dc18',
	'70a6a56e2440598e', '3853dc371220a247', '1ca76e95091051ad', '0edd37c48a08a6d8',
	'07e095624504536c', '8d70c431ac02a736', 'c83862965601dd1b', '641c314b2b8ee083',
];

/** Round constants C_1..C_12 (RFC 6986 §6.5), written most significant byte first as the RFC prints them. */
const C = [
	'b1085bda1ecadae9ebcb2f81c0657c1f2f6a76432e45d016714eb88d7585c4fc4b7ce09192676901a2422a08a460d31505767436cc744d23dd806559f2a64507',
	'6fa3b58aa99d2f1a4fe39d460f70b5d7f3feea720a232b9861d55e0f16b501319ab5176b12d699585cb561c2db0aa7ca55dda21bd7cbcd56e679047021b19bb7',
	'f574dcac2bce2fc70a39fc286a3d843506f15e5f529c1f8bf2ea7514b1297b7bd3e20fe490359eb1c1c93a376062db09c2b6f443867adb31991e96f50aba0ab2',
	'ef1fdfb3e81566d2f948e1a05d71e4dd488e857e335c3c7d9d721cad685e353fa9d72c82ed03d675d8b71333935203be3453eaa193e837f1220cbebc84e3d12e',
	'4bea6bacad4747999a3f410c6ca923637f151c1f1686104a359e35d7800fffbdbfcd1747253af5a3dfff00b723271a167a56a27ea9ea63f5601758fd7c6cfe57',
	'ae4faeae1d3ad3d96fa4c33b7a3039c02d66c4f95142a46c187f9ab49af08ec6cffaa6b71c9ab7b40af21f66c2bec6b6bf71c57236904f35fa68407a46647d6e',
	'f4c70e16eeaac5ec51ac86febf240954399ec6c7e6bf87c9d3473e33197a93c90992abc52d822c3706476983284a05043517454ca23c4af38886564d3a14d493',
	'9b1f5b424d93c9a703e7aa020c6e41414eb7f8719c36de1e89b4443b4ddbc49af4892bcb929b069069d18d2bd1a5c42f36acc2355951a8d9a47f0dd4bf02e71e',
	'378f5a541631229b944c9ad8ec165fde3a7d3a1b258942243cd955b7e00d0984800a440bdbb2ceb17b2b8a9aa6079c540e38dc92cb1f2a607261445183235adb',
	'abbedea680056f52382ae548b2e4f3f38941e71cff8a78db1fffe18a1b3361039fe76702af69334b7a1e6c303b7652f43698fad1153bb6c374b4c7fb98459ced',
	'7bcd9ed0efc889fb3002c6cd635afe94d8fa6bbbebab076120018021148466798a1d71efea48b9caefbacd1d7d476e98dea2594ac06fd85d6bcaa4cd81f32d1b',
	'378ee767f11631bad21380b00449b17acda43c32bcdf1d77f82012d430219f9b5d80ef9d1891cc86e71da4aa88e12852faf417d5d9b21b9948bc924af11bd720',
];

/**
 * LPS_LO/LPS_HI[k * 256 + v] = low/high half of l(pi(v) << 8k). After the transposition P, output word i is made
 * of byte i of every input word k, so LPS(x)_i = XOR over k of LPS[k * 256 + (byte i of x_k)].
 */
const [LPS_LO, LPS_HI] = buildLpsTables();
/** ROUND_CONSTANTS[16 * r .. 16 * r + 15] = C_{r+1} as int32 halves of little-endian words. */
const ROUND_CONSTANTS = buildRoundConstants();

function buildLpsTables(): [Int32Array, Int32Array] {
	const rows = A.map((hex) => [parseInt(hex.slice(8), 16) | 0, parseInt(hex.slice(0, 8), 16) | 0]);
	const low = new Int32Array(8 * 256);
	const high = new Int32Array(8 * 256);
	for (let k = 0; k < 8; k++) {
		for (let v = 0; v < 256; v++) {
			const s = PI[v];
			for (let bit = 0; bit < 8; bit++) {
				if ((s >>> bit) & 1) {
					const row = rows[63 - (8 * k + bit)];
					low[k * 256 + v] ^= row[0];
					high[k * 256 + v] ^= row[1];
				}
			}
		}
	}
	return [low, high];
}

function buildRoundConstants(): Int32Array {
	const out = new Int32Array(12 * 16);
	C.forEach((hex, r) => {
		const bytes = Buffer.from(hex, 'hex').reverse();
		for (let w = 0; w < 16; w++) out[r * 16 + w] = bytes.readInt32LE(w * 4);
	});
	return out;
}

/**
 * dst = LPS(a XOR b[bOff..bOff + 15]); dst may be a (every input half is read before any output is written).
 * Unrolled by hand: V8 runs this 3 times faster than the equivalent loops, and this function is the whole
 * cost of hashing.
 */
function lpsXor(a: Int32Array, b: Int32Array, bOff: number, dst: Int32Array): void {
	const lo = LPS_LO;
	const hi = LPS_HI;
	const x0 = a[0] ^ b[bOff];
	const x1 = a[1] ^ b[bOff + 1];
	const x2 = a[2] ^ b[bOff + 2];
	const x3 = a[3] ^ b[bOff + 3];
	const x4 = a[4] ^ b[bOff + 4];
	const x5 = a[5] ^ b[bOff + 5];
	const x6 = a[6] ^ b[bOff + 6];
	const x7 = a[7] ^ b[bOff + 7];
	const x8 = a[8] ^ b[bOff + 8];
	const x9 = a[9] ^ b[bOff + 9];
	const x10 = a[10] ^ b[bOff + 10];
	const x11 = a[11] ^ b[bOff + 11];
	const x12 = a[12] ^ b[bOff + 12];
	const x13 = a[13] ^ b[bOff + 13];
	const x14 = a[14] ^ b[bOff + 14];
	const x15 = a[15] ^ b[bOff + 15];
	let i0 = x0 & 255;
	let i1 = 256 | (x2 & 255);
	let i2 = 512 | (x4 & 255);
	let i3 = 768 | (x6 & 255);
	let i4 = 1024 | (x8 & 255);
	let i5 = 1280 | (x10 & 255);
	let i6 = 1536 | (x12 & 255);
	let i7 = 1792 | (x14 & 255);
	dst[0] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[1] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = (x0 >>> 8) & 255;
	i1 = 256 | ((x2 >>> 8) & 255);
	i2 = 512 | ((x4 >>> 8) & 255);
	i3 = 768 | ((x6 >>> 8) & 255);
	i4 = 1024 | ((x8 >>> 8) & 255);
	i5 = 1280 | ((x10 >>> 8) & 255);
	i6 = 1536 | ((x12 >>> 8) & 255);
	i7 = 1792 | ((x14 >>> 8) & 255);
	dst[2] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[3] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = (x0 >>> 16) & 255;
	i1 = 256 | ((x2 >>> 16) & 255);
	i2 = 512 | ((x4 >>> 16) & 255);
	i3 = 768 | ((x6 >>> 16) & 255);
	i4 = 1024 | ((x8 >>> 16) & 255);
	i5 = 1280 | ((x10 >>> 16) & 255);
	i6 = 1536 | ((x12 >>> 16) & 255);
	i7 = 1792 | ((x14 >>> 16) & 255);
	dst[4] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[5] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = x0 >>> 24;
	i1 = 256 | (x2 >>> 24);
	i2 = 512 | (x4 >>> 24);
	i3 = 768 | (x6 >>> 24);
	i4 = 1024 | (x8 >>> 24);
	i5 = 1280 | (x10 >>> 24);
	i6 = 1536 | (x12 >>> 24);
	i7 = 1792 | (x14 >>> 24);
	dst[6] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[7] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = x1 & 255;
	i1 = 256 | (x3 & 255);
	i2 = 512 | (x5 & 255);
	i3 = 768 | (x7 & 255);
	i4 = 1024 | (x9 & 255);
	i5 = 1280 | (x11 & 255);
	i6 = 1536 | (x13 & 255);
	i7 = 1792 | (x15 & 255);
	dst[8] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[9] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = (x1 >>> 8) & 255;
	i1 = 256 | ((x3 >>> 8) & 255);
	i2 = 512 | ((x5 >>> 8) & 255);
	i3 = 768 | ((x7 >>> 8) & 255);
	i4 = 1024 | ((x9 >>> 8) & 255);
	i5 = 1280 | ((x11 >>> 8) & 255);
	i6 = 1536 | ((x13 >>> 8) & 255);
	i7 = 1792 | ((x15 >>> 8) & 255);
	dst[10] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[11] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = (x1 >>> 16) & 255;
	i1 = 256 | ((x3 >>> 16) & 255);
	i2 = 512 | ((x5 >>> 16) & 255);
	i3 = 768 | ((x7 >>> 16) & 255);
	i4 = 1024 | ((x9 >>> 16) & 255);
	i5 = 1280 | ((x11 >>> 16) & 255);
	i6 = 1536 | ((x13 >>> 16) & 255);
	i7 = 1792 | ((x15 >>> 16) & 255);
	dst[12] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[13] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
	i0 = x1 >>> 24;
	i1 = 256 | (x3 >>> 24);
	i2 = 512 | (x5 >>> 24);
	i3 = 768 | (x7 >>> 24);
	i4 = 1024 | (x9 >>> 24);
	i5 = 1280 | (x11 >>> 24);
	i6 = 1536 | (x13 >>> 24);
	i7 = 1792 | (x15 >>> 24);
	dst[14] = lo[i0] ^ lo[i1] ^ lo[i2] ^ lo[i3] ^ lo[i4] ^ lo[i5] ^ lo[i6] ^ lo[i7];
	dst[15] = hi[i0] ^ hi[i1] ^ hi[i2] ^ hi[i3] ^ hi[i4] ^ hi[i5] ^ hi[i6] ^ hi[i7];
}

// Scratch space of the compression function, shared by every instance (the computation is synchronous).
const key = new Int32Array(16);
const block = new Int32Array(16);
const ZERO = new Int32Array(16);

/** h = g_N(h, m) = E(LPS(h XOR N), m) XOR h XOR m, with E(K, m) = X[K13] LPSX[K12] ... LPSX[K1](m). */
function compress(h: Int32Array, n: Int32Array, m: Int32Array, mOff: number): void {
	lpsXor(h, n, 0, key);
	lpsXor(key, m, mOff, block);
	for (let round = 0; round < 11; round++) {
		lpsXor(key, ROUND_CONSTANTS, round * 16, key);
		lpsXor(block, key, 0, block);
	}
	lpsXor(key, ROUND_CONSTANTS, 11 * 16, key);
	for (let j = 0; j < 16; j++) h[j] ^= block[j] ^ key[j] ^ m[mOff + j];
}

/** a += b[bOff..bOff + 15] mod 2^512, both as 16 little-endian 32-bit halves. */
function add512(a: Int32Array, b: Int32Array, bOff: number): void {
	let carry = 0;
	for (let j = 0; j < 16; j++) {
		const sum = (a[j] >>> 0) + (b[bOff + j] >>> 0) + carry;
		a[j] = sum | 0;
		carry = sum > 0xffffffff ? 1 : 0;
	}
}

/** a += bits mod 2^512 (bits < 2^32). */
function addBits(a: Int32Array, bits: number): void {
	let carry = bits;
	for (let j = 0; j < 16 && carry !== 0; j++) {
		const sum = (a[j] >>> 0) + carry;
		a[j] = sum | 0;
		carry = sum > 0xffffffff ? 1 : 0;
	}
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The words of `count` whole blocks starting at `offset`, read in place through an Int32Array view when the
 * bytes are 4-byte aligned (Buffers from the pool often are) on a little-endian machine, copied otherwise.
 */
function blockWords(source: Uint8Array, offset: number, count: number): Int32Array {
	const at = source.byteOffset + offset;
	if (LITTLE_ENDIAN && (at & 3) === 0) return new Int32Array(source.buffer, at, count * 16);
	const words = new Int32Array(count * 16);
	for (let j = 0; j < count * 16; j++) {
		const o = offset + (j << 2);
		words[j] = source[o] | (source[o + 1] << 8) | (source[o + 2] << 16) | (source[o + 3] << 24);
	}
	return words;
}

export type StreebogBackend = 'wasm' | 'js';

let preferred: StreebogBackend = 'wasm';

/** Chooses the implementation (tests and benchmarks compare them); 'wasm' falls back to 'js' when unavailable. */
export function useStreebogBackend(backend: StreebogBackend): void {
	preferred = backend;
}

/** The implementation in use. */
export function streebogBackend(): StreebogBackend {
	return wasm() ? 'wasm' : 'js';
}

function wasm(): StreebogWasm | null {
	return preferred === 'wasm' ? streebogWasm(LPS_LO, LPS_HI, ROUND_CONSTANTS) : null;
}

export type StreebogSize = 256 | 512;

/** Streaming Streebog: update() any number of times, then digest() once. */
export class Streebog {
	readonly size: StreebogSize;
	/** Output length in bytes (32 or 64). */
	readonly digestLength: number;
	/** Block length in bytes, for HMAC. */
	readonly blockLength = 64;
	private readonly h = new Int32Array(16);
	private readonly n = new Int32Array(16);
	private readonly sigma = new Int32Array(16);
	private readonly buffer = new Uint8Array(64);
	private buffered = 0;
	private finished = false;

	constructor(size: StreebogSize = 256) {
		if (size !== 256 && size !== 512) throw new RangeError('Streebog size must be 256 or 512');
		this.size = size;
		this.digestLength = size / 8;
		if (size === 256) this.h.fill(0x01010101);
	}

	update(data: Uint8Array | string): this {
		if (this.finished) throw new Error('Streebog: update() after digest()');
		const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
		let offset = 0;
		const length = bytes.length;
		if (this.buffered > 0) {
			const take = Math.min(64 - this.buffered, length);
			this.buffer.set(bytes.subarray(0, take), this.buffered);
			this.buffered += take;
			offset = take;
			if (this.buffered < 64) return this;
			this.absorb(this.buffer, 0, 1);
			this.buffered = 0;
		}
		while (length - offset >= 64) {
			// Bounded so that an unaligned input is copied a slice at a time, never whole.
			const whole = Math.min((length - offset) >>> 6, 1024);
			this.absorb(bytes, offset, whole);
			offset += whole << 6;
		}
		if (offset < length) {
			this.buffer.set(bytes.subarray(offset), 0);
			this.buffered = length - offset;
		}
		return this;
	}

	/** An independent copy of the running state (HMAC and PBKDF2 reuse the keyed inner and outer states). */
	copy(): Streebog {
		const twin = new Streebog(this.size);
		twin.h.set(this.h);
		twin.n.set(this.n);
		twin.sigma.set(this.sigma);
		twin.buffer.set(this.buffer);
		twin.buffered = this.buffered;
		twin.finished = this.finished;
		return twin;
	}

	digest(): Buffer {
		if (this.finished) throw new Error('Streebog: digest() called twice');
		this.finished = true;
		const last = this.buffer;
		last.fill(0, this.buffered);
		last[this.buffered] = 0x01;
		const engine = wasm();
		if (engine) {
			this.load(engine);
			engine.bytes.set(last, WASM_INPUT);
			engine.words.fill(0, WASM_LENGTH >> 2, (WASM_LENGTH >> 2) + 16);
			engine.words[WASM_LENGTH >> 2] = this.buffered * 8;
			engine.finish();
			engine.bytes.fill(0, WASM_INPUT, WASM_INPUT + 64);
			this.store(engine);
		} else {
			this.finishJs(last);
		}
		const out = Buffer.alloc(64);
		for (let j = 0; j < 16; j++) out.writeInt32LE(this.h[j], j * 4);
		return this.size === 512 ? out : out.subarray(32);
	}

	private finishJs(last: Uint8Array): void {
		const words = blockWords(last, 0, 1);
		compress(this.h, this.n, words, 0);
		addBits(this.n, this.buffered * 8);
		add512(this.sigma, words, 0);
		compress(this.h, ZERO, this.n, 0);
		compress(this.h, ZERO, this.sigma, 0);
	}

	private load(engine: StreebogWasm): void {
		engine.words.set(this.h, WASM_H >> 2);
		engine.words.set(this.n, WASM_N >> 2);
		engine.words.set(this.sigma, WASM_SIGMA >> 2);
	}

	/** Copies the state back and clears it from the module's memory (it may derive from keys or passwords). */
	private store(engine: StreebogWasm): void {
		this.h.set(engine.words.subarray(WASM_H >> 2, (WASM_H >> 2) + 16));
		this.n.set(engine.words.subarray(WASM_N >> 2, (WASM_N >> 2) + 16));
		this.sigma.set(engine.words.subarray(WASM_SIGMA >> 2, (WASM_SIGMA >> 2) + 16));
		engine.bytes.fill(0, WASM_SCRATCH_START, WASM_SCRATCH_END);
	}

	private absorb(source: Uint8Array, offset: number, count: number): void {
		const engine = wasm();
		if (engine) {
			this.load(engine);
			let at = offset;
			let left = count;
			while (left > 0) {
				const blocks = Math.min(left, WASM_INPUT_BYTES >>> 6);
				engine.bytes.set(source.subarray(at, at + (blocks << 6)), WASM_INPUT);
				engine.absorb(blocks);
				engine.bytes.fill(0, WASM_INPUT, WASM_INPUT + (blocks << 6));
				at += blocks << 6;
				left -= blocks;
			}
			this.store(engine);
			return;
		}
		const words = blockWords(source, offset, count);
		for (let b = 0; b < count; b++) {
			compress(this.h, this.n, words, b << 4);
			addBits(this.n, 512);
			add512(this.sigma, words, b << 4);
		}
	}
}

export function streebog256(data: Uint8Array | string): Buffer {
	return new Streebog(256).update(data).digest();
}

export function streebog512(data: Uint8Array | string): Buffer {
	return new Streebog(512).update(data).digest();
}

export function streebog(size: StreebogSize, data: Uint8Array | string): Buffer {
	return new Streebog(size).update(data).digest();
}
