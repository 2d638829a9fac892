/**
 * The Transcrypt API credential turned into checked settings: base URL, AppInfo GUIDs, the optional login,
 * and how the token travels on API calls.
 */
import { createHash } from 'node:crypto';
import { EdoCryptoError } from '../../../lib/crypto/errors';
import type { TlsOptions } from '../../../lib/http';
import { tlsFromCredential } from '../../shared/credentialTls';

export interface AppInfo {
	AppId: string;
	AppInstance: string;
}

export interface TranscryptSettings {
	baseUrl: string;
	appInfo: AppInfo;
	login: string;
	password: string;
	tokenHeader: string;
	/** '' sends the bare token. */
	tokenScheme: string;
	tls?: TlsOptions;
}

const GUID_D = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** A GUID in any .NET form (D, N, {B}, (P)) as the D form in lower case; throws naming the field. */
export function normalizeGuid(value: unknown, field: string): string {
	const given = text(value);
	const example = 'fd1fcd39-171e-4af5-9110-457215e20cc0';
	if (!given) {
		throw new EdoCryptoError('INVALID_INPUT', `The ${field} of the Transcrypt API credential is empty`, `Enter the ${field} as a GUID, e.g. ${example}.`);
	}
	const inner = /^\{.*\}$|^\(.*\)$/.test(given) ? given.slice(1, -1) : given;
	if (GUID_D.test(inner)) return inner.toLowerCase();
	if (/^[0-9a-f]{32}$/i.test(inner)) {
		const hex = inner.toLowerCase();
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	}
	throw new EdoCryptoError(
		'INVALID_INPUT',
		`The ${field} must be a GUID (8-4-4-4-12 hexadecimal digits), found ${given.length} characters starting with "${given.slice(0, 8)}"`,
		`Enter the ${field} as a GUID, e.g. ${example}.`,
	);
}

export function transcryptSettings(credentials: Record<string, unknown>): TranscryptSettings {
	const baseUrl = text(credentials.baseUrl);
	if (!baseUrl) {
		throw new EdoCryptoError('INVALID_INPUT', 'The Base URL of the Transcrypt API credential is empty', 'Enter the address of the Transcrypt API, e.g. http://demo.tcrypt.ru:42136/.');
	}
	const tokenHeader = text(credentials.tokenHeader) || 'Authorization';
	if (!HEADER_NAME.test(tokenHeader)) {
		throw new EdoCryptoError('INVALID_INPUT', 'The Token Header of the Transcrypt API credential is not an HTTP header name', 'Use a name such as Authorization or X-Auth-Token.');
	}
	const tokenScheme = typeof credentials.tokenScheme === 'string' ? credentials.tokenScheme.trim() : 'Bearer';
	if (/\s/.test(tokenScheme)) {
		throw new EdoCryptoError('INVALID_INPUT', 'The Token Scheme must be one word such as Bearer, or empty', 'Clear the field to send the bare token.');
	}
	return {
		baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
		appInfo: { AppId: normalizeGuid(credentials.appId, 'App ID'), AppInstance: normalizeGuid(credentials.appInstance, 'App Instance') },
		login: text(credentials.login),
		password: typeof credentials.password === 'string' ? credentials.password : '',
		tokenHeader,
		tokenScheme,
		tls: tlsFromCredential(credentials),
	};
}

/** Identity of a credential for the token cache: a hash, so no secret is a Map key. */
export function credentialKey(settings: TranscryptSettings): string {
	const parts = [settings.baseUrl, settings.appInfo.AppId, settings.appInfo.AppInstance, settings.login, settings.password];
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
