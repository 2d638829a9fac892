/**
 * Emulator of Taxnet "Транскрипт" API v2 (ASP.NET Web API, namespace Taxnet.Transcrypt.Api20), mounted at
 * /transcrypt. Documented (help pages of demo.tcrypt.ru):
 *
 *   POST api/v2/auth/detachedsignature  {Secret, Signature, AppInfo: {AppId, AppInstance}} → AuthSucceedModel
 *   POST api/v2/auth                    {Login, Password, Ip, AppInfo}                     → AuthSucceedModel
 *
 * Request bodies: application/json or text/json. XML (also documented) is not emulated and, like
 * application/x-www-form-urlencoded or a missing Content-Type, answers 415 {"Message": …} as Web API does.
 * JSON property names are matched case-insensitively (Json.NET). Paths are case-insensitive (ASP.NET routing).
 *
 * Sandbox assumptions, where the documentation is silent:
 * - GET api/v2/auth/secret issues the Secret: `{"Secret": "<32 base64url chars>"}` (or, with
 *   secretResponse 'string', the bare JSON string). A Secret is single use (consumed by the first login
 *   attempt that names it, even a failed one) and expires after secretTtlMs (default 5 min).
 * - Signature = base64 of a detached DER CMS SignedData over the Secret's bytes: UTF-8 by default;
 *   secretEncodings ['utf16le'] or ['utf8','utf16le'] accept UTF-16LE (CAdESCOM's string default) too.
 *   The signer certificate is taken from the CMS or, when absent there, from the registered certificates.
 * - Answers of the login endpoints (AuthSucceedModel; Token is a GUID, EMPTY_GUID when none was issued):
 *     200 + Token                       success (IsNewCertificate true on a certificate's first login)
 *     200 + CertificateNotFound: true   valid signature, certificate not registered (strictCertificates),
 *                                       or the signer certificate cannot be found at all
 *     200 + Error, no Token             the certificate is registered with an `error` flag
 *     401 + Error (+ Message)           unknown/used/expired Secret, signature invalid, certificate expired,
 *                                       wrong login or password, AppId not in appIds
 *     400 {Message, ModelState}         missing fields, AppInfo GUIDs malformed, Signature not base64 DER
 *                                       (these leave the Secret unused), Signature not a CMS SignedData, an
 *                                       attached (non-detached) signature, a GOST signature
 * - Protected sample methods (shapes are the sandbox's own): GET api/v2/organizations (Organization[]),
 *   GET api/v2/documents ({Documents, Total}). The token goes in `Authorization: Bearer <token>` by default
 *   (tokenHeader/tokenScheme configurable; scheme '' = bare token). A token dies after tokenIdleMs (default
 *   20 min) without use, on the sandbox clock. Refusal: 401 {"Message": "Authorization has been denied for
 *   this request."} + WWW-Authenticate.
 * - Certificates: by default (strictCertificates false) any certificate with a valid signature is registered
 *   on its first login; with strictCertificates only registerCertificate()d ones log in.
 *
 * Sandbox control under /transcrypt/__sandbox: GET state | describe, POST config (partial TranscryptConfig),
 * POST certificates {certificate: PEM|base64 DER, ...flags}, DELETE certificates/:thumbprint,
 * POST expire, POST reset.
 */
import { json, type SandboxEmulator, type SandboxRequest, type SandboxResponse, type SandboxRouter } from '../../server';
import type { TestClock } from '../../clock';
import { registerAdminRoutes } from '../adminRoutes';
import {
	ConfigError,
	defaultTranscryptConfig,
	mergeTranscryptConfig,
	type TranscryptConfig,
} from './config';
import {
	authFailure,
	authModel,
	httpError,
	invalidModel,
	organizationsForCertificate,
	organizationsForLogin,
	sampleLegalInn,
	stableGuid,
} from './models';
import { checkSecretSignature, decodeDotNetBase64 } from './signature';
import {
	TranscryptState,
	type IssuedSecret,
	type RegisteredCertificate,
	type TranscryptCertificateFlags,
	type TranscryptLogEntry,
	type TranscryptSession,
} from './state';

export {
	DEFAULT_TRANSCRYPT_APP_ID,
	DEFAULT_TRANSCRYPT_APP_INSTANCE,
	DEFAULT_TRANSCRYPT_LOGIN,
	DEFAULT_TRANSCRYPT_PASSWORD,
	type SecretEncoding,
	type TranscryptConfig,
	type TranscryptUser,
} from './config';
export { EMPTY_GUID, type AuthSucceedModel, type TranscryptOrganization } from './models';
export type { IssuedSecret, TranscryptCall, TranscryptCertificateFlags, TranscryptLogEntry, TranscryptSession } from './state';

export interface TranscryptCertificateView {
	thumbprint: string;
	subject: string;
	autoRegistered: boolean;
	logins: number;
	flags: TranscryptCertificateFlags;
}

export interface TranscryptEmulator extends SandboxEmulator {
	readonly config: TranscryptConfig;
	/** Applies a partial config (throws on unknown keys or bad values) and returns the result. */
	configure(patch: Partial<TranscryptConfig>): TranscryptConfig;
	/** Registers (or updates the flags of) a certificate: DER, PEM or base64. Returns its thumbprint. */
	registerCertificate(certificate: Buffer | Uint8Array | string, flags?: TranscryptCertificateFlags): string;
	unregisterCertificate(thumbprint: string): boolean;
	certificates(): TranscryptCertificateView[];
	/** Issues a Secret as GET api/v2/auth/secret does. */
	issueSecret(): string;
	secrets(): IssuedSecret[];
	sessions(): TranscryptSession[];
	log(): TranscryptLogEntry[];
	/** Ends every session and invalidates every unused Secret. */
	expireAll(): void;
	describe(): string;
}

const JSON_TYPES = ['application/json', 'text/json'];
const GUID_D = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DENIED = 'Authorization has been denied for this request.';

/** .NET Guid.Parse formats: D (dashes), N (32 digits), B {…} and P (…). Returns the D form, lower-case. */
function parseGuid(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	const inner = /^\{.*\}$|^\(.*\)$/.test(text) ? text.slice(1, -1) : text;
	if (GUID_D.test(inner)) return inner.toLowerCase();
	if (/^[0-9a-f]{32}$/i.test(text)) {
		const hex = text.toLowerCase();
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	}
	return undefined;
}

/** A property of a JSON object, matched case-insensitively as Json.NET binds models. */
function field(object: unknown, name: string): unknown {
	if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === wanted) return value;
	return undefined;
}

function mediaType(request: SandboxRequest): string | undefined {
	return request.headers['content-type']?.split(';')[0].trim().toLowerCase() || undefined;
}

/** The JSON model of a POST, or the 415/400 answer Web API would give instead. */
function readModel(request: SandboxRequest): { model: Record<string, unknown> } | { reply: SandboxResponse } {
	const type = mediaType(request);
	if (!type || !JSON_TYPES.includes(type)) {
		const shown = type ?? 'application/octet-stream';
		return { reply: httpError(415, `The request entity's media type '${shown}' is not supported for this resource.`) };
	}
	let model: unknown;
	try {
		model = JSON.parse(request.body.toString('utf8').replace(/^\uFEFF/, ''));
	} catch {
		return { reply: httpError(400, 'The request is invalid.', { model: ['The request body is not valid JSON.'] }) };
	}
	if (!model || typeof model !== 'object' || Array.isArray(model)) {
		return { reply: httpError(400, 'The request is invalid.', { model: ['The request body must be a JSON object.'] }) };
	}
	return { model: model as Record<string, unknown> };
}

function requiredString(model: Record<string, unknown>, name: string): string | SandboxResponse {
	const value = field(model, name);
	if (typeof value !== 'string' || value.length === 0) return invalidModel(name, `The ${name} field is required.`);
	return value;
}

export function createTranscryptEmulator(initial: Partial<TranscryptConfig> = {}): TranscryptEmulator {
	let config = mergeTranscryptConfig(defaultTranscryptConfig(), initial);
	let clock: TestClock | undefined;
	let state: TranscryptState | undefined;

	const store = (): TranscryptState => {
		if (!state) throw new Error('the Transcrypt emulator is not mounted yet');
		return state;
	};
	const now = () => (clock ? clock.now() : Date.now());

	/** AppInfo → ids, or the answer refusing it. */
	const appInfo = (model: Record<string, unknown>): { appId: string; appInstance: string } | SandboxResponse => {
		const info = field(model, 'AppInfo');
		if (!info || typeof info !== 'object') return invalidModel('AppInfo', 'The AppInfo field is required.');
		const appId = parseGuid(field(info, 'AppId'));
		if (!appId) return invalidModel('AppInfo.AppId', 'AppId must be a GUID.');
		const appInstance = parseGuid(field(info, 'AppInstance'));
		if (!appInstance) return invalidModel('AppInfo.AppInstance', 'AppInstance must be a GUID.');
		if (config.appIds.length > 0 && !config.appIds.includes(appId)) return authFailure(401, 'Приложение не зарегистрировано (неизвестный AppId).');
		return { appId, appInstance };
	};

	/** Consumes the Secret; returns the refusal text when it cannot be used. */
	const consumeSecret = (secret: string): string | undefined => {
		const issued = store().secrets.get(secret);
		if (!issued) return 'Секретная строка не найдена.';
		const refusal = issued.usedAt !== undefined ? 'Секретная строка уже использована.' : now() >= issued.expiresAt ? 'Срок действия секретной строки истёк.' : undefined;
		issued.usedAt ??= now();
		return refusal;
	};

	const certificateFor = (certificate: RegisteredCertificate['certificate']): RegisteredCertificate | undefined => {
		const known = store().certificates.get(certificate.thumbprint);
		if (known) return known;
		if (config.strictCertificates) return undefined;
		return store().registerCertificate(certificate, {}, true);
	};

	const signatureLogin = (request: SandboxRequest): SandboxResponse => {
		const s = store();
		const refuse = (reply: SandboxResponse, outcome: string, extra: Partial<TranscryptLogEntry> = {}) => {
			s.record({ kind: 'signatureLogin', status: reply.status, outcome, ...extra });
			return reply;
		};
		const read = readModel(request);
		if ('reply' in read) return refuse(read.reply, 'bad request');
		const secret = requiredString(read.model, 'Secret');
		if (typeof secret !== 'string') return refuse(secret, 'no Secret');
		const signature = requiredString(read.model, 'Signature');
		if (typeof signature !== 'string') return refuse(signature, 'no Signature');
		const app = appInfo(read.model);
		if (!('appId' in app)) return refuse(app, 'AppInfo refused');

		const signatureDer = decodeDotNetBase64(signature);
		if (!signatureDer || signatureDer[0] !== 0x30) {
			return refuse(invalidModel('Signature', 'Signature must be the base64 of a DER CMS SignedData (detached).'), 'Signature not base64 DER');
		}

		const secretProblem = consumeSecret(secret);
		if (secretProblem) return refuse(authFailure(401, secretProblem), secretProblem);

		const known = [...s.certificates.values()].map((entry) => entry.certificate.der);
		const check = checkSecretSignature(signature, secret, config.secretEncodings, known);
		if (!check.ok) {
			if (check.reason === 'invalid') return refuse(authFailure(401, 'Подпись не прошла проверку.'), check.message);
			if (check.reason === 'noCertificate') return refuse(json(200, authModel({ CertificateNotFound: true })), 'CertificateNotFound');
			return refuse(invalidModel('Signature', check.message), check.message);
		}
		const thumbprint = check.certificate.thumbprint;
		const entry = certificateFor(check.certificate);
		if (!entry) return refuse(json(200, authModel({ CertificateNotFound: true })), 'CertificateNotFound', { thumbprint });
		const at = now();
		if (at > entry.certificate.notAfter.getTime() || at < entry.certificate.notBefore.getTime()) {
			return refuse(authFailure(401, 'Сертификат недействителен: срок его действия истёк или ещё не начался.'), 'certificate out of validity', { thumbprint });
		}
		const { flags } = entry;
		if (flags.error) return refuse(json(200, authModel({ Error: flags.error })), `Error flag: ${flags.error}`, { thumbprint });

		const isNewCertificate = flags.isNewCertificate ?? entry.logins === 0;
		entry.logins += 1;
		const session = s.openSession({
			kind: 'signature',
			thumbprint,
			appId: app.appId,
			appInstance: app.appInstance,
			organizations: flags.organizations ?? organizationsForCertificate(entry.certificate),
		});
		s.record({ kind: 'signatureLogin', status: 200, outcome: 'token issued', token: session.token, thumbprint });
		return json(
			200,
			authModel({
				Token: session.token,
				Organizations: session.organizations,
				NeedSignLicense: flags.needSignLicense ?? false,
				IsNewClient: flags.isNewClient ?? false,
				IsNewEmployee: flags.isNewEmployee ?? false,
				IsNewCertificate: isNewCertificate,
			}),
		);
	};

	const passwordLogin = (request: SandboxRequest): SandboxResponse => {
		const s = store();
		const refuse = (reply: SandboxResponse, outcome: string, login?: string) => {
			s.record({ kind: 'passwordLogin', status: reply.status, outcome, login });
			return reply;
		};
		const read = readModel(request);
		if ('reply' in read) return refuse(read.reply, 'bad request');
		const login = requiredString(read.model, 'Login');
		if (typeof login !== 'string') return refuse(login, 'no Login');
		const password = requiredString(read.model, 'Password');
		if (typeof password !== 'string') return refuse(password, 'no Password', login);
		const ip = field(read.model, 'Ip');
		if (ip !== undefined && ip !== null && typeof ip !== 'string') return refuse(invalidModel('Ip', 'Ip must be a string.'), 'bad Ip', login);
		const app = appInfo(read.model);
		if (!('appId' in app)) return refuse(app, 'AppInfo refused', login);
		const user = config.users.find((candidate) => candidate.login.toLowerCase() === login.toLowerCase());
		if (!user || user.password !== password) return refuse(authFailure(401, 'Неверный логин или пароль.'), 'wrong login or password', login);
		const session = s.openSession({
			kind: 'password',
			login: user.login,
			appId: app.appId,
			appInstance: app.appInstance,
			ip: typeof ip === 'string' ? ip : undefined,
			organizations: user.organizations ?? organizationsForLogin(user.login),
		});
		s.record({ kind: 'passwordLogin', status: 200, outcome: 'token issued', token: session.token, login: user.login });
		return json(200, authModel({ Token: session.token, Organizations: session.organizations }));
	};

	/** The session named by the token header, or undefined. */
	const authenticate = (request: SandboxRequest): TranscryptSession | undefined => {
		const value = request.headers[config.tokenHeader.toLowerCase()]?.trim();
		if (!value) return undefined;
		let token = value;
		if (config.tokenScheme) {
			const match = /^(\S+)\s+(\S+)$/.exec(value);
			if (!match || match[1].toLowerCase() !== config.tokenScheme.toLowerCase()) return undefined;
			token = match[2];
		}
		const guid = parseGuid(token);
		return guid ? store().liveSession(guid, config.tokenIdleMs) : undefined;
	};

	const protectedCall = (request: SandboxRequest, answer: (session: TranscryptSession) => SandboxResponse): SandboxResponse => {
		const s = store();
		const session = authenticate(request);
		if (!session) {
			const challenge = config.tokenScheme ? config.tokenScheme : config.tokenHeader;
			s.record({ kind: 'call', status: 401, outcome: 'no live token', path: request.path });
			return httpError(401, DENIED, undefined, { 'www-authenticate': challenge });
		}
		session.lastUsedAt = now();
		const reply = answer(session);
		session.calls.push({ time: session.lastUsedAt, method: request.method, path: request.path, status: reply.status });
		s.record({ kind: 'call', status: reply.status, outcome: 'ok', path: request.path, token: session.token });
		return reply;
	};

	const sampleDocuments = (session: TranscryptSession) => {
		const own = session.organizations[0];
		const counterpartInn = sampleLegalInn(`counterpart:${session.token}`);
		const counterpart = { Inn: counterpartInn, Kpp: `${counterpartInn.slice(0, 4)}01001`, Name: 'ООО «Контрагент песочницы»' };
		const documents = [1, 2, 3].map((index) => ({
			Id: stableGuid(`document:${own?.Id ?? session.token}:${index}`),
			Number: `SB-${index}`,
			Date: new Date(session.createdAt - index * 86_400_000).toISOString(),
			Type: index === 1 ? 'Invoice' : 'Nonformalized',
			Status: index === 3 ? 'Signed' : 'Received',
			Counteragent: counterpart,
		}));
		return { Documents: documents, Total: documents.length };
	};

	type Handler = (request: SandboxRequest) => SandboxResponse;
	const api: Record<string, Partial<Record<string, Handler>>> = {
		'api/v2/auth/secret': {
			GET: () => {
				const issued = store().issueSecret(config.secretTtlMs);
				store().record({ kind: 'secret', status: 200, outcome: 'secret issued' });
				return json(200, config.secretResponse === 'string' ? issued.secret : { Secret: issued.secret });
			},
		},
		'api/v2/auth/detachedsignature': { POST: signatureLogin },
		'api/v2/auth': { POST: passwordLogin },
		'api/v2/organizations': {
			GET: (request) => protectedCall(request, (session) => json(200, session.organizations)),
		},
		'api/v2/documents': {
			GET: (request) => protectedCall(request, (session) => json(200, sampleDocuments(session))),
		},
	};

	const dispatch = (request: SandboxRequest, prefix: string): SandboxResponse => {
		const relative = request.path.slice(prefix.length).replace(/^\/+|\/+$/g, '').toLowerCase();
		const methods = api[relative];
		if (!methods) return httpError(404, `No HTTP resource was found that matches the request URI '${request.path}'.`);
		const handler = methods[request.method];
		if (!handler) {
			return httpError(405, `The requested resource does not support http method '${request.method}'.`, undefined, {
				allow: Object.keys(methods).join(', '),
			});
		}
		return handler(request);
	};

	const certificateViews = (): TranscryptCertificateView[] =>
		[...store().certificates.values()].map((entry) => ({
			thumbprint: entry.certificate.thumbprint,
			subject: entry.certificate.subject,
			autoRegistered: entry.autoRegistered,
			logins: entry.logins,
			flags: entry.flags,
		}));

	const applyConfig = (patch: unknown): TranscryptConfig => {
		config = mergeTranscryptConfig(config, patch);
		return config;
	};

	const registerAdmin = (router: SandboxRouter) =>
		registerAdminRoutes(router, emulator, {
			state: () => ({
				config,
				certificates: certificateViews(),
				secrets: [...store().secrets.values()],
				sessions: [...store().sessions.values()],
				log: store().log,
			}),
			configure: applyConfig,
			isConfigError: (caught) => caught instanceof ConfigError,
			certificateUsage: 'send {"certificate": "<PEM or base64 DER>", ...flags}',
			registerCertificate: ({ certificate, ...flags }) => store().registerCertificate(certificate, flags as TranscryptCertificateFlags).certificate,
		});

	const emulator: TranscryptEmulator = {
		name: 'transcrypt',
		get config() {
			return config;
		},
		register(router) {
			clock = router.clock;
			state = new TranscryptState(router.clock);
			registerAdmin(router);
			const prefix = router.prefix;
			for (const path of Object.keys(api)) router.route('*', `/${path}`, (request) => dispatch(request, prefix));
			router.route('*', '/*', (request) => dispatch(request, prefix));
		},
		reset() {
			config = mergeTranscryptConfig(defaultTranscryptConfig(), initial);
			state?.clear();
		},
		configure: applyConfig,
		registerCertificate(certificate, flags = {}) {
			return store().registerCertificate(certificate, flags).certificate.thumbprint;
		},
		unregisterCertificate(thumbprint) {
			return store().certificates.delete(thumbprint.toUpperCase());
		},
		certificates: certificateViews,
		issueSecret() {
			return store().issueSecret(config.secretTtlMs).secret;
		},
		secrets: () => [...store().secrets.values()],
		sessions: () => [...store().sessions.values()],
		log: () => [...store().log],
		expireAll() {
			store().expireAll();
		},
		describe() {
			return [
				'Transcrypt (Taxnet) API v2 emulator',
				'  GET  api/v2/auth/secret               → {"Secret": "…"} (sandbox assumption; single use)',
				`  POST api/v2/auth/detachedsignature    {Secret, Signature (base64 detached CMS over ${config.secretEncodings.join('/')}), AppInfo}`,
				`  POST api/v2/auth                      {Login, Password, Ip, AppInfo}  (user ${config.users[0]?.login ?? '—'})`,
				`  GET  api/v2/organizations, api/v2/documents  with ${config.tokenHeader}: ${config.tokenScheme ? `${config.tokenScheme} ` : ''}<Token>`,
				`  certificates: ${config.strictCertificates ? 'registered only' : 'auto-registered on first login'}; token idle limit ${config.tokenIdleMs / 1000}s`,
				'  control: GET __sandbox/state, POST __sandbox/config | certificates | expire | reset',
			].join('\n');
		},
	};
	return emulator;
}
