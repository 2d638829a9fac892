/**
 * Key derivation over HMAC-Streebog-256 (R 50.1.113-2016, RFC 7836 §4.4-4.5):
 * KDF_GOSTR3411_2012_256 and KDF_TREE_GOSTR3411_2012_256. The 2015 key transport (KExp15
 * recipients with 256-bit keys) and the CTR-ACPKM-OMAC content keys use KDF_TREE with the label
 * "kdf tree".
 */
import { EdoCryptoError } from '../errors';
import { HmacStreebog } from './hmac';

/** An unsigned integer in the fewest big-endian bytes (at least one). */
function bigEndianMinimal(value: number): Uint8Array {
	const bytes: number[] = [];
	do {
		bytes.unshift(value & 255);
		value = Math.floor(value / 256);
	} while (value > 0);
	return Uint8Array.from(bytes);
}

function bigEndianFixed(value: number, length: number): Uint8Array {
	const out = new Uint8Array(length);
	for (let i = length - 1; i >= 0; i--) {
		out[i] = value & 255;
		value = Math.floor(value / 256);
	}
	return out;
}

/** KDF_GOSTR3411_2012_256(K, label, seed) = HMAC_256(K, 01 || label || 00 || seed || 01 || 00). */
export function kdfGostR3411_2012_256(key: Uint8Array, label: Uint8Array, seed: Uint8Array): Uint8Array {
	return Uint8Array.from(
		new HmacStreebog(256, key).mac(Uint8Array.of(0x01), label, Uint8Array.of(0x00), seed, Uint8Array.of(0x01, 0x00)),
	);
}

/**
 * KDF_TREE_GOSTR3411_2012_256(K, label, seed, R): the concatenation of
 * K(i) = HMAC_256(K, [i]_R || label || 00 || seed || [L]) for i = 1, 2, ..., truncated to
 * `length` bytes; [i]_R is i in R bytes (1..4) and [L] the output length in bits in the fewest
 * big-endian bytes.
 */
export function kdfTreeGostR3411_2012_256(key: Uint8Array, label: Uint8Array, seed: Uint8Array, length: number, counterBytes = 1): Uint8Array {
	if (!Number.isInteger(counterBytes) || counterBytes < 1 || counterBytes > 4) {
		throw new EdoCryptoError('INVALID_INPUT', `The KDF_TREE counter length R must be 1..4 bytes, got ${counterBytes}.`);
	}
	const blocks = Math.ceil(length / 32);
	if (!Number.isInteger(length) || length < 1 || blocks >= 2 ** (8 * counterBytes)) {
		throw new EdoCryptoError('INVALID_INPUT', `KDF_TREE cannot produce ${length} bytes with a ${counterBytes}-byte counter.`);
	}
	const hmac = new HmacStreebog(256, key);
	const lengthBits = bigEndianMinimal(length * 8);
	const out = new Uint8Array(blocks * 32);
	for (let i = 1; i <= blocks; i++) {
		out.set(hmac.mac(bigEndianFixed(i, counterBytes), label, Uint8Array.of(0x00), seed, lengthBits), (i - 1) * 32);
	}
	const result = out.slice(0, length);
	out.fill(0);
	return result;
}

/** The label the gost engine's 2015 CMS profile uses with KDF_TREE: the ASCII bytes "kdf tree". */
export const KDF_TREE_LABEL = Uint8Array.from(Buffer.from('kdf tree', 'ascii'));
