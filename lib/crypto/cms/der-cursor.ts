import { DerElement, DerParseError, TAG_INTEGER, TAG_SEQUENCE, bytesOf, childrenOf, contentOf, readOid } from './der';

/** Walks the children of one constructed element in order, for SEQUENCEs with OPTIONAL fields. */
export class DerCursor {
	private readonly items: DerElement[];
	private index = 0;

	constructor(
		readonly buffer: Uint8Array,
		parent: DerElement,
		private readonly context: string,
	) {
		if (!(parent.tag & 0x20)) throw new DerParseError(`${context} is not a constructed element`);
		this.items = childrenOf(buffer, parent);
	}

	/** The next element when its first identifier octet is one of `tags`, else undefined (nothing consumed). */
	optional(...tags: number[]): DerElement | undefined {
		const next = this.items[this.index];
		if (next && tags.includes(next.tag)) {
			this.index++;
			return next;
		}
		return undefined;
	}

	required(what: string, ...tags: number[]): DerElement {
		const next = this.items[this.index];
		if (!next) throw new DerParseError(`${this.context} ends before its ${what}`);
		if (!tags.includes(next.tag)) {
			throw new DerParseError(
				`${this.context}: expected ${what}, found tag 0x${next.tag.toString(16).padStart(2, '0')}`,
			);
		}
		this.index++;
		return next;
	}

	get remaining(): number {
		return this.items.length - this.index;
	}
}

export interface AlgorithmId {
	oid: string;
	/** The complete parameters TLV, undefined when absent. */
	parameters?: Buffer;
	/** The complete AlgorithmIdentifier TLV as received. */
	der: Buffer;
}

export function readAlgorithm(buffer: Uint8Array, element: DerElement, what: string): AlgorithmId {
	if (element.tag !== TAG_SEQUENCE) throw new DerParseError(`${what}: expected an AlgorithmIdentifier`);
	const cursor = new DerCursor(buffer, element, what);
	const oid = readOid(buffer, cursor.required('algorithm OID', 0x06), what);
	const parameters = cursor.remaining > 0 ? cursor.required('parameters', ...anyTag()) : undefined;
	return {
		oid,
		parameters: parameters ? bytesOf(buffer, parameters) : undefined,
		der: bytesOf(buffer, element),
	};
}

/** Non-negative INTEGER content as a number (versions, tag lengths). */
export function readSmallInteger(buffer: Uint8Array, element: DerElement, what: string): number {
	if (element.tag !== TAG_INTEGER) throw new DerParseError(`${what}: expected an INTEGER`);
	const content = contentOf(buffer, element);
	if (content.length === 0 || content.length > 4 || content[0] & 0x80) {
		throw new DerParseError(`${what}: integer out of range`);
	}
	return content.readUIntBE(0, content.length);
}

/** INTEGER content without redundant leading zero octets, for comparing serial numbers. */
export function normalizedInteger(content: Uint8Array): Buffer {
	let start = 0;
	while (start < content.length - 1 && content[start] === 0) start++;
	return Buffer.from(content.subarray(start));
}

let allTags: number[] | undefined;
function anyTag(): number[] {
	allTags ??= Array.from({ length: 256 }, (_, tag) => tag);
	return allTags;
}
