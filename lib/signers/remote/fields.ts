/**
 * Reading CSC answers whatever casing the server chose: the standard's camelCase (`credentialID`), the
 * snake_case of some v2 implementations (`credential_id`), PascalCase (`SignatureObject`) or upper case
 * (`SAD`). A field is found by its name with case and underscores ignored.
 */

export type JsonRecord = Record<string, unknown>;

function normalizedName(name: string): string {
	return name.replace(/[_-]/g, '').toLowerCase();
}

export function isRecord(value: unknown): value is JsonRecord {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `names` present in `record` (any casing), or undefined. */
export function field(record: unknown, ...names: string[]): unknown {
	if (!isRecord(record)) return undefined;
	for (const name of names) {
		if (name in record && record[name] !== undefined && record[name] !== null) return record[name];
	}
	const wanted = new Set(names.map(normalizedName));
	for (const [key, value] of Object.entries(record)) {
		if (value !== undefined && value !== null && wanted.has(normalizedName(key))) return value;
	}
	return undefined;
}

export function textField(record: unknown, ...names: string[]): string | undefined {
	const value = field(record, ...names);
	if (typeof value === 'string' && value.length > 0) return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function numberField(record: unknown, ...names: string[]): number | undefined {
	const value = field(record, ...names);
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return undefined;
}

export function recordField(record: unknown, ...names: string[]): JsonRecord | undefined {
	const value = field(record, ...names);
	return isRecord(value) ? value : undefined;
}

/** An array field; a single value is taken as an array of one (some servers flatten one-element arrays). */
export function arrayField(record: unknown, ...names: string[]): unknown[] | undefined {
	const value = field(record, ...names);
	if (value === undefined) return undefined;
	return Array.isArray(value) ? value : [value];
}

export function textArrayField(record: unknown, ...names: string[]): string[] | undefined {
	const values = arrayField(record, ...names);
	return values?.filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/** The request body in the casing the server expects: the standard camelCase, or snake_case. */
export type FieldCasing = 'camel' | 'snake';

function snakeName(name: string): string {
	// credentialID → credential_id, numSignatures → num_signatures, hashAlgorithmOID → hash_algorithm_oid
	return name
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
		.toLowerCase();
}

/**
 * Renames the top-level keys of a request body (CSC bodies are flat; nested `authData` entries keep
 * `id`/`value`). Upper-case v1 names (`PIN`, `OTP`, `SAD`) are kept as they are in both casings.
 */
export function withCasing(body: JsonRecord, casing: FieldCasing): JsonRecord {
	if (casing === 'camel') return body;
	const renamed: JsonRecord = {};
	for (const [key, value] of Object.entries(body)) {
		renamed[/^[A-Z]+$/.test(key) ? key : snakeName(key)] = value;
	}
	return renamed;
}
