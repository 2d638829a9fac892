/**
 * Magma, the 64-bit block cipher of GOST R 34.12-2015 (RFC 8891): GOST 28147-89 with the TC26 Z
 * S-box and big-endian byte order for the key and the block.
 */
import { EdoCryptoError } from '../errors';
import type { BlockCipher } from './modes2015';
import { Gost28147Core } from './gost89';

function readUint32BE(bytes: Uint8Array, offset: number): number {
	return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

function writeUint32BE(bytes: Uint8Array, offset: number, value: number): void {
	bytes[offset] = value >>> 24;
	bytes[offset + 1] = (value >>> 16) & 255;
	bytes[offset + 2] = (value >>> 8) & 255;
	bytes[offset + 3] = value & 255;
}

export class Magma implements BlockCipher {
	readonly blockSize = 8;
	private readonly core = new Gost28147Core('TC26-Z');

	constructor(key: Uint8Array) {
		if (!(key instanceof Uint8Array) || key.length !== 32) {
			throw new EdoCryptoError('INVALID_INPUT', 'A Magma key must be 32 bytes.');
		}
		for (let i = 0; i < 8; i++) this.core.key[i] = readUint32BE(key, i * 4);
	}

	// A block a1||a0 (big-endian halves) is GOST 28147-89's (N1, N2) = (a0, a1).
	encryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
		this.core.encryptHalves(readUint32BE(input, inOffset + 4), readUint32BE(input, inOffset));
		writeUint32BE(output, outOffset, this.core.out2);
		writeUint32BE(output, outOffset + 4, this.core.out1);
	}

	decryptBlock(input: Uint8Array, inOffset: number, output: Uint8Array, outOffset: number): void {
		this.core.decryptHalves(readUint32BE(input, inOffset + 4), readUint32BE(input, inOffset));
		writeUint32BE(output, outOffset, this.core.out2);
		writeUint32BE(output, outOffset + 4, this.core.out1);
	}

	/** Wipes the key schedule. */
	destroy(): void {
		this.core.key.fill(0);
	}
}

export function createMagma(key: Uint8Array): Magma {
	return new Magma(key);
}
