/**
 * Authentication of API calls (Bearer from the sandbox identity server, or the legacy
 * `DiadocAuth ddauth_api_client_id=…,ddauth_token=…`) and the legacy token methods:
 *
 *   POST /V3/Authenticate?type=password      JSON {login, password} → token (text)
 *   POST /V3/Authenticate?type=certificate   DER certificate (application/octet-stream) → CMS EnvelopedData
 *                                            (DER) of random bytes encrypted to that certificate
 *   POST /V3/AuthenticateConfirm?token=<base64 of the decrypted bytes>&thumbprint=…&saveBinding=…
 *                                            (or the DER certificate as the body) → token (text);
 *                                            /V2/AuthenticateConfirm is the same method (its documented name)
 */
import { randomBytes } from 'node:crypto';
import { encryptCms } from '../../../lib/crypto/cms/encrypt';
import type { SandboxRequest, SandboxResponse } from '../../server';
import { isCertificateDer, thumbprintOf } from './certificate';
import { DIADOC_API_SCOPES, type DiadocUser } from './config';
import { badRequest, booleanQuery, decodeBase64Strict, fail, mediaType, parseThumbprint, readJsonObject } from './http';
import type { DiadocRoutes } from './routes';
import type { DiadocState } from './state';

export interface AuthContext {
	user: DiadocUser;
	clientId: string;
	scheme: 'Bearer' | 'DiadocAuth';
}

/** How long the encrypted certificate-authentication challenge may be confirmed (not documented). */
export const CHALLENGE_TTL_SECONDS = 15 * 60;

const BOTH_CHALLENGES = ['Bearer realm="diadoc-api"', 'DiadocAuth realm="diadoc-api"'];

function unauthorized(message: string, challenge: string | string[] = BOTH_CHALLENGES): never {
	return fail(401, 'Http.Auth', message, { 'WWW-Authenticate': challenge });
}

type ParsedAuthorization =
	| { scheme: 'Bearer'; token: string }
	| { scheme: 'DiadocAuth'; clientId?: string; token?: string };

/** Parses `Bearer <token>` or `DiadocAuth name=value[, ]name=value` (a token may contain "="). */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
	if (!header) return undefined;
	const match = /^([A-Za-z][\w-]*)\s+([\s\S]+)$/.exec(header.trim());
	if (!match) return undefined;
	const scheme = match[1].toLowerCase();
	if (scheme === 'bearer') return { scheme: 'Bearer', token: match[2].trim() };
	if (scheme !== 'diadocauth') return undefined;
	const result: { scheme: 'DiadocAuth'; clientId?: string; token?: string } = { scheme: 'DiadocAuth' };
	for (const part of match[2].split(',')) {
		const equals = part.indexOf('=');
		if (equals < 0) continue;
		const name = part.slice(0, equals).trim().toLowerCase();
		const value = part.slice(equals + 1).trim();
		if (name === 'ddauth_api_client_id') result.clientId = value;
		else if (name === 'ddauth_token') result.token = value;
	}
	return result;
}

function checkClient(state: DiadocState, clientId: string | undefined): string {
	if (!clientId) unauthorized('The Authorization header has no ddauth_api_client_id.', 'DiadocAuth realm="diadoc-api"');
	const client = state.config.clients.find((candidate) => candidate.clientId === clientId);
	if (!client) unauthorized('Invalid API client id', 'DiadocAuth realm="diadoc-api"');
	if (client.blocked) fail(403, 'Http.ClientBlocked', 'The request comes from a blocked API client.');
	return clientId;
}

/** The DiadocAuth client id of a call that obtains a token (Authenticate, AuthenticateConfirm). */
function requireApiClientId(state: DiadocState, request: SandboxRequest): string {
	const parsed = parseAuthorization(request.headers.authorization);
	if (!parsed || parsed.scheme !== 'DiadocAuth') {
		unauthorized('Send "Authorization: DiadocAuth ddauth_api_client_id=<your API client id>".', 'DiadocAuth realm="diadoc-api"');
	}
	return checkClient(state, parsed.clientId);
}

/** Resolves the caller of an API method, or throws 401/403 the way Diadoc answers. */
export function authenticate(state: DiadocState, request: SandboxRequest): AuthContext {
	const header = request.headers.authorization;
	if (!header) unauthorized('The Authorization header is missing.');
	const parsed = parseAuthorization(header);
	if (!parsed) unauthorized('The Authorization header must use the Bearer or DiadocAuth scheme.');
	const now = state.now();
	if (parsed.scheme === 'Bearer') {
		const token = state.accessTokens.get(parsed.token);
		if (!token) unauthorized('The access token is not valid.', 'Bearer realm="diadoc-api", error="invalid_token"');
		if (token.expiresAt <= now) {
			unauthorized(
				'The access token has expired.',
				'Bearer realm="diadoc-api", error="invalid_token", error_description="The access token expired"',
			);
		}
		const client = state.config.clients.find((candidate) => candidate.clientId === token.clientId);
		if (client?.blocked) fail(403, 'Http.ClientBlocked', 'The request comes from a blocked API client.');
		if (!token.scopes.some((scope) => DIADOC_API_SCOPES.includes(scope))) {
			fail(403, 'Http.InsufficientScope', `The access token lacks the ${DIADOC_API_SCOPES.join(' or ')} scope.`, {
				'WWW-Authenticate': `Bearer realm="diadoc-api", error="insufficient_scope", scope="${DIADOC_API_SCOPES[0]}"`,
			});
		}
		const user = state.findUser(token.login);
		if (!user) unauthorized('The token belongs to a user that no longer exists.');
		return { user, clientId: token.clientId, scheme: 'Bearer' };
	}
	const clientId = checkClient(state, parsed.clientId);
	if (!parsed.token) unauthorized('The Authorization header has no ddauth_token.', 'DiadocAuth realm="diadoc-api"');
	const token = state.legacyTokens.get(parsed.token);
	if (!token) unauthorized('The authorization token is not valid.', 'DiadocAuth realm="diadoc-api"');
	if (token.expiresAt <= now) unauthorized('The authorization token has expired.', 'DiadocAuth realm="diadoc-api"');
	if (token.clientId !== clientId) unauthorized('The authorization token was issued to another API client.', 'DiadocAuth realm="diadoc-api"');
	const user = state.findUser(token.login);
	if (!user) unauthorized('The token belongs to a user that no longer exists.', 'DiadocAuth realm="diadoc-api"');
	return { user, clientId, scheme: 'DiadocAuth' };
}

/** A new legacy token (base64, like the real ones, so "+", "/" and "=" occur). */
export function issueLegacyToken(
	state: DiadocState,
	login: string,
	clientId: string,
	via: 'password' | 'certificate' | 'issued',
	ttlSeconds = state.config.options.legacyTokenTtlSeconds,
): string {
	const token = randomBytes(97).toString('base64');
	state.legacyTokens.set(token, { login, clientId, via, expiresAt: state.now() + ttlSeconds * 1000 });
	return token;
}

function tokenAnswer(token: string): SandboxResponse {
	return { status: 200, body: token, headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
	const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : body[key];
	return typeof value === 'string' ? value : undefined;
}

/** DER, or (the doc's other reading) base64 text of the DER; 400 when it is not a certificate. */
function readCertificateBody(body: Buffer): Buffer {
	if (body.length === 0) badRequest('The request body must contain the DER-encoded certificate.');
	if (isCertificateDer(body)) return body;
	const decoded = decodeBase64Strict(body.toString('latin1').trim());
	if (decoded && isCertificateDer(decoded)) return decoded;
	return badRequest('The request body is not an X.509 certificate (DER).');
}

/** 48 random bytes whose base64 has "+" and "/", so a client that forgets to URL-encode it fails visibly. */
function challengeSecret(): Buffer {
	for (;;) {
		const secret = randomBytes(48);
		const text = secret.toString('base64');
		if (text.includes('+') && text.includes('/')) return secret;
	}
}

function authenticateByPassword(state: DiadocState, request: SandboxRequest, clientId: string): SandboxResponse {
	const body = readJsonObject(request);
	const login = stringField(body, 'login');
	const password = stringField(body, 'password');
	if (!login || password === undefined) badRequest('The body must be {"login": "...", "password": "..."}.');
	const user = state.findUser(login);
	if (!user || user.password !== password) unauthorized('Invalid login or password.', 'DiadocAuth realm="diadoc-api"');
	return tokenAnswer(issueLegacyToken(state, user.login, clientId, 'password'));
}

function authenticateByCertificate(state: DiadocState, request: SandboxRequest, clientId: string): SandboxResponse {
	if (mediaType(request) !== 'application/octet-stream') {
		fail(415, 'Http.UnsupportedMediaType', 'Send the certificate with "Content-Type: application/octet-stream".');
	}
	const certificateDer = readCertificateBody(request.body);
	const thumbprint = thumbprintOf(certificateDer);
	const login = state.config.certificates[thumbprint]?.login ?? state.config.options.unknownCertificateLogin;
	if (!login || !state.findUser(login)) {
		state.certificateAuth.push({ thumbprint, phase: 'authenticate', ok: false, reason: 'certificate not bound to a user' });
		fail(403, 'Auth.CertificateNotBound', 'The certificate is not bound to any Diadoc user.');
	}
	const secret = challengeSecret();
	let envelope: Buffer;
	try {
		envelope = encryptCms(secret, certificateDer);
	} catch (caught) {
		state.certificateAuth.push({ thumbprint, phase: 'authenticate', ok: false, reason: 'cannot encrypt' });
		const detail = caught instanceof Error ? caught.message : String(caught);
		return badRequest(`The sandbox cannot encrypt to this certificate (it supports RSA, EC and GOST R 34.10-2012 keys): ${detail}`);
	}
	state.challenges.push({ thumbprint, login, clientId, secret, expiresAt: state.now() + CHALLENGE_TTL_SECONDS * 1000, used: false });
	state.certificateAuth.push({ thumbprint, phase: 'authenticate', ok: true });
	return { status: 200, body: envelope, headers: { 'content-type': 'application/octet-stream' } };
}

function authenticateConfirm(state: DiadocState, request: SandboxRequest): SandboxResponse {
	const clientId = requireApiClientId(state, request);
	const tokenText = request.query.get('token');
	if (!tokenText) badRequest('The query parameter token (base64 of the decrypted bytes) is required.');
	const decrypted = decodeBase64Strict(tokenText);
	if (!decrypted) {
		badRequest('The token parameter is not valid base64; URL-encode it ("+" becomes %2B, "/" %2F, "=" %3D).');
	}
	const thumbprintParam = request.query.get('thumbprint');
	const thumbprint = thumbprintParam ? parseThumbprint(thumbprintParam, 'thumbprint') : thumbprintOf(readCertificateBody(request.body));
	const saveBinding = booleanQuery(request, 'saveBinding', false);
	if (saveBinding && !request.headers['x-diadoc-servicekey']) {
		badRequest('saveBinding=true is only allowed when authenticating with a trusted service key (X-Diadoc-ServiceKey).');
	}
	const now = state.now();
	const challenge = state.challenges.find(
		(candidate) => !candidate.used && candidate.thumbprint === thumbprint && candidate.secret.equals(decrypted),
	);
	if (!challenge || challenge.expiresAt <= now || challenge.clientId !== clientId) {
		state.certificateAuth.push({ thumbprint, phase: 'confirm', ok: false, saveBinding, reason: 'random bytes not found' });
		fail(403, 'Auth.RndBytesNotFound', 'The decrypted token does not match any pending certificate authentication.');
	}
	challenge.used = true;
	state.certificateAuth.push({ thumbprint, phase: 'confirm', ok: true, saveBinding });
	// Authenticating with the certificate proves possession of its key, which Register accepts as proof.
	state.markOwnershipProven(thumbprint);
	return tokenAnswer(issueLegacyToken(state, challenge.login, clientId, 'certificate'));
}

export function registerAuthRoutes(routes: DiadocRoutes, state: DiadocState): void {
	routes.open('/V3/Authenticate', ['POST'], (request) => {
		const clientId = requireApiClientId(state, request);
		const type = request.query.get('type');
		if (!type) badRequest('The query parameter type is required (password, certificate, sid or trust).');
		switch (type.toLowerCase()) {
			case 'password':
				return authenticateByPassword(state, request, clientId);
			case 'certificate':
				return authenticateByCertificate(state, request, clientId);
			case 'sid':
			case 'trust':
				return badRequest(`Authentication type "${type}" is not emulated by the sandbox; use password or certificate.`);
			default:
				return badRequest(`Unknown authentication type "${type}".`);
		}
	});
	routes.open('/V3/AuthenticateConfirm', ['POST'], (request) => authenticateConfirm(state, request));
	routes.open('/V2/AuthenticateConfirm', ['POST'], (request) => authenticateConfirm(state, request));
}
