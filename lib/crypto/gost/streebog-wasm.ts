/**
 * The Streebog compression function as a small WebAssembly module, generated here byte by byte (no toolchain,
 * no binary blob): 64-bit loads and XORs make LPS about twice as fast as the int32 JavaScript in streebog.ts,
 * which stays the reference and the fallback where WebAssembly is unavailable.
 *
 * Memory (one 64 KiB page), all 64-bit words little-endian, as streebog.ts lays them out:
 *   TABLE  8 x 256 words: LPS_TABLE[k][v] = l(pi(v) << 8k)
 *   ROUND  12 x 8 words: C_1..C_12
 *   ZERO, PLUS512 (the number 512), LENGTH (bits of the last block), KEY, BLOCK: 8 words each
 *   H, N, SIGMA: the state of the hash being computed, copied in and out by the caller
 *   INPUT  32 KiB of message blocks
 * Exports: absorb(count) hashes `count` blocks from INPUT into H, N, SIGMA; finish() does the final stage after
 * the caller put the padded last block in INPUT and its bit length in LENGTH.
 */

const TABLE = 0;
const ROUND = TABLE + 8 * 256 * 8;
const ZERO = ROUND + 12 * 64;
const PLUS512 = ZERO + 64;
const LENGTH = PLUS512 + 64;
const KEY = LENGTH + 64;
const BLOCK = KEY + 64;
export const WASM_H = BLOCK + 64;
export const WASM_N = WASM_H + 64;
export const WASM_SIGMA = WASM_N + 64;
export const WASM_LENGTH = LENGTH;
export const WASM_INPUT = WASM_SIGMA + 64;
export const WASM_INPUT_BYTES = 32 * 1024;
/** From LENGTH to the end of SIGMA: everything that holds data of the last hash (cleared after each use). */
export const WASM_SCRATCH_START = LENGTH;
export const WASM_SCRATCH_END = WASM_INPUT;

// Opcodes (WebAssembly core specification, binary format).
const op = {
	block: 0x02,
	loop: 0x03,
	end: 0x0b,
	brIf: 0x0d,
	call: 0x10,
	localGet: 0x20,
	localSet: 0x21,
	localTee: 0x22,
	i64Load: 0x29,
	i64Store: 0x37,
	i32Const: 0x41,
	i64Const: 0x42,
	i32Eqz: 0x45,
	i64LtU: 0x54,
	i32Add: 0x6a,
	i32Sub: 0x6b,
	i32And: 0x71,
	i32Shl: 0x74,
	i64Add: 0x7c,
	i64Or: 0x84,
	i64Xor: 0x85,
	i64ShrU: 0x88,
	i32WrapI64: 0xa7,
	i64ExtendI32U: 0xad,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;
const VOID_BLOCK = 0x40;

function unsigned(value: number): number[] {
	const out: number[] = [];
	let rest = value >>> 0;
	do {
		let byte = rest & 0x7f;
		rest >>>= 7;
		if (rest !== 0) byte |= 0x80;
		out.push(byte);
	} while (rest !== 0);
	return out;
}

function signed(value: number): number[] {
	const out: number[] = [];
	let rest = value | 0;
	for (;;) {
		const byte = rest & 0x7f;
		rest >>= 7;
		const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
		out.push(done ? byte : byte | 0x80);
		if (done) return out;
	}
}

const i32 = (value: number) => [op.i32Const, ...signed(value)];
const get = (local: number) => [op.localGet, ...unsigned(local)];
const set = (local: number) => [op.localSet, ...unsigned(local)];
const load64 = (offset: number) => [op.i64Load, 3, ...unsigned(offset)];
const store64 = (offset: number) => [op.i64Store, 3, ...unsigned(offset)];
const vector = (items: number[][]) => [...unsigned(items.length), ...items.flat()];
const section = (id: number, content: number[]) => [id, ...unsigned(content.length), ...content];
const name = (text: string) => vector([...Buffer.from(text, 'utf8')].map((byte) => [byte]));

/** lpsx(a, b, dst): dst = LPS(a XOR b), all addresses of 8 words; dst may equal a. Locals 3..10 hold a ^ b. */
function lpsxBody(): number[] {
	const body: number[] = [];
	for (let k = 0; k < 8; k++) body.push(...get(0), ...load64(8 * k), ...get(1), ...load64(8 * k), op.i64Xor, ...set(3 + k));
	for (let i = 0; i < 8; i++) {
		body.push(...get(2));
		for (let k = 0; k < 8; k++) {
			// address = ((x_k >> 8i) & 255) * 8; the load adds TABLE + 2048k as its offset.
			body.push(...get(3 + k));
			if (i > 0) body.push(op.i64Const, ...signed(8 * i), op.i64ShrU);
			body.push(op.i32WrapI64);
			if (i < 7) body.push(...i32(255), op.i32And);
			body.push(...i32(3), op.i32Shl, ...load64(TABLE + 2048 * k));
			if (k > 0) body.push(op.i64Xor);
		}
		body.push(...store64(8 * i));
	}
	return body;
}

/** add512(dst, src): dst += src mod 2^512. Locals: 2 carry, 3 a, 4 t, 5 s (i64). */
function add512Body(): number[] {
	const body: number[] = [op.i64Const, 0, ...set(2)];
	for (let j = 0; j < 8; j++) {
		body.push(...get(0), ...load64(8 * j), op.localTee, 3, ...get(1), ...load64(8 * j), op.i64Add, ...set(4));
		// s = t + carry; carry = (t < a) | (s < t)
		body.push(...get(4), ...get(2), op.i64Add, ...set(5));
		body.push(...get(4), ...get(3), op.i64LtU, op.i64ExtendI32U, ...get(5), ...get(4), op.i64LtU, op.i64ExtendI32U, op.i64Or, ...set(2));
		body.push(...get(0), ...get(5), ...store64(8 * j));
	}
	return body;
}

const LPSX = 0;
const ADD512 = 1;
const COMPRESS = 2;

/** compress(m): H = g_N(H, m) with N at address 1st param. Params: 0 = N address, 1 = m address. */
function compressBody(): number[] {
	const lpsx = (a: number[], b: number[], dst: number) => [...a, ...b, ...i32(dst), op.call, LPSX];
	const body: number[] = [...lpsx(i32(WASM_H), get(0), KEY), ...lpsx(i32(KEY), get(1), BLOCK)];
	for (let round = 0; round < 11; round++) {
		body.push(...lpsx(i32(KEY), i32(ROUND + 64 * round), KEY), ...lpsx(i32(BLOCK), i32(KEY), BLOCK));
	}
	body.push(...lpsx(i32(KEY), i32(ROUND + 64 * 11), KEY));
	for (let j = 0; j < 8; j++) {
		body.push(...i32(WASM_H), ...i32(WASM_H), ...load64(8 * j), ...i32(BLOCK), ...load64(8 * j), op.i64Xor);
		body.push(...i32(KEY), ...load64(8 * j), op.i64Xor, ...get(1), ...load64(8 * j), op.i64Xor, ...store64(8 * j));
	}
	return body;
}

/** absorb(count): for each block at INPUT: compress, N += 512, SIGMA += block. Locals: 0 count, 1 address. */
function absorbBody(): number[] {
	return [
		...i32(WASM_INPUT),
		...set(1),
		op.block,
		VOID_BLOCK,
		...get(0),
		op.i32Eqz,
		op.brIf,
		0,
		op.loop,
		VOID_BLOCK,
		...i32(WASM_N),
		...get(1),
		op.call,
		COMPRESS,
		...i32(WASM_N),
		...i32(PLUS512),
		op.call,
		ADD512,
		...i32(WASM_SIGMA),
		...get(1),
		op.call,
		ADD512,
		...get(1),
		...i32(64),
		op.i32Add,
		...set(1),
		...get(0),
		...i32(1),
		op.i32Sub,
		op.localTee,
		0,
		op.brIf,
		0,
		op.end,
		op.end,
	];
}

/** finish(): H = g_N(H, INPUT); N += LENGTH; SIGMA += INPUT; H = g_0(H, N); H = g_0(H, SIGMA). */
function finishBody(): number[] {
	return [
		...i32(WASM_N),
		...i32(WASM_INPUT),
		op.call,
		COMPRESS,
		...i32(WASM_N),
		...i32(LENGTH),
		op.call,
		ADD512,
		...i32(WASM_SIGMA),
		...i32(WASM_INPUT),
		op.call,
		ADD512,
		...i32(ZERO),
		...i32(WASM_N),
		op.call,
		COMPRESS,
		...i32(ZERO),
		...i32(WASM_SIGMA),
		op.call,
		COMPRESS,
	];
}

function moduleBytes(): Uint8Array {
	const types = [
		[0x60, ...vector([[I32], [I32], [I32]]), 0], // 0: (i32, i32, i32) -> ()
		[0x60, ...vector([[I32], [I32]]), 0], // 1: (i32, i32) -> ()
		[0x60, ...vector([[I32]]), 0], // 2: (i32) -> ()
		[0x60, 0, 0], // 3: () -> ()
	];
	const functions = [0, 1, 1, 2, 3]; // lpsx, add512, compress, absorb, finish
	const code = (locals: number[][], body: number[]) => {
		const content = [...vector(locals), ...body, op.end];
		return [...unsigned(content.length), ...content];
	};
	const bodies = [
		code([[8, I64]], lpsxBody()),
		code([[4, I64]], add512Body()),
		code([], compressBody()),
		code([[1, I32]], absorbBody()),
		code([], finishBody()),
	];
	const exportEntry = (text: string, kind: number, index: number) => [...name(text), kind, ...unsigned(index)];
	return Uint8Array.from([
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		...section(1, vector(types)),
		...section(3, vector(functions.map((type) => unsigned(type)))),
		...section(5, vector([[0x00, 1]])),
		...section(7, vector([exportEntry('memory', 2, 0), exportEntry('absorb', 0, 3), exportEntry('finish', 0, 4)])),
		...section(10, vector(bodies)),
	]);
}

export interface StreebogWasm {
	/** The module's memory as int32 words. */
	words: Int32Array;
	bytes: Uint8Array;
	absorb(count: number): void;
	finish(): void;
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
	Module: new (bytes: Uint8Array) => unknown;
	Instance: new (module: unknown, imports: object) => { exports: unknown };
}

interface ModuleExports {
	memory: { buffer: ArrayBuffer };
	absorb(count: number): void;
	finish(): void;
}

let instance: StreebogWasm | null | undefined;

/**
 * The compiled module with its tables loaded, or null when this runtime has no WebAssembly. `lpsLow`/`lpsHigh`
 * are streebog.ts's tables (8 x 256 halves), `roundConstants` its 12 x 16 halves.
 */
export function streebogWasm(lpsLow: Int32Array, lpsHigh: Int32Array, roundConstants: Int32Array): StreebogWasm | null {
	if (instance !== undefined) return instance;
	const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
	if (!api) {
		instance = null;
		return instance;
	}
	try {
		const exports = new api.Instance(new api.Module(moduleBytes()), {}).exports as ModuleExports;
		const words = new Int32Array(exports.memory.buffer);
		for (let entry = 0; entry < 8 * 256; entry++) {
			words[(TABLE >> 2) + 2 * entry] = lpsLow[entry];
			words[(TABLE >> 2) + 2 * entry + 1] = lpsHigh[entry];
		}
		words.set(roundConstants, ROUND >> 2);
		words[PLUS512 >> 2] = 512;
		instance = { words, bytes: new Uint8Array(exports.memory.buffer), absorb: exports.absorb, finish: exports.finish };
	} catch {
		instance = null;
	}
	return instance;
}
