/**
 * Request body encoding and response body decoding.
 */
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';

export type ResponseType = 'auto' | 'json' | 'text' | 'buffer' | 'stream';

export interface EncodedBody {
	body?: string | Buffer | Readable;
	contentType?: string;
	/** A stream can be sent only once, so a request with one is never retried. */
	replayable: boolean;
}

export function isReadableStream(value: unknown): value is Readable {
	return value instanceof Readable || (
		typeof value === 'object' && value !== null &&
		typeof (value as Readable).pipe === 'function' && typeof (value as Readable).on === 'function'
	);
}

export function encodeBody(body: unknown): EncodedBody {
	if (body === undefined || body === null) return { replayable: true };
	if (typeof body === 'string') return { body, contentType: 'text/plain; charset=utf-8', replayable: true };
	if (Buffer.isBuffer(body)) return { body, contentType: 'application/octet-stream', replayable: true };
	if (body instanceof Uint8Array) {
		return { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: 'application/octet-stream', replayable: true };
	}
	if (body instanceof ArrayBuffer) return { body: Buffer.from(body), contentType: 'application/octet-stream', replayable: true };
	if (isReadableStream(body)) return { body, contentType: 'application/octet-stream', replayable: false };
	if (body instanceof URLSearchParams) {
		return { body: body.toString(), contentType: 'application/x-www-form-urlencoded', replayable: true };
	}
	return { body: JSON.stringify(body), contentType: 'application/json; charset=utf-8', replayable: true };
}

export function mediaType(contentType: string | undefined): string {
	return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function isJsonContentType(contentType: string | undefined): boolean {
	const type = mediaType(contentType);
	return type === 'application/json' || type === 'text/json' || type.endsWith('+json') || type === 'application/x-json';
}

function isTextContentType(contentType: string | undefined): boolean {
	const type = mediaType(contentType);
	return (
		type.startsWith('text/') ||
		type.endsWith('+xml') ||
		type === 'application/xml' ||
		type === 'application/x-www-form-urlencoded' ||
		type === 'application/javascript'
	);
}

function charsetOf(contentType: string | undefined): string {
	const match = (contentType ?? '').match(/;\s*charset="?([^";\s]+)"?/i);
	return match ? match[1].toLowerCase() : 'utf-8';
}

/** Decodes with the declared charset (windows-1251 is common in Russian services), UTF-8 when unknown. */
export function decodeText(bytes: Buffer, contentType?: string): string {
	let decoder: TextDecoder;
	try {
		decoder = new TextDecoder(charsetOf(contentType));
	} catch {
		decoder = new TextDecoder('utf-8');
	}
	// TextDecoder drops a UTF-8 BOM itself; a BOM decoded from another charset is stripped here.
	return decoder.decode(bytes).replace(/^\uFEFF/, '');
}

export class InvalidJsonBody extends Error {}

export function parseJson(text: string): unknown {
	const trimmed = text.replace(/^\uFEFF/, '').trim();
	if (trimmed === '') return undefined;
	try {
		return JSON.parse(trimmed);
	} catch {
		throw new InvalidJsonBody('the body is not valid JSON');
	}
}

/** Turns response bytes into the value the caller asked for ('stream' is handled by the client). */
export function decodeBody(bytes: Buffer, contentType: string | undefined, responseType: Exclude<ResponseType, 'stream'>): unknown {
	switch (responseType) {
		case 'buffer':
			return bytes;
		case 'text':
			return decodeText(bytes, contentType);
		case 'json':
			return parseJson(decodeText(bytes, contentType));
		case 'auto': {
			if (isJsonContentType(contentType)) {
				const text = decodeText(bytes, contentType);
				try {
					return parseJson(text);
				} catch {
					return text;
				}
			}
			if (isTextContentType(contentType)) return decodeText(bytes, contentType);
			if (!contentType && bytes.length === 0) return undefined;
			return bytes;
		}
	}
}

/** Whether bytes look like text (for error excerpts of bodies without a helpful content type). */
export function looksLikeText(bytes: Buffer): boolean {
	const sample = bytes.subarray(0, 512);
	let control = 0;
	for (const byte of sample) {
		if (byte === 0) return false;
		if (byte < 9 || (byte > 13 && byte < 32)) control++;
	}
	return control <= sample.length / 20;
}
