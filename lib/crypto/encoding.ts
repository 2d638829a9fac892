/**
 * Byte-level helpers shared by the crypto core: turning what a user pasted (PEM, base64, raw bytes) into DER,
 * and the one BER/DER reading layer: asn1js parses, Asn1Node navigates the result and keeps the exact bytes
 * of every element (for structures pkijs has no class for, and for the extension points of pkcs12.ts).
 */
import * as asn1js from 'asn1js';

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

/** Length octets at `offset`; a header sniff only, so that looksLikeDer never parses a large input twice. */
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
// BER/DER reading over asn1js

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
	integer: 2,
	bitString: 3,
	octetString: 4,
	null: 5,
	oid: 6,
	utf8String: 12,
	sequence: 16,
	set: 17,
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

/** One element as asn1js parsed it. `raw` is its full TLV, `content` the value bytes (without an EOC). */
export class Asn1Node {
	constructor(readonly block: asn1js.AsnType) {}

	/** TagClass numbering (asn1js counts from 1). */
	get tagClass(): number {
		return this.block.idBlock.tagClass - 1;
	}

	get constructed(): boolean {
		return this.block.idBlock.isConstructed;
	}

	get tagNumber(): number {
		return this.block.idBlock.tagNumber;
	}

	get raw(): Buffer {
		return asBuffer(this.block.valueBeforeDecodeView);
	}

	get content(): Buffer {
		const { idBlock, lenBlock } = this.block;
		const raw = this.raw;
		return raw.subarray(idBlock.blockLength + lenBlock.blockLength, raw.length - (lenBlock.isIndefiniteForm ? 2 : 0));
	}

	is(tagNumber: number, tagClass: number = TagClass.universal): boolean {
		return this.tagNumber === tagNumber && this.tagClass === tagClass;
	}

	isContext(tagNumber: number): boolean {
		return this.is(tagNumber, TagClass.context);
	}

	get children(): Asn1Node[] {
		if (!this.constructed) throw new Asn1Error(`expected a constructed element, found tag ${this.tagNumber}`);
		return (this.block.valueBlock as unknown as { value: asn1js.AsnType[] }).value.map((block) => new Asn1Node(block));
	}

	child(index: number): Asn1Node {
		const node = this.children[index];
		if (!node) throw new Asn1Error(`element ${index} is missing`);
		return node;
	}

	/** Checks the tag and returns the node, so reads can be chained. */
	expect(tagNumber: number, tagClass: number = TagClass.universal): Asn1Node {
		if (!this.is(tagNumber, tagClass)) {
			throw new Asn1Error(`expected tag ${tagClass}/${tagNumber}, found ${this.tagClass}/${this.tagNumber}`);
		}
		return this;
	}

	/** The value of a string type (BIT STRING: after the unused-bits octet), joining BER constructed segments. */
	get bytes(): Buffer {
		if (this.constructed) return Buffer.concat(this.children.map((segment) => segment.bytes));
		// pkijs builds some elements itself (no bytes parsed), but asn1js keeps every string value here.
		const value = (this.block.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
		return value ? asBuffer(value) : this.content;
	}

	get oid(): string {
		return (this.expect(Tag.oid).block as asn1js.ObjectIdentifier).getValue();
	}

	/** INTEGER as a JS number; for small values such as versions and iteration counts. */
	get integer(): number {
		const content = this.expect(Tag.integer).content;
		if (content.length === 0 || content.length > 6) throw new Asn1Error('integer out of range');
		return content.readIntBE(0, content.length);
	}
}

/** The bytes of an OCTET STRING (or an [n] IMPLICIT one) as asn1js or pkijs hold it; empty when absent. */
export function octets(block: asn1js.AsnType | undefined): Buffer {
	if (!block) return Buffer.alloc(0);
	const node = new Asn1Node(block);
	if (node.tagClass === TagClass.universal && node.tagNumber !== Tag.octetString) throw new Asn1Error('expected an OCTET STRING');
	return node.bytes;
}

/** The parameters of a (pkijs) AlgorithmIdentifier; undefined when absent. */
export function parametersOf(algorithm: { algorithmParams?: asn1js.AsnType }): Asn1Node | undefined {
	return algorithm.algorithmParams ? new Asn1Node(algorithm.algorithmParams) : undefined;
}

/** Reads exactly one element that must span the whole buffer (trailing bytes are an error). */
export function readDer(bytes: Uint8Array): Asn1Node {
	const { node, end } = parse(bytes);
	if (end !== bytes.length) throw new Asn1Error(`${bytes.length - end} unexpected bytes after the data`);
	return node;
}

/** Reads the first element and ignores anything after it. */
export function readFirst(bytes: Uint8Array): Asn1Node {
	return parse(bytes).node;
}

/** asn1js's default limits (16 MiB, 10,000 elements) would refuse large documents and streamed CMS. */
const MAX_NODES_PER_BYTE = 1 / 16;

function parse(bytes: Uint8Array): { node: Asn1Node; end: number } {
	// A plain Uint8Array view (asn1js's fast path skips Buffers); no copy, so `raw` is a view of the input.
	const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const result = asn1js.fromBER(view, {
		copyInput: false,
		parseEmbedded: false,
		maxContentLength: Math.max(view.length, 1),
		maxNodes: Math.max(asn1js.DEFAULT_MAX_NODES, Math.ceil(view.length * MAX_NODES_PER_BYTE)),
	});
	if (result.offset === -1) {
		const message = result.result.error || 'malformed data';
		throw new Asn1Error(message, /end of input|zero (buffer )?length|content length exceeded/i.test(message));
	}
	return { node: new Asn1Node(result.result), end: result.offset };
}

function asBuffer(view: Uint8Array): Buffer {
	return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Hex of an INTEGER's content without the sign octet DER adds, uppercase (the form OpenSSL prints). */
export function integerHex(content: Uint8Array): string {
	const unsigned = content.length > 1 && content[0] === 0 && (content[1] & 0x80) !== 0 ? content.subarray(1) : content;
	return Buffer.from(unsigned).toString('hex').toUpperCase();
}

/** Text of a directory string element, whatever its string type. */
export function decodeAsn1String(node: Asn1Node): string {
	const { block } = node;
	if (block instanceof asn1js.BmpString || block instanceof asn1js.UniversalString) return block.getValue();
	// The 8-bit types (Teletex, Printable, IA5...) often carry UTF-8 in practice; Latin-1 when it is not valid UTF-8.
	const bytes = node.bytes;
	const utf8 = bytes.toString('utf8');
	return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
}
