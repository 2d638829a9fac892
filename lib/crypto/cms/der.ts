/**
 * Minimal DER writing and reading: just what CMS needs, fast enough for the signing hot path
 * (plain Buffers, no object model). Writers produce DER; the reader also accepts BER indefinite lengths.
 */

export const TAG_BOOLEAN = 0x01;
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
/** Context-specific primitive [n]: 0x80 | n. */
export const TAG_CONTEXT_PRIMITIVE = 0x80;

export const DER_NULL = Buffer.from([TAG_NULL, 0x00]);

// ---------------------------------------------------------------- writing

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

/** A SET whose elements are written as given; use `setOf` for DER order. */
export function set(...contents: Uint8Array[]): Buffer {
	return tlv(TAG_SET, ...contents);
}

/** DER SET OF: the element encodings sorted as octet strings (X.690 11.6). */
export function setOf(elements: Uint8Array[]): Buffer {
	return tlv(TAG_SET, ...sortDer(elements));
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

// ---------------------------------------------------------------- reading

export class DerParseError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DerParseError';
	}
}

/** One element as positions into the buffer it was read from. */
export interface DerElement {
	/** The first identifier octet (class, constructed bit, tag number < 31). */
	tag: number;
	start: number;
	contentStart: number;
	/** Content end (excludes the 00 00 end-of-contents of an indefinite length). */
	contentEnd: number;
	/** End of the whole element. */
	end: number;
	indefinite: boolean;
}

/** Reads the element at `offset`, which must end by `limit`. */
export function readElement(buffer: Uint8Array, offset = 0, limit = buffer.length): DerElement {
	if (offset >= limit) throw new DerParseError(`truncated data: expected an element at offset ${offset}`);
	const tag = buffer[offset];
	let position = offset + 1;
	if ((tag & 0x1f) === 0x1f) {
		// High tag number form: skip the continuation octets, keep the first octet as the tag.
		while (position < limit && buffer[position] & 0x80) position++;
		position++;
	}
	if (position >= limit) throw new DerParseError(`truncated data: no length at offset ${offset}`);
	const first = buffer[position++];
	if (first < 0x80) {
		return finish(offset, tag, position, position + first, limit, false);
	}
	if (first === 0x80) {
		if (!(tag & 0x20)) throw new DerParseError(`indefinite length on a primitive element at offset ${offset}`);
		let cursor = position;
		for (;;) {
			if (cursor + 2 > limit) throw new DerParseError(`truncated data: unterminated element at offset ${offset}`);
			if (buffer[cursor] === 0 && buffer[cursor + 1] === 0) {
				return { tag, start: offset, contentStart: position, contentEnd: cursor, end: cursor + 2, indefinite: true };
			}
			cursor = readElement(buffer, cursor, limit).end;
		}
	}
	const octets = first & 0x7f;
	if (octets > 4) throw new DerParseError(`length too large at offset ${offset}`);
	if (position + octets > limit) throw new DerParseError(`truncated data: length cut off at offset ${offset}`);
	let length = 0;
	for (let i = 0; i < octets; i++) length = length * 256 + buffer[position + i];
	position += octets;
	return finish(offset, tag, position, position + length, limit, false);
}

function finish(start: number, tag: number, contentStart: number, contentEnd: number, limit: number, indefinite: boolean): DerElement {
	if (contentEnd > limit) {
		throw new DerParseError(`truncated data: element at offset ${start} needs ${contentEnd - limit} more bytes`);
	}
	return { tag, start, contentStart, contentEnd, end: contentEnd, indefinite };
}

/** The elements inside a constructed element. */
export function childrenOf(buffer: Uint8Array, parent: DerElement): DerElement[] {
	const result: DerElement[] = [];
	let offset = parent.contentStart;
	while (offset < parent.contentEnd) {
		const child = readElement(buffer, offset, parent.contentEnd);
		result.push(child);
		offset = child.end;
	}
	return result;
}

/** Reads exactly one element spanning the whole buffer (trailing bytes are an error). */
export function readSingle(buffer: Uint8Array): DerElement {
	const element = readElement(buffer, 0, buffer.length);
	if (element.end !== buffer.length) {
		throw new DerParseError(`${buffer.length - element.end} unexpected bytes after the end of the structure`);
	}
	return element;
}

export function contentOf(buffer: Uint8Array, element: DerElement): Buffer {
	return Buffer.from(buffer.buffer, buffer.byteOffset + element.contentStart, element.contentEnd - element.contentStart);
}

export function bytesOf(buffer: Uint8Array, element: DerElement): Buffer {
	return Buffer.from(buffer.buffer, buffer.byteOffset + element.start, element.end - element.start);
}

/** Dotted form of an OBJECT IDENTIFIER's content octets. */
export function decodeOid(content: Uint8Array): string {
	if (content.length === 0) throw new DerParseError('empty object identifier');
	const arcs: bigint[] = [];
	let value = 0n;
	for (let i = 0; i < content.length; i++) {
		value = (value << 7n) | BigInt(content[i] & 0x7f);
		if (!(content[i] & 0x80)) {
			arcs.push(value);
			value = 0n;
		} else if (i === content.length - 1) {
			throw new DerParseError('truncated object identifier');
		}
	}
	const first = arcs[0];
	const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
	return [...head, ...arcs.slice(1)].join('.');
}

/** The OID at `element`, which must be an OBJECT IDENTIFIER. */
export function readOid(buffer: Uint8Array, element: DerElement, what: string): string {
	if (element.tag !== TAG_OID) throw new DerParseError(`${what}: expected an object identifier`);
	return decodeOid(contentOf(buffer, element));
}

/**
 * The bytes of an OCTET STRING, joining the segments of a BER constructed one (tag 0x24), as found in
 * the eContent of streamed CMS.
 */
export function octetStringValue(buffer: Uint8Array, element: DerElement): Buffer {
	if (element.tag === TAG_OCTET_STRING) return contentOf(buffer, element);
	if (element.tag === (TAG_OCTET_STRING | 0x20)) {
		return Buffer.concat(childrenOf(buffer, element).map((child) => octetStringValue(buffer, child)));
	}
	throw new DerParseError('expected an OCTET STRING');
}

/** Parses UTCTime / GeneralizedTime content into a Date (seconds and fractions optional, Z or offset). */
export function decodeTime(buffer: Uint8Array, element: DerElement): Date {
	const text = contentOf(buffer, element).toString('latin1');
	let match: RegExpMatchArray | null;
	let year: number;
	let rest: string;
	if (element.tag === TAG_UTC_TIME) {
		match = /^(\d{2})(\d{8}(?:\d{2})?)(Z|[+-]\d{4})$/.exec(text);
		if (!match) throw new DerParseError(`malformed UTCTime "${text}"`);
		const yy = Number(match[1]);
		year = yy >= 50 ? 1900 + yy : 2000 + yy;
		rest = match[2];
	} else if (element.tag === TAG_GENERALIZED_TIME) {
		match = /^(\d{4})(\d{6}(?:\d{2}(?:\d{2}(?:[.,]\d+)?)?)?)(Z|[+-]\d{4})?$/.exec(text);
		if (!match) throw new DerParseError(`malformed GeneralizedTime "${text}"`);
		year = Number(match[1]);
		rest = match[2];
	} else {
		throw new DerParseError('expected a UTCTime or GeneralizedTime');
	}
	// rest: MMDDHH, then optional minutes, seconds and fraction
	const minutes = rest.length >= 8 ? Number(rest.slice(6, 8)) : 0;
	const seconds = rest.length >= 10 ? Number(rest.slice(8).replace(',', '.')) : 0;
	let millis = Date.UTC(year, Number(rest.slice(0, 2)) - 1, Number(rest.slice(2, 4)), Number(rest.slice(4, 6)), minutes, 0);
	millis += Math.round(seconds * 1000);
	const zone = match[3];
	if (zone && zone !== 'Z') {
		const sign = zone[0] === '+' ? 1 : -1;
		millis -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
	}
	return new Date(millis);
}
