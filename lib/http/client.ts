/**
 * HttpClient: requests to one service under one base URL, over the shared keep-alive pools, with safe
 * retries and errors that name the service, the status, the service's error code and trace id, and never
 * a secret.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

import { BoundedMap } from '../boundedMap';
import { decodeBody, encodeBody, InvalidJsonBody, type ResponseType } from './body';
import {
	DEFAULT_ERROR_CODE_FIELDS,
	DEFAULT_ERROR_CODE_HEADERS,
	DEFAULT_TRACE_ID_HEADERS,
	describeErrorResponse,
	describeFailure,
	hintFor,
	statusTextOf,
	type ErrorResponseInfo,
	type FailureInfo,
} from './describe';
import { getDispatcher, tlsAlertBehind, type TlsOptions } from './dispatcher';
import { HttpError, type HttpErrorDetails, type HttpErrorKind } from './errors';
import { describeProxy, proxyForUrl } from './proxy';
import { redactSecrets } from './redact';
import {
	backoffDelay,
	DEFAULT_RETRY,
	isIdempotent,
	isRetryableFailure,
	parseRetryAfter,
	RETRYABLE_STATUSES,
	type RetrySettings,
} from './retry';
import { displayUrl, OriginViolation, parseBaseUrl, resolveRequestUrl, type BaseUrl, type QueryValue } from './url';

export interface HttpTimeouts {
	/** TCP + TLS handshake. Default 10 s. */
	connectMs?: number;
	/** From sending the request to the end of the response headers. Default 30 s. */
	headersMs?: number;
	/** Longest pause between two chunks of the response body. Default 60 s. */
	bodyMs?: number;
}

export interface HttpClientOptions {
	/** Every request goes under this URL; it may carry a path prefix (`https://api.taxcom.ru/v1.3/API/`). */
	baseUrl: string;
	/** Names the service in error messages ("Diadoc answered 403…"). */
	serviceName: string;
	tls?: TlsOptions;
	timeouts?: HttpTimeouts;
	retry?: Partial<RetrySettings>;
	/** Response headers carrying the service's error code, first found wins. */
	errorCodeHeaders?: string[];
	/** JSON body fields carrying the service's error code (looked up at the top level and under `error`). */
	errorCodeFields?: string[];
	/** Response headers carrying a trace or request id. */
	traceIdHeaders?: string[];
	defaultHeaders?: Record<string, string>;
	/** Secrets redacted from every error of this client, in addition to each request's own. */
	secrets?: string[];
	/** Test hooks: a fake clock and sleep for retry tests, a fixed random source for the jitter. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	now?: () => number;
	random?: () => number;
}

export interface HttpRequest {
	method: string;
	/** Relative to the base URL; "/x" means base path + "x". Absolute URLs are refused. */
	path: string;
	query?: Record<string, QueryValue>;
	headers?: Record<string, string>;
	/** Object/array → JSON; string; Buffer/Uint8Array; URLSearchParams → form; Readable → streamed, never retried. */
	body?: unknown;
	/** Marks a POST/PATCH as safe to repeat; `false` turns retries off even for a GET. */
	idempotent?: boolean;
	responseType?: ResponseType;
	/** Strings to redact from errors: tokens, passwords, PINs. */
	secrets?: string[];
	signal?: AbortSignal;
	/** Non-2xx statuses to return as a response instead of throwing. */
	okStatuses?: number[];
}

export interface HttpResponse<T = unknown> {
	status: number;
	/** Lower-case names; repeated headers joined with ", ". */
	headers: Record<string, string>;
	body: T;
	attempts: number;
}

const DEFAULT_TIMEOUTS: Required<HttpTimeouts> = { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 };
/** Error bodies are read up to this size for the excerpt; the rest is discarded. */
const ERROR_BODY_LIMIT = 256 * 1024;
const USER_AGENT = 'n8n-nodes-edo';

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return flat;
}

async function readBody(body: Readable, limit = Infinity): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
		chunks.push(buffer);
		size += buffer.length;
		if (size >= limit) {
			body.destroy();
			break;
		}
	}
	return Buffer.concat(chunks);
}

function positive(value: number | undefined, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** What went wrong in one attempt, kept to decide about retrying and to build the final error. */
type AttemptFailure =
	| { type: 'status'; status: number; info: ErrorResponseInfo; retryAfterMs?: number }
	| { type: 'failure'; info: FailureInfo };

export class HttpClient {
	readonly origin: string;
	readonly serviceName: string;
	private readonly base: BaseUrl;
	private readonly options: HttpClientOptions;
	private readonly timeouts: Required<HttpTimeouts>;
	private readonly retry: RetrySettings;
	private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	private readonly now: () => number;
	private readonly random: () => number;

	constructor(options: HttpClientOptions) {
		this.options = options;
		this.serviceName = options.serviceName || 'The service';
		try {
			this.base = parseBaseUrl(options.baseUrl);
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			throw new HttpError(`${this.serviceName}: ${redactSecrets(reason, options.secrets ?? [])}`, {
				kind: 'origin',
				serviceName: this.serviceName,
				method: '',
				url: '',
				attempts: 0,
				hint: 'Set the base URL of the service in the credential, e.g. https://diadoc-api.kontur.ru/.',
			});
		}
		if (options.tls && Boolean(options.tls.cert) !== Boolean(options.tls.key)) {
			throw new HttpError(`${this.serviceName}: a client certificate needs both the certificate and its private key`, {
				kind: 'tls',
				serviceName: this.serviceName,
				method: '',
				url: this.base.origin,
				attempts: 0,
				hint: 'Fill in both the client certificate and the private key (PEM), or neither.',
			});
		}
		this.origin = this.base.origin;
		this.timeouts = {
			connectMs: positive(options.timeouts?.connectMs, DEFAULT_TIMEOUTS.connectMs),
			headersMs: positive(options.timeouts?.headersMs, DEFAULT_TIMEOUTS.headersMs),
			bodyMs: positive(options.timeouts?.bodyMs, DEFAULT_TIMEOUTS.bodyMs),
		};
		this.retry = {
			maxRetries: Math.floor(positive(options.retry?.maxRetries, DEFAULT_RETRY.maxRetries)),
			maxTotalMs: positive(options.retry?.maxTotalMs, DEFAULT_RETRY.maxTotalMs),
			baseDelayMs: positive(options.retry?.baseDelayMs, DEFAULT_RETRY.baseDelayMs),
			maxDelayMs: positive(options.retry?.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
		};
		this.sleep = options.sleep ?? abortableSleep;
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
	}

	/** The shared pool this client would use for a request to its origin now (proxy settings included). */
	dispatcher(): Dispatcher {
		return this.dispatcherFor(new URL(this.base.basePath, this.base.origin)).dispatcher;
	}

	async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
		const method = (req.method || 'GET').toUpperCase();
		const secrets = [...(this.options.secrets ?? []), ...(req.secrets ?? [])];
		const responseType = req.responseType ?? 'auto';

		let url: URL;
		try {
			url = resolveRequestUrl(this.base, req.path, req.query);
		} catch (error) {
			if (!(error instanceof OriginViolation)) throw error;
			const shownPath = redactSecrets(String(req.path).split(/[?#]/)[0], secrets);
			throw this.buildError(`Refused to send ${method} ${shownPath} to ${this.serviceName}: ${redactSecrets(error.message, secrets)}`, {
				kind: 'origin',
				method,
				url: `${this.base.origin}${this.base.basePath}`,
				attempts: 0,
			});
		}

		const encoded = encodeBody(req.body);
		const headers = this.buildHeaders(req.headers, encoded.contentType);
		const repeatable = isIdempotent(method, req.idempotent) && encoded.replayable;
		const { dispatcher, proxy } = this.dispatcherFor(url);
		const started = this.now();
		const path = `${url.pathname}${url.search}`;
		let attempts = 0;

		for (;;) {
			attempts += 1;
			if (req.signal?.aborted) throw this.failureError(method, url, attempts - 1, { kind: 'aborted', detail: 'cancelled by the caller' }, proxy, secrets);
			let failure: AttemptFailure;
			try {
				const response = await dispatcher.request({
					origin: url.origin,
					path,
					method: method as Dispatcher.HttpMethod,
					headers,
					body: encoded.body,
					signal: req.signal,
					headersTimeout: this.timeouts.headersMs,
					bodyTimeout: this.timeouts.bodyMs,
				});
				const status = response.statusCode;
				const responseHeaders = flattenHeaders(response.headers);
				if ((status >= 200 && status < 300) || req.okStatuses?.includes(status)) {
					return await this.successResponse<T>(response, responseHeaders, responseType, attempts, method, url, secrets);
				}
				const bytes = await readBody(response.body, ERROR_BODY_LIMIT);
				failure = {
					type: 'status',
					status,
					info: describeErrorResponse(status, response.statusText, responseHeaders, bytes, {
						errorCodeHeaders: this.options.errorCodeHeaders ?? DEFAULT_ERROR_CODE_HEADERS,
						errorCodeFields: this.options.errorCodeFields ?? DEFAULT_ERROR_CODE_FIELDS,
						traceIdHeaders: this.options.traceIdHeaders ?? DEFAULT_TRACE_ID_HEADERS,
						secrets,
					}),
					retryAfterMs: parseRetryAfter(responseHeaders['retry-after'], Date.now()),
				};
			} catch (error) {
				if (error instanceof HttpError) throw error;
				const alert = tlsAlertBehind(error);
				const cause = alert ? Object.assign(new Error(alert.message), { code: alert.code }) : error;
				failure = { type: 'failure', info: describeFailure(cause, req.signal?.aborted === true, secrets) };
			}

			const retryable =
				failure.type === 'status'
					? repeatable && RETRYABLE_STATUSES.has(failure.status)
					: failure.info.kind !== 'aborted' && isRetryableFailure(failure.info.code, isIdempotent(method, req.idempotent), encoded.replayable);
			const retryAfterMs = failure.type === 'status' ? failure.retryAfterMs : undefined;
			const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
			const fail = (budgetExceeded = false) =>
				failure.type === 'status'
					? this.statusError(method, url, attempts, failure.status, failure.info, retryAfterSeconds, budgetExceeded, secrets)
					: this.failureError(method, url, attempts, failure.info, proxy, secrets);

			if (!retryable || attempts > this.retry.maxRetries) throw fail();
			const elapsed = this.now() - started;
			const remaining = this.retry.maxTotalMs - elapsed;
			let wait: number;
			if (retryAfterMs !== undefined) {
				if (retryAfterMs > remaining) throw fail(true);
				wait = retryAfterMs;
			} else {
				if (remaining <= 0) throw fail(true);
				wait = Math.min(backoffDelay(attempts, this.retry, this.random), remaining);
			}
			try {
				await this.sleep(wait, req.signal);
			} catch {
				throw this.failureError(method, url, attempts, { kind: 'aborted', detail: 'cancelled by the caller' }, proxy, secrets);
			}
		}
	}

	private dispatcherFor(url: URL): { dispatcher: Dispatcher; proxy?: string } {
		const proxy = proxyForUrl(url);
		return {
			dispatcher: getDispatcher({ origin: this.origin, tls: this.options.tls, connectTimeoutMs: this.timeouts.connectMs, proxy }),
			proxy,
		};
	}

	private buildHeaders(requestHeaders: Record<string, string> | undefined, contentType: string | undefined): Record<string, string> {
		const headers: Record<string, string> = { 'user-agent': USER_AGENT };
		for (const source of [this.options.defaultHeaders, requestHeaders]) {
			for (const [name, value] of Object.entries(source ?? {})) {
				if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
			}
		}
		if (contentType && !headers['content-type']) headers['content-type'] = contentType;
		return headers;
	}

	private async successResponse<T>(
		response: Dispatcher.ResponseData,
		headers: Record<string, string>,
		responseType: ResponseType,
		attempts: number,
		method: string,
		url: URL,
		secrets: string[],
	): Promise<HttpResponse<T>> {
		const status = response.statusCode;
		if (responseType === 'stream') return { status, headers, body: response.body as unknown as T, attempts };
		const bytes = await readBody(response.body);
		try {
			return { status, headers, body: decodeBody(bytes, headers['content-type'], responseType) as T, attempts };
		} catch (error) {
			if (!(error instanceof InvalidJsonBody)) throw error;
			const info = describeErrorResponse(status, response.statusText, headers, bytes, {
				errorCodeHeaders: [],
				errorCodeFields: [],
				traceIdHeaders: this.options.traceIdHeaders ?? DEFAULT_TRACE_ID_HEADERS,
				secrets,
			});
			const trace = info.traceId ? ` (trace ${info.traceId})` : '';
			throw this.buildError(
				redactSecrets(`${this.serviceName} answered ${status} ${info.statusText} to ${method} ${url.pathname} with a body that is not valid JSON${trace}`, secrets),
				{ kind: 'http', method, url: displayUrl(url), attempts, status, statusText: info.statusText, traceId: info.traceId, bodyExcerpt: info.bodyExcerpt },
				'The service did not answer with JSON: check the base URL (a proxy or login page may be answering instead).',
			);
		}
	}

	private statusError(
		method: string,
		url: URL,
		attempts: number,
		status: number,
		info: ErrorResponseInfo,
		retryAfterSeconds: number | undefined,
		budgetExceeded: boolean,
		secrets: string[],
	): HttpError {
		const notes: string[] = [];
		if (info.serviceErrorCode) {
			notes.push(info.serviceErrorCodeSource?.startsWith('body.') ? `code ${info.serviceErrorCode}` : `${info.serviceErrorCodeSource}: ${info.serviceErrorCode}`);
		}
		if (info.traceId) notes.push(`trace ${info.traceId}`);
		if (attempts > 1) notes.push(`${attempts} attempts`);
		let message = `${this.serviceName} answered ${status} ${statusTextOf(status, info.statusText)} to ${method} ${url.pathname}`;
		if (notes.length) message += ` (${notes.join(', ')})`;
		if (info.serviceMessage) message += `: ${info.serviceMessage}`;
		if (retryAfterSeconds !== undefined) {
			message += budgetExceeded
				? `; asked to retry after ${retryAfterSeconds} s, longer than the retry budget allows`
				: `; retry after ${retryAfterSeconds} s`;
		}
		return this.buildError(redactSecrets(message, secrets), {
			kind: 'http',
			method,
			url: redactSecrets(displayUrl(url), secrets),
			attempts,
			status,
			statusText: info.statusText,
			serviceErrorCode: info.serviceErrorCode,
			serviceErrorCodeSource: info.serviceErrorCodeSource,
			serviceMessage: info.serviceMessage,
			traceId: info.traceId,
			bodyExcerpt: info.bodyExcerpt,
			retryAfterSeconds,
		});
	}

	private failureError(method: string, url: URL, attempts: number, info: FailureInfo, proxy: string | undefined, secrets: string[]): HttpError {
		const where = `${method} ${displayUrl(url)}`;
		const via = proxy ? ` through proxy ${describeProxy(proxy)}` : '';
		const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
		let message: string;
		switch (info.kind) {
			case 'aborted':
				message = `${method} ${url.pathname} to ${this.serviceName} was cancelled`;
				break;
			case 'timeout':
				message = `${this.serviceName} did not answer ${where}${via} in time: ${info.detail}${tries}`;
				break;
			case 'tls':
				message = `Secure connection to ${this.serviceName} (${url.origin})${via} failed: ${info.detail}`;
				break;
			default:
				message = `Could not reach ${this.serviceName} for ${where}${via}: ${info.detail}${tries}`;
		}
		return this.buildError(redactSecrets(message, secrets), {
			kind: info.kind,
			method,
			url: displayUrl(url),
			attempts,
			code: info.code,
		});
	}

	private buildError(
		message: string,
		details: Omit<HttpErrorDetails, 'serviceName'> & { kind: HttpErrorKind },
		hint?: string,
	): HttpError {
		return new HttpError(message, {
			...details,
			serviceName: this.serviceName,
			hint: hint ?? hintFor(details.kind, details.status, this.serviceName),
		});
	}
}

const MAX_CLIENTS = 128;
const clients = new BoundedMap<string, HttpClient>(MAX_CLIENTS);

function clientKey(options: HttpClientOptions): string | undefined {
	if (options.sleep || options.now || options.random) return undefined;
	return createHash('sha256').update(JSON.stringify(options)).digest('hex');
}

/**
 * A client for these options, reused across items and executions. Clients with the same origin and TLS
 * settings share one connection pool whatever their other options.
 */
export function getHttpClient(options: HttpClientOptions): HttpClient {
	const key = clientKey(options);
	if (key === undefined) return new HttpClient(options);
	const client = clients.get(key) ?? new HttpClient(options);
	// Set again on a hit too: the client becomes the newest, the last to be dropped.
	clients.set(key, client);
	return client;
}
