/**
 * Access tokens for a CSC service: a static bearer token, OAuth 2.0 client credentials, or CSC `auth/login`
 * (HTTP Basic). Fetched tokens are cached in-process per account (keyed by a hash of the settings, never a
 * raw secret) until shortly before they expire; a token the service rejects is dropped and fetched once more.
 */
import { BoundedMap } from '../../boundedMap';
import { EdoCryptoError } from '../../crypto/errors';
import { getHttpClient, type HttpClient } from '../../http';
import { cscFailure, protocolError, type CscStep } from './errors';
import { numberField, textField } from './fields';
import { accountKey, type RemoteSignerSettings } from './settings';

interface CachedToken {
	token: string;
	expiresAt: number;
}

/** Renew this long before the announced expiry. */
const EXPIRY_MARGIN_MS = 30_000;
/** When the service does not say, a token is trusted this long (the CSC default is 3600 s). */
const DEFAULT_LIFETIME_MS = 50 * 60_000;
const MAX_CACHED = 256;

const tokens = new BoundedMap<string, CachedToken>(MAX_CACHED);
const pending = new Map<string, Promise<CachedToken>>();

/** Forgets every cached access token (tests). */
export function clearAccessTokens(): void {
	tokens.clear();
	pending.clear();
}

/** Forgets the cached access token of one account. */
export function forgetAccessToken(settings: RemoteSignerSettings): void {
	tokens.delete(accountKey(settings));
}

function basicAuthorization(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Splits an absolute token URL into a base (its directory) and the last segment, for lib/http. */
function splitUrl(url: string): { base: string; path: string } {
	let parsed: URL;
	try {
		parsed = new URL(url.trim());
	} catch {
		throw new EdoCryptoError('INVALID_INPUT', 'The token URL of the EDO Remote Signer credential is not a valid absolute URL', 'Enter it as https://host/path, or leave it empty for oauth2/token under the base URL.');
	}
	const slash = parsed.pathname.lastIndexOf('/');
	return { base: `${parsed.origin}${parsed.pathname.slice(0, slash + 1)}`, path: parsed.pathname.slice(slash + 1) };
}

export interface TokenRequestContext {
	settings: RemoteSignerSettings;
	/** The client of the CSC base URL. */
	http: HttpClient;
	serviceName: string;
	secrets: string[];
}

export class AccessTokens {
	private readonly key: string;

	constructor(private readonly context: TokenRequestContext) {
		this.key = accountKey(context.settings);
	}

	/** Whether a rejected token can be replaced by fetching a new one. */
	get renewable(): boolean {
		const { type } = this.context.settings.auth;
		return type === 'oauth2ClientCredentials' || type === 'cscLogin';
	}

	/** The Authorization header value, or undefined without service authentication. */
	async authorization(): Promise<string | undefined> {
		const { auth } = this.context.settings;
		if (auth.type === 'none') return undefined;
		if (auth.type === 'bearer') return `Bearer ${auth.token.trim()}`;
		const cached = tokens.get(this.key);
		if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
		let fetching = pending.get(this.key);
		if (!fetching) {
			fetching = this.fetch().finally(() => pending.delete(this.key));
			pending.set(this.key, fetching);
		}
		return `Bearer ${(await fetching).token}`;
	}

	/** Drops the cached token if it is still the rejected one (another caller may have renewed it already). */
	reject(authorization: string | undefined): void {
		const cached = tokens.get(this.key);
		if (cached && authorization === `Bearer ${cached.token}`) tokens.delete(this.key);
	}

	private async fetch(): Promise<CachedToken> {
		const { auth } = this.context.settings;
		const step: CscStep = auth.type === 'oauth2ClientCredentials' ? 'oauth2/token' : 'auth/login';
		let body: unknown;
		try {
			body = auth.type === 'oauth2ClientCredentials' ? await this.clientCredentials() : await this.cscLogin();
		} catch (error) {
			throw cscFailure(error, { step, serviceName: this.context.serviceName, secrets: this.context.secrets });
		}
		const token = textField(body, 'access_token', 'accessToken');
		if (!token) throw protocolError({ step, serviceName: this.context.serviceName, secrets: this.context.secrets }, 'an access_token');
		const expiresIn = numberField(body, 'expires_in', 'expiresIn');
		const lifetime = expiresIn !== undefined && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_LIFETIME_MS;
		const entry = { token, expiresAt: Date.now() + Math.max(lifetime - EXPIRY_MARGIN_MS, lifetime / 2) };
		tokens.set(this.key, entry);
		return entry;
	}

	private async clientCredentials(): Promise<unknown> {
		const { settings, secrets } = this.context;
		const auth = settings.auth;
		if (auth.type !== 'oauth2ClientCredentials') throw new Error('unreachable');
		const tokenUrl = auth.tokenUrl?.trim() || `${settings.baseUrl.trim().replace(/\/+$/, '')}/oauth2/token`;
		const { base, path } = splitUrl(tokenUrl);
		const http = getHttpClient({
			baseUrl: base,
			serviceName: `${this.context.serviceName} token endpoint`,
			tls: settings.tls,
			timeouts: this.timeouts(),
			retry: settings.retry,
			secrets,
		});
		const form = new URLSearchParams({ grant_type: 'client_credentials' });
		if (auth.scope?.trim()) form.set('scope', auth.scope.trim());
		const headers: Record<string, string> = { accept: 'application/json' };
		if (auth.clientAuthentication === 'body') {
			form.set('client_id', auth.clientId);
			form.set('client_secret', auth.clientSecret);
		} else {
			// RFC 6749 §2.3.1: form-urlencode the id and secret before joining them.
			headers.authorization = basicAuthorization(encodeURIComponent(auth.clientId), encodeURIComponent(auth.clientSecret));
		}
		const response = await http.request({ method: 'POST', path, body: form, headers, idempotent: true, responseType: 'json' });
		return response.body;
	}

	private async cscLogin(): Promise<unknown> {
		const auth = this.context.settings.auth;
		if (auth.type !== 'cscLogin') throw new Error('unreachable');
		const response = await this.context.http.request({
			method: 'POST',
			path: 'auth/login',
			body: { rememberMe: false },
			headers: { authorization: basicAuthorization(auth.username, auth.password), accept: 'application/json' },
			idempotent: true,
			responseType: 'json',
		});
		return response.body;
	}

	private timeouts() {
		const timeout = this.context.settings.timeoutMs;
		return timeout ? { connectMs: Math.min(timeout, 10_000), headersMs: timeout, bodyMs: timeout } : undefined;
	}
}
