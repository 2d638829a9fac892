/**
 * The document shelf, per user, in memory (parts are kept as the received Buffers, never joined except to
 * answer a download):
 *
 *   POST /V2/ShelfUpload?fileExtension=.xml                     whole file ≤ shelfPartMaxBytes → name (text)
 *   POST /ShelfUploadPartInit?fileExtension=…&isLastPart=…       part 0 ≤ shelfPartMaxBytes → name (text)
 *   POST /ShelfUploadPart?fileName=…&partIndex=1…&isLastPart=…   further parts; the call flagged last answers
 *                                                                the JSON list of missing indexes ([] = done)
 *   GET  /V2/ShelfDownload?fileName=…                            the complete file
 *
 * Bodies are `application/octet-stream` or `Content-Type: base64` (decoded here). Limits are checked on the
 * decoded bytes. The docs list no 404 or 413 for uploads, so an oversize part, an oversize file and an
 * unknown fileName are 400 (code Shelf.*); a download of an unknown or incomplete file is 404. Files expire
 * after shelfTtlSeconds (7 days) on the sandbox clock.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxRequest } from '../../server';
import type { DiadocUser } from './config';
import { badRequest, booleanQuery, decodeBase64Strict, fail, mediaType, requiredQuery } from './http';
import type { DiadocRoutes } from './routes';
import type { DiadocState, ShelfFile } from './state';

/** The namespace prefix old-style shelf names carry; DssSign accepts V2 names with or without it. */
export const USER_SHELF_PREFIX = '__userId__/';

function readShelfBody(state: DiadocState, request: SandboxRequest): Buffer {
	const type = mediaType(request);
	let bytes: Buffer;
	if (type === 'base64') {
		const decoded = decodeBase64Strict(request.body.toString('latin1').trim());
		if (!decoded) badRequest('The body is not valid base64 although Content-Type says base64.');
		bytes = decoded;
	} else if (type === 'application/octet-stream' || !state.config.options.shelfRequireContentType) {
		bytes = request.body;
	} else {
		return fail(
			415,
			'Http.UnsupportedMediaType',
			'Send shelf content with "Content-Type: application/octet-stream" (raw bytes) or "Content-Type: base64".',
		);
	}
	if (bytes.length === 0) badRequest('The body is empty: a shelf upload needs content.');
	const limit = state.config.options.shelfPartMaxBytes;
	if (bytes.length > limit) {
		fail(400, 'Shelf.PartTooLarge', `The part is ${bytes.length} bytes; one request may carry at most ${limit} bytes (3 MB). Upload larger files in parts.`);
	}
	return bytes;
}

function fileExtension(request: SandboxRequest): string {
	const extension = request.query.get('fileExtension');
	if (extension === null || extension === '') return '';
	if (!/^\.[A-Za-z0-9_-]{1,16}$/.test(extension)) badRequest('fileExtension must be an extension with its dot, e.g. ".xml".');
	return extension;
}

function isLive(state: DiadocState, file: ShelfFile): boolean {
	return file.createdAt + state.config.options.shelfTtlSeconds * 1000 > state.now();
}

function store(state: DiadocState, user: DiadocUser, first: Buffer, extension: string, via: ShelfFile['via'], last: boolean): ShelfFile {
	const file: ShelfFile = {
		name: `api-${randomUUID()}${extension}`,
		ownerLogin: user.login,
		parts: [first],
		partCount: last ? 1 : undefined,
		size: first.length,
		createdAt: state.now(),
		complete: last,
		via,
	};
	state.shelf.set(file.name, file);
	return file;
}

/** Indexes below the known part count that have not arrived. */
function missingParts(file: ShelfFile): number[] {
	const missing: number[] = [];
	for (let index = 0; index < (file.partCount ?? 0); index++) if (file.parts[index] === undefined) missing.push(index);
	return missing;
}

/** A complete, live shelf file of this user, by V2 name (a `__userId__/` prefix is tolerated); else undefined. */
export function findShelfFile(state: DiadocState, user: DiadocUser, name: string): ShelfFile | undefined {
	const bare = name.startsWith(USER_SHELF_PREFIX) ? name.slice(USER_SHELF_PREFIX.length) : name;
	const file = state.shelf.get(bare);
	if (!file || file.ownerLogin !== user.login || !file.complete || !isLive(state, file)) return undefined;
	return file;
}

const text = (body: string) => ({ status: 200, body, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export function registerShelfRoutes(routes: DiadocRoutes, state: DiadocState): void {
	routes.api('/V2/ShelfUpload', ['POST'], (request, { user }) => {
		const extension = fileExtension(request);
		const file = store(state, user, readShelfBody(state, request), extension, 'V2/ShelfUpload', true);
		return text(file.name);
	});

	routes.api('/ShelfUploadPartInit', ['POST'], (request, { user }) => {
		const extension = fileExtension(request);
		const last = booleanQuery(request, 'isLastPart', false);
		const file = store(state, user, readShelfBody(state, request), extension, 'ShelfUploadPart', last);
		return text(file.name);
	});

	routes.api('/ShelfUploadPart', ['POST'], (request, { user }) => {
		const name = requiredQuery(request, 'fileName');
		const indexText = requiredQuery(request, 'partIndex');
		const last = booleanQuery(request, 'isLastPart', false);
		const file = state.shelf.get(name);
		if (!file || file.ownerLogin !== user.login || file.via !== 'ShelfUploadPart' || !isLive(state, file)) {
			fail(400, 'Shelf.FileNotFound', `No upload named "${name}" was started with ShelfUploadPartInit.`);
		}
		if (!/^\d+$/.test(indexText)) badRequest('partIndex must be a non-negative integer.');
		const index = Number(indexText);
		if (index === 0) badRequest('Part 0 is uploaded by ShelfUploadPartInit; ShelfUploadPart starts at partIndex=1.');
		if (file.complete) fail(400, 'Shelf.UploadCompleted', `The upload "${name}" is already complete.`);
		if (file.partCount !== undefined && index >= file.partCount) {
			badRequest(`partIndex ${index} is beyond the last part (${file.partCount - 1}).`);
		}
		const bytes = readShelfBody(state, request);
		const size = file.size - (file.parts[index]?.length ?? 0) + bytes.length;
		const maximum = state.config.options.shelfFileMaxBytes;
		if (size > maximum) fail(400, 'Shelf.FileTooLarge', `The file would exceed ${maximum} bytes (400 MB).`);
		file.parts[index] = bytes;
		file.size = size;
		if (last) file.partCount = Math.max(file.partCount ?? 0, index + 1);
		const missing = missingParts(file);
		if (file.partCount !== undefined && missing.length === 0) file.complete = true;
		if (!last) return { status: 200 };
		return { status: 200, json: missing };
	});

	routes.api('/V2/ShelfDownload', ['GET'], (request, { user }) => {
		const name = requiredQuery(request, 'fileName');
		const file = state.shelf.get(name);
		if (!file || file.ownerLogin !== user.login || !file.complete || !isLive(state, file)) {
			fail(404, 'Shelf.FileNotFound', `Shelf file "${name}" not found.`);
		}
		return { status: 200, body: file.parts.length === 1 ? file.parts[0] : Buffer.concat(file.parts), headers: { 'content-type': 'application/octet-stream' } };
	});
}
