/**
 * Minimal DER writing: just what CMS needs, fast enough for the signing hot path (plain Buffers, no object
 * model). Reading goes through asn1js and pkijs (see ../encoding.ts).
 */

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_UTC_TIME = 0x17;
export const TAG_GENERALIZED_TIME = 0x18;
export const TAG_SEQUENCE = 0x30;
export const TAG_SET = 0x31;
/** Context-specific constructed [n]: 0xA0 | n. */
export const TAG_CONTEXT_CONSTRUCTED = 0xa0;

export const DER_NULL = Buffer.from([TAG_NULL, 0x00]);

/** The DER length octets for a content of `length` bytes. */
export function encodeLength(length: number): Buffer {
	if (length < 0x80) return Buffer.from([length]);
	if (length < 0x100) return Buffer.from([0x81, length]);
	if (length < 0x10000) return Buffer.from([0x82, length >> 8, length & 0xff]);
	if (length < 0x1000000) return Buffer.from([0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
	return Buffer.from([0x84, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
}

/** Tag and length octets for a content of `length` bytes (single-byte tags only). */
export function header(tag: number, length: number): Buffer {
	if (length < 0x80) return Buffer.from([tag, length]);
	return Buffer.concat([Buffer.from([tag]), encodeLength(length)]);
}

/** Size of the tag and length octets for a content of `length` bytes (single-byte tags). */
export function headerLength(length: number): number {
	if (length < 0x80) return 2;
	if (length < 0x100) return 3;
	if (length < 0x10000) return 4;
	if (length < 0x1000000) return 5;
	return 6;
}

/** Writes tag and length octets into `target` at `offset`; returns the offset after them. */
export function writeHeader(target: Uint8Array, offset: number, tag: number, length: number): number {
	target[offset++] = tag;
	if (length < 0x80) {
		target[offset++] = length;
		return offset;
	}
	const octets = headerLength(length) - 2;
	target[offset++] = 0x80 | octets;
	for (let shift = (octets - 1) * 8; shift >= 0; shift -= 8) target[offset++] = Math.floor(length / 2 ** shift) & 0xff;
	return offset;
}

/** A complete TLV whose content is the concatenation of `contents`. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
	let length = 0;
	for (const part of contents) length += part.length;
	return Buffer.concat([header(tag, length), ...contents]);
}

export function sequence(...contents: Uint8Array[]): Buffer {
	return tlv(TAG_SEQUENCE, ...contents);
}

/** A SET whose elements are written as given; `sortDer` them first for DER SET OF order. */
export function set(...contents: Uint8Array[]): Buffer {
	return tlv(TAG_SET, ...contents);
}

/** Sorts encodings for DER SET OF: compared as octet strings, the shorter padded with trailing zeros. */
export function sortDer<T extends Uint8Array>(elements: T[]): T[] {
	return elements.slice().sort(compareDer);
}

export function compareDer(a: Uint8Array, b: Uint8Array): number {
	const common = Math.min(a.length, b.length);
	for (let i = 0; i < common; i++) {
		if (a[i] !== b[i]) return a[i] - b[i];
	}
	const rest = a.length > b.length ? a : b;
	for (let i = common; i < rest.length; i++) {
		if (rest[i] !== 0) return rest === a ? 1 : -1;
	}
	return 0;
}

/** Context-specific [n] EXPLICIT (constructed) wrapper. */
export function explicit(tagNumber: number, ...contents: Uint8Array[]): Buffer {
	return tlv(TAG_CONTEXT_CONSTRUCTED | tagNumber, ...contents);
}

export function octetString(content: Uint8Array): Buffer {
	return tlv(TAG_OCTET_STRING, content);
}

/** INTEGER from a non-negative safe integer. */
export function integer(value: number): Buffer {
	if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('integer() takes a non-negative safe integer');
	const bytes: number[] = [];
	let rest = value;
	do {
		bytes.unshift(rest % 256);
		rest = Math.floor(rest / 256);
	} while (rest > 0);
	if (bytes[0] & 0x80) bytes.unshift(0);
	return tlv(TAG_INTEGER, Buffer.from(bytes));
}

/** OBJECT IDENTIFIER TLV from dotted form. */
export function oid(dotted: string): Buffer {
	const arcs = dotted.split('.').map((arc) => {
		if (!/^\d+$/.test(arc)) throw new RangeError(`Not an object identifier: ${dotted}`);
		return BigInt(arc);
	});
	if (arcs.length < 2 || arcs[0] > 2n || (arcs[0] < 2n && arcs[1] > 39n)) {
		throw new RangeError(`Not an object identifier: ${dotted}`);
	}
	const bytes: number[] = [];
	const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
	for (const value of values) {
		const chunk: number[] = [Number(value & 0x7fn)];
		let rest = value >> 7n;
		while (rest > 0n) {
			chunk.unshift(Number(rest & 0x7fn) | 0x80);
			rest >>= 7n;
		}
		bytes.push(...chunk);
	}
	return tlv(TAG_OID, Buffer.from(bytes));
}

/** AlgorithmIdentifier: parameters omitted when `parameters` is undefined (e.g. SHA-2, ECDSA), else as given. */
export function algorithmIdentifier(dotted: string, parameters?: Uint8Array): Buffer {
	return parameters ? sequence(oid(dotted), parameters) : sequence(oid(dotted));
}

/** CMS Time (RFC 5652 11.3): UTCTime for 1950..2049, GeneralizedTime otherwise; whole seconds, Zulu. */
export function cmsTime(date: Date): Buffer {
	const year = date.getUTCFullYear();
	if (Number.isNaN(year)) throw new RangeError('Invalid date');
	const rest =
		pad2(date.getUTCMonth() + 1) +
		pad2(date.getUTCDate()) +
		pad2(date.getUTCHours()) +
		pad2(date.getUTCMinutes()) +
		pad2(date.getUTCSeconds()) +
		'Z';
	if (year >= 1950 && year <= 2049) return tlv(TAG_UTC_TIME, Buffer.from(pad2(year % 100) + rest, 'latin1'));
	if (year < 0 || year > 9999) throw new RangeError('Year out of range for GeneralizedTime');
	return tlv(TAG_GENERALIZED_TIME, Buffer.from(String(year).padStart(4, '0') + rest, 'latin1'));
}

function pad2(value: number): string {
	return value < 10 ? `0${value}` : String(value);
}
