/**
 * Settings of the Transcrypt emulator: defaults, and the checked merge of a partial patch (programmatic or the
 * JSON body of POST /transcrypt/__sandbox/config).
 */
import type { TranscryptOrganization } from './models';

export type SecretEncoding = 'utf8' | 'utf16le';

export interface TranscryptUser {
	login: string;
	password: string;
	organizations?: TranscryptOrganization[];
}

export interface TranscryptConfig {
	/** How the signed bytes are derived from the Secret string; a signature over any listed encoding passes. */
	secretEncodings: SecretEncoding[];
	/** Lifetime of an issued, unused Secret. */
	secretTtlMs: number;
	/** GET api/v2/auth/secret answers `{"Secret": "…"}` ('object') or a bare JSON string ('string'). */
	secretResponse: 'object' | 'string';
	/** A token dies after this much time without use (sliding, on the sandbox clock). */
	tokenIdleMs: number;
	/** Header carrying the token on protected calls (case-insensitive). */
	tokenHeader: string;
	/** Scheme before the token in that header ('Bearer'); '' means the bare token. */
	tokenScheme: string;
	/** Off: an unknown certificate with a valid signature is registered on its first login. On: CertificateNotFound. */
	strictCertificates: boolean;
	/** AppInfo.AppId values accepted; empty = any well-formed GUID. */
	appIds: string[];
	users: TranscryptUser[];
}

export const DEFAULT_TRANSCRYPT_APP_ID = '5d1c3b0e-7a4f-4c1e-9b2a-3f6e8d9c0a11';
export const DEFAULT_TRANSCRYPT_APP_INSTANCE = 'c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b0c';
export const DEFAULT_TRANSCRYPT_LOGIN = 'sandbox';
export const DEFAULT_TRANSCRYPT_PASSWORD = 'sandbox-password';

export function defaultTranscryptConfig(): TranscryptConfig {
	return {
		secretEncodings: ['utf8'],
		secretTtlMs: 5 * 60_000,
		secretResponse: 'object',
		tokenIdleMs: 20 * 60_000,
		tokenHeader: 'Authorization',
		tokenScheme: 'Bearer',
		strictCertificates: false,
		appIds: [],
		users: [{ login: DEFAULT_TRANSCRYPT_LOGIN, password: DEFAULT_TRANSCRYPT_PASSWORD }],
	};
}

export class ConfigError extends Error {}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function positiveNumber(value: unknown, name: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number of milliseconds`);
	return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
	if (typeof value !== 'string' || !allowed.includes(value as T)) throw new ConfigError(`${name} must be one of: ${allowed.join(', ')}`);
	return value as T;
}

function users(value: unknown): TranscryptUser[] {
	if (!Array.isArray(value)) throw new ConfigError('users must be an array of {login, password, organizations?}');
	return value.map((user, index) => {
		const entry = user as Partial<TranscryptUser> | null;
		if (!entry || typeof entry.login !== 'string' || !entry.login || typeof entry.password !== 'string') {
			throw new ConfigError(`users[${index}] needs a non-empty login and a password string`);
		}
		if (entry.organizations !== undefined && !Array.isArray(entry.organizations)) {
			throw new ConfigError(`users[${index}].organizations must be an array`);
		}
		return { login: entry.login, password: entry.password, organizations: entry.organizations };
	});
}

/** A new config: `base` with the known keys of `patch` applied; unknown keys or bad values throw ConfigError. */
export function mergeTranscryptConfig(base: TranscryptConfig, patch: unknown): TranscryptConfig {
	if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new ConfigError('the configuration must be a JSON object');
	const next: TranscryptConfig = { ...base };
	for (const [key, value] of Object.entries(patch)) {
		switch (key) {
			case 'secretEncodings': {
				const list = Array.isArray(value) ? value : [value];
				if (list.length === 0) throw new ConfigError('secretEncodings needs at least one of: utf8, utf16le');
				next.secretEncodings = [...new Set(list.map((item) => oneOf(item, ['utf8', 'utf16le'] as const, 'secretEncodings')))];
				break;
			}
			case 'secretTtlMs':
			case 'tokenIdleMs':
				next[key] = positiveNumber(value, key);
				break;
			case 'secretResponse':
				next.secretResponse = oneOf(value, ['object', 'string'] as const, key);
				break;
			case 'tokenHeader':
				if (typeof value !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(value)) throw new ConfigError('tokenHeader must be an HTTP header name');
				next.tokenHeader = value;
				break;
			case 'tokenScheme':
				if (typeof value !== 'string' || /\s/.test(value)) throw new ConfigError('tokenScheme must be a word such as "Bearer", or "" for the bare token');
				next.tokenScheme = value;
				break;
			case 'strictCertificates':
				if (typeof value !== 'boolean') throw new ConfigError('strictCertificates must be true or false');
				next.strictCertificates = value;
				break;
			case 'appIds':
				if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || !GUID.test(id))) {
					throw new ConfigError('appIds must be an array of GUID strings');
				}
				next.appIds = value.map((id: string) => id.toLowerCase());
				break;
			case 'users':
				next.users = users(value);
				break;
			default:
				throw new ConfigError(`unknown Transcrypt setting "${key}"`);
		}
	}
	return next;
}
