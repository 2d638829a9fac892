/**
 * HTTP transport for the EDO services: shared keep-alive pools per origin, timeouts, custom CA and mTLS,
 * proxies from the environment, safe retries, origin enforcement and secret-free errors.
 * Independent of n8n: the node layer turns HttpError into NodeApiError.
 */
export { HttpClient, getHttpClient } from './client';
export type { HttpClientOptions, HttpRequest, HttpResponse, HttpTimeouts } from './client';
export type { ResponseType } from './body';
export { closeHttpPools, httpPoolCount } from './dispatcher';
export type { TlsOptions } from './dispatcher';
export { HttpError, isHttpError } from './errors';
export type { HttpErrorDetails, HttpErrorKind } from './errors';
export { redactSecrets } from './redact';
export { bypassesProxy, proxyForUrl } from './proxy';
export { DEFAULT_RETRY } from './retry';
export type { RetrySettings } from './retry';
export { DEFAULT_ERROR_CODE_FIELDS, DEFAULT_ERROR_CODE_HEADERS, DEFAULT_TRACE_ID_HEADERS } from './describe';
