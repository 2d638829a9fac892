/**
 * Transcrypt API v2 calls: the Secret (where an installation issues one), the two logins, and any method with
 * the token. JSON only: the XML form of the API is order-sensitive (DataContractSerializer).
 */
import { EdoCryptoError } from '../../../lib/crypto/errors';
import { getHttpClient, redactSecrets, type HttpClient, type HttpRequest, type HttpResponse } from '../../../lib/http';
import { field, judgeLogin, type LoginOutcome } from './models';
import type { TranscryptSettings } from './settings';

export const SIGNATURE_LOGIN_PATH = 'api/v2/auth/detachedsignature';
export const PASSWORD_LOGIN_PATH = 'api/v2/auth';
/** Not documented; what the sandbox serves. A node parameter. */
export const DEFAULT_CHALLENGE_PATH = 'api/v2/auth/secret';

/** Login answers with these statuses carry an AuthSucceedModel or Web API error worth reading. */
const LOGIN_STATUSES = [400, 401, 403];

export interface TranscryptCallOptions {
	method: string;
	path: string;
	query?: HttpRequest['query'];
	headers?: Record<string, string>;
	body?: unknown;
	responseType?: HttpRequest['responseType'];
}

export class TranscryptClient {
	readonly settings: TranscryptSettings;
	private readonly http: HttpClient;

	constructor(settings: TranscryptSettings) {
		this.settings = settings;
		this.http = getHttpClient({
			baseUrl: settings.baseUrl,
			serviceName: 'Transcrypt',
			tls: settings.tls,
			secrets: settings.password ? [settings.password] : [],
		});
	}

	/** The value of the token header for `token`. */
	authorization(token: string): string {
		return this.settings.tokenScheme ? `${this.settings.tokenScheme} ${token}` : token;
	}

	/** Asks the installation for a Secret: `{"Secret": "…"}`, a JSON string or plain text are accepted. */
	async getSecret(path = DEFAULT_CHALLENGE_PATH, method = 'GET'): Promise<string> {
		const response = await this.http.request({ method, path, responseType: 'auto' });
		const body = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : response.body;
		const value = typeof body === 'string' ? body.trim().replace(/^"(.*)"$/s, '$1') : field(body, 'Secret') ?? field(body, 'Value');
		if (typeof value !== 'string' || value.length === 0) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				`Transcrypt answered ${method} ${path} without a Secret`,
				'Check the Secret path: the answer must be {"Secret": "…"} or the bare string.',
			);
		}
		return value;
	}

	async loginBySignature(secret: string, signatureBase64: string, certificate?: string): Promise<LoginOutcome> {
		const response = await this.http.request({
			method: 'POST',
			path: SIGNATURE_LOGIN_PATH,
			body: { Secret: secret, Signature: signatureBase64, AppInfo: this.settings.appInfo },
			responseType: 'auto',
			okStatuses: LOGIN_STATUSES,
			secrets: [secret],
		});
		return this.redacted(judgeLogin(response.status, response.body, 'signature', certificate), [secret]);
	}

	async loginByPassword(ip?: string): Promise<LoginOutcome> {
		if (!this.settings.login || !this.settings.password) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				'Login by Password needs the login and password of the Transcrypt API credential',
				'Fill in Login and Password in the credential, or log in by detached signature.',
			);
		}
		const response = await this.http.request({
			method: 'POST',
			path: PASSWORD_LOGIN_PATH,
			body: { Login: this.settings.login, Password: this.settings.password, ...(ip ? { Ip: ip } : {}), AppInfo: this.settings.appInfo },
			responseType: 'auto',
			okStatuses: LOGIN_STATUSES,
		});
		return this.redacted(judgeLogin(response.status, response.body, 'password'), []);
	}

	/** Any method with the token in the configured header. Throws HttpError (401 when the token is gone). */
	async call(token: string, options: TranscryptCallOptions): Promise<HttpResponse> {
		const headers: Record<string, string> = {};
		const tokenHeader = this.settings.tokenHeader.toLowerCase();
		for (const [name, value] of Object.entries(options.headers ?? {})) if (name.toLowerCase() !== tokenHeader) headers[name] = value;
		headers[this.settings.tokenHeader] = this.authorization(token);
		return await this.http.request({ ...options, headers, secrets: [token] });
	}

	/** Whether the server answers at all (any HTTP status); connection and TLS failures throw. */
	async probe(): Promise<number> {
		const everyStatus = Array.from({ length: 500 }, (_, index) => index + 100);
		const response = await this.http.request({ method: 'GET', path: '/', responseType: 'buffer', okStatuses: everyStatus, idempotent: false });
		return response.status;
	}

	private redacted(outcome: LoginOutcome, secrets: string[]): LoginOutcome {
		if (!outcome.problem) return outcome;
		const all = [...secrets, this.settings.password];
		const { problem } = outcome;
		return { ...outcome, problem: new EdoCryptoError(problem.code, redactSecrets(problem.message, all), problem.hint) };
	}
}
