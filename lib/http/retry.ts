/**
 * When a failed attempt may be repeated, and how long to wait first.
 *
 * Policy (documented for users in the README of lib/http):
 * - A request is *repeatable* when its method is idempotent (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) or the
 *   caller marks it `idempotent: true`; `idempotent: false` turns retries off even for a GET. A request with
 *   a stream body is never repeated (the stream is consumed).
 * - Repeatable requests are retried on 429, 502, 503, 504, on connection resets and dropped connections,
 *   and on timeouts.
 * - Any request with a replayable body, even a non-idempotent POST, is retried when the connection could
 *   not be opened at all (ECONNREFUSED, connect timeout, DNS hiccup): nothing was sent, so nothing repeats.
 * - The wait is exponential backoff with full jitter, or exactly the server's Retry-After. No new attempt
 *   starts after the total budget; a Retry-After beyond it fails at once with `retryAfterSeconds` set.
 */

export interface RetrySettings {
	maxRetries: number;
	maxTotalMs: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxRetries: 3, maxTotalMs: 30_000, baseDelayMs: 500, maxDelayMs: 8_000 };

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Error codes meaning the connection was never established: no byte of the request left. */
const NOT_CONNECTED_CODES = new Set([
	'ECONNREFUSED',
	'UND_ERR_CONNECT_TIMEOUT',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
]);

/** Error codes meaning the connection broke while the request may have been processed. */
const BROKEN_CONNECTION_CODES = new Set([
	'ECONNRESET',
	'EPIPE',
	'UND_ERR_SOCKET',
	'UND_ERR_CLOSED',
	'ETIMEDOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
]);

export function isIdempotent(method: string, idempotent: boolean | undefined): boolean {
	if (idempotent !== undefined) return idempotent;
	return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

export function failedBeforeSending(code: string | undefined): boolean {
	return code !== undefined && NOT_CONNECTED_CODES.has(code);
}

export function isRetryableFailure(code: string | undefined, repeatable: boolean, replayable: boolean): boolean {
	if (!replayable || code === undefined) return false;
	if (failedBeforeSending(code)) return true;
	return repeatable && BROKEN_CONNECTION_CODES.has(code);
}

/** Full jitter: a random wait between 0 and the exponential ceiling. */
export function backoffDelay(retryNumber: number, settings: RetrySettings, random: () => number): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
	return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}
