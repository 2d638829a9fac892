/**
 * The Diadoc wire conventions the emulator enforces: text/plain errors with X-Diadoc-ErrorCode, a
 * X-Kontur-Trace-Id on every answer, 405 with Allow, JSON only under application/json, strict base64.
 *
 * The error codes are the sandbox's own choice where the real service publishes none (only `Http.Auth`,
 * `Auth.RndBytesNotFound` and a few document codes are seen in the wild): clients must show them, never
 * branch on their exact text.
 */
import { randomBytes } from 'node:crypto';
import { SandboxReply, type RouteHandler, type SandboxRequest, type SandboxResponse } from '../../server';

export const TRACE_HEADER = 'X-Kontur-Trace-Id';
export const ERROR_CODE_HEADER = 'X-Diadoc-ErrorCode';

export function newTraceId(): string {
	return randomBytes(16).toString('hex');
}

/** A Diadoc error answer: text/plain message, X-Diadoc-ErrorCode. */
export function diadocError(status: number, code: string, message: string, headers: Record<string, string | string[]> = {}): SandboxResponse {
	return {
		status,
		body: message,
		headers: { 'content-type': 'text/plain; charset=utf-8', [ERROR_CODE_HEADER]: code, ...headers },
	};
}

/** Throws a Diadoc error answer out of a handler. */
export function fail(status: number, code: string, message: string, headers?: Record<string, string | string[]>): never {
	throw new SandboxReply(diadocError(status, code, message, headers));
}

export function badRequest(message: string, code = 'Http.BadRequest'): never {
	return fail(400, code, message);
}

/** Adds the trace id to whatever the handler answers or throws; unexpected exceptions become a 500. */
export function traced(handler: RouteHandler): RouteHandler {
	return async (request) => {
		let response: SandboxResponse;
		try {
			response = await handler(request);
		} catch (caught) {
			if (caught instanceof SandboxReply) response = caught.response;
			else {
				const detail = caught instanceof Error ? caught.message : String(caught);
				response = diadocError(500, 'Http.InternalServerError', `Sandbox handler failed: ${detail}`);
			}
		}
		return { ...response, headers: { ...response.headers, [TRACE_HEADER]: newTraceId() } };
	};
}

/** 405 with an Allow header unless the request uses one of `methods`. */
export function allowMethods(request: SandboxRequest, ...methods: string[]): void {
	if (methods.includes(request.method)) return;
	fail(405, 'Http.MethodNotAllowed', `Method ${request.method} is not allowed here; use ${methods.join(', ')}.`, {
		Allow: methods.join(', '),
	});
}

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(request: SandboxRequest): string {
	return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function charsetOf(request: SandboxRequest): string | undefined {
	const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '');
	return match?.[1].toLowerCase();
}

/**
 * The JSON object of a JSON method's body. Without `Content-Type: application/json` the real API reads
 * protobuf, so anything else is 415; a charset other than UTF-8 is 415 too.
 */
export function readJsonObject(request: SandboxRequest): Record<string, unknown> {
	if (mediaType(request) !== 'application/json') {
		fail(
			415,
			'Http.UnsupportedMediaType',
			`Content-Type "${request.headers['content-type'] ?? ''}" is not supported here: send JSON with "Content-Type: application/json; charset=utf-8" (without it the API expects protobuf).`,
		);
	}
	const charset = charsetOf(request);
	if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
		fail(415, 'Http.UnsupportedMediaType', `JSON must be UTF-8, not charset=${charset}.`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(request.body.toString('utf8').replace(/^\uFEFF/, ''));
	} catch {
		badRequest('The request body is not valid JSON.');
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) badRequest('The request body must be a JSON object.');
	return parsed as Record<string, unknown>;
}

/**
 * The real API answers protobuf unless the client accepts JSON; the sandbox cannot write protobuf, so it
 * answers 406 instead of a body the client would misread.
 */
export function requireJsonAccept(request: SandboxRequest, enabled: boolean): void {
	if (!enabled) return;
	const accept = (request.headers.accept ?? '').toLowerCase();
	if (/(^|,)\s*application\/json\s*(;|,|$)/.test(accept)) return;
	fail(
		406,
		'Http.NotAcceptable',
		'Send "Accept: application/json": without it the API answers protobuf, which the sandbox does not emulate.',
	);
}

function isBase64Char(code: number): boolean {
	return (
		(code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2f
	);
}

/**
 * Standard, padded base64 without whitespace; undefined when the text is not that. A loop rather than a
 * regular expression, so multi-megabyte bodies cannot exhaust the regexp backtracking stack.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
	if (text.length % 4 !== 0) return undefined;
	const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
	for (let index = 0; index < text.length - padding; index++) if (!isBase64Char(text.charCodeAt(index))) return undefined;
	return Buffer.from(text, 'base64');
}

/** A required (or optional) base64 `bytes` field of a JSON body. */
export function base64Field(body: Record<string, unknown>, name: string, required: true): Buffer;
export function base64Field(body: Record<string, unknown>, name: string, required: false): Buffer | undefined;
export function base64Field(body: Record<string, unknown>, name: string, required: boolean): Buffer | undefined {
	const value = body[name];
	if (value === undefined || value === null) {
		if (required) badRequest(`${name} is required.`);
		return undefined;
	}
	if (typeof value !== 'string') badRequest(`${name} must be a base64 string.`);
	const bytes = decodeBase64Strict(value);
	if (!bytes) badRequest(`${name} is not valid base64 (standard alphabet, padded, no whitespace).`);
	return bytes;
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
	const value = body[name];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') badRequest(`${name} must be a string.`);
	return value;
}

export function requiredQuery(request: SandboxRequest, name: string): string {
	const value = request.query.get(name);
	if (value === null || value.trim() === '') badRequest(`The query parameter ${name} is required.`);
	return value;
}

/** "true"/"false" (any case) or "1"/"0"; `fallback` when absent; 400 otherwise. */
export function booleanQuery(request: SandboxRequest, name: string, fallback: boolean): boolean {
	const value = request.query.get(name);
	if (value === null || value === '') return fallback;
	if (/^(true|1)$/i.test(value)) return true;
	if (/^(false|0)$/i.test(value)) return false;
	return badRequest(`The query parameter ${name} must be true or false.`);
}

const THUMBPRINT = /^[0-9A-Fa-f]{40}$/;

/** A SHA-1 certificate thumbprint as upper-case hex; 400 for anything but 40 hex digits. */
export function parseThumbprint(value: string, what = 'Thumbprint'): string {
	if (!THUMBPRINT.test(value)) badRequest(`${what} must be 40 hexadecimal digits (the SHA-1 of the certificate), without spaces.`);
	return value.toUpperCase();
}

const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
	return GUID.test(value);
}

/**
 * A box id in either Diadoc form (a GUID, or 32 hex digits + "@diadoc.ru") reduced to 32 lower-case hex
 * digits, so both forms name the same box; undefined when it is neither.
 */
export function boxKey(boxId: string): string | undefined {
	const bare = boxId.trim().toLowerCase().replace(/@diadoc\.ru$/, '');
	return isGuid(bare) ? bare.replace(/-/g, '') : undefined;
}
