/**
 * Settings of the Taxcom emulator: defaults, and the checked merge of a partial patch (programmatic or the
 * JSON body of POST /taxcom/__sandbox/config).
 */
import type { ContentCipherName } from '../../../lib/crypto/cms/content-ciphers';

export type LoginKind = 'certificate' | 'cloud';
export type TrustedCertificateEncoding = 'base64' | 'array';

export interface TaxcomCloudCertificate {
	/** SHA-1 thumbprint, 40 hex digits (stored upper-case). */
	thumbprint: string;
	/** When set, CloudCertificateLogin must send exactly this Certificate.Pin. */
	pin?: string;
}

export interface TaxcomCloudAccount {
	login: string;
	password: string;
	certificates: TaxcomCloudCertificate[];
}

export interface TaxcomConfig {
	/** The <version> of /v<version>/API/<Method>. */
	apiVersion: string;
	/** Integrator-Id values the sandbox knows (GUID part compared case-insensitively). */
	integratorIds: string[];
	/** 'company': the literal "COMPANY_" + GUID of the documentation; 'prefixed': any <Name>_<GUID>. */
	integratorIdFormat: 'company' | 'prefixed';
	/** Off: a certificate is registered on its first login. On: only registerCertificate()d ones are accepted. */
	strictCertificates: boolean;
	/** Whether protected methods need ActivateSession first, per login kind. */
	requireActivation: Record<LoginKind, boolean>;
	/** Sliding token lifetime from the last use, per login kind. */
	tokenLifetimeMs: Record<LoginKind, number>;
	/** Characters of the ASCII token (upper-case hex). */
	tokenLength: number;
	/** JSON encodings of CloudCertificateLogin.TrustedCertificate accepted. */
	trustedCertificateEncodings: TrustedCertificateEncoding[];
	/** CloudCertificateLogin answers the DER envelope as bytes or as base64 text. */
	cloudTokenEncoding: 'binary' | 'base64';
	cloudAccounts: TaxcomCloudAccount[];
	/** Minimum time between two CheckContragent calls of a session; 0 turns the check off. */
	checkContragentIntervalMs: number;
	/** Content cipher of the token envelopes. */
	contentCipher: ContentCipherName;
}

export type TaxcomConfigPatch = Partial<Omit<TaxcomConfig, 'requireActivation' | 'tokenLifetimeMs'>> & {
	requireActivation?: Partial<Record<LoginKind, boolean>>;
	tokenLifetimeMs?: Partial<Record<LoginKind, number>>;
};

export const DEFAULT_TAXCOM_INTEGRATOR_ID = 'COMPANY_5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D';
export const DEFAULT_TAXCOM_CLOUD_LOGIN = 'sandbox';
export const DEFAULT_TAXCOM_CLOUD_PASSWORD = 'sandbox-password';
export const DEFAULT_TAXCOM_CLOUD_THUMBPRINT = 'C10D0000A5B4C3D2E1F00123456789ABCDEF0001';

export function defaultTaxcomConfig(): TaxcomConfig {
	return {
		apiVersion: '1.3',
		integratorIds: [DEFAULT_TAXCOM_INTEGRATOR_ID],
		integratorIdFormat: 'company',
		strictCertificates: false,
		requireActivation: { certificate: false, cloud: true },
		tokenLifetimeMs: { certificate: 5 * 60_000, cloud: 2 * 60_000 },
		tokenLength: 256,
		trustedCertificateEncodings: ['base64'],
		cloudTokenEncoding: 'binary',
		cloudAccounts: [
			{
				login: DEFAULT_TAXCOM_CLOUD_LOGIN,
				password: DEFAULT_TAXCOM_CLOUD_PASSWORD,
				certificates: [{ thumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT }],
			},
		],
		checkContragentIntervalMs: 5_000,
		contentCipher: 'aes-256-cbc',
	};
}

export class ConfigError extends Error {}

const INTEGRATOR_ID = /^([A-Za-z][A-Za-z0-9]*)_([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
const CIPHERS: ContentCipherName[] = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'des-ede3-cbc', 'aes-128-gcm', 'aes-192-gcm', 'aes-256-gcm'];

/** `Prefix_GUID` with the GUID upper-cased, or undefined when the text has another shape. */
export function normalizeIntegratorId(value: string, format: TaxcomConfig['integratorIdFormat']): string | undefined {
	const match = INTEGRATOR_ID.exec(value.trim());
	if (!match) return undefined;
	if (format === 'company' && match[1] !== 'COMPANY') return undefined;
	return `${match[1]}_${match[2].toUpperCase()}`;
}

/** 40 upper-case hex digits, whatever spacing or case was sent; undefined when it is not a SHA-1 thumbprint. */
export function normalizeThumbprintText(value: string): string | undefined {
	const compact = value.replace(/[\s:\u200e\u200f]/g, '').toUpperCase();
	return /^[0-9A-F]{40}$/.test(compact) ? compact : undefined;
}

function positiveNumber(value: unknown, name: string, allowZero = false): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
		throw new ConfigError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
	}
	return value;
}

function perKind<T>(value: unknown, name: string, base: Record<LoginKind, T>, check: (item: unknown, label: string) => T): Record<LoginKind, T> {
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${name} must be an object {certificate?, cloud?}`);
	const next = { ...base };
	for (const [kind, item] of Object.entries(value)) {
		if (kind !== 'certificate' && kind !== 'cloud') throw new ConfigError(`${name} has keys certificate and cloud only`);
		next[kind] = check(item, `${name}.${kind}`);
	}
	return next;
}

function cloudAccounts(value: unknown): TaxcomCloudAccount[] {
	if (!Array.isArray(value)) throw new ConfigError('cloudAccounts must be an array of {login, password, certificates}');
	return value.map((account, index) => {
		const entry = account as Partial<TaxcomCloudAccount> | null;
		if (!entry || typeof entry.login !== 'string' || !entry.login || typeof entry.password !== 'string') {
			throw new ConfigError(`cloudAccounts[${index}] needs a non-empty login and a password string`);
		}
		if (!Array.isArray(entry.certificates)) throw new ConfigError(`cloudAccounts[${index}].certificates must be an array`);
		const certificates = entry.certificates.map((certificate, position) => {
			const thumbprint = typeof certificate?.thumbprint === 'string' ? normalizeThumbprintText(certificate.thumbprint) : undefined;
			if (!thumbprint) throw new ConfigError(`cloudAccounts[${index}].certificates[${position}].thumbprint must be 40 hex digits`);
			if (certificate.pin !== undefined && typeof certificate.pin !== 'string') {
				throw new ConfigError(`cloudAccounts[${index}].certificates[${position}].pin must be a string`);
			}
			return certificate.pin === undefined ? { thumbprint } : { thumbprint, pin: certificate.pin };
		});
		return { login: entry.login, password: entry.password, certificates };
	});
}

/** A new config: `base` with the known keys of `patch` applied; unknown keys or bad values throw ConfigError. */
export function mergeTaxcomConfig(base: TaxcomConfig, patch: unknown): TaxcomConfig {
	if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new ConfigError('the configuration must be a JSON object');
	const next: TaxcomConfig = { ...base };
	for (const [key, value] of Object.entries(patch)) {
		switch (key) {
			case 'apiVersion':
				if (typeof value !== 'string' || !/^\d+(\.\d+)*$/.test(value)) throw new ConfigError('apiVersion must look like "1.3"');
				next.apiVersion = value;
				break;
			case 'integratorIdFormat':
				if (value !== 'company' && value !== 'prefixed') throw new ConfigError('integratorIdFormat must be "company" or "prefixed"');
				next.integratorIdFormat = value;
				break;
			case 'integratorIds':
				if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || !normalizeIntegratorId(id, 'prefixed'))) {
					throw new ConfigError('integratorIds must be an array of "<NAME>_<GUID>" strings');
				}
				next.integratorIds = [...value];
				break;
			case 'strictCertificates':
				if (typeof value !== 'boolean') throw new ConfigError('strictCertificates must be true or false');
				next.strictCertificates = value;
				break;
			case 'requireActivation':
				next.requireActivation = perKind(value, key, base.requireActivation, (item, label) => {
					if (typeof item !== 'boolean') throw new ConfigError(`${label} must be true or false`);
					return item;
				});
				break;
			case 'tokenLifetimeMs':
				next.tokenLifetimeMs = perKind(value, key, base.tokenLifetimeMs, (item, label) => positiveNumber(item, label));
				break;
			case 'tokenLength':
				if (!Number.isInteger(value) || (value as number) < 8 || (value as number) > 4096) throw new ConfigError('tokenLength must be an integer 8..4096');
				next.tokenLength = value as number;
				break;
			case 'trustedCertificateEncodings': {
				const list = Array.isArray(value) ? value : [value];
				if (list.length === 0 || list.some((item) => item !== 'base64' && item !== 'array')) {
					throw new ConfigError('trustedCertificateEncodings must list "base64" and/or "array"');
				}
				next.trustedCertificateEncodings = [...new Set(list as TrustedCertificateEncoding[])];
				break;
			}
			case 'cloudTokenEncoding':
				if (value !== 'binary' && value !== 'base64') throw new ConfigError('cloudTokenEncoding must be "binary" or "base64"');
				next.cloudTokenEncoding = value;
				break;
			case 'cloudAccounts':
				next.cloudAccounts = cloudAccounts(value);
				break;
			case 'checkContragentIntervalMs':
				next.checkContragentIntervalMs = positiveNumber(value, key, true);
				break;
			case 'contentCipher':
				if (!CIPHERS.includes(value as ContentCipherName)) throw new ConfigError(`contentCipher must be one of: ${CIPHERS.join(', ')}`);
				next.contentCipher = value as ContentCipherName;
				break;
			default:
				throw new ConfigError(`unknown Taxcom setting "${key}"`);
		}
	}
	return next;
}
