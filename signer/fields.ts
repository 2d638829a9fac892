/**
 * Reading CSC request bodies whatever the client's dialect: v1 and v2 names (`hash`/`hashes`, `hashAlgo`/
 * `hashAlgorithmOID`, `PIN`/`authData`), camelCase or snake_case (`credentialID`, `credential_id`), any case.
 */

export type JsonObject = Record<string, unknown>;

/** A refusal of the request: HTTP status, CSC/OAuth `error` and `error_description`. */
export class CscError extends Error {
	constructor(
		readonly status: number,
		readonly error: string,
		readonly description: string,
		readonly headers: Record<string, string> = {},
		readonly extra: Record<string, unknown> = {},
	) {
		super(description);
		this.name = 'CscError';
	}
}

export function invalidRequest(description: string, extra?: Record<string, unknown>): CscError {
	return new CscError(400, 'invalid_request', description, {}, extra);
}

function normalizedName(name: string): string {
	return name.replace(/[_-]/g, '').toLowerCase();
}

export function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `names` present in the body (case and underscores ignored). */
export function field(body: JsonObject, ...names: string[]): unknown {
	const wanted = names.map(normalizedName);
	for (const name of wanted) {
		for (const [key, value] of Object.entries(body)) {
			if (value !== undefined && value !== null && normalizedName(key) === name) return value;
		}
	}
	return undefined;
}

export function optionalText(body: JsonObject, parameter: string, ...names: string[]): string | undefined {
	const value = field(body, ...names);
	if (value === undefined) return undefined;
	if (typeof value !== 'string' || value.length === 0) throw invalidRequest(`Invalid string parameter ${parameter}`);
	return value;
}

export function requiredText(body: JsonObject, parameter: string, ...names: string[]): string {
	const value = optionalText(body, parameter, ...names);
	if (value === undefined) throw invalidRequest(`Missing (or invalid type) string parameter ${parameter}`);
	return value;
}

export function optionalBoolean(body: JsonObject, ...names: string[]): boolean | undefined {
	const value = field(body, ...names);
	if (value === undefined) return undefined;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw invalidRequest(`Invalid boolean parameter ${names[0]}`);
}

export function optionalInteger(body: JsonObject, parameter: string, ...names: string[]): number | undefined {
	const value = field(body, ...names);
	if (value === undefined) return undefined;
	const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalidRequest(`Missing (or invalid type) integer parameter ${parameter}`);
	return number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64 (or base64url without padding); undefined for anything else. */
export function decodeBase64(text: string): Buffer | undefined {
	const compact = text.replace(/\s+/g, '');
	if (BASE64.test(compact)) return Buffer.from(compact, 'base64');
	if (BASE64URL.test(compact) && compact.length % 4 !== 1) return Buffer.from(compact, 'base64url');
	return undefined;
}

/** `hashes` (v2) or `hash` (v1): base64 digests; a single string is taken as a list of one. */
export function digestList(body: JsonObject, required: boolean): Buffer[] | undefined {
	const value = field(body, 'hashes', 'hash');
	if (value === undefined) {
		if (required) throw invalidRequest('Missing (or invalid type) array parameter hashes');
		return undefined;
	}
	const list = Array.isArray(value) ? value : [value];
	if (list.length === 0) throw invalidRequest('Empty hash array');
	return list.map((entry) => {
		const bytes = typeof entry === 'string' ? decodeBase64(entry) : undefined;
		if (!bytes || bytes.length === 0) throw invalidRequest('Invalid Base64 hash string parameter');
		return bytes;
	});
}

/** The PIN: v1 `PIN`, or the v2 `authData` entry with id "PIN". */
export function pinOf(body: JsonObject): string | undefined {
	const v1 = field(body, 'PIN');
	if (typeof v1 === 'string') return v1;
	const authData = field(body, 'authData');
	if (Array.isArray(authData)) {
		for (const entry of authData) {
			if (isObject(entry) && typeof entry.id === 'string' && entry.id.toUpperCase() === 'PIN' && typeof entry.value === 'string') return entry.value;
		}
	}
	return undefined;
}
