/**
 * A small OpenID Connect provider standing in for identity.kontur.ru, under `<prefix>/identity`:
 *
 *   GET  /identity/.well-known/openid-configuration      discovery (URLs from options.publicUrl or Host)
 *   GET  /identity/.well-known/openid-configuration/jwks the ES256 key that signs id_tokens
 *   GET  /identity/connect/authorize                     signs in the configured user without a page and
 *                                                        redirects to redirect_uri with code, scope, state, iss
 *   POST /identity/connect/token                         authorization_code (PKCE optional) and refresh_token;
 *                                                        client_secret_basic or client_secret_post
 *   GET  /identity/connect/userinfo                      claims of a Bearer access token
 *
 * Access and refresh tokens are opaque; their lifetimes run on the sandbox clock.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, SandboxRouter } from '../../server';
import { OIDC_SCOPES, type DiadocApiClient } from './config';
import { allowMethods, mediaType, traced } from './http';
import type { DiadocState, OidcToken } from './state';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function base64url(bytes: Buffer): string {
	return bytes.toString('base64url');
}

function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}): SandboxResponse {
	return { status, json: { error, error_description: description }, headers: { ...NO_STORE, ...headers } };
}

function plainError(status: number, message: string): SandboxResponse {
	return { status, body: message, headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

function redirectTo(target: string, params: Record<string, string | undefined>): SandboxResponse {
	const url = new URL(target);
	for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
	return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } };
}

export interface IdentityKeys {
	key: KeyObject;
	kid: string;
	jwk: Record<string, unknown>;
}

export function createIdentityKeys(): IdentityKeys {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
	const kid = createHash('sha256').update(JSON.stringify([jwk.x, jwk.y])).digest('hex').slice(0, 16).toUpperCase();
	return { key: privateKey, kid, jwk: { ...jwk, kid, use: 'sig', alg: 'ES256' } };
}

function signJwt(keys: IdentityKeys, payload: Record<string, unknown>): string {
	const header = base64url(Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: keys.kid })));
	const body = base64url(Buffer.from(JSON.stringify(payload)));
	const signature = sign('sha256', Buffer.from(`${header}.${body}`), { key: keys.key, dsaEncoding: 'ieee-p1363' });
	return `${header}.${body}.${base64url(signature)}`;
}

/** The client named by Basic credentials or the form, checked against its secret. */
function authenticateClient(state: DiadocState, request: SandboxRequest, form: URLSearchParams): DiadocApiClient | SandboxResponse {
	const header = request.headers.authorization;
	let clientId = form.get('client_id') ?? undefined;
	let secret = form.get('client_secret') ?? undefined;
	const basic = header && /^basic\s+(.+)$/i.exec(header.trim());
	if (basic) {
		if (secret !== undefined) {
			return oauthError(400, 'invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both.');
		}
		const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return oauthError(401, 'invalid_client', 'Malformed Basic credentials.', { 'WWW-Authenticate': 'Basic realm="identity"' });
		const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
		const basicId = decode(decoded.slice(0, colon));
		if (clientId !== undefined && clientId !== basicId) {
			return oauthError(401, 'invalid_client', 'client_id in the body differs from the Basic credentials.');
		}
		clientId = basicId;
		secret = decode(decoded.slice(colon + 1));
	}
	const challenge = basic ? { 'WWW-Authenticate': 'Basic realm="identity"' } : undefined;
	if (!clientId) return oauthError(401, 'invalid_client', 'Client authentication is required.', challenge);
	const client = state.config.clients.find((candidate) => candidate.clientId === clientId);
	if (!client || secret === undefined || client.clientSecret !== secret) {
		return oauthError(401, 'invalid_client', 'Unknown client or wrong client secret.', challenge);
	}
	return client;
}

function randomToken(): string {
	return base64url(randomBytes(32));
}

export function registerIdentityRoutes(router: SandboxRouter, state: DiadocState, keys: IdentityKeys): void {
	const prefix = router.prefix === '/' ? '' : router.prefix;
	const issuer = (request: SandboxRequest) =>
		`${state.config.options.publicUrl ?? `http://${request.headers.host ?? '127.0.0.1'}`}${prefix}/identity`;

	/** Issues the token answer for an authenticated grant. */
	const tokenAnswer = (request: SandboxRequest, grant: OidcToken, nonce?: string): SandboxResponse => {
		const { options } = state.config;
		const now = state.now();
		const accessToken = randomToken();
		state.accessTokens.set(accessToken, { ...grant, expiresAt: now + options.accessTokenTtlSeconds * 1000 });
		const answer: Record<string, unknown> = {
			access_token: accessToken,
			token_type: 'Bearer',
			expires_in: options.accessTokenTtlSeconds,
			scope: grant.scopes.join(' '),
		};
		if (grant.scopes.includes('offline_access') || !options.requireOfflineAccess) {
			const refreshToken = randomToken();
			state.refreshTokens.set(refreshToken, { ...grant, expiresAt: now + options.refreshTokenTtlSeconds * 1000 });
			answer.refresh_token = refreshToken;
		}
		if (grant.scopes.includes('openid')) {
			const user = state.findUser(grant.login);
			answer.id_token = signJwt(keys, {
				iss: issuer(request),
				sub: user?.userId ?? grant.login,
				aud: grant.clientId,
				iat: Math.floor(now / 1000),
				exp: Math.floor(now / 1000) + options.accessTokenTtlSeconds,
				auth_time: Math.floor(now / 1000),
				...(nonce ? { nonce } : {}),
				...(grant.scopes.includes('email') ? { email: grant.login } : {}),
				...(grant.scopes.includes('profile') && user ? { name: user.fullName } : {}),
			});
		}
		return { status: 200, json: answer, headers: NO_STORE };
	};

	router.route(
		'*',
		'/identity/.well-known/openid-configuration',
		traced((request) => {
			allowMethods(request, 'GET');
			const base = issuer(request);
			return {
				status: 200,
				json: {
					issuer: base,
					authorization_endpoint: `${base}/connect/authorize`,
					token_endpoint: `${base}/connect/token`,
					userinfo_endpoint: `${base}/connect/userinfo`,
					jwks_uri: `${base}/.well-known/openid-configuration/jwks`,
					scopes_supported: OIDC_SCOPES,
					response_types_supported: ['code'],
					response_modes_supported: ['query'],
					grant_types_supported: ['authorization_code', 'refresh_token'],
					subject_types_supported: ['public'],
					id_token_signing_alg_values_supported: ['ES256'],
					token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
					code_challenge_methods_supported: ['plain', 'S256'],
					claims_supported: ['sub', 'email', 'name'],
				},
			};
		}),
	);

	router.route(
		'*',
		'/identity/.well-known/openid-configuration/jwks',
		traced((request) => {
			allowMethods(request, 'GET');
			return { status: 200, json: { keys: [keys.jwk] } };
		}),
	);

	router.route(
		'*',
		'/identity/connect/authorize',
		traced((request) => {
			allowMethods(request, 'GET');
			const query = request.query;
			const client = state.config.clients.find((candidate) => candidate.clientId === query.get('client_id'));
			if (!client) return plainError(400, 'invalid_request: unknown client_id');
			const redirectUri = query.get('redirect_uri');
			if (!redirectUri || !/^https?:\/\/[^\s]+$/i.test(redirectUri)) {
				return plainError(400, 'invalid_request: redirect_uri must be an absolute http(s) URL');
			}
			if (client.redirectUris?.length && !client.redirectUris.includes(redirectUri)) {
				return plainError(400, 'invalid_request: redirect_uri is not registered for this client');
			}
			const clientState = query.get('state') ?? undefined;
			const errorRedirect = (error: string, description: string) =>
				redirectTo(redirectUri, { error, error_description: description, state: clientState });
			if (query.get('response_type') !== 'code') return errorRedirect('unsupported_response_type', 'Only response_type=code is supported.');
			const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
			if (scopes.length === 0) return errorRedirect('invalid_scope', 'The scope parameter is required.');
			const unknown = scopes.filter((scope) => !OIDC_SCOPES.includes(scope));
			if (unknown.length) return errorRedirect('invalid_scope', `Unknown scope: ${unknown.join(' ')}.`);
			const challenge = query.get('code_challenge') ?? undefined;
			const method = query.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
			if (method !== undefined && method !== 'S256' && method !== 'plain') {
				return errorRedirect('invalid_request', 'code_challenge_method must be S256 or plain.');
			}
			if (method !== undefined && !challenge) return errorRedirect('invalid_request', 'code_challenge is missing.');
			const hinted = query.get('login_hint');
			const user = (hinted && state.findUser(hinted)) || state.findUser(state.config.options.oidcLogin);
			if (!user) return errorRedirect('access_denied', 'The sandbox has no user to sign in.');
			const code = randomToken();
			state.authorizationCodes.set(code, {
				login: user.login,
				clientId: client.clientId,
				scopes,
				redirectUri,
				codeChallenge: challenge,
				codeChallengeMethod: method as 'S256' | 'plain' | undefined,
				nonce: query.get('nonce') ?? undefined,
				expiresAt: state.now() + state.config.options.authorizationCodeTtlSeconds * 1000,
				used: false,
			});
			return redirectTo(redirectUri, { code, scope: scopes.join(' '), state: clientState, iss: issuer(request) });
		}),
	);

	router.route(
		'*',
		'/identity/connect/token',
		traced((request) => {
			allowMethods(request, 'POST');
			if (mediaType(request) !== 'application/x-www-form-urlencoded') {
				return oauthError(400, 'invalid_request', 'The token request must be application/x-www-form-urlencoded.');
			}
			const form = new URLSearchParams(request.body.toString('utf8'));
			const client = authenticateClient(state, request, form);
			if (!('clientId' in client)) return client;
			const now = state.now();
			const grantType = form.get('grant_type');
			if (grantType === 'authorization_code') {
				const code = form.get('code') ?? '';
				const grant = state.authorizationCodes.get(code);
				if (!grant || grant.used || grant.expiresAt <= now || grant.clientId !== client.clientId) {
					return oauthError(400, 'invalid_grant', 'The authorization code is invalid, expired, used or issued to another client.');
				}
				if (form.get('redirect_uri') !== grant.redirectUri) {
					return oauthError(400, 'invalid_grant', 'redirect_uri differs from the one sent to /connect/authorize.');
				}
				if (grant.codeChallenge) {
					const verifier = form.get('code_verifier');
					const computed =
						verifier && (grant.codeChallengeMethod === 'S256' ? base64url(createHash('sha256').update(verifier).digest()) : verifier);
					if (!verifier || computed !== grant.codeChallenge) return oauthError(400, 'invalid_grant', 'The PKCE code_verifier does not match.');
				}
				grant.used = true;
				return tokenAnswer(request, { login: grant.login, clientId: grant.clientId, scopes: grant.scopes, expiresAt: 0 }, grant.nonce);
			}
			if (grantType === 'refresh_token') {
				const refreshToken = form.get('refresh_token') ?? '';
				const grant = state.refreshTokens.get(refreshToken);
				if (!grant || grant.expiresAt <= now || grant.clientId !== client.clientId) {
					return oauthError(400, 'invalid_grant', 'The refresh token is invalid, expired, already used or issued to another client.');
				}
				let scopes = grant.scopes;
				const asked = form.get('scope');
				if (asked) {
					const wanted = asked.split(/\s+/).filter(Boolean);
					if (wanted.some((scope) => !grant.scopes.includes(scope))) {
						return oauthError(400, 'invalid_scope', 'A refresh cannot widen the granted scopes.');
					}
					scopes = wanted;
				}
				if (state.config.options.rotateRefreshTokens) state.refreshTokens.delete(refreshToken);
				const answer = tokenAnswer(request, { login: grant.login, clientId: grant.clientId, scopes, expiresAt: 0 });
				if (!state.config.options.rotateRefreshTokens) {
					// Without rotation the client keeps using the token it has.
					const json = answer.json as Record<string, unknown>;
					if (typeof json.refresh_token === 'string') state.refreshTokens.delete(json.refresh_token);
					json.refresh_token = refreshToken;
				}
				return answer;
			}
			return oauthError(400, 'unsupported_grant_type', `grant_type "${grantType ?? ''}" is not supported; use authorization_code or refresh_token.`);
		}),
	);

	router.route(
		'*',
		'/identity/connect/userinfo',
		traced((request) => {
			allowMethods(request, 'GET', 'POST');
			const match = /^bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
			const token = match ? state.accessTokens.get(match[1]) : undefined;
			if (!token || token.expiresAt <= state.now()) {
				return { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } };
			}
			const user = state.findUser(token.login);
			return { status: 200, json: { sub: user?.userId ?? token.login, email: token.login, name: user?.fullName } };
		}),
	);
}
