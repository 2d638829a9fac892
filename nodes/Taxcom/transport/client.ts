/**
 * The Docliner Web API calls: the two logins, session activation and any other method with Assistant-Key.
 * Every call carries Integrator-Id. Taxcom's error body format is not documented; an XML
 * `<Error><Code/><Message/></Error>` (what the SDK's ApiErrorCode suggests) is read into the message when present.
 */
import { getHttpClient, HttpError, isHttpError, type HttpClient, type HttpRequest, type HttpResponse } from '../../../lib/http';
import { redactSecrets } from '../../../lib/http';
import { settle } from '../../shared/apiRequest';
import { cloudAccount, taxcomSecrets, type TaxcomSettings } from './settings';
import { envelopeFromResponse } from './token';

export type TrustedCertificateEncoding = 'base64' | 'array';

export const ASSISTANT_KEY_HEADER = 'Assistant-Key';
export const INTEGRATOR_ID_HEADER = 'Integrator-Id';

export interface TaxcomCallOptions {
	method: string;
	/** The Docliner method, e.g. `GetMessageList`, relative to …/v<version>/API/. */
	path: string;
	query?: HttpRequest['query'];
	headers?: Record<string, string>;
	body?: unknown;
	responseType?: HttpRequest['responseType'];
}

const LOGIN_HINTS: Record<number, string> = {
	400: 'Check the Integrator ID (COMPANY_<GUID>) and the request fields; the server refused the request as malformed.',
	401: 'Check the cloud crypto login and password, the Integrator ID and that the certificate is registered with Taxcom and valid.',
	403: 'Check the PIN of the cloud certificate in the Taxcom API credential.',
	404: 'Check the cloud certificate thumbprint (the cloud service has no such certificate for this login) and the server URL and API version.',
};

function xmlField(text: string | undefined, name: string): string | undefined {
	if (!text) return undefined;
	const match = new RegExp(`<${name}>([^<]{1,300})</${name}>`).exec(text);
	return match ? match[1].trim() : undefined;
}

/** The transport error with Taxcom's XML error code and message (when present) and a login-specific hint. */
function explain(error: HttpError, secrets: string[], login: boolean): HttpError {
	if (error.kind !== 'http') return error;
	const xmlCode = xmlField(error.bodyExcerpt, 'Code');
	const xmlMessage = xmlField(error.bodyExcerpt, 'Message');
	let message = error.message;
	if (!error.serviceMessage && (xmlCode || xmlMessage)) {
		message += `: ${[xmlCode, xmlMessage].filter(Boolean).join(' — ')}`;
	}
	const hint = (login && error.status !== undefined ? LOGIN_HINTS[error.status] : undefined) ?? error.hint;
	return new HttpError(redactSecrets(message, secrets), {
		kind: error.kind,
		serviceName: error.serviceName,
		method: error.method,
		url: error.url,
		attempts: error.attempts,
		status: error.status,
		statusText: error.statusText,
		serviceErrorCode: error.serviceErrorCode ?? xmlCode,
		serviceErrorCodeSource: error.serviceErrorCodeSource ?? (xmlCode ? 'body.Error.Code' : undefined),
		serviceMessage: error.serviceMessage ?? xmlMessage,
		traceId: error.traceId,
		bodyExcerpt: error.bodyExcerpt,
		retryAfterSeconds: error.retryAfterSeconds,
		code: error.code,
		hint,
	});
}

export class TaxcomClient {
	readonly settings: TaxcomSettings;
	private readonly http: HttpClient;
	private readonly secrets: string[];

	constructor(settings: TaxcomSettings) {
		this.settings = settings;
		this.secrets = taxcomSecrets(settings);
		this.http = getHttpClient({
			baseUrl: settings.baseUrl,
			serviceName: 'Taxcom',
			tls: settings.tls,
			secrets: this.secrets,
			defaultHeaders: { [INTEGRATOR_ID_HEADER]: settings.integratorId },
		});
	}

	/** POST CloudCertificateLogin; returns the DER EnvelopedData of the token, encrypted to `trustedCertificateDer`. */
	async cloudCertificateLogin(trustedCertificateDer: Buffer, encoding: TrustedCertificateEncoding = 'base64'): Promise<Buffer> {
		const account = cloudAccount(this.settings);
		const body = {
			Certificate: { Thumbprint: account.thumbprint, ...(account.pin !== undefined ? { Pin: account.pin } : {}) },
			CloudCryptoService: { Login: account.login, Password: account.password },
			TrustedCertificate: encoding === 'array' ? [...trustedCertificateDer] : trustedCertificateDer.toString('base64'),
		};
		const response = await this.send({ method: 'POST', path: 'CloudCertificateLogin', body, responseType: 'buffer' }, true);
		return envelopeFromResponse(response.body as Buffer, 'CloudCertificateLogin');
	}

	/** POST CertificateLogin with the DER certificate; returns the DER EnvelopedData of the token. */
	async certificateLogin(certificateDer: Buffer): Promise<Buffer> {
		const response = await this.send(
			{ method: 'POST', path: 'CertificateLogin', body: certificateDer, headers: { 'Content-Type': 'application/octet-stream' }, responseType: 'buffer' },
			true,
		);
		return envelopeFromResponse(response.body as Buffer, 'CertificateLogin');
	}

	/** ActivateSession with the decrypted token in Assistant-Key (the method is configurable: undocumented). */
	async activateSession(assistantKey: string, method = 'POST'): Promise<HttpResponse> {
		return await this.call(assistantKey, { method, path: 'ActivateSession', responseType: 'auto' });
	}

	/** Any Docliner method with the session token. Throws HttpError (status 401 when the session is gone). */
	async call(assistantKey: string, options: TaxcomCallOptions): Promise<HttpResponse> {
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(options.headers ?? {})) {
			const lower = name.toLowerCase();
			if (lower !== ASSISTANT_KEY_HEADER.toLowerCase() && lower !== INTEGRATOR_ID_HEADER.toLowerCase()) headers[name] = value;
		}
		headers[ASSISTANT_KEY_HEADER] = assistantKey;
		return await this.send({ ...options, headers, secrets: [assistantKey] }, false);
	}

	/** Whether the server answers at all (any HTTP status); connection and TLS failures throw. */
	async probe(): Promise<number> {
		const everyStatus = Array.from({ length: 500 }, (_, index) => index + 100);
		const response = await this.http.request({ method: 'GET', path: '/', responseType: 'buffer', okStatuses: everyStatus, idempotent: false });
		return response.status;
	}

	/**
	 * CloudCertificateLogin without TrustedCertificate, for the credential test: the account, PIN and thumbprint
	 * are checked by the server; 400 (the missing certificate) is returned, other refusals throw.
	 */
	async probeCloudAccount(): Promise<number> {
		const account = cloudAccount(this.settings);
		const body = {
			Certificate: { Thumbprint: account.thumbprint, ...(account.pin !== undefined ? { Pin: account.pin } : {}) },
			CloudCryptoService: { Login: account.login, Password: account.password },
		};
		const response = await this.send({ method: 'POST', path: 'CloudCertificateLogin', body, responseType: 'buffer', okStatuses: [400] }, true);
		return response.status;
	}

	private async send(request: HttpRequest, login: boolean): Promise<HttpResponse> {
		const secrets = [...this.secrets, ...(request.secrets ?? [])];
		const result = await settle(this.http.request({ ...request, secrets }));
		if (result.ok) return result.value;
		throw isHttpError(result.error) ? explain(result.error, secrets, login) : result.error;
	}
}
