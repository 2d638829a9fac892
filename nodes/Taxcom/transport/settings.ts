/**
 * The Taxcom API credential turned into checked connection settings: the API base URL
 * (`https://<server>.taxcom.ru/v<version>/API/`), the Integrator-Id, the cloud account and the session lifetime.
 */
import { createHash } from 'node:crypto';
import { normalizeThumbprint } from '../../../lib/crypto/certificate';
import { EdoCryptoError } from '../../../lib/crypto/errors';
import type { TlsOptions } from '../../../lib/http';
import { tlsFromCredential } from '../../shared/credentialTls';

export const INTEGRATOR_ID_FORM = 'COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA';
const INTEGRATOR_ID = /^([A-Za-z][A-Za-z0-9]*)_([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
const DEFAULT_LIFETIME_MINUTES = 2;

export interface TaxcomSettings {
	/** Ends with `/`, e.g. `https://api-invoice.taxcom.ru/v1.3/API/`. */
	baseUrl: string;
	integratorId: string;
	cloudLogin: string;
	cloudPassword: string;
	/** As typed; normalized (and checked) only when a cloud login needs it. */
	certificateThumbprint: string;
	certificatePin: string;
	sessionLifetimeMs: number;
	tls?: TlsOptions;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

/**
 * `Prefix_GUID`. The documentation writes the form as COMPANY_AAAAAAAA-…; production clients send other
 * prefixes (e.g. TaxcomFiler_<GUID>), so any alphanumeric prefix is accepted and only the shape is checked.
 */
export function normalizeIntegratorId(value: unknown): string {
	const given = text(value);
	const hint = `Enter the Integrator-Id Taxcom issued, in the form ${INTEGRATOR_ID_FORM}: a company prefix, an underscore and a GUID.`;
	if (!given) throw new EdoCryptoError('INVALID_INPUT', 'The Integrator ID of the Taxcom API credential is empty', hint);
	const match = INTEGRATOR_ID.exec(given);
	if (!match) {
		const problem = !given.includes('_')
			? 'it has no prefix and underscore before the GUID'
			: 'the part after the underscore is not a GUID (8-4-4-4-12 hexadecimal digits)';
		throw new EdoCryptoError('INVALID_INPUT', `The Integrator ID must look like ${INTEGRATOR_ID_FORM}, but ${problem}`, hint);
	}
	return `${match[1]}_${match[2].toUpperCase()}`;
}

/** `https://x.taxcom.ru` + `1.3` → `https://x.taxcom.ru/v1.3/API/`; a URL already ending in /v…/API is kept. */
export function taxcomBaseUrl(serverUrl: unknown, apiVersion: unknown): string {
	const server = text(serverUrl);
	if (!server) {
		throw new EdoCryptoError('INVALID_INPUT', 'The Server URL of the Taxcom API credential is empty', 'Enter the server address, e.g. https://api-invoice.taxcom.ru.');
	}
	const trimmed = server.replace(/\/+$/, '');
	if (/\/v[\d.]+\/api$/i.test(trimmed)) return `${trimmed}/`;
	const version = text(apiVersion).replace(/^v/i, '');
	if (!version) return `${trimmed}/`;
	if (!/^\d+(\.\d+)*$/.test(version)) {
		throw new EdoCryptoError('INVALID_INPUT', `The API version must be digits and dots such as 1.3, not "${version.slice(0, 20)}"`, 'Enter the version of the Docliner API, e.g. 1.3.');
	}
	return `${trimmed}/v${version}/API/`;
}

export function taxcomSettings(credentials: Record<string, unknown>): TaxcomSettings {
	const minutes = Number(credentials.sessionLifetimeMinutes);
	return {
		baseUrl: taxcomBaseUrl(credentials.serverUrl, credentials.apiVersion),
		integratorId: normalizeIntegratorId(credentials.integratorId),
		cloudLogin: text(credentials.cloudLogin),
		cloudPassword: typeof credentials.cloudPassword === 'string' ? credentials.cloudPassword : '',
		certificateThumbprint: text(credentials.certificateThumbprint),
		certificatePin: typeof credentials.certificatePin === 'string' ? credentials.certificatePin : '',
		sessionLifetimeMs: (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_LIFETIME_MINUTES) * 60_000,
		tls: tlsFromCredential(credentials),
	};
}

/** The cloud account fields CloudCertificateLogin needs, checked; the thumbprint as 40 upper-case hex digits. */
export function cloudAccount(settings: TaxcomSettings): { login: string; password: string; thumbprint: string; pin?: string } {
	if (!settings.cloudLogin || !settings.cloudPassword) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'Cloud Certificate Login needs the cloud crypto login and password',
			'Fill in Cloud Crypto Login and Cloud Crypto Password in the Taxcom API credential, or use Certificate Login.',
		);
	}
	if (!settings.certificateThumbprint) {
		throw new EdoCryptoError(
			'INVALID_THUMBPRINT',
			'Cloud Certificate Login needs the thumbprint of the cloud certificate',
			'Fill in Cloud Certificate Thumbprint in the Taxcom API credential (40 hexadecimal digits).',
		);
	}
	return {
		login: settings.cloudLogin,
		password: settings.cloudPassword,
		thumbprint: normalizeThumbprint(settings.certificateThumbprint),
		...(settings.certificatePin ? { pin: settings.certificatePin } : {}),
	};
}

/** Secrets of these settings, for redaction. */
export function taxcomSecrets(settings: TaxcomSettings): string[] {
	return [settings.cloudPassword, settings.certificatePin].filter((secret) => secret.length > 0);
}

/**
 * Identity of a session: the same server, integrator, account and decrypting certificate share one session.
 * A hash, so no secret is ever a Map key.
 */
export function sessionKey(settings: TaxcomSettings, method: 'cloud' | 'certificate', certificateThumbprint: string): string {
	const parts =
		method === 'cloud'
			? [settings.baseUrl, settings.integratorId, method, settings.cloudLogin, settings.cloudPassword, settings.certificateThumbprint.toUpperCase(), settings.certificatePin, certificateThumbprint]
			: [settings.baseUrl, settings.integratorId, method, certificateThumbprint];
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
