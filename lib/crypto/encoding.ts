/**
 * Byte-level helpers shared by the certificate, key and PFX loaders: turning what a user pasted (PEM, base64,
 * raw bytes) into DER, and a small BER/DER reader that keeps the exact bytes of every element.
 */
import { EdoCryptoError } from './errors';

export interface PemBlock {
	label: string;
	der: Buffer;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #._-]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in the text, in order. Encapsulated headers (Proc-Type, DEK-Info) are skipped. */
export function pemBlocks(text: string): PemBlock[] {
	const blocks: PemBlock[] = [];
	for (const match of text.matchAll(PEM_BLOCK)) {
		const body = match[2]
			.split(/\r?\n/)
			.filter((line) => !line.includes(':'))
			.join('');
		blocks.push({ label: match[1].trim(), der: Buffer.from(body.replace(/\s+/g, ''), 'base64') });
	}
	return blocks;
}

/** PEM text with 64-character lines and a trailing newline. */
export function toPem(der: Buffer, label: string): string {
	const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
	return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${label}-----\n`;
}

/** True when the bytes start with a SEQUENCE whose declared length fits in the buffer. */
export function looksLikeDer(bytes: Buffer): boolean {
	if (bytes.length < 2 || bytes[0] !== 0x30) return false;
	const header = readLength(bytes, 1);
	if (!header) return false;
	if (header.length === undefined) return true; // BER indefinite length, as some PFX writers produce
	return header.offset + header.length <= bytes.length;
}

const BASE64_TEXT = /^[A-Za-z0-9+/\-_]+={0,2}$/;

/** Whitespace and the invisible marks that Windows copy/paste leaves behind. */
const INVISIBLE = /[\s\u200B-\u200F\u202A-\u202E\u2060\uFEFF]/g;

/**
 * Accepts raw bytes, PEM (any label; the first block is used), or base64/base64url text with any whitespace,
 * and returns the decoded bytes. `what` names the thing in the error message ("certificate", "signature").
 */
export function decodeBinary(input: string | Buffer | Uint8Array, what: string): Buffer {
	if (typeof input !== 'string') {
		const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
		if (bytes.length === 0) throw emptyInput(what);
		if (looksLikeDer(bytes)) return bytes;
		if (isPrintableAscii(bytes)) return decodeBinary(bytes.toString('latin1'), what);
		return bytes;
	}
	const text = input.trim();
	if (text.length === 0) throw emptyInput(what);
	if (text.includes('-----BEGIN ')) {
		const blocks = pemBlocks(text);
		if (blocks.length === 0 || blocks[0].der.length === 0) throw notDecodable(what, 'The PEM block is incomplete: its END line or body is missing.');
		return blocks[0].der;
	}
	const compact = text.replace(INVISIBLE, '');
	if (/^(?:[0-9a-fA-F]{2})+$/.test(compact)) {
		// Hex dumps happen too. Base64 of a DER SEQUENCE starts with 'M', so the two forms never collide.
		const hex = Buffer.from(compact, 'hex');
		if (looksLikeDer(hex)) return hex;
	}
	if (!BASE64_TEXT.test(compact)) throw notDecodable(what);
	const standard = compact.replace(/-/g, '+').replace(/_/g, '/');
	const decoded = Buffer.from(standard, 'base64');
	// Node's decoder silently skips junk; re-encoding tells whether the whole text was really base64.
	if (decoded.length === 0 || decoded.toString('base64').replace(/=+$/, '') !== standard.replace(/=+$/, '')) {
		throw notDecodable(what);
	}
	return decoded;
}

/** Text pasted into a binary field: printable ASCII plus tab, CR and LF. */
function isPrintableAscii(bytes: Buffer): boolean {
	return bytes.every((byte) => (byte >= 0x20 && byte <= 0x7e) || byte === 0x09 || byte === 0x0a || byte === 0x0d);
}

function emptyInput(what: string): EdoCryptoError {
	return new EdoCryptoError('INVALID_INPUT', `The ${what} is empty`, `Provide the ${what} as PEM text, base64 or binary DER.`);
}

function notDecodable(what: string, detail?: string): EdoCryptoError {
	return new EdoCryptoError(
		'INVALID_INPUT',
		`The ${what} is neither PEM, base64 nor binary DER${detail ? `. ${detail}` : ''}`,
		`Paste the whole ${what} including the -----BEGIN/END----- lines, or its base64 text, or pass the binary file.`,
	);
}

// ---------------------------------------------------------------------------------------------------------
// BER/DER reader

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
	boolean: 1,
	integer: 2,
	bitString: 3,
	octetString: 4,
	null: 5,
	oid: 6,
	utf8String: 12,
	sequence: 16,
	set: 17,
	numericString: 18,
	printableString: 19,
	teletexString: 20,
	ia5String: 22,
	utcTime: 23,
	generalizedTime: 24,
	visibleString: 26,
	universalString: 28,
	bmpString: 30,
} as const;

/** Thrown by the reader on malformed or truncated input; loaders turn it into a user-facing error. */
export class Asn1Error extends Error {
	readonly truncated: boolean;
	constructor(message: string, truncated = false) {
		super(message);
		this.name = 'Asn1Error';
		this.truncated = truncated;
	}
}

/** One BER element. `raw` is its full TLV, `content` the value bytes (for indefinite length without the EOC). */
export class Asn1Node {
	constructor(
		readonly tagClass: number,
		readonly constructed: boolean,
		readonly tagNumber: number,
		readonly raw: Buffer,
		readonly content: Buffer,
	) {}

	private parsedChildren?: Asn1Node[];

	is(tagNumber: number, tagClass: number = TagClass.universal): boolean {
		return this.tagNumber === tagNumber && this.tagClass === tagClass;
	}

	isContext(tagNumber: number): boolean {
		return this.is(tagNumber, TagClass.context);
	}

	get children(): Asn1Node[] {
		if (!this.constructed) throw new Asn1Error(`expected a constructed element, found tag ${this.tagNumber}`);
		this.parsedChildren ??= readAll(this.content);
		return this.parsedChildren;
	}

	child(index: number): Asn1Node {
		const node = this.children[index];
		if (!node) throw new Asn1Error(`element ${index} is missing`);
		return node;
	}

	/** Checks the universal tag and returns the node, so reads can be chained. */
	expect(tagNumber: number, tagClass: number = TagClass.universal): Asn1Node {
		if (!this.is(tagNumber, tagClass)) {
			throw new Asn1Error(`expected tag ${tagClass}/${tagNumber}, found ${this.tagClass}/${this.tagNumber}`);
		}
		return this;
	}

	/** The bytes of an OCTET/BIT STRING, joining the segments of a BER constructed string. */
	get bytes(): Buffer {
		if (!this.constructed) return this.content;
		return Buffer.concat(this.children.map((segment) => segment.bytes));
	}

	get oid(): string {
		this.expect(Tag.oid);
		return decodeOid(this.content);
	}

	/** INTEGER as a JS number; for small values such as versions and iteration counts. */
	get integer(): number {
		this.expect(Tag.integer);
		if (this.content.length === 0 || this.content.length > 6) throw new Asn1Error('integer out of range');
		return this.content.readIntBE(0, this.content.length);
	}
}

/** Reads exactly one element that must span the whole buffer (trailing bytes are an error). */
export function readDer(bytes: Buffer): Asn1Node {
	const { node, end } = readNode(bytes, 0);
	if (end !== bytes.length) throw new Asn1Error(`${bytes.length - end} unexpected bytes after the data`);
	return node;
}

/** Reads the first element and ignores anything after it. */
export function readFirst(bytes: Buffer): Asn1Node {
	return readNode(bytes, 0).node;
}

function readAll(bytes: Buffer): Asn1Node[] {
	const nodes: Asn1Node[] = [];
	let offset = 0;
	while (offset < bytes.length) {
		const { node, end } = readNode(bytes, offset);
		nodes.push(node);
		offset = end;
	}
	return nodes;
}

function readLength(bytes: Buffer, offset: number): { offset: number; length?: number } | undefined {
	if (offset >= bytes.length) return undefined;
	const first = bytes[offset];
	if (first < 0x80) return { offset: offset + 1, length: first };
	if (first === 0x80) return { offset: offset + 1 };
	const count = first & 0x7f;
	if (count > 4 || offset + 1 + count > bytes.length) return undefined;
	let length = 0;
	for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 1 + i];
	return { offset: offset + 1 + count, length };
}

const MAX_DEPTH = 64;

function readNode(bytes: Buffer, start: number, depth = 0): { node: Asn1Node; end: number } {
	if (depth > MAX_DEPTH) throw new Asn1Error('nesting too deep');
	if (start >= bytes.length) throw new Asn1Error('unexpected end of data', true);
	const identifier = bytes[start];
	const tagClass = identifier >> 6;
	const constructed = (identifier & 0x20) !== 0;
	let tagNumber = identifier & 0x1f;
	let offset = start + 1;
	if (tagNumber === 0x1f) {
		tagNumber = 0;
		let byte: number;
		do {
			if (offset >= bytes.length) throw new Asn1Error('unexpected end of data in a tag', true);
			byte = bytes[offset++];
			tagNumber = tagNumber * 128 + (byte & 0x7f);
		} while (byte & 0x80);
	}
	const header = readLength(bytes, offset);
	if (!header) throw new Asn1Error('unexpected end of data in a length', offset >= bytes.length || (bytes[offset] & 0x7f) <= 4);
	offset = header.offset;
	if (header.length !== undefined) {
		const end = offset + header.length;
		if (end > bytes.length) throw new Asn1Error('the data is truncated', true);
		return { node: new Asn1Node(tagClass, constructed, tagNumber, bytes.subarray(start, end), bytes.subarray(offset, end)), end };
	}
	if (!constructed) throw new Asn1Error('indefinite length on a primitive element');
	let cursor = offset;
	for (;;) {
		if (cursor + 2 > bytes.length) throw new Asn1Error('the data is truncated', true);
		if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) break;
		cursor = readNode(bytes, cursor, depth + 1).end;
	}
	const end = cursor + 2;
	return { node: new Asn1Node(tagClass, constructed, tagNumber, bytes.subarray(start, end), bytes.subarray(offset, cursor)), end };
}

function decodeOid(content: Buffer): string {
	if (content.length === 0) throw new Asn1Error('empty object identifier');
	const arcs: number[] = [];
	let value = 0;
	for (const byte of content) {
		value = value * 128 + (byte & 0x7f);
		if (!(byte & 0x80)) {
			arcs.push(value);
			value = 0;
		}
	}
	const first = arcs.shift() ?? 0;
	const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
	return [...head, ...arcs].join('.');
}

/** Text of a directory/ASN.1 string element, whatever its string type. */
export function decodeAsn1String(node: Asn1Node): string {
	const bytes = node.bytes;
	switch (node.tagNumber) {
		case Tag.bmpString: {
			const swapped = Buffer.from(bytes);
			swapped.swap16();
			return swapped.toString('utf16le');
		}
		case Tag.universalString: {
			let text = '';
			for (let i = 0; i + 4 <= bytes.length; i += 4) text += String.fromCodePoint(bytes.readUInt32BE(i));
			return text;
		}
		case Tag.teletexString: {
			// Teletex is often UTF-8 in practice; fall back to Latin-1 when it is not valid UTF-8.
			const utf8 = bytes.toString('utf8');
			return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
		}
		default:
			return bytes.toString('utf8');
	}
}
