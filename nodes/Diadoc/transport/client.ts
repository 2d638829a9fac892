/**
 * Diadoc API calls over lib/http: JSON in both directions (without `Accept: application/json` Diadoc answers
 * protobuf), the credential's Authorization header, and one renewal + retry when the API answers 401.
 */
import { getHttpClient, isHttpError, type HttpClient, type HttpError, type HttpResponse, type ResponseType, type TlsOptions } from '../../../lib/http';
import type { QueryValue } from '../../../lib/http/url';
import { reframeHttpError, type DiadocAuthorizer } from './auth';

export const SERVICE_NAME = 'Diadoc';
const ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.5';

export interface DiadocCall {
	method: string;
	path: string;
	query?: Record<string, QueryValue>;
	/** Object → JSON; Buffer → octet-stream; a function is called for each attempt (streams can be sent once). */
	body?: unknown | (() => unknown);
	headers?: Record<string, string>;
	responseType?: ResponseType;
	okStatuses?: number[];
	idempotent?: boolean;
	secrets?: string[];
}

export function diadocHttpClient(baseUrl: string, tls: TlsOptions | undefined, secrets: string[] = []): HttpClient {
	return getHttpClient({
		baseUrl,
		serviceName: SERVICE_NAME,
		errorCodeHeaders: ['X-Diadoc-ErrorCode'],
		traceIdHeaders: ['X-Kontur-Trace-Id'],
		tls,
		secrets: secrets.filter((value) => value !== ''),
	});
}

export class DiadocClient {
	constructor(
		readonly http: HttpClient,
		readonly auth: DiadocAuthorizer,
	) {}

	async call<T = unknown>(call: DiadocCall): Promise<HttpResponse<T>> {
		return await this.callWithRenewal<T>(call).catch((error: unknown) => Promise.reject(withDiadocHint(error)));
	}

	private async callWithRenewal<T>(call: DiadocCall): Promise<HttpResponse<T>> {
		const first = await this.auth.authorization();
		const attempt = await settle(this.send<T>(call, first));
		if ('response' in attempt) return attempt.response;
		if (!isUnauthorized(attempt.error)) throw attempt.error;
		if (!(await this.auth.renew(first))) {
			throw reframeHttpError(
				attempt.error,
				'',
				this.auth.scheme === 'DiadocAuth (token)'
					? 'The token in the Diadoc API credential was refused (tokens expire after about 24 hours): paste a new one, or use Login and Password.'
					: 'Diadoc refused the credentials and they could not be renewed: reconnect or check the credential.',
			);
		}
		const retry = await settle(this.send<T>(call, await this.auth.authorization()));
		if ('response' in retry) return retry.response;
		if (!isUnauthorized(retry.error)) throw retry.error;
		throw reframeHttpError(
			retry.error,
			'',
			`Diadoc refused fresh ${this.auth.scheme} credentials too: check the API client ID, the user's access and the API scope of the credential.`,
		);
	}

	private async send<T>(call: DiadocCall, authorization: string): Promise<HttpResponse<T>> {
		return await this.http.request<T>({
			method: call.method,
			path: call.path,
			query: call.query,
			headers: { accept: ACCEPT, ...call.headers, authorization },
			body: typeof call.body === 'function' ? (call.body as () => unknown)() : call.body,
			responseType: call.responseType,
			okStatuses: call.okStatuses,
			idempotent: call.idempotent,
			secrets: [...this.auth.secrets(), ...(call.secrets ?? [])],
		});
	}

	/** A JSON method: the parsed body. */
	async json<T = Record<string, unknown>>(call: DiadocCall): Promise<T> {
		const response = await this.call<T>({ responseType: 'json', ...call });
		return response.body;
	}
}

function isUnauthorized(error: unknown): error is HttpError {
	return isHttpError(error) && error.status === 401;
}

async function settle<T>(promise: Promise<T>): Promise<{ response: T } | { error: unknown }> {
	try {
		return { response: await promise };
	} catch (error) {
		return { error };
	}
}

/** Diadoc's own meaning of some statuses (the method docs), where lib/http can only be generic. */
const DIADOC_HINTS: Record<number, string> = {
	402: "The organization's Diadoc API subscription has ended (402): renew the API tariff for this box.",
	403: 'The user of the credential has no access to this box (it is not among GetMyOrganizations), or the API client is blocked (403).',
	404: 'Diadoc found no such box, DSS certificate, task or shelf file (404): check the IDs, and that the box ID is the one the task was started in.',
	405: 'Diadoc does not accept this HTTP method for this path (405): check the method of the API request.',
	415: 'Diadoc did not accept the content type (415).',
};

function withDiadocHint(error: unknown): unknown {
	if (!isHttpError(error) || error.kind !== 'http' || error.status === undefined) return error;
	// Authentication calls carry their own hints (see auth.ts).
	if (/\/Authenticate(Confirm)?$/.test(error.url)) return error;
	const hint = DIADOC_HINTS[error.status];
	return hint ? reframeHttpError(error, '', hint) : error;
}
