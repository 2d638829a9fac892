/**
 * What the Diadoc emulator can be told: API clients, users, boxes, per-certificate registration scenarios,
 * the DSS scenario and a few switches. `applyConfigPatch` merges the same JSON whether it comes from the
 * programmatic API or from POST /diadoc/__sandbox/config.
 */
import { randomUUID } from 'node:crypto';
import {
	DSS_CONFIRM_TYPES,
	DSS_OPERATION_STATUSES,
	DSS_OPERATORS,
	REGISTRATION_STATUSES,
	parseEnum,
	type DssConfirmType,
	type DssOperator,
	type DssTerminalStatus,
	type RegistrationStatus,
} from './enums';

export const SANDBOX_CLIENT_ID = 'sandbox-client-id';
export const SANDBOX_CLIENT_SECRET = 'sandbox-client-secret';
export const SANDBOX_LOGIN = 'sandbox@example.com';
export const SANDBOX_PASSWORD = 'sandbox-password';
export const SANDBOX_USER_ID = '5e0d3b9a-7c41-4f62-9a8e-1b2c3d4e5f60';
/** A SNILS with a valid check sum (digits only; requests may format it as 112-233-445 95). */
export const SANDBOX_SNILS = '11223344595';
/** The user's box with an active API subscription. */
export const SANDBOX_BOX_ID = '7f3c2a1e-9b8d-4c6f-a5e4-3d2c1b0a9f8e';
/** A box of the user's organization whose API subscription has ended: 402. */
export const SANDBOX_UNPAID_BOX_ID = '2b4d6f80-1a3c-4e5f-8790-abcdef123456';
/** A box of another organization: 403. */
export const SANDBOX_FOREIGN_BOX_ID = 'c0ffee00-1234-4abc-9def-0123456789ab';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'Diadoc.PublicAPI', 'Diadoc.PublicAPI.Staging'];
/** An access token must carry one of these to call the API. */
export const DIADOC_API_SCOPES = ['Diadoc.PublicAPI', 'Diadoc.PublicAPI.Staging'];

export interface DiadocApiClient {
	clientId: string;
	/** OIDC client secret; the legacy scheme needs only the id. */
	clientSecret: string;
	/** Allowed OIDC redirect URIs (exact match); empty or absent: any http(s) URI. */
	redirectUris?: string[];
	/** A blocked client gets 403 on every call. */
	blocked?: boolean;
}

export interface DiadocUser {
	login: string;
	password: string;
	userId: string;
	fullName: string;
	/** 11 digits; GosKeySign requests must name it. */
	snils: string;
	/** Boxes the user may work with (the first is the one registrations complete into). */
	boxIds: string[];
	/** Further DSS certificate thumbprints bound to the user, besides the sandbox DSS certificate. */
	dssCertificateThumbprints?: string[];
}

export interface DiadocBox {
	boxId: string;
	title: string;
	/** false: 402 "API subscription has ended". */
	apiSubscription: boolean;
}

export interface CertificateScenario {
	/** Register answers CertificateOwnershipProofIsRequired until RegisterConfirm succeeds. */
	requireProof: boolean;
	/** Register calls answered RegistrationIsInProgress (after the proof, if any) before `final`. */
	inProgressCalls: number;
	final: RegistrationStatus;
	/** The box Register names; default: the bound user's first box. */
	boxId?: string;
	/** The user the certificate belongs to (certificate authentication, registration box); default the sandbox user. */
	login?: string;
}

export interface DssScenario {
	/** DssSignResult polls answered InProgress before the terminal status. */
	pollsInProgress: number;
	/** And at least this long on the sandbox clock since DssSign. */
	secondsInProgress: number;
	terminalStatus: DssTerminalStatus;
	/** Shown while InProgress (GosKeySign operations always show GosKey). */
	confirmType: DssConfirmType;
	operator: DssOperator;
	phoneLastNumbers: string;
	/** Files that end with SigningError: zero-based indexes or file names. */
	failingFiles: Array<number | string>;
	/** Answer with the old doc spelling `DssFileSigningResult` instead of `FileSigningResults`. */
	legacyResultField: boolean;
}

export interface DiadocOptions {
	/** Answer enums as numbers instead of names, to exercise client tolerance. */
	numericEnums: boolean;
	/** 406 for JSON answers unless Accept names application/json (the real API would send protobuf). */
	requireJsonAccept: boolean;
	legacyTokenTtlSeconds: number;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
	authorizationCodeTtlSeconds: number;
	/** A refresh token works once; the answer carries a new one. */
	rotateRefreshTokens: boolean;
	/** Refresh tokens only for the offline_access scope (as IdentityServer does). */
	requireOfflineAccess: boolean;
	/** The user /connect/authorize signs in without asking (unless login_hint names another user). */
	oidcLogin: string;
	/** Certificate authentication with an unconfigured certificate binds it to this user; null: 403. */
	unknownCertificateLogin: string | null;
	shelfPartMaxBytes: number;
	shelfFileMaxBytes: number;
	shelfTtlSeconds: number;
	/** 415 for shelf uploads that are neither application/octet-stream nor Content-Type: base64. */
	shelfRequireContentType: boolean;
	/** Built-in rate limit over all API calls (429 with Retry-After); null: off. */
	rateLimit: { requests: number; windowSeconds: number } | null;
	/** Origin the OIDC discovery document names (e.g. https://127.0.0.1:8443); default: http:// + Host. */
	publicUrl: string | null;
}

export interface DiadocConfig {
	options: DiadocOptions;
	clients: DiadocApiClient[];
	users: DiadocUser[];
	boxes: DiadocBox[];
	certificateDefaults: CertificateScenario;
	/** Keyed by upper-case thumbprint; unset fields fall back to certificateDefaults. */
	certificates: Record<string, Partial<CertificateScenario>>;
	dss: DssScenario;
}

export interface DiadocConfigPatch {
	options?: Partial<DiadocOptions>;
	/** Added, or replacing the one with the same clientId. */
	clients?: Array<Partial<DiadocApiClient> & { clientId: string }>;
	/** Added, or merged into the one with the same login. */
	users?: Array<Partial<DiadocUser> & { login: string }>;
	boxes?: Array<Partial<DiadocBox> & { boxId: string }>;
	certificateDefaults?: Partial<CertificateScenario>;
	certificates?: Record<string, Partial<CertificateScenario>>;
	dss?: Partial<DssScenario>;
}

export function defaultConfig(): DiadocConfig {
	return {
		options: {
			numericEnums: false,
			requireJsonAccept: true,
			legacyTokenTtlSeconds: 24 * 3600,
			accessTokenTtlSeconds: 3600,
			refreshTokenTtlSeconds: 30 * 24 * 3600,
			authorizationCodeTtlSeconds: 300,
			rotateRefreshTokens: true,
			requireOfflineAccess: true,
			oidcLogin: SANDBOX_LOGIN,
			unknownCertificateLogin: SANDBOX_LOGIN,
			shelfPartMaxBytes: 3_000_000,
			shelfFileMaxBytes: 400_000_000,
			shelfTtlSeconds: 7 * 24 * 3600,
			shelfRequireContentType: true,
			rateLimit: null,
			publicUrl: null,
		},
		clients: [{ clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET }],
		users: [
			{
				login: SANDBOX_LOGIN,
				password: SANDBOX_PASSWORD,
				userId: SANDBOX_USER_ID,
				fullName: 'Песочницын Тест Тестович',
				snils: SANDBOX_SNILS,
				boxIds: [SANDBOX_BOX_ID, SANDBOX_UNPAID_BOX_ID],
			},
		],
		boxes: [
			{ boxId: SANDBOX_BOX_ID, title: 'ООО "Песочница"', apiSubscription: true },
			{ boxId: SANDBOX_UNPAID_BOX_ID, title: 'ООО "Песочница" (без подписки на API)', apiSubscription: false },
			{ boxId: SANDBOX_FOREIGN_BOX_ID, title: 'АО "Чужая организация"', apiSubscription: true },
		],
		certificateDefaults: { requireProof: true, inProgressCalls: 1, final: 'RegistrationIsCompleted' },
		certificates: {},
		dss: {
			pollsInProgress: 2,
			secondsInProgress: 0,
			terminalStatus: 'Completed',
			confirmType: 'MyDss',
			operator: 'Kontur',
			phoneLastNumbers: '4567',
			failingFiles: [],
			legacyResultField: false,
		},
	};
}

export class DiadocConfigError extends Error {}

function check(condition: boolean, message: string): asserts condition {
	if (!condition) throw new DiadocConfigError(message);
}

function nonNegativeInteger(value: unknown, name: string): number {
	check(typeof value === 'number' && Number.isInteger(value) && value >= 0, `${name} must be a non-negative integer`);
	return value as number;
}

function positiveNumber(value: unknown, name: string): number {
	check(typeof value === 'number' && Number.isFinite(value) && value > 0, `${name} must be a positive number`);
	return value as number;
}

function bool(value: unknown, name: string): boolean {
	check(typeof value === 'boolean', `${name} must be true or false`);
	return value as boolean;
}

function registrationStatus(value: unknown, name: string): RegistrationStatus {
	const status = parseEnum(REGISTRATION_STATUSES, value);
	check(status !== undefined, `${name} must be one of ${Object.keys(REGISTRATION_STATUSES).join(', ')}`);
	return status as RegistrationStatus;
}

/** Validates a (partial) registration scenario; unknown keys are refused so typos do not pass silently. */
export function validateScenario(patch: Partial<CertificateScenario>, name: string): Partial<CertificateScenario> {
	check(!!patch && typeof patch === 'object', `${name} must be an object`);
	const out: Partial<CertificateScenario> = {};
	for (const [key, value] of Object.entries(patch)) {
		if (value === undefined) continue;
		switch (key) {
			case 'requireProof':
				out.requireProof = bool(value, `${name}.requireProof`);
				break;
			case 'inProgressCalls':
				out.inProgressCalls = nonNegativeInteger(value, `${name}.inProgressCalls`);
				break;
			case 'final':
				out.final = registrationStatus(value, `${name}.final`);
				check(
					out.final !== 'CertificateOwnershipProofIsRequired' && out.final !== 'RegistrationIsInProgress',
					`${name}.final cannot be ${out.final}: use requireProof / inProgressCalls`,
				);
				break;
			case 'boxId':
			case 'login':
				check(typeof value === 'string' && value !== '', `${name}.${key} must be a string`);
				out[key] = value as string;
				break;
			default:
				throw new DiadocConfigError(`${name}: unknown setting "${key}"`);
		}
	}
	return out;
}

function validateDss(patch: Partial<DssScenario>): Partial<DssScenario> {
	check(!!patch && typeof patch === 'object', 'dss must be an object');
	const out: Partial<DssScenario> = {};
	for (const [key, value] of Object.entries(patch)) {
		if (value === undefined) continue;
		switch (key) {
			case 'pollsInProgress':
				out.pollsInProgress = nonNegativeInteger(value, 'dss.pollsInProgress');
				break;
			case 'secondsInProgress':
				check(typeof value === 'number' && value >= 0, 'dss.secondsInProgress must be a non-negative number');
				out.secondsInProgress = value as number;
				break;
			case 'terminalStatus': {
				const status = parseEnum(DSS_OPERATION_STATUSES, value);
				check(status !== undefined && status !== 'InProgress' && status !== 'Unknown', 'dss.terminalStatus must be a final DssOperationStatus');
				out.terminalStatus = status as DssTerminalStatus;
				break;
			}
			case 'confirmType': {
				const type = parseEnum(DSS_CONFIRM_TYPES, value);
				check(type !== undefined, `dss.confirmType must be one of ${Object.keys(DSS_CONFIRM_TYPES).join(', ')}`);
				out.confirmType = type;
				break;
			}
			case 'operator': {
				const operator = parseEnum(DSS_OPERATORS, value);
				check(operator !== undefined, `dss.operator must be one of ${Object.keys(DSS_OPERATORS).join(', ')}`);
				out.operator = operator;
				break;
			}
			case 'phoneLastNumbers':
				check(typeof value === 'string', 'dss.phoneLastNumbers must be a string');
				out.phoneLastNumbers = value as string;
				break;
			case 'failingFiles':
				check(
					Array.isArray(value) && value.every((item) => typeof item === 'string' || (Number.isInteger(item) && item >= 0)),
					'dss.failingFiles must be a list of file indexes or names',
				);
				out.failingFiles = [...(value as Array<number | string>)];
				break;
			case 'legacyResultField':
				out.legacyResultField = bool(value, 'dss.legacyResultField');
				break;
			default:
				throw new DiadocConfigError(`dss: unknown setting "${key}"`);
		}
	}
	return out;
}

const BOOLEAN_OPTIONS = ['numericEnums', 'requireJsonAccept', 'rotateRefreshTokens', 'requireOfflineAccess', 'shelfRequireContentType'] as const;
const SECONDS_OPTIONS = [
	'legacyTokenTtlSeconds',
	'accessTokenTtlSeconds',
	'refreshTokenTtlSeconds',
	'authorizationCodeTtlSeconds',
	'shelfTtlSeconds',
	'shelfPartMaxBytes',
	'shelfFileMaxBytes',
] as const;

function applyOptions(target: DiadocOptions, patch: Partial<DiadocOptions>): void {
	check(!!patch && typeof patch === 'object', 'options must be an object');
	for (const [key, value] of Object.entries(patch)) {
		if (value === undefined) continue;
		if ((BOOLEAN_OPTIONS as readonly string[]).includes(key)) {
			(target as unknown as Record<string, unknown>)[key] = bool(value, `options.${key}`);
		} else if ((SECONDS_OPTIONS as readonly string[]).includes(key)) {
			(target as unknown as Record<string, unknown>)[key] = positiveNumber(value, `options.${key}`);
		} else if (key === 'oidcLogin') {
			check(typeof value === 'string' && value !== '', 'options.oidcLogin must be a login');
			target.oidcLogin = value as string;
		} else if (key === 'unknownCertificateLogin') {
			check(value === null || typeof value === 'string', 'options.unknownCertificateLogin must be a login or null');
			target.unknownCertificateLogin = value as string | null;
		} else if (key === 'publicUrl') {
			check(value === null || (typeof value === 'string' && /^https?:\/\/[^/]+$/.test(value)), 'options.publicUrl must be an origin like https://host:port, or null');
			target.publicUrl = value as string | null;
		} else if (key === 'rateLimit') {
			if (value === null) target.rateLimit = null;
			else {
				const limit = value as { requests?: unknown; windowSeconds?: unknown };
				target.rateLimit = {
					requests: nonNegativeInteger(limit.requests, 'options.rateLimit.requests'),
					windowSeconds: positiveNumber(limit.windowSeconds ?? 1, 'options.rateLimit.windowSeconds'),
				};
			}
		} else {
			throw new DiadocConfigError(`options: unknown setting "${key}"`);
		}
	}
}

function upsert<T>(list: T[], matches: (item: T) => boolean, merged: (existing: T | undefined) => T): void {
	const index = list.findIndex(matches);
	if (index >= 0) list[index] = merged(list[index]);
	else list.push(merged(undefined));
}

function normalizeThumbprintKey(thumbprint: string): string {
	const key = thumbprint.toUpperCase();
	check(/^[0-9A-F]{40}$/.test(key), `certificate key "${thumbprint}" must be a 40-hex-digit thumbprint`);
	return key;
}

/** Merges a patch into the configuration; throws DiadocConfigError (and changes nothing) when it is invalid. */
export function applyConfigPatch(config: DiadocConfig, patch: DiadocConfigPatch): void {
	check(!!patch && typeof patch === 'object' && !Array.isArray(patch), 'the configuration must be a JSON object');
	const known = ['options', 'clients', 'users', 'boxes', 'certificateDefaults', 'certificates', 'dss'];
	for (const key of Object.keys(patch)) check(known.includes(key), `unknown configuration section "${key}"`);
	// Work on a copy so an invalid patch leaves the configuration as it was.
	const next: DiadocConfig = structuredClone(config);
	if (patch.options) applyOptions(next.options, patch.options);
	for (const client of patch.clients ?? []) {
		check(typeof client?.clientId === 'string' && client.clientId !== '', 'clients[].clientId is required');
		upsert(
			next.clients,
			(item) => item.clientId === client.clientId,
			(existing) => ({ clientSecret: SANDBOX_CLIENT_SECRET, ...existing, ...client }),
		);
	}
	for (const user of patch.users ?? []) {
		check(typeof user?.login === 'string' && user.login !== '', 'users[].login is required');
		if (user.snils !== undefined) check(/^\d{11}$/.test(user.snils.replace(/\D/g, '')), 'users[].snils must have 11 digits');
		upsert(
			next.users,
			(item) => item.login.toLowerCase() === user.login.toLowerCase(),
			(existing) => ({
				password: SANDBOX_PASSWORD,
				userId: randomUUID(),
				fullName: user.login,
				snils: SANDBOX_SNILS,
				boxIds: [SANDBOX_BOX_ID],
				...existing,
				...user,
			}),
		);
	}
	for (const box of patch.boxes ?? []) {
		check(typeof box?.boxId === 'string' && box.boxId !== '', 'boxes[].boxId is required');
		upsert(
			next.boxes,
			(item) => item.boxId === box.boxId,
			(existing) => ({ title: box.boxId, apiSubscription: true, ...existing, ...box }),
		);
	}
	if (patch.certificateDefaults) {
		Object.assign(next.certificateDefaults, validateScenario(patch.certificateDefaults, 'certificateDefaults'));
	}
	for (const [thumbprint, scenario] of Object.entries(patch.certificates ?? {})) {
		const key = normalizeThumbprintKey(thumbprint);
		next.certificates[key] = { ...next.certificates[key], ...validateScenario(scenario, `certificates.${key}`) };
	}
	if (patch.dss) Object.assign(next.dss, validateDss(patch.dss));
	Object.assign(config, next);
}
