/**
 * The Kontur Diadoc emulator: OIDC identity server (under /identity), legacy DiadocAuth tokens,
 * Register/RegisterConfirm, DSS signing and the document shelf, strict about the documented wire format.
 * Mount it at /diadoc: API base `<sandbox>/diadoc`, OIDC issuer `<sandbox>/diadoc/identity`.
 *
 * Configure it programmatically (the methods below) or over HTTP (see admin.ts); `describe()` prints the
 * defaults. Every expiry runs on the sandbox clock.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxEmulator, SandboxRouter } from '../../server';
import { registerAdminRoutes } from './admin';
import { CHALLENGE_TTL_SECONDS, issueLegacyToken, registerAuthRoutes } from './auth';
import {
	applyConfigPatch,
	DiadocConfigError,
	DIADOC_API_SCOPES,
	SANDBOX_BOX_ID,
	SANDBOX_CLIENT_ID,
	SANDBOX_CLIENT_SECRET,
	SANDBOX_FOREIGN_BOX_ID,
	SANDBOX_LOGIN,
	SANDBOX_PASSWORD,
	SANDBOX_SNILS,
	SANDBOX_UNPAID_BOX_ID,
	type CertificateScenario,
	type DiadocApiClient,
	type DiadocBox,
	type DiadocConfig,
	type DiadocConfigPatch,
	type DiadocOptions,
	type DiadocUser,
	type DssScenario,
} from './config';
import { entityKey, registerDssRoutes } from './dss';
import { fail, traced } from './http';
import { createIdentityKeys, registerIdentityRoutes } from './identity';
import { registerRegistrationRoutes } from './registration';
import { registerOrganizationRoutes } from './boxes';
import { createRoutes } from './routes';
import { registerShelfRoutes } from './shelf';
import {
	DiadocState,
	type CertificateAuthRecord,
	type ConfirmationRecord,
	type RegisterCallRecord,
	type RegistrationState,
} from './state';

export interface IssueTokenOptions {
	/** legacy: a DiadocAuth ddauth_token; bearer: an OIDC access token; refresh: an OIDC refresh token. */
	kind?: 'legacy' | 'bearer' | 'refresh';
	login?: string;
	clientId?: string;
	ttlSeconds?: number;
	/** bearer/refresh; default openid offline_access Diadoc.PublicAPI. */
	scopes?: string[];
}

export interface DssTaskSummary {
	taskId: string;
	boxId: string;
	login: string;
	version: 'V1' | 'V2';
	signDataSource: 'CertificateSign' | 'GosKeySign';
	certificateThumbprint: string;
	polls: number;
	files: Array<{ fileName?: string; kind: string; size: number }>;
	/** The terminal answer once a poll has produced it. */
	result?: Record<string, unknown>;
}

export interface DiadocSnapshot {
	registrations: Array<Omit<RegistrationState, 'certificateDer'> & { hasCertificate: boolean }>;
	registerCalls: RegisterCallRecord[];
	confirmations: ConfirmationRecord[];
	certificateAuthentications: CertificateAuthRecord[];
	dssTasks: DssTaskSummary[];
	shelf: Array<{ name: string; ownerLogin: string; size: number; parts: number; complete: boolean }>;
	tokens: { legacy: number; access: number; refresh: number };
}

export interface DiadocEmulator extends SandboxEmulator {
	readonly state: DiadocState;
	readonly dssCertificate: { der: Buffer; pem: string; thumbprint: string };
	/** Forgets all state and restores the configuration the emulator was created with. */
	reset(): void;
	configure(patch: DiadocConfigPatch): void;
	getConfig(): DiadocConfig;
	setOptions(options: Partial<DiadocOptions>): void;
	/** Registration scenario of one certificate (thumbprint, any case). */
	configureCertificate(thumbprint: string, scenario: Partial<CertificateScenario>): void;
	/** Scenario of DSS tasks created from now on. */
	configureDss(scenario: Partial<DssScenario>): void;
	addUser(user: Partial<DiadocUser> & { login: string }): DiadocUser;
	addClient(client: Partial<DiadocApiClient> & { clientId: string }): void;
	addBox(box: Partial<DiadocBox> & { boxId: string }): void;
	/** Bytes DssSign signs for an EntityId reference (instead of the derived ones). */
	setEntityContent(messageId: string, entityId: string, content: Buffer): void;
	issueToken(options?: IssueTokenOptions): string;
	/** Makes every legacy and access token expire now (refresh tokens too with `refresh: true`). */
	expireTokens(options?: { refresh?: boolean }): void;
	snapshot(): DiadocSnapshot;
	/** Human-readable defaults and endpoints, for the sandbox CLI. */
	describe(baseUrl?: string): string;
}

export function createDiadocEmulator(initial?: DiadocConfigPatch): DiadocEmulator {
	const state = new DiadocState();
	const identityKeys = createIdentityKeys();
	let mountedAt = '/diadoc';
	const applyInitial = () => {
		if (initial) applyConfigPatch(state.config, initial);
	};
	applyInitial();

	const emulator: DiadocEmulator = {
		name: 'diadoc',
		state,
		dssCertificate: { der: state.dss.certificateDer, pem: state.dss.certificatePem, thumbprint: state.dss.thumbprint },

		register(router: SandboxRouter) {
			state.clock = router.clock;
			mountedAt = router.prefix === '/' ? '' : router.prefix;
			const routes = createRoutes(router, state);
			registerAdminRoutes(router, emulator);
			registerIdentityRoutes(router, state, identityKeys);
			registerAuthRoutes(routes, state);
			registerRegistrationRoutes(routes, state);
			registerDssRoutes(routes, state);
			registerShelfRoutes(routes, state);
			registerOrganizationRoutes(routes, state);
			const notFound = traced((request) => fail(404, 'Http.NotFound', `Diadoc has no method ${request.path.slice(mountedAt.length) || '/'}.`));
			router.route('*', '/', notFound);
			router.route('*', '/*', notFound);
		},

		reset() {
			state.reset();
			applyInitial();
		},

		configure(patch) {
			applyConfigPatch(state.config, patch);
		},
		getConfig: () => structuredClone(state.config),
		setOptions(options) {
			applyConfigPatch(state.config, { options });
		},
		configureCertificate(thumbprint, scenario) {
			applyConfigPatch(state.config, { certificates: { [thumbprint]: scenario } });
		},
		configureDss(scenario) {
			applyConfigPatch(state.config, { dss: scenario });
		},
		addUser(user) {
			applyConfigPatch(state.config, { users: [user] });
			return structuredClone(state.userOrThrow(user.login));
		},
		addClient(client) {
			applyConfigPatch(state.config, { clients: [client] });
		},
		addBox(box) {
			applyConfigPatch(state.config, { boxes: [box] });
		},
		setEntityContent(messageId, entityId, content) {
			state.entityContents.set(entityKey(messageId, entityId), Buffer.from(content));
		},

		issueToken(options = {}) {
			const kind = options.kind ?? 'legacy';
			const login = options.login ?? SANDBOX_LOGIN;
			const clientId = options.clientId ?? SANDBOX_CLIENT_ID;
			if (!state.findUser(login)) throw new DiadocConfigError(`no sandbox user "${login}"`);
			if (!state.config.clients.some((client) => client.clientId === clientId)) throw new DiadocConfigError(`no API client "${clientId}"`);
			if (options.ttlSeconds !== undefined && !(options.ttlSeconds > 0)) throw new DiadocConfigError('ttlSeconds must be positive');
			if (kind === 'legacy') return issueLegacyToken(state, login, clientId, 'issued', options.ttlSeconds);
			if (kind !== 'bearer' && kind !== 'refresh') throw new DiadocConfigError('kind must be legacy, bearer or refresh');
			const { options: settings } = state.config;
			const ttl = options.ttlSeconds ?? (kind === 'bearer' ? settings.accessTokenTtlSeconds : settings.refreshTokenTtlSeconds);
			const token = randomBytes(32).toString('base64url');
			const grant = {
				login,
				clientId,
				scopes: options.scopes ?? ['openid', 'offline_access', DIADOC_API_SCOPES[0]],
				expiresAt: state.now() + ttl * 1000,
			};
			(kind === 'bearer' ? state.accessTokens : state.refreshTokens).set(token, grant);
			return token;
		},

		expireTokens(options = {}) {
			const past = state.now() - 1;
			for (const token of state.legacyTokens.values()) token.expiresAt = past;
			for (const token of state.accessTokens.values()) token.expiresAt = past;
			if (options.refresh) for (const token of state.refreshTokens.values()) token.expiresAt = past;
		},

		snapshot() {
			return {
				registrations: [...state.registrations.values()].map(({ certificateDer, ...rest }) => ({
					...structuredClone(rest),
					hasCertificate: certificateDer !== undefined,
				})),
				registerCalls: structuredClone(state.registerCalls),
				confirmations: structuredClone(state.confirmations),
				certificateAuthentications: structuredClone(state.certificateAuth),
				dssTasks: [...state.dssTasks.values()].map((task) => ({
					taskId: task.taskId,
					boxId: task.boxId,
					login: task.login,
					version: task.version,
					signDataSource: task.signDataSource,
					certificateThumbprint: task.certificateThumbprint,
					polls: task.polls,
					files: task.files.map((file) => ({ fileName: file.fileName, kind: file.kind, size: file.size })),
					result: task.result,
				})),
				shelf: [...state.shelf.values()].map((file) => ({
					name: file.name,
					ownerLogin: file.ownerLogin,
					size: file.size,
					parts: file.parts.filter(Boolean).length,
					complete: file.complete,
				})),
				tokens: { legacy: state.legacyTokens.size, access: state.accessTokens.size, refresh: state.refreshTokens.size },
			};
		},

		describe(baseUrl = '<sandbox>') {
			const { options, certificateDefaults: registration, dss } = state.config;
			const api = `${baseUrl}${mountedAt}`;
			const lines = [
				`Diadoc emulator: API ${api}, OIDC issuer ${api}/identity`,
				`  OAuth2/OIDC client:  ${SANDBOX_CLIENT_ID} / ${SANDBOX_CLIENT_SECRET}  (authorize ${api}/identity/connect/authorize, token ${api}/identity/connect/token)`,
				`    scopes:            openid offline_access ${DIADOC_API_SCOPES.join(' | ')} (refresh tokens need offline_access${options.rotateRefreshTokens ? ', rotated on use' : ''})`,
				`  DiadocAuth client:   ddauth_api_client_id=${SANDBOX_CLIENT_ID}`,
				`  user:                ${SANDBOX_LOGIN} / ${SANDBOX_PASSWORD}  (SNILS ${SANDBOX_SNILS}; /V3/Authenticate?type=password|certificate)`,
				`  boxes:               ${SANDBOX_BOX_ID} (active), ${SANDBOX_UNPAID_BOX_ID} (no API subscription: 402), ${SANDBOX_FOREIGN_BOX_ID} (other organization: 403)`,
				`  DSS certificate:     ${state.dss.thumbprint}  (GET ${api}/__sandbox/dss-certificate)`,
				`  registration:        ${registration.requireProof ? 'ownership proof required, then ' : ''}${registration.inProgressCalls} × RegistrationIsInProgress, then ${registration.final}`,
				`  DSS signing:         ${dss.pollsInProgress} polls InProgress (${dss.confirmType}), then ${dss.terminalStatus}`,
				`  token lifetimes:     access ${options.accessTokenTtlSeconds} s, DiadocAuth ${options.legacyTokenTtlSeconds} s, certificate challenge ${CHALLENGE_TTL_SECONDS} s (sandbox clock)`,
				`  wire:                JSON needs Content-Type: application/json${options.requireJsonAccept ? ' and Accept: application/json' : ''}; enums as ${options.numericEnums ? 'numbers' : 'names'}; shelf parts ≤ ${options.shelfPartMaxBytes} bytes`,
				`  control:             GET|POST ${api}/__sandbox/config, GET ${api}/__sandbox/state, POST ${api}/__sandbox/tokens`,
			];
			return lines.join('\n');
		},
	};
	return emulator;
}

export {
	SANDBOX_BOX_ID,
	SANDBOX_CLIENT_ID,
	SANDBOX_CLIENT_SECRET,
	SANDBOX_FOREIGN_BOX_ID,
	SANDBOX_LOGIN,
	SANDBOX_PASSWORD,
	SANDBOX_SNILS,
	SANDBOX_UNPAID_BOX_ID,
	DiadocConfigError,
};
export { entityIdContent, patchedContent } from './dss';
export type { CertificateScenario, DiadocConfig, DiadocConfigPatch, DiadocOptions, DiadocUser, DssScenario } from './config';
export type { RegistrationStatus, DssTerminalStatus } from './enums';
