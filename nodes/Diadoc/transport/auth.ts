/**
 * The `Authorization` header of Diadoc API calls, and how to renew it after a 401:
 * - OAuth2 (OpenID Connect): `Bearer <access token>`; renewing asks n8n to refresh the token, which n8n also
 *   stores in the credential (rotated refresh tokens survive the execution).
 * - Legacy DiadocAuth: `DiadocAuth ddauth_api_client_id=<id>,ddauth_token=<token>` (the SDKs' form, without a
 *   space); the token comes from login + password, from the certificate flow, or is pasted by the user.
 */
import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import { isHttpError, type HttpClient, type HttpError } from '../../../lib/http';
import type { Signer } from '../../../lib/crypto/signer';
import { DiadocUsageError } from './errors';
import { accessTokenOf, OAUTH2_CREDENTIAL, type LegacySettings } from './settings';
import { cachedToken, forgetToken, secretFingerprint, tokenCacheKey } from './tokenCache';

export interface DiadocAuthorizer {
	/** Names the scheme in messages: 'OAuth2' or 'DiadocAuth (password)'. */
	readonly scheme: string;
	authorization(): Promise<string>;
	/**
	 * After a 401 to a request sent with `failed`: gets fresh credentials. False when that is impossible
	 * (a pasted token), so the 401 stands.
	 */
	renew(failed: string): Promise<boolean>;
	/** Values to redact from errors. */
	secrets(): string[];
}

/** A copy of an HttpError with a message prefix and another hint (HttpError fields are read-only). */
export function reframeHttpError(error: HttpError, prefix: string, hint?: string): HttpError {
	return error.withChanges({ message: `${prefix}${error.message}`, hint });
}

// ---------------------------------------------------------------------------------------------------------
// OAuth2

export class OAuth2Authorizer implements DiadocAuthorizer {
	readonly scheme = 'OAuth2';
	private accessToken: string;
	private refreshing?: Promise<boolean>;

	constructor(
		private readonly ctx: IExecuteFunctions,
		accessToken: string,
	) {
		if (!accessToken) {
			throw new DiadocUsageError(
				'The Diadoc OAuth2 credential is not connected: it holds no access token',
				'Open the credential and click "Connect my account" (sign in at the Kontur identity server).',
			);
		}
		this.accessToken = accessToken;
	}

	async authorization(): Promise<string> {
		return `Bearer ${this.accessToken}`;
	}

	secrets(): string[] {
		return [this.accessToken];
	}

	async renew(failed: string): Promise<boolean> {
		if (failed !== `Bearer ${this.accessToken}`) return true; // another request refreshed meanwhile
		this.refreshing ??= this.refresh().finally(() => {
			this.refreshing = undefined;
		});
		return await this.refreshing;
	}

	private async refresh(): Promise<boolean> {
		const helpers = this.ctx.helpers as IExecuteFunctions['helpers'] & {
			refreshOAuth2Token?: (this: IExecuteFunctions, type: string) => Promise<Record<string, unknown> | undefined>;
		};
		if (typeof helpers.refreshOAuth2Token !== 'function') {
			throw new DiadocUsageError(
				'The Diadoc access token has expired and this n8n version cannot refresh it from a node',
				'Reconnect the Diadoc OAuth2 credential ("Connect my account"), or update n8n.',
			);
		}
		const refreshed = await helpers.refreshOAuth2Token.call(this.ctx, OAUTH2_CREDENTIAL).catch((error: unknown) => {
			const reason = error instanceof Error ? error.message : String(error);
			return new DiadocUsageError(
				`The Diadoc access token has expired and could not be refreshed at the identity server: ${redactToken(reason, this.accessToken)}`,
				'Reconnect the Diadoc OAuth2 credential ("Connect my account"): the refresh token may have expired or been revoked.',
			);
		});
		if (refreshed instanceof DiadocUsageError) throw refreshed;
		// n8n returns the new token data and stores it; read the stored credential when it does not.
		let token = accessTokenOf({ oauthTokenData: refreshed } as never);
		if (!token) token = accessTokenOf(await this.ctx.getCredentials<ICredentialDataDecryptedObject>(OAUTH2_CREDENTIAL));
		if (!token || token === this.accessToken) return false;
		this.accessToken = token;
		return true;
	}
}

function redactToken(text: string, token: string): string {
	return token ? text.split(token).join('[redacted]') : text;
}

// ---------------------------------------------------------------------------------------------------------
// Legacy DiadocAuth

export type SignerProvider = () => Promise<Signer>;

export class LegacyAuthorizer implements DiadocAuthorizer {
	readonly scheme: string;
	private token = '';
	private cacheKey?: string;

	constructor(
		private readonly http: HttpClient,
		private readonly settings: LegacySettings,
		private readonly signerProvider: SignerProvider,
	) {
		this.scheme = `DiadocAuth (${settings.method})`;
		if (!settings.apiClientId) {
			throw new DiadocUsageError('The Diadoc API credential has no API client ID', 'Enter the API client ID (developer key) Kontur issued for the integration.');
		}
		if (settings.method === 'token' && !settings.token) {
			throw new DiadocUsageError('The Diadoc API credential is set to Token but holds no token', 'Paste a token, or choose Login and Password.');
		}
		if (settings.method === 'password' && (!settings.login || !settings.password)) {
			throw new DiadocUsageError('The Diadoc API credential needs a login and a password', 'Fill in both, or choose another authentication method.');
		}
	}

	private header(token: string): string {
		return `DiadocAuth ddauth_api_client_id=${this.settings.apiClientId},ddauth_token=${token}`;
	}

	/** The header for Authenticate/AuthenticateConfirm, which name only the client. */
	private clientHeader(): string {
		return `DiadocAuth ddauth_api_client_id=${this.settings.apiClientId}`;
	}

	secrets(): string[] {
		return [this.token, this.settings.apiClientId, this.settings.password, this.settings.token].filter((value) => value !== '');
	}

	async authorization(): Promise<string> {
		if (this.settings.method === 'token') return this.header(this.settings.token);
		if (!this.token) this.token = await this.obtainCached();
		return this.header(this.token);
	}

	async renew(failed: string): Promise<boolean> {
		if (this.settings.method === 'token') return false;
		if (failed !== this.header(this.token)) return true;
		if (this.cacheKey) forgetToken(this.cacheKey, this.token);
		this.token = '';
		this.token = await this.obtainCached();
		return true;
	}

	private async obtainCached(): Promise<string> {
		const { baseUrl, apiClientId, method, login, password } = this.settings;
		if (method === 'password') {
			this.cacheKey = tokenCacheKey([baseUrl, apiClientId, 'password', login.toLowerCase(), secretFingerprint(password)]);
			return await cachedToken(this.cacheKey, async () => await this.loginWithPassword());
		}
		const signer = await this.signerProvider();
		const certificate = await signer.getCertificate();
		const thumbprint = createHash('sha1').update(certificate).digest('hex').toUpperCase();
		// The signer has already checked that its key matches the certificate; only the key holder gets here.
		this.cacheKey = tokenCacheKey([baseUrl, apiClientId, 'certificate', thumbprint]);
		return await cachedToken(this.cacheKey, async () => await this.loginWithCertificate(signer, certificate, thumbprint));
	}

	private async loginWithPassword(): Promise<string> {
		try {
			const response = await this.http.request<string>({
				method: 'POST',
				path: '/V3/Authenticate',
				query: { type: 'password' },
				headers: { authorization: this.clientHeader(), accept: 'text/plain, application/json' },
				body: { login: this.settings.login, password: this.settings.password },
				responseType: 'text',
				secrets: this.secrets(),
			});
			return tokenFromBody(response.body);
		} catch (error) {
			throw authFailure(error, 'Diadoc login with login and password failed: ', 'Check the login, the password and the API client ID in the Diadoc API credential.');
		}
	}

	private async loginWithCertificate(signer: Signer, certificate: Buffer, thumbprint: string): Promise<string> {
		let envelope: Buffer;
		try {
			const response = await this.http.request<Buffer>({
				method: 'POST',
				path: '/V3/Authenticate',
				query: { type: 'certificate' },
				headers: { authorization: this.clientHeader(), accept: 'application/octet-stream, text/plain, application/json' },
				body: certificate,
				responseType: 'buffer',
				secrets: this.secrets(),
			});
			envelope = envelopeFromBody(response.body);
		} catch (error) {
			throw authFailure(
				error,
				'Diadoc certificate authentication failed: ',
				'Check that the certificate of the selected signer is bound to a Diadoc user, and the API client ID.',
			);
		}
		// The decrypted bytes are the one-time secret AuthenticateConfirm wants back, base64-encoded.
		const decrypted = (await signer.decrypt(envelope)).toString('base64');
		try {
			const response = await this.http.request<string>({
				method: 'POST',
				path: '/V3/AuthenticateConfirm',
				query: { token: decrypted, thumbprint, saveBinding: this.settings.saveBinding },
				headers: { authorization: this.clientHeader(), accept: 'text/plain, application/json' },
				responseType: 'text',
				secrets: [...this.secrets(), decrypted],
			});
			return tokenFromBody(response.body);
		} catch (error) {
			throw authFailure(error, 'Diadoc certificate authentication (AuthenticateConfirm) failed: ', 'The decrypted token was refused: check that the signer holds the private key of the certificate bound in Diadoc.');
		}
	}
}

/** The token text, tolerating a JSON string or surrounding whitespace. */
function tokenFromBody(body: unknown): string {
	let token = typeof body === 'string' ? body.trim() : Buffer.isBuffer(body) ? body.toString('utf8').trim() : '';
	if (token.startsWith('"') && token.endsWith('"')) {
		try {
			token = String(JSON.parse(token));
		} catch {
			// not JSON after all: keep the text
		}
	}
	if (!token) throw new DiadocUsageError('Diadoc answered the authentication without a token', 'Check the API base URL of the credential.');
	return token;
}

/** The encrypted token as DER; tolerates a base64 text answer. */
function envelopeFromBody(body: unknown): Buffer {
	const bytes = Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? ''), 'utf8');
	if (bytes[0] === 0x30) return bytes;
	const text = bytes.toString('latin1').trim().replace(/^"|"$/g, '');
	const decoded = Buffer.from(text, 'base64');
	if (decoded[0] === 0x30) return decoded;
	throw new DiadocUsageError('Diadoc answered the certificate authentication with something that is not an encrypted token (CMS)', 'Check the API base URL of the credential.');
}

function authFailure(error: unknown, prefix: string, hint: string): unknown {
	if (isHttpError(error) && error.kind === 'http' && error.status !== undefined && [400, 401, 403].includes(error.status)) {
		return reframeHttpError(error, prefix, hint);
	}
	return error;
}
