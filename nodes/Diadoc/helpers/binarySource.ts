/**
 * An item's binary property read piece by piece, so large files never sit in memory as one Buffer or one
 * base64 string more than n8n already keeps them.
 *
 * n8n 1.x hands binary data over in two shapes: with an `id` (filesystem, database or S3 mode) the bytes are
 * behind `helpers.getBinaryStream(id)`; in the in-memory 'default' mode they are already a base64 string in
 * `binary.data`, which is sliced (not copied) for base64 output and decoded one part at a time for raw bytes.
 */
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export interface BinarySource {
	property: string;
	fileName?: string;
	mimeType?: string;
	/** Size in bytes. */
	size: number;
	/** The bytes in pieces of exactly `partSize` (the last one may be shorter). */
	parts(partSize: number): AsyncIterable<Buffer>;
	/** The bytes of one part, `index` counted from 0. */
	part(index: number, partSize: number): Promise<Buffer>;
	/** The base64 text of the whole content, in pieces (standard alphabet, padded once at the end). */
	base64(): AsyncIterable<string>;
}

/** Raw bytes read from the stream per chunk: a multiple of 3, so base64 pieces need no carry-over. */
const STREAM_CHUNK = 3 * 64 * 1024;
/** Base64 characters handed on per piece in the in-memory mode (a multiple of 4). */
const BASE64_SLICE = 4 * 256 * 1024;
const CANONICAL_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SMALL_BASE64 = 64 * 1024;

type Helpers = IExecuteFunctions['helpers'];

/** The named binary property of an item, or a NodeOperationError naming what is missing. */
export function binaryProperty(ctx: IExecuteFunctions, itemIndex: number, property: string): IBinaryData {
	const name = property.trim();
	if (!name) throw new NodeOperationError(ctx.getNode(), 'The binary property name is empty', { itemIndex, description: 'Enter the name of the binary property, e.g. "data".' });
	const binary = ctx.getInputData()[itemIndex]?.binary?.[name];
	if (!binary) {
		const present = Object.keys(ctx.getInputData()[itemIndex]?.binary ?? {});
		throw new NodeOperationError(ctx.getNode(), `The item has no binary property "${name}"`, {
			itemIndex,
			description: present.length ? `Binary properties of this item: ${present.join(', ')}.` : 'This item has no binary data: check the node before this one.',
		});
	}
	return binary;
}

/** Names of the item's binary properties selected by a comma list, or every property for "*". */
export function selectBinaryProperties(ctx: IExecuteFunctions, itemIndex: number, list: string): string[] {
	const wanted = list
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	if (wanted.includes('*')) return Object.keys(ctx.getInputData()[itemIndex]?.binary ?? {});
	return wanted;
}

export async function openBinary(ctx: IExecuteFunctions, itemIndex: number, property: string): Promise<BinarySource> {
	const binary = binaryProperty(ctx, itemIndex, property);
	const meta = { property: property.trim(), fileName: binary.fileName, mimeType: binary.mimeType };
	if (binary.id) return await streamedSource(ctx.helpers, binary.id, meta);
	return inMemorySource(binary.data ?? '', meta);
}

async function streamedSource(helpers: Helpers, id: string, meta: Pick<BinarySource, 'property' | 'fileName' | 'mimeType'>): Promise<BinarySource> {
	const metadata = await helpers.getBinaryMetadata(id);
	const size = Number(metadata.fileSize);
	const open = async (chunkSize = STREAM_CHUNK) => await helpers.getBinaryStream(id, chunkSize);
	const source: BinarySource = {
		...meta,
		size,
		parts: (partSize) => regroup(open(Math.min(partSize, 1024 * 1024)), partSize),
		async part(index, partSize) {
			let current = 0;
			for await (const piece of source.parts(partSize)) {
				if (current === index) return piece;
				current++;
			}
			return Buffer.alloc(0);
		},
		async *base64() {
			let carry = Buffer.alloc(0);
			for await (const chunk of await open()) {
				const bytes = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
				const usable = bytes.length - (bytes.length % 3);
				if (usable > 0) yield bytes.subarray(0, usable).toString('base64');
				carry = Buffer.from(bytes.subarray(usable));
			}
			if (carry.length) yield carry.toString('base64');
		},
	};
	return source;
}

async function* regroup(streamPromise: Promise<AsyncIterable<unknown>>, partSize: number): AsyncIterable<Buffer> {
	let pending: Buffer[] = [];
	let pendingSize = 0;
	for await (const chunk of await streamPromise) {
		let bytes = chunk as Buffer;
		while (bytes.length > 0) {
			const take = Math.min(bytes.length, partSize - pendingSize);
			pending.push(bytes.subarray(0, take));
			pendingSize += take;
			bytes = bytes.subarray(take);
			if (pendingSize === partSize) {
				yield pending.length === 1 ? Buffer.from(pending[0]) : Buffer.concat(pending);
				pending = [];
				pendingSize = 0;
			}
		}
	}
	if (pendingSize > 0) yield Buffer.concat(pending);
}

function inMemorySource(data: string, meta: Pick<BinarySource, 'property' | 'fileName' | 'mimeType'>): BinarySource {
	// n8n writes this string with Buffer#toString('base64'); anything else (whitespace, base64url) is decoded
	// once and re-encoded, which costs a copy but keeps the output exact.
	// Small strings are simply re-encoded (cheaper than scanning them); large ones only when not canonical.
	let text = data;
	if (text.length <= SMALL_BASE64 || !(text.length % 4 === 0 && CANONICAL_BASE64.test(text))) text = Buffer.from(text, 'base64').toString('base64');
	const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
	const size = (text.length / 4) * 3 - padding;
	const partChars = (partSize: number) => {
		if (partSize % 3 !== 0) throw new Error('part sizes must be a multiple of 3 bytes');
		return (partSize / 3) * 4;
	};
	return {
		...meta,
		size,
		async *parts(partSize) {
			const step = partChars(partSize);
			for (let offset = 0; offset < text.length; offset += step) yield Buffer.from(text.slice(offset, offset + step), 'base64');
		},
		async part(index, partSize) {
			const step = partChars(partSize);
			return Buffer.from(text.slice(index * step, (index + 1) * step), 'base64');
		},
		async *base64() {
			for (let offset = 0; offset < text.length; offset += BASE64_SLICE) yield text.slice(offset, offset + BASE64_SLICE);
		},
	};
}
