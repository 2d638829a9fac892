/**
 * A Cloud Signature Consortium API v2 endpoint (with the v1 forms) over a Keystore, plus one extension,
 * `x-edo/decrypt`. `CscSignerService.handle()` is transport-free, so the same service runs behind node's HTTP(S)
 * server (`startSignerServer`, `npm run signer`) and inside the sandbox (`sandbox/emulators/signer.ts`).
 *
 * Methods (all POST + JSON under <root>/csc/v2/ and, identically, /csc/v1/):
 *   info                                      public
 *   auth/login, oauth2/token                  HTTP Basic user / OAuth2 client credentials → bearer token
 *   auth/revoke, oauth2/revoke                bearer
 *   credentials/list, credentials/info        bearer
 *   credentials/authorize                     bearer + PIN → SAD (numSignatures, optionally bound to hashes)
 *   credentials/extendTransaction             bearer + SAD → new SAD
 *   signatures/signHash                       bearer + SAD
 *   x-edo/decrypt                             bearer + SAD (one use per envelope), see README
 * The log (options.log) gets method, credential id, status and error code: never PINs, SADs, tokens or data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { Certificate } from '../lib/crypto/certificate';
import { isEdoCryptoError } from '../lib/crypto/errors';
import { AlgorithmError, resolveSignature, SUPPORTED_SIGN_ALGORITHMS } from './algorithms';
import {
	CscError,
	decodeBase64,
	digestList,
	field,
	invalidRequest,
	isObject,
	optionalBoolean,
	optionalInteger,
	optionalText,
	pinOf,
	requiredText,
	type JsonObject,
} from './fields';
import { KeystoreError, signAlgorithmsFor, type Keystore, type KeystoreCredential } from './keystore';
import { AccessTokens, SadStore, type SadRecord } from './sessions';

export const CSC_SPECS = { v1: '1.0.4.0', v2: '2.0.0.2' } as const;
export const DECRYPT_METHOD = 'x-edo/decrypt';
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface SignerClient {
	clientId: string;
	clientSecret: string;
}

export interface SignerUser {
	username: string;
	password: string;
}

export interface CscSignerConfig {
	/** info.name */
	name: string;
	/** OAuth2 client credentials (oauth2/token). */
	clients: SignerClient[];
	/** auth/login users (HTTP Basic). */
	users: SignerUser[];
	/** Static bearer tokens accepted as they are. */
	tokens: string[];
	accessTokenLifetimeSeconds: number;
	/** SAD lifetime (credentials/authorize expiresIn). */
	sadLifetimeSeconds: number;
	/** Wrong PINs in a row before the credential locks; 0 = never. */
	maxPinAttempts: number;
	/** The most numSignatures one SAD may authorize (credentials/info multisign). */
	multisign: number;
	/** Revoked credentials, by credential id or SHA-1 certificate thumbprint. */
	revoked: string[];
}

export interface CscSignerOptions extends Partial<CscSignerConfig> {
	keystore: Keystore;
	/** Milliseconds since the epoch: SAD and token expiry, certificate validity. */
	now?: () => number;
	log?: (line: string) => void;
}

export interface CscRequest {
	/** HTTP method. */
	method: string;
	/** The API method, e.g. "credentials/info". */
	operation: string;
	version: 'v1' | 'v2';
	/** Lower-case names. */
	headers: Record<string, string>;
	body: Buffer;
	/** The API base as the caller reached it, e.g. "https://127.0.0.1:8443/csc/v2/" (info.oauth2). */
	apiBaseUrl: string;
}

export interface CscResponse {
	status: number;
	headers?: Record<string, string>;
	json?: unknown;
}

export const DEFAULT_SIGNER_CONFIG: Omit<CscSignerConfig, 'clients' | 'users' | 'tokens' | 'revoked'> = {
	name: 'n8n-nodes-edo remote signer',
	accessTokenLifetimeSeconds: 3600,
	sadLifetimeSeconds: 300,
	maxPinAttempts: 3,
	multisign: 100,
};

const METHODS = [
	'auth/login',
	'auth/revoke',
	'oauth2/token',
	'oauth2/revoke',
	'credentials/list',
	'credentials/info',
	'credentials/authorize',
	'credentials/extendTransaction',
	'signatures/signHash',
	DECRYPT_METHOD,
];
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function digestOf(text: string): Buffer {
	return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time equality of two secrets of any length (their SHA-256 digests are compared). */
export function secretsEqual(given: string, expected: string): boolean {
	return timingSafeEqual(digestOf(given), digestOf(expected));
}

/** GeneralizedTime text as CSC writes validFrom/validTo: YYYYMMDDHHMMSSZ. */
function cscTime(date: Date): string {
	return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

interface CredentialState {
	failures: number;
	locked: boolean;
}

export class CscSignerService {
	readonly keystore: Keystore;
	readonly sads = new SadStore();
	readonly accessTokens = new AccessTokens();
	private config: CscSignerConfig;
	private readonly now: () => number;
	private readonly log?: (line: string) => void;
	private readonly states = new Map<string, CredentialState>();

	constructor(options: CscSignerOptions) {
		const { keystore, now, log, ...config } = options;
		this.keystore = keystore;
		this.now = now ?? Date.now;
		this.log = log;
		this.config = { ...DEFAULT_SIGNER_CONFIG, clients: [], users: [], tokens: [], revoked: [], ...config };
	}

	get settings(): Readonly<CscSignerConfig> {
		return this.config;
	}

	/** Changes settings at run time (the sandbox's config endpoint). */
	configure(patch: Partial<CscSignerConfig>): Readonly<CscSignerConfig> {
		this.config = { ...this.config, ...patch };
		return this.config;
	}

	revoke(credentialIdOrThumbprint: string): void {
		if (!this.isRevokedName(credentialIdOrThumbprint)) this.config.revoked = [...this.config.revoked, credentialIdOrThumbprint];
		this.sads.dropCredential(credentialIdOrThumbprint);
	}

	unrevoke(credentialIdOrThumbprint: string): void {
		const wanted = credentialIdOrThumbprint.toUpperCase();
		this.config.revoked = this.config.revoked.filter((entry) => entry.toUpperCase() !== wanted);
	}

	/** Clears the wrong-PIN counter and the lock of a credential. */
	unlock(credentialId: string): void {
		this.states.delete(credentialId);
	}

	lockState(credentialId: string): { failures: number; locked: boolean } {
		return { ...(this.states.get(credentialId) ?? { failures: 0, locked: false }) };
	}

	/** Forgets tokens, SADs and PIN counters (not the settings). */
	resetSessions(): void {
		this.sads.clear();
		this.accessTokens.clear();
		this.states.clear();
	}

	async handle(request: CscRequest): Promise<CscResponse> {
		let credentialId: string | undefined;
		let response: CscResponse;
		try {
			const body = this.parseBody(request);
			const candidate = isObject(body) ? field(body, 'credentialID') : undefined;
			if (typeof candidate === 'string') credentialId = candidate;
			response = await this.dispatch(request, body);
		} catch (caught) {
			response = this.errorResponse(caught);
		}
		const error = isObject(response.json) && typeof response.json.error === 'string' ? ` ${response.json.error}` : '';
		this.log?.(`${request.operation} ${credentialId === undefined ? '-' : JSON.stringify(credentialId).slice(0, 80)} ${response.status}${error}`);
		return response;
	}

	// ------------------------------------------------------------------ dispatch

	private async dispatch(request: CscRequest, body: JsonObject | URLSearchParams): Promise<CscResponse> {
		const { operation } = request;
		const known = operation === 'info' || METHODS.includes(operation);
		if (!known) throw new CscError(404, 'invalid_request', `Unknown method ${operation.slice(0, 60)}`);
		if (request.method !== 'POST' && !(operation === 'info' && request.method === 'GET')) {
			throw new CscError(405, 'invalid_request', `Use POST for ${operation}`, { allow: 'POST' });
		}
		if (operation === 'oauth2/token') return this.oauth2Token(request, body);
		if (body instanceof URLSearchParams) throw invalidRequest('The request body must be JSON');
		if (operation === 'info') return this.info(request);
		if (operation === 'auth/login') return this.authLogin(request);
		const principal = this.authenticate(request);
		switch (operation) {
			case 'auth/revoke':
			case 'oauth2/revoke':
				return this.authRevoke(body);
			case 'credentials/list':
				return this.credentialsList(body);
			case 'credentials/info':
				return this.credentialsInfo(body);
			case 'credentials/authorize':
				return await this.credentialsAuthorize(body, principal);
			case 'credentials/extendTransaction':
				return await this.extendTransaction(body, principal);
			case 'signatures/signHash':
				return await this.signHash(body, principal);
			default:
				return await this.decrypt(body, principal);
		}
	}

	private parseBody(request: CscRequest): JsonObject | URLSearchParams {
		const text = request.body.toString('utf8').replace(/^\uFEFF/, '');
		const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (type === 'application/x-www-form-urlencoded') return new URLSearchParams(text);
		if (text.trim() === '') return {};
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			if (request.operation === 'oauth2/token') return new URLSearchParams(text);
			throw invalidRequest('The request body is not valid JSON');
		}
		if (!isObject(parsed)) throw invalidRequest('The request body must be a JSON object');
		return parsed;
	}

	private errorResponse(caught: unknown): CscResponse {
		if (caught instanceof CscError) {
			return {
				status: caught.status,
				headers: { ...NO_STORE, ...caught.headers },
				json: { error: caught.error, error_description: caught.description, ...caught.extra },
			};
		}
		if (caught instanceof KeystoreError) {
			return this.errorResponse(new CscError(503, 'temporarily_unavailable', `The key store failed: ${caught.message}`));
		}
		return this.errorResponse(new CscError(500, 'server_error', 'The remote service encountered an unexpected condition that prevented it from fulfilling the request.'));
	}

	// ------------------------------------------------------------------ service authentication

	private authenticate(request: CscRequest): string {
		const header = request.headers.authorization ?? '';
		const bearer = /^bearer\s+(\S+)\s*$/i.exec(header);
		if (!bearer) {
			throw new CscError(401, 'invalid_request', 'Missing Authorization: Bearer access token', { 'www-authenticate': 'Bearer realm="csc"' });
		}
		const token = bearer[1];
		const record = this.accessTokens.find(token, this.now());
		if (record) return record.principal;
		const staticIndex = this.config.tokens.findIndex((candidate) => secretsEqual(token, candidate));
		if (staticIndex >= 0) return `token:${staticIndex + 1}`;
		throw new CscError(401, 'invalid_token', 'The access token is not valid or has expired', {
			'www-authenticate': 'Bearer realm="csc", error="invalid_token"',
		});
	}

	private basicCredentials(request: CscRequest): { name: string; secret: string } | undefined {
		const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
		if (!basic) return undefined;
		const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return undefined;
		return { name: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
	}

	private authLogin(request: CscRequest): CscResponse {
		const given = this.basicCredentials(request);
		// Every configured user is compared, so the time taken does not tell which usernames exist.
		let principal: string | undefined;
		for (const user of this.config.users) {
			const match = given !== undefined && secretsEqual(given.name, user.username) && secretsEqual(given.secret, user.password);
			if (match) principal = `user:${user.username}`;
		}
		if (!principal) {
			throw new CscError(401, 'authentication_error', 'Wrong username or password (auth/login takes HTTP Basic authentication)', {
				'www-authenticate': 'Basic realm="csc"',
			});
		}
		const lifetime = this.config.accessTokenLifetimeSeconds;
		const token = this.accessTokens.issue(principal, lifetime * 1000, this.now());
		return { status: 200, headers: NO_STORE, json: { access_token: token, expires_in: lifetime } };
	}

	private oauth2Token(request: CscRequest, body: JsonObject | URLSearchParams): CscResponse {
		const form = body instanceof URLSearchParams ? body : new URLSearchParams(Object.entries(body).map(([key, value]): [string, string] => [key, String(value)]));
		const grantType = form.get('grant_type');
		if (!grantType) throw new CscError(400, 'invalid_request', 'Missing parameter grant_type');
		const basic = this.basicCredentials(request);
		const formSecret = form.get('client_secret');
		if (basic && formSecret !== null) throw new CscError(400, 'invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body');
		const decode = (text: string) => {
			try {
				return decodeURIComponent(text.replace(/\+/g, ' '));
			} catch {
				return text;
			}
		};
		const clientId = basic ? decode(basic.name) : form.get('client_id');
		const secret = basic ? decode(basic.secret) : formSecret;
		let client: SignerClient | undefined;
		for (const candidate of this.config.clients) {
			if (clientId !== null && secret !== null && secretsEqual(clientId, candidate.clientId) && secretsEqual(secret, candidate.clientSecret)) client = candidate;
		}
		if (!client) {
			throw new CscError(401, 'invalid_client', 'Client authentication failed (unknown client or wrong secret)', basic ? { 'www-authenticate': 'Basic realm="csc"' } : {});
		}
		if (grantType !== 'client_credentials') {
			throw new CscError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
		}
		const lifetime = this.config.accessTokenLifetimeSeconds;
		const token = this.accessTokens.issue(`client:${client.clientId}`, lifetime * 1000, this.now());
		return { status: 200, headers: NO_STORE, json: { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: 'service' } };
	}

	private authRevoke(body: JsonObject): CscResponse {
		const token = requiredText(body, 'token', 'token');
		this.accessTokens.revoke(token);
		return { status: 204 };
	}

	// ------------------------------------------------------------------ info and credentials

	private info(request: CscRequest): CscResponse {
		const authType: string[] = [];
		if (this.config.clients.length) authType.push('oauth2client');
		if (this.config.users.length) authType.push('basic');
		if (this.config.tokens.length) authType.push('external');
		return {
			status: 200,
			json: {
				specs: CSC_SPECS[request.version],
				name: this.config.name,
				logo: '',
				region: 'RU',
				lang: 'en-US',
				description: `Remote signing with ${this.keystore.description}; CSC ${CSC_SPECS.v2} signHash plus the ${DECRYPT_METHOD} extension.`,
				authType,
				oauth2: request.apiBaseUrl,
				asynchronousOperationMode: false,
				methods: METHODS,
				signAlgorithms: { algos: SUPPORTED_SIGN_ALGORITHMS },
				extensions: { [DECRYPT_METHOD]: 'CMS EnvelopedData/AuthEnvelopedData decryption with the credential key (see the signer README)' },
			},
		};
	}

	private async credential(id: string): Promise<KeystoreCredential> {
		const found = (await this.keystore.list()).find((credential) => credential.id === id);
		if (!found) throw invalidRequest('Invalid parameter credentialID');
		return found;
	}

	private isRevokedName(name: string): boolean {
		const wanted = name.toUpperCase();
		return this.config.revoked.some((entry) => entry.toUpperCase() === wanted);
	}

	private certificateStatus(credential: KeystoreCredential): 'valid' | 'expired' | 'revoked' | 'suspended' {
		if (this.isRevokedName(credential.id) || this.isRevokedName(credential.certificate.thumbprint)) return 'revoked';
		const now = this.now();
		if (now > credential.certificate.notAfter.getTime()) return 'expired';
		// CSC has no "not yet valid"; such a certificate cannot be used yet, which is what suspended says.
		if (now < credential.certificate.notBefore.getTime()) return 'suspended';
		return 'valid';
	}

	private describeCertificate(certificate: Certificate): string {
		const commonName = certificate.subjectRdns.flat().find((attribute) => attribute.oid === '2.5.4.3')?.value;
		const organization = certificate.subjectRdns.flat().find((attribute) => attribute.oid === '2.5.4.10')?.value;
		return [organization && `O=${organization}`, commonName && `CN=${commonName}`].filter(Boolean).join(',') || certificate.thumbprint;
	}

	/** Refuses a credential that cannot sign now: revoked, expired, not yet valid, locked. */
	private assertUsable(credential: KeystoreCredential): void {
		const status = this.certificateStatus(credential);
		if (status !== 'valid') {
			const what = { expired: 'is expired', revoked: 'is revoked', suspended: 'is not valid yet' }[status];
			throw invalidRequest(`Signing certificate '${this.describeCertificate(credential.certificate)}' ${what}.`, { credentialStatus: status });
		}
		if (this.states.get(credential.id)?.locked) throw this.lockedError(credential.id);
	}

	private lockedError(credentialId: string): CscError {
		return invalidRequest(
			`PIN locked: the credential ${credentialId} is locked after ${this.config.maxPinAttempts} wrong PINs; the signer's operator must unlock it.`,
			{ credentialStatus: 'locked' },
		);
	}

	private credentialInfo(credential: KeystoreCredential, options: { certificates: string; certInfo: boolean }): JsonObject {
		const { certificate, key } = credential;
		const locked = this.states.get(credential.id)?.locked === true;
		const cert: JsonObject = { status: this.certificateStatus(credential) };
		if (options.certificates === 'single') cert.certificates = [certificate.der.toString('base64')];
		if (options.certificates === 'chain') cert.certificates = [certificate, ...credential.chain].map((entry) => entry.der.toString('base64'));
		if (options.certInfo) {
			cert.issuerDN = certificate.issuer;
			cert.serialNumber = certificate.serialNumber;
			cert.subjectDN = certificate.subject;
			cert.validFrom = cscTime(certificate.notBefore);
			cert.validTo = cscTime(certificate.notAfter);
		}
		const pin = {
			presence: 'true',
			format: this.keystore.pinFormat,
			label: 'PIN',
			description: 'The PIN of the key (the token user PIN in PKCS#11 mode)',
		};
		return {
			description: credential.label ?? `${key.family} key ${credential.id}`,
			key: {
				status: locked ? 'disabled' : 'enabled',
				algo: signAlgorithmsFor(key),
				len: key.bits,
				...(key.curveOid ? { curve: key.curveOid } : {}),
			},
			cert,
			authMode: 'explicit',
			PIN: pin,
			OTP: { presence: 'false' },
			auth: { mode: 'explicit', expression: 'PIN', objects: [{ type: 'Password', id: 'PIN', format: pin.format, label: pin.label, description: pin.description }] },
			SCAL: '1',
			multisign: this.config.multisign,
			lang: 'en-US',
		};
	}

	private infoOptions(body: JsonObject): { certificates: string; certInfo: boolean } {
		const certificates = optionalText(body, 'certificates', 'certificates') ?? 'single';
		if (!['none', 'single', 'chain'].includes(certificates)) throw invalidRequest('Invalid parameter certificates');
		return { certificates, certInfo: optionalBoolean(body, 'certInfo') ?? false };
	}

	private async credentialsList(body: JsonObject): Promise<CscResponse> {
		const withInfo = optionalBoolean(body, 'credentialInfo') ?? false;
		const onlyValid = optionalBoolean(body, 'onlyValid') ?? false;
		const maxResults = optionalInteger(body, 'maxResults', 'maxResults');
		const pageToken = optionalText(body, 'pageToken', 'pageToken');
		const options = this.infoOptions(body);
		let credentials = await this.keystore.list();
		if (onlyValid) credentials = credentials.filter((credential) => this.certificateStatus(credential) === 'valid' && !this.states.get(credential.id)?.locked);
		const start = pageToken === undefined ? 0 : Number(pageToken);
		if (!Number.isSafeInteger(start) || start < 0 || start > credentials.length) throw invalidRequest('Invalid parameter pageToken');
		if (maxResults !== undefined && maxResults < 1) throw invalidRequest('Invalid parameter maxResults');
		const end = maxResults === undefined ? credentials.length : Math.min(credentials.length, start + maxResults);
		const page = credentials.slice(start, end);
		const json: JsonObject = { credentialIDs: page.map((credential) => credential.id) };
		if (withInfo) json.credentialInfos = page.map((credential) => ({ credentialID: credential.id, ...this.credentialInfo(credential, options) }));
		if (end < credentials.length) json.nextPageToken = String(end);
		return { status: 200, json };
	}

	private async credentialsInfo(body: JsonObject): Promise<CscResponse> {
		const credential = await this.credential(requiredText(body, 'credentialID', 'credentialID'));
		return { status: 200, json: this.credentialInfo(credential, this.infoOptions(body)) };
	}

	// ------------------------------------------------------------------ authorization

	private async credentialsAuthorize(body: JsonObject, principal: string): Promise<CscResponse> {
		const credential = await this.credential(requiredText(body, 'credentialID', 'credentialID'));
		const numSignatures = optionalInteger(body, 'numSignatures', 'numSignatures');
		if (numSignatures === undefined) throw invalidRequest('Missing (or invalid type) integer parameter numSignatures');
		if (numSignatures < 1) throw invalidRequest('Invalid value for parameter numSignatures');
		if (numSignatures > this.config.multisign) throw invalidRequest(`Numbers of signatures is too high (at most ${this.config.multisign})`);
		const hashes = digestList(body, false);
		if (hashes && hashes.length > numSignatures) throw invalidRequest('More hash values than numSignatures');
		this.assertUsable(credential);
		const pin = pinOf(body);
		if (pin === undefined) throw invalidRequest('Missing (or invalid type) string parameter PIN (or authData entry "PIN")');
		await this.checkPin(credential.id, pin);
		let bound: Map<string, number> | undefined;
		if (hashes) {
			bound = new Map();
			for (const hash of hashes) bound.set(hash.toString('hex'), (bound.get(hash.toString('hex')) ?? 0) + 1);
		}
		const lifetime = this.config.sadLifetimeSeconds;
		const sad = this.sads.issue(
			{ credentialId: credential.id, principal, remaining: numSignatures, hashes: bound, expiresAt: this.now() + lifetime * 1000, pin },
			this.now(),
		);
		return { status: 200, headers: NO_STORE, json: { SAD: sad, expiresIn: lifetime } };
	}

	private async checkPin(credentialId: string, pin: string): Promise<void> {
		const state = this.states.get(credentialId) ?? { failures: 0, locked: false };
		try {
			await this.keystore.checkPin(credentialId, pin);
		} catch (caught) {
			if (!(caught instanceof KeystoreError)) throw caught;
			if (caught.kind === 'pin_locked') {
				this.states.set(credentialId, { failures: state.failures, locked: true });
				this.sads.dropCredential(credentialId);
				throw this.lockedError(credentialId);
			}
			if (caught.kind === 'key_not_found') throw invalidRequest('Invalid parameter credentialID: the key store holds no private key for it');
			if (caught.kind !== 'pin_incorrect') throw caught;
			const failures = state.failures + 1;
			const max = this.config.maxPinAttempts;
			const locked = max > 0 && failures >= max;
			this.states.set(credentialId, { failures, locked });
			if (locked) {
				this.sads.dropCredential(credentialId);
				throw new CscError(400, 'invalid_pin', `The PIN is invalid; the credential is now locked (PIN locked after ${max} wrong PINs)`, {}, { credentialStatus: 'locked' });
			}
			const left = max > 0 ? ` (${max - failures} attempt${max - failures === 1 ? '' : 's'} left)` : '';
			throw new CscError(400, 'invalid_pin', `The PIN is invalid${left}`);
		}
		this.states.delete(credentialId);
	}

	private sadError(status: string, remaining?: number): CscError {
		switch (status) {
			case 'expired':
				return invalidRequest('SAD expired');
			case 'other-credential':
				return invalidRequest('Invalid parameter SAD: it was issued for another credential');
			case 'exhausted':
				return invalidRequest(`SAD exhausted: it authorizes ${remaining ?? 0} more operation(s); call credentials/authorize again`);
			case 'hash-not-authorized':
				return invalidRequest('Hash is not authorized by the SAD.');
			default:
				return invalidRequest('Invalid parameter SAD');
		}
	}

	private consumeSad(body: JsonObject, principal: string, credentialId: string, count: number, digests: string[] | undefined): SadRecord {
		const sad = requiredText(body, 'SAD', 'SAD');
		const lookup = this.sads.consume(sad, principal, credentialId, count, digests, this.now());
		if (lookup.status !== 'ok') throw this.sadError(lookup.status, lookup.remaining);
		return lookup.record;
	}

	private async extendTransaction(body: JsonObject, principal: string): Promise<CscResponse> {
		const credential = await this.credential(requiredText(body, 'credentialID', 'credentialID'));
		this.assertUsable(credential);
		const sad = requiredText(body, 'SAD', 'SAD');
		const lifetime = this.config.sadLifetimeSeconds;
		const result = this.sads.extend(sad, principal, credential.id, lifetime * 1000, this.now());
		if ('status' in result) throw this.sadError(result.status);
		return { status: 200, headers: NO_STORE, json: { SAD: result.sad, expiresIn: lifetime } };
	}

	// ------------------------------------------------------------------ operations

	private async signHash(body: JsonObject, principal: string): Promise<CscResponse> {
		const credential = await this.credential(requiredText(body, 'credentialID', 'credentialID'));
		const hashes = digestList(body, true) as Buffer[];
		const signAlgo = requiredText(body, 'signAlgo', 'signAlgo');
		const hashOid = optionalText(body, 'hashAlgorithmOID', 'hashAlgorithmOID', 'hashAlgo');
		const mode = optionalText(body, 'operationMode', 'operationMode');
		if (mode !== undefined && mode !== 'S') throw invalidRequest('Invalid parameter operationMode: only "S" (synchronous) is supported');
		let resolved;
		try {
			resolved = resolveSignature(credential.key, signAlgo, hashOid, hashes);
		} catch (caught) {
			if (caught instanceof AlgorithmError) throw invalidRequest(caught.message);
			throw caught;
		}
		this.assertUsable(credential);
		const record = this.consumeSad(body, principal, credential.id, hashes.length, hashes.map((hash) => hash.toString('hex')));
		try {
			const signatures = await this.keystore.sign(credential.id, record.pin.toString('utf8'), resolved.operations);
			return { status: 200, json: { signatures: signatures.map((signature) => signature.toString('base64')) } };
		} catch (caught) {
			throw this.operationError(caught, credential.id);
		} finally {
			this.sads.settle(record);
		}
	}

	private async decrypt(body: JsonObject, principal: string): Promise<CscResponse> {
		const credential = await this.credential(requiredText(body, 'credentialID', 'credentialID'));
		const envelopeText = requiredText(body, 'envelope', 'envelope');
		const envelope = decodeBase64(envelopeText);
		if (!envelope || envelope.length === 0) throw invalidRequest('Invalid parameter envelope: base64 of a DER CMS EnvelopedData or AuthEnvelopedData expected');
		this.assertUsable(credential);
		const digest = createHash('sha256').update(envelope).digest('hex');
		const record = this.consumeSad(body, principal, credential.id, 1, [digest]);
		try {
			const content = await this.keystore.decrypt(credential.id, record.pin.toString('utf8'), envelope);
			return { status: 200, headers: NO_STORE, json: { content: content.toString('base64') } };
		} catch (caught) {
			throw this.operationError(caught, credential.id);
		} finally {
			this.sads.settle(record);
		}
	}

	private operationError(caught: unknown, credentialId: string): unknown {
		if (isEdoCryptoError(caught)) return invalidRequest(caught.message, { edoCode: caught.code });
		if (caught instanceof KeystoreError) {
			if (caught.kind === 'pin_incorrect') return new CscError(400, 'invalid_pin', 'The PIN is invalid (it changed since credentials/authorize)');
			if (caught.kind === 'pin_locked') {
				this.states.set(credentialId, { failures: 0, locked: true });
				return this.lockedError(credentialId);
			}
			if (caught.kind === 'unsupported') return invalidRequest(caught.message);
			if (caught.kind === 'key_not_found') return invalidRequest('Invalid parameter credentialID: the key store holds no private key for it');
		}
		return caught;
	}
}

// ---------------------------------------------------------------------- standalone HTTP(S) server

export interface SignerServerOptions {
	/** Default 127.0.0.1: the endpoint is for this machine unless told otherwise. */
	host?: string;
	/** Default 0 (any free port). */
	port?: number;
	/** PEM certificate and key; plain HTTP when absent. */
	tls?: { certPem: string; keyPem: string };
}

export interface RunningSignerServer {
	/** The server root, e.g. https://127.0.0.1:8443 */
	url: string;
	/** The CSC v2 base URL, e.g. https://127.0.0.1:8443/csc/v2/ */
	apiUrl: string;
	close(): Promise<void>;
}

const API_PATH = /^\/csc\/(v1|v2)\/(.+?)\/?$/;

/** Maps a request path to the CSC method: "/csc/v2/credentials/info" → { version: 'v2', operation }. */
export function cscOperation(path: string): { version: 'v1' | 'v2'; operation: string } | undefined {
	const match = API_PATH.exec(path);
	return match ? { version: match[1] as 'v1' | 'v2', operation: match[2] } : undefined;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new CscError(413, 'invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes`));
				request.resume();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

function send(response: ServerResponse, reply: CscResponse): void {
	if (response.headersSent) return;
	const payload = reply.json === undefined ? undefined : Buffer.from(JSON.stringify(reply.json));
	const headers: Record<string, string> = { ...reply.headers };
	if (payload) headers['content-type'] = 'application/json; charset=utf-8';
	headers['content-length'] = String(payload?.length ?? 0);
	response.writeHead(reply.status, headers);
	response.end(payload);
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
	return headers;
}

/** Serves the service at <root>/csc/v2/ and <root>/csc/v1/ over HTTP or, with `tls`, HTTPS. */
export async function startSignerServer(service: CscSignerService, options: SignerServerOptions = {}): Promise<RunningSignerServer> {
	const host = options.host ?? '127.0.0.1';
	const scheme = options.tls ? 'https' : 'http';
	const listener = (request: IncomingMessage, response: ServerResponse) => {
		void (async () => {
			const path = new URL(request.url ?? '/', 'http://signer.invalid').pathname;
			const route = cscOperation(path);
			if (!route) {
				send(response, { status: 404, json: { error: 'invalid_request', error_description: 'Not a CSC API path; the API is under /csc/v2/' } });
				request.resume();
				return;
			}
			let body: Buffer;
			try {
				body = await readBody(request);
			} catch (caught) {
				const status = caught instanceof CscError ? caught.status : 400;
				send(response, { status, headers: { connection: 'close' }, json: { error: 'invalid_request', error_description: caught instanceof CscError ? caught.description : 'The request body could not be read' } });
				return;
			}
			const hostHeader = request.headers.host ?? `${host}`;
			const reply = await service.handle({
				method: (request.method ?? 'GET').toUpperCase(),
				operation: route.operation,
				version: route.version,
				headers: flatHeaders(request),
				body,
				apiBaseUrl: `${scheme}://${hostHeader}/csc/${route.version}/`,
			});
			send(response, reply);
		})().catch(() => send(response, { status: 500, json: { error: 'server_error', error_description: 'The request failed' } }));
	};
	const server: Server = options.tls ? createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener) : createHttpServer(listener);
	server.on('tlsClientError', () => undefined);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
	const url = `${scheme}://${shownHost}:${port}`;
	return {
		url,
		apiUrl: `${url}/csc/v2/`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
