/**
 * Emulator of the Taxcom "Такском-Доклайнз" (Docliner) Web API, mounted at /taxcom, paths
 * `v<version>/API/<Method>` (version 1.3 by default; "api" in lower case and any method-name case accepted).
 *
 * Documented behaviour (DevHelp 3.2.2.1 CertificateLogin, 3.2.2.3 CloudCertificateLogin):
 * - `Integrator-Id: COMPANY_<GUID>` on every call. Missing or malformed → 400 IntegratorIdMissing/Invalid;
 *   well-formed but unknown to the sandbox → 401 IntegratorIdUnknown (sandbox choice; the docs give no status).
 * - POST CertificateLogin, body = the DER certificate (Content-Type application/pkcs7-mime or
 *   application/octet-stream, else 415). 200 = a DER CMS EnvelopedData (application/octet-stream) of the ASCII
 *   token (tokenLength upper-case hex characters, 256 by default: the docs call it a 256-byte string),
 *   encrypted to that certificate. Not registered (strictCertificates) → 401; outside its validity → 401.
 * - POST CloudCertificateLogin, JSON {Certificate: {Thumbprint, Pin?}, CloudCryptoService: {Login, Password},
 *   TrustedCertificate}. TrustedCertificate: a base64 string (.NET byte[]); a JSON array of byte numbers only
 *   when trustedCertificateEncodings includes 'array'. Wrong Login/Password → 401; thumbprint not in that
 *   cloud account → 404; wrong or missing PIN for a certificate that has one → 403; bad TrustedCertificate →
 *   400. 200 = EnvelopedData of the token encrypted to TrustedCertificate: bytes, or base64 text with
 *   cloudTokenEncoding 'base64'.
 * - A token is returned again (newly encrypted) by a re-login while it lives; its lifetime slides from the
 *   last use: 5 min for certificate logins, 2 min for cloud logins (tokenLifetimeMs), on the sandbox clock.
 *
 * Sandbox assumptions:
 * - POST ActivateSession (undocumented in the stored docs): headers Assistant-Key (the decrypted token) and
 *   Integrator-Id, empty body → 200 with an empty body. Cloud sessions must be activated before other methods
 *   (the docs' two-stage cloud flow); certificate-login sessions are active at once (production clients call
 *   methods right after CertificateLogin), unless requireActivation.certificate is set.
 * - Protected sample methods (Assistant-Key + Integrator-Id; 401 without a live, activated session):
 *   GET GetMessageList?DATE=<ISO date-time>[&direction=Ingoing|Outgoing] → ContainerDescription XML (≤500,
 *   IsLast); GET GetContacts → Contacts XML; POST CheckContragent, body Contacts XML with ≤20 <Contact><Inn/>
 *   <Kpp/></Contact> → Contacts XML with EDXClientId (+ IsActive for 2AL cabinets); a second call within
 *   checkContragentIntervalMs (5 s) → 429 + Retry-After.
 * - Errors: status + XML <Error><Code/><Message/></Error> (see replies.ts).
 * - Certificates: by default any certificate the sandbox can encrypt to (RSA, EC) is registered on its first
 *   login; strictCertificates accepts only registerCertificate()d ones (CertificateLogin and TrustedCertificate).
 *
 * Sandbox control under /taxcom/__sandbox: GET state | describe, POST config (partial TaxcomConfig), POST certificates
 * {certificate}, DELETE certificates/:thumbprint, POST cloud-certificates {login?, thumbprint | certificate,
 * pin?}, POST expire, POST reset.
 */
import crypto from 'node:crypto';
import { Certificate, loadCertificate } from '../../../lib/crypto/certificate';
import { encryptCms } from '../../../lib/crypto/cms/encrypt';
import { isEdoCryptoError } from '../../../lib/crypto/errors';
import { error, json, type SandboxEmulator, type SandboxRequest, type SandboxResponse, type SandboxRouter } from '../../server';
import type { TestClock } from '../../clock';
import { registerAdminRoutes } from '../adminRoutes';
import {
	ConfigError,
	defaultTaxcomConfig,
	mergeTaxcomConfig,
	normalizeIntegratorId,
	normalizeThumbprintText,
	type LoginKind,
	type TaxcomConfig,
	type TaxcomConfigPatch,
} from './config';
import { taxcomError, xml } from './replies';
import {
	contactsXml,
	defaultDocflows,
	defaultParticipants,
	messageListXml,
	readContragentPairs,
	type SampleDocflow,
} from './samples';
import { TaxcomSessions, type TaxcomLogEntry, type TaxcomSession } from './sessions';

export {
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
	type LoginKind,
	type TaxcomCloudAccount,
	type TaxcomCloudCertificate,
	type TaxcomConfig,
	type TaxcomConfigPatch,
	type TrustedCertificateEncoding,
} from './config';
export type { SampleDocflow, SampleParticipant } from './samples';
export type { TaxcomCall, TaxcomLogEntry, TaxcomSession } from './sessions';

export interface TaxcomCertificateView {
	thumbprint: string;
	subject: string;
	autoRegistered: boolean;
}

export interface TaxcomEmulator extends SandboxEmulator {
	readonly config: TaxcomConfig;
	/** Applies a partial config (throws on unknown keys or bad values) and returns the result. */
	configure(patch: TaxcomConfigPatch): TaxcomConfig;
	/** Registers a certificate (DER, PEM or base64) for CertificateLogin / TrustedCertificate; returns its thumbprint. */
	registerCertificate(certificate: Buffer | Uint8Array | string): string;
	unregisterCertificate(thumbprint: string): boolean;
	certificates(): TaxcomCertificateView[];
	/** Adds a certificate to a cloud account (default: the first); by thumbprint or by the certificate itself. */
	registerCloudCertificate(entry: { thumbprint?: string; certificate?: Buffer | Uint8Array | string; pin?: string; login?: string }): string;
	/** Adds a docflow to what GetMessageList reports. */
	addDocflow(docflow: Partial<SampleDocflow>): SampleDocflow;
	sessions(): TaxcomSession[];
	session(token: string): TaxcomSession | undefined;
	log(): TaxcomLogEntry[];
	/** Ends every session: their tokens answer 401 and the next login issues a new token. */
	expireAll(): void;
	describe(): string;
}

const CERTIFICATE_TYPES = ['application/pkcs7-mime', 'application/octet-stream'];
const JSON_TYPES = ['application/json', 'text/json'];

function mediaType(request: SandboxRequest): string | undefined {
	return request.headers['content-type']?.split(';')[0].trim().toLowerCase() || undefined;
}

/** A property of a JSON object, matched case-insensitively (the service is .NET). */
function field(object: unknown, name: string): unknown {
	if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === wanted) return value;
	return undefined;
}

/** Parses a DER certificate; undefined when the bytes are something else (PEM, base64 text, garbage). */
function derCertificate(bytes: Buffer): Certificate | undefined {
	if (bytes.length < 2 || bytes[0] !== 0x30) return undefined;
	try {
		return Certificate.fromDer(bytes);
	} catch {
		return undefined;
	}
}

/** DATE of GetMessageList: ISO 8601; without a zone it is taken as UTC. */
function parseDate(value: string): number | undefined {
	const withZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) || !value.includes('T') ? value : `${value}Z`;
	const time = Date.parse(withZone);
	return Number.isFinite(time) ? time : undefined;
}

type Reply = SandboxResponse;
type MethodContext = { request: SandboxRequest; integratorId: string };

export function createTaxcomEmulator(initial: TaxcomConfigPatch = {}): TaxcomEmulator {
	let config = mergeTaxcomConfig(defaultTaxcomConfig(), initial);
	let clock: TestClock | undefined;
	let sessions: TaxcomSessions | undefined;
	const certificates = new Map<string, { certificate: Certificate; autoRegistered: boolean }>();
	let participants = defaultParticipants();
	let docflows: SampleDocflow[] = [];
	const lastCheckContragent = new Map<string, number>();

	const store = (): TaxcomSessions => {
		if (!sessions) throw new Error('the Taxcom emulator is not mounted yet');
		return sessions;
	};
	const now = () => (clock ? clock.now() : Date.now());

	/** The accepted certificate, auto-registering it unless registration is strict; or the refusal. */
	const acceptCertificate = (certificate: Certificate, role: string): Certificate | Reply => {
		const known = certificates.get(certificate.thumbprint);
		if (!known) {
			if (config.strictCertificates) {
				return taxcomError(401, 'CertificateNotRegistered', `The ${role} certificate ${certificate.thumbprint} is not registered with the operator.`);
			}
			certificates.set(certificate.thumbprint, { certificate, autoRegistered: true });
		}
		const at = now();
		if (at > certificate.notAfter.getTime() || at < certificate.notBefore.getTime()) {
			return taxcomError(401, 'CertificateNotValidNow', `The ${role} certificate ${certificate.thumbprint} is expired or not yet valid.`);
		}
		return certificate;
	};

	const envelope = (token: string, recipient: Certificate): Buffer | Reply => {
		try {
			return encryptCms(Buffer.from(token, 'ascii'), recipient.der, { cipher: config.contentCipher });
		} catch (caught) {
			if (!isEdoCryptoError(caught)) throw caught;
			return taxcomError(400, 'CertificateUnsupported', `The sandbox cannot encrypt to this certificate: ${caught.message}`);
		}
	};

	const openSession = (kind: LoginKind, integratorId: string, thumbprint: string) =>
		store().login(
			{ kind, integratorId, thumbprint },
			{ lifetimeMs: config.tokenLifetimeMs[kind], tokenLength: config.tokenLength, activated: !config.requireActivation[kind] },
		);

	const certificateLogin = ({ request, integratorId }: MethodContext): Reply => {
		const type = mediaType(request);
		if (!type || !CERTIFICATE_TYPES.includes(type)) {
			return taxcomError(415, 'UnsupportedMediaType', `CertificateLogin takes the DER certificate as ${CERTIFICATE_TYPES.join(' or ')}, not ${type ?? 'no Content-Type'}.`);
		}
		const certificate = derCertificate(request.body);
		if (!certificate) return taxcomError(400, 'CertificateInvalid', 'The request body must be an X.509 certificate in DER (binary) form.');
		const accepted = acceptCertificate(certificate, 'login');
		if (!(accepted instanceof Certificate)) return accepted;
		// Encrypt before opening a session, so a certificate the sandbox cannot encrypt to leaves no session behind.
		const probe = envelope('probe', accepted);
		if (!Buffer.isBuffer(probe)) return probe;
		const { session } = openSession('certificate', integratorId, accepted.thumbprint);
		const sealed = envelope(session.token, accepted) as Buffer;
		return { status: 200, body: sealed, headers: { 'content-type': 'application/octet-stream' } };
	};

	const trustedCertificate = (value: unknown): Certificate | Reply => {
		const accepts = config.trustedCertificateEncodings;
		let bytes: Buffer | undefined;
		if (typeof value === 'string') {
			if (!accepts.includes('base64')) return taxcomError(400, 'TrustedCertificateInvalid', 'TrustedCertificate must be a JSON array of byte values.');
			const compact = value.replace(/\s/g, '');
			if (compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) bytes = Buffer.from(compact, 'base64');
		} else if (Array.isArray(value)) {
			if (!accepts.includes('array')) return taxcomError(400, 'TrustedCertificateInvalid', 'TrustedCertificate must be the base64 string of the DER certificate.');
			if (value.every((item) => Number.isInteger(item) && item >= 0 && item <= 255)) bytes = Buffer.from(value as number[]);
		} else if (value === undefined || value === null) {
			return taxcomError(400, 'TrustedCertificateInvalid', 'TrustedCertificate is required.');
		}
		const certificate = bytes ? derCertificate(bytes) : undefined;
		if (!certificate) {
			const form = accepts.length === 2 ? 'base64 string or byte array' : accepts[0] === 'base64' ? 'base64 string' : 'byte array';
			return taxcomError(400, 'TrustedCertificateInvalid', `TrustedCertificate must be a DER X.509 certificate as a ${form}.`);
		}
		return acceptCertificate(certificate, 'trusted');
	};

	const cloudCertificateLogin = ({ request, integratorId }: MethodContext): Reply => {
		const type = mediaType(request);
		if (!type || !JSON_TYPES.includes(type)) {
			return taxcomError(415, 'UnsupportedMediaType', `CloudCertificateLogin takes JSON (application/json), not ${type ?? 'no Content-Type'}.`);
		}
		let body: unknown;
		try {
			body = JSON.parse(request.body.toString('utf8').replace(/^\uFEFF/, ''));
		} catch {
			return taxcomError(400, 'BadRequest', 'The request body is not valid JSON.');
		}
		const certificateField = field(body, 'Certificate');
		const thumbprintText = field(certificateField, 'Thumbprint');
		const pin = field(certificateField, 'Pin');
		const service = field(body, 'CloudCryptoService');
		const login = field(service, 'Login');
		const password = field(service, 'Password');
		if (typeof thumbprintText !== 'string' || !thumbprintText) return taxcomError(400, 'BadRequest', 'Certificate.Thumbprint is required.');
		if (pin !== undefined && pin !== null && typeof pin !== 'string') return taxcomError(400, 'BadRequest', 'Certificate.Pin must be a string.');
		if (typeof login !== 'string' || typeof password !== 'string') {
			return taxcomError(400, 'BadRequest', 'CloudCryptoService.Login and CloudCryptoService.Password are required.');
		}
		const account = config.cloudAccounts.find((candidate) => candidate.login === login);
		if (!account || account.password !== password) {
			return taxcomError(401, 'CloudCredentialsInvalid', 'The cloud cryptography service login or password is wrong.');
		}
		const thumbprint = normalizeThumbprintText(thumbprintText);
		if (!thumbprint) return taxcomError(400, 'BadRequest', 'Certificate.Thumbprint must be a SHA-1 thumbprint (40 hexadecimal digits).');
		const cloudCertificate = account.certificates.find((candidate) => candidate.thumbprint === thumbprint);
		if (!cloudCertificate) return taxcomError(404, 'CloudCertificateNotFound', `The cloud service has no certificate ${thumbprint} for this account.`);
		if (cloudCertificate.pin !== undefined && pin !== cloudCertificate.pin) {
			return taxcomError(403, 'PinInvalid', pin ? 'The certificate PIN is wrong.' : 'This cloud certificate needs its PIN (Certificate.Pin).');
		}
		const trusted = trustedCertificate(field(body, 'TrustedCertificate'));
		if (!(trusted instanceof Certificate)) return trusted;
		const probe = envelope('probe', trusted);
		if (!Buffer.isBuffer(probe)) return probe;
		const { session } = openSession('cloud', integratorId, thumbprint);
		session.trustedThumbprint = trusted.thumbprint;
		session.cloudLogin = account.login;
		const sealed = envelope(session.token, trusted) as Buffer;
		if (config.cloudTokenEncoding === 'base64') return { status: 200, body: sealed.toString('base64'), headers: { 'content-type': 'text/plain; charset=utf-8' } };
		return { status: 200, body: sealed, headers: { 'content-type': 'application/octet-stream' } };
	};

	/** The live session of the Assistant-Key header for this integrator, or the 401. */
	const assistantSession = (request: SandboxRequest, integratorId: string, needActivated: boolean): TaxcomSession | Reply => {
		const token = request.headers['assistant-key']?.trim();
		if (!token) return taxcomError(401, 'AssistantKeyMissing', 'The Assistant-Key header with the decrypted access token is required.');
		const found = store().lookup(token);
		if ('problem' in found) {
			return found.problem === 'expired'
				? taxcomError(401, 'AssistantKeyExpired', 'The access token has expired; log in again.')
				: taxcomError(401, 'AssistantKeyInvalid', 'The access token is not known.');
		}
		if (found.session.integratorId !== integratorId) {
			return taxcomError(401, 'AssistantKeyInvalid', 'The access token was issued to another Integrator-Id.');
		}
		if (needActivated && !found.session.activated) {
			return taxcomError(401, 'SessionNotActivated', 'The session is not activated: call ActivateSession with this token first.');
		}
		return found.session;
	};

	const activateSession = ({ request, integratorId }: MethodContext): Reply => {
		const session = assistantSession(request, integratorId, false);
		if (!('token' in session)) return session;
		const at = now();
		session.lastUsedAt = at;
		session.activated = true;
		session.activations.push(at);
		return { status: 200 };
	};

	const protectedMethod =
		(name: string, answer: (session: TaxcomSession, request: SandboxRequest) => Reply) =>
		({ request, integratorId }: MethodContext): Reply => {
			const session = assistantSession(request, integratorId, true);
			if (!('token' in session)) return session;
			const at = now();
			session.lastUsedAt = at;
			const reply = answer(session, request);
			session.calls.push({ time: at, method: name, status: reply.status });
			return reply;
		};

	const getMessageList = protectedMethod('GetMessageList', (_session, request) => {
		const dateText = request.query.get('DATE') ?? request.query.get('date');
		if (!dateText) return taxcomError(400, 'BadRequest', 'The DATE parameter (the time of the previous call) is required.');
		const since = parseDate(dateText);
		if (since === undefined) return taxcomError(400, 'BadRequest', 'DATE must be a date-time such as 2024-01-31T12:00:00.000.');
		const directionText = request.query.get('direction') ?? undefined;
		const direction = directionText ? ['Ingoing', 'Outgoing'].find((name) => name.toLowerCase() === directionText.toLowerCase()) : undefined;
		if (directionText && !direction) return taxcomError(400, 'BadRequest', 'direction must be Ingoing or Outgoing.');
		return xml(200, messageListXml(docflows, since, direction, now()));
	});

	const getContacts = protectedMethod('GetContacts', () => xml(200, contactsXml(participants.filter((entry) => entry.contactState), now(), false)));

	const checkContragent = protectedMethod('CheckContragent', (session, request) => {
		const interval = config.checkContragentIntervalMs;
		const previous = lastCheckContragent.get(session.token);
		const at = now();
		if (interval > 0 && previous !== undefined && at - previous < interval) {
			const wait = Math.ceil((interval - (at - previous)) / 1000);
			return taxcomError(429, 'TooManyRequests', `CheckContragent may be called once per ${interval / 1000} s.`, { 'retry-after': String(wait) });
		}
		lastCheckContragent.set(session.token, at);
		const pairs = readContragentPairs(request.body.toString('utf8'));
		if (pairs.length === 0) return taxcomError(400, 'BadRequest', 'Send <Contacts> with at least one <Contact> holding <Inn> (and <Kpp>).');
		if (pairs.length > 20) return taxcomError(400, 'BadRequest', `At most 20 INN/KPP pairs per request; got ${pairs.length}.`);
		const bad = pairs.find((pair) => !/^(\d{10}|\d{12})$/.test(pair.inn) || (pair.kpp !== undefined && !/^\d{4}[\dA-Z]{2}\d{3}$/.test(pair.kpp)));
		if (bad) return taxcomError(400, 'BadRequest', `Not a valid INN/KPP pair: ${bad.inn}/${bad.kpp ?? ''}.`);
		const found = participants.filter((entry) => pairs.some((pair) => pair.inn === entry.inn && (pair.kpp === undefined || pair.kpp === entry.kpp)));
		return xml(200, contactsXml(found, at, true));
	});

	const methods: Record<string, { name: string; verb: 'GET' | 'POST'; handle: (context: MethodContext) => Reply }> = {
		certificatelogin: { name: 'CertificateLogin', verb: 'POST', handle: certificateLogin },
		cloudcertificatelogin: { name: 'CloudCertificateLogin', verb: 'POST', handle: cloudCertificateLogin },
		activatesession: { name: 'ActivateSession', verb: 'POST', handle: activateSession },
		getmessagelist: { name: 'GetMessageList', verb: 'GET', handle: getMessageList },
		getcontacts: { name: 'GetContacts', verb: 'GET', handle: getContacts },
		checkcontragent: { name: 'CheckContragent', verb: 'POST', handle: checkContragent },
	};

	const integratorCheck = (request: SandboxRequest): string | Reply => {
		const header = request.headers['integrator-id']?.trim();
		if (!header) return taxcomError(400, 'IntegratorIdMissing', 'The Integrator-Id header is required (COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA).');
		const normalized = normalizeIntegratorId(header, config.integratorIdFormat);
		if (!normalized) return taxcomError(400, 'IntegratorIdInvalid', 'Integrator-Id must have the form COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA.');
		const known = config.integratorIds.some((id) => normalizeIntegratorId(id, 'prefixed') === normalized);
		if (!known) return taxcomError(401, 'IntegratorIdUnknown', 'This Integrator-Id is not registered with the operator.');
		return normalized;
	};

	const dispatch = (request: SandboxRequest, prefix: string): Reply => {
		const segments = request.path.slice(prefix.length).split('/').filter(Boolean);
		const [version, api, methodName] = segments;
		const method = segments.length === 3 && version.toLowerCase() === `v${config.apiVersion}` && api.toLowerCase() === 'api' ? methods[methodName.toLowerCase()] : undefined;
		const record = (reply: Reply, extra: Partial<TaxcomLogEntry> = {}) => {
			const code = typeof reply.body === 'string' ? /<Code>(\w+)<\/Code>/.exec(reply.body)?.[1] : undefined;
			store().record({ method: method?.name ?? request.path, status: reply.status, outcome: code ?? 'ok', ...extra });
			return reply;
		};
		if (!method) return record(taxcomError(404, 'NotFound', `No Taxcom API method at ${request.path}.`));
		if (request.method !== method.verb) {
			return record(taxcomError(405, 'MethodNotAllowed', `${method.name} takes ${method.verb}.`, { allow: method.verb }));
		}
		const integratorId = integratorCheck(request);
		if (typeof integratorId !== 'string') return record(integratorId);
		const reply = method.handle({ request, integratorId });
		const token = request.headers['assistant-key']?.trim();
		return record(reply, { integratorId, token: token && store().byToken.has(token) ? token : undefined });
	};

	const certificateViews = (): TaxcomCertificateView[] =>
		[...certificates.values()].map(({ certificate, autoRegistered }) => ({
			thumbprint: certificate.thumbprint,
			subject: certificate.subject,
			autoRegistered,
		}));

	const registerCloudCertificate: TaxcomEmulator['registerCloudCertificate'] = (entry) => {
		const thumbprint = entry.certificate !== undefined ? loadCertificate(entry.certificate).thumbprint : normalizeThumbprintText(entry.thumbprint ?? '');
		if (!thumbprint) throw new ConfigError('a cloud certificate needs a thumbprint (40 hex digits) or the certificate');
		const account = entry.login === undefined ? config.cloudAccounts[0] : config.cloudAccounts.find((candidate) => candidate.login === entry.login);
		if (!account) throw new ConfigError(`no cloud account ${entry.login ?? '(none configured)'}`);
		const others = account.certificates.filter((candidate) => candidate.thumbprint !== thumbprint);
		const certificate = entry.pin === undefined ? { thumbprint } : { thumbprint, pin: entry.pin };
		config = {
			...config,
			cloudAccounts: config.cloudAccounts.map((candidate) => (candidate === account ? { ...candidate, certificates: [...others, certificate] } : candidate)),
		};
		return thumbprint;
	};

	const applyConfig = (patch: unknown): TaxcomConfig => {
		config = mergeTaxcomConfig(config, patch);
		return config;
	};

	const addCertificate = (input: Buffer | Uint8Array | string): Certificate => {
		const certificate = loadCertificate(input);
		certificates.set(certificate.thumbprint, { certificate, autoRegistered: false });
		return certificate;
	};

	const registerAdmin = (router: SandboxRouter) => {
		registerAdminRoutes(router, emulator, {
			state: () => ({ config, certificates: certificateViews(), sessions: [...store().byToken.values()], log: store().log, docflows, participants }),
			configure: applyConfig,
			isConfigError: (caught) => caught instanceof ConfigError,
			certificateUsage: 'send {"certificate": "<PEM or base64 DER>"}',
			registerCertificate: ({ certificate }) => addCertificate(certificate),
		});
		router.route('POST', '/__sandbox/cloud-certificates', (request) => {
			const body = request.json<{ login?: string; thumbprint?: string; certificate?: string; pin?: string }>();
			try {
				return json(201, { thumbprint: registerCloudCertificate(body ?? {}) });
			} catch (caught) {
				if (caught instanceof ConfigError || isEdoCryptoError(caught)) return error(400, caught.message);
				throw caught;
			}
		});
	};

	const emulator: TaxcomEmulator = {
		name: 'taxcom',
		get config() {
			return config;
		},
		register(router) {
			clock = router.clock;
			sessions = new TaxcomSessions(router.clock);
			docflows = defaultDocflows(router.clock.now());
			registerAdmin(router);
			const prefix = router.prefix;
			for (const { name } of Object.values(methods)) router.route('*', `/:version/API/${name}`, (request) => dispatch(request, prefix));
			router.route('*', '/*', (request) => dispatch(request, prefix));
		},
		reset() {
			config = mergeTaxcomConfig(defaultTaxcomConfig(), initial);
			sessions?.clear();
			certificates.clear();
			lastCheckContragent.clear();
			participants = defaultParticipants();
			docflows = defaultDocflows(now());
		},
		configure: applyConfig,
		registerCertificate: (input) => addCertificate(input).thumbprint,
		unregisterCertificate(thumbprint) {
			return certificates.delete(thumbprint.toUpperCase());
		},
		certificates: certificateViews,
		registerCloudCertificate,
		addDocflow(partial) {
			const docflow: SampleDocflow = {
				id: partial.id ?? crypto.randomUUID(),
				title: partial.title ?? `Документ ${docflows.length + 1}`,
				direction: partial.direction ?? 'Ingoing',
				status: partial.status ?? 'InProgress',
				reglamentCode: partial.reglamentCode ?? 'Nonformalized',
				transactionCode: partial.transactionCode ?? 'PostDocument',
				changedAt: partial.changedAt ?? now(),
			};
			docflows.push(docflow);
			return docflow;
		},
		sessions: () => [...store().byToken.values()],
		session: (token) => store().byToken.get(token),
		log: () => [...store().log],
		expireAll() {
			store().expireAll();
		},
		describe() {
			const base = `v${config.apiVersion}/API`;
			return [
				'Taxcom Docliner Web API emulator',
				`  POST ${base}/CertificateLogin        body: DER certificate → DER CMS EnvelopedData of the token`,
				`  POST ${base}/CloudCertificateLogin   {Certificate:{Thumbprint,Pin?}, CloudCryptoService:{Login,Password}, TrustedCertificate (${config.trustedCertificateEncodings.join('/')})}`,
				`  POST ${base}/ActivateSession         Assistant-Key: <token> (sandbox assumption)`,
				`  GET  ${base}/GetMessageList?DATE=…, GET ${base}/GetContacts, POST ${base}/CheckContragent  (Assistant-Key)`,
				`  Integrator-Id: ${config.integratorIds[0] ?? '(none)'}; cloud login ${config.cloudAccounts[0]?.login ?? '(none)'}, certificate ${config.cloudAccounts[0]?.certificates[0]?.thumbprint ?? '(none)'}`,
				`  tokens: ${config.tokenLifetimeMs.certificate / 1000}s (certificate) / ${config.tokenLifetimeMs.cloud / 1000}s (cloud) sliding; certificates ${config.strictCertificates ? 'registered only' : 'auto-registered'}`,
				'  control: GET __sandbox/state, POST __sandbox/config | certificates | cloud-certificates | expire | reset',
			].join('\n');
		},
	};
	return emulator;
}
