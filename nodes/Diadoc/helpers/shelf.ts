/**
 * Uploads to the Diadoc document shelf: one POST /V2/ShelfUpload up to 3 MB; above that
 * ShelfUploadPartInit (part 0) + ShelfUploadPart (parts 1…) of 3 MB each, read from the binary one part at a
 * time, up to 400 MB. The call flagged as the last part answers the parts Diadoc is missing; those are sent
 * again (a few rounds at most).
 */
import type { DiadocClient } from '../transport/client';
import { DiadocUsageError } from '../transport/errors';
import type { BinarySource } from './binarySource';

/** 3 MB per request, as the method docs state (and a multiple of 3, so base64 pieces line up). */
export const SHELF_PART_BYTES = 3_000_000;
/** "up to 400 MB" (ShelfUploadPartInit docs); the larger reading, so a valid file is never refused here. */
export const SHELF_MAX_BYTES = 400 * 1024 * 1024;
const MAX_RESEND_ROUNDS = 3;

export interface ShelfUploadResult {
	NameOnShelf: string;
	size: number;
	parts: number;
	method: 'V2/ShelfUpload' | 'ShelfUploadPartInit + ShelfUploadPart';
	resentParts: number[];
}

/** ".xml" from "invoice.xml"; undefined when there is no usable extension. */
export function extensionOf(fileName: string | undefined): string | undefined {
	const match = /(\.[A-Za-z0-9_-]{1,16})$/.exec(fileName ?? '');
	return match?.[1];
}

function nameFrom(body: unknown): string {
	const text = (typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '').trim().replace(/^"|"$/g, '');
	if (!text) throw new DiadocUsageError('Diadoc accepted the upload but returned no file name', 'Check the API base URL of the credential.');
	return text;
}

/** The missing part indexes a last-part answer lists: a JSON array, its text, or nothing (none missing). */
export function missingPartsFrom(body: unknown): number[] {
	let value = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	if (typeof value === 'string') {
		const text = value.trim();
		if (!text) return [];
		try {
			value = JSON.parse(text);
		} catch {
			return (text.match(/\d+/g) ?? []).map(Number);
		}
	}
	if (Array.isArray(value)) return value.map(Number).filter((index) => Number.isInteger(index) && index >= 0);
	if (value && typeof value === 'object') {
		const list = Object.values(value as Record<string, unknown>).find(Array.isArray);
		if (list) return missingPartsFrom(list);
	}
	return [];
}

export async function uploadToShelf(client: DiadocClient, source: BinarySource, extension: string | undefined): Promise<ShelfUploadResult> {
	if (source.size === 0) throw new DiadocUsageError(`The binary property "${source.property}" is empty`, 'The shelf does not take empty files.');
	if (source.size > SHELF_MAX_BYTES) {
		throw new DiadocUsageError(
			`The file "${source.fileName ?? source.property}" is too large for the Diadoc shelf: ${source.size} bytes, at most 400 MB`,
			'Split the document, or reduce its size; Diadoc keeps shelf files of up to 400 MB.',
		);
	}
	const query = extension ? { fileExtension: extension } : {};
	if (source.size <= SHELF_PART_BYTES) {
		const response = await client.call({
			method: 'POST',
			path: '/V2/ShelfUpload',
			query,
			body: await source.part(0, SHELF_PART_BYTES),
			responseType: 'text',
		});
		return { NameOnShelf: nameFrom(response.body), size: source.size, parts: 1, method: 'V2/ShelfUpload', resentParts: [] };
	}

	const count = Math.ceil(source.size / SHELF_PART_BYTES);
	const last = count - 1;
	const sendPart = async (name: string, index: number, bytes: Buffer, isLastPart: boolean) =>
		await client.call({
			method: 'POST',
			path: '/ShelfUploadPart',
			query: { fileName: name, partIndex: index, isLastPart },
			body: bytes,
			responseType: 'auto',
			// Re-sending a part replaces it: safe to repeat on a dropped connection or a 5xx.
			idempotent: true,
		});

	let name = '';
	let missing: number[] = [];
	let index = 0;
	for await (const bytes of source.parts(SHELF_PART_BYTES)) {
		if (index === 0) {
			const response = await client.call({
				method: 'POST',
				path: '/ShelfUploadPartInit',
				query: { ...query, isLastPart: false },
				body: bytes,
				responseType: 'text',
			});
			name = nameFrom(response.body);
		} else {
			const response = await sendPart(name, index, bytes, index === last);
			if (index === last) missing = missingPartsFrom(response.body);
		}
		index++;
	}
	if (index !== count) {
		throw new DiadocUsageError(`The binary data ended after ${index} of ${count} parts`, 'The binary data changed while it was read; run the node again.');
	}

	const resent: number[] = [];
	for (let round = 0; missing.length > 0 && round < MAX_RESEND_ROUNDS; round++) {
		const list = [...new Set(missing)].filter((part) => part > 0 && part < count).sort((a, b) => a - b);
		if (list.length === 0) break;
		let answer: unknown;
		for (const [position, part] of list.entries()) {
			const response = await sendPart(name, part, await source.part(part, SHELF_PART_BYTES), position === list.length - 1);
			resent.push(part);
			answer = response.body;
		}
		missing = missingPartsFrom(answer);
	}
	if (missing.length > 0) {
		throw new DiadocUsageError(
			`Diadoc still misses parts ${missing.join(', ')} of the shelf upload "${name}" after ${MAX_RESEND_ROUNDS} rounds of re-sending`,
			'Run the node again; check the network between n8n and Diadoc if it repeats.',
		);
	}
	return { NameOnShelf: name, size: source.size, parts: count, method: 'ShelfUploadPartInit + ShelfUploadPart', resentParts: resent };
}
