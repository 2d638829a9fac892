/**
 * Turns low-level failures and error responses into the fields and words of an HttpError.
 */
import { STATUS_CODES } from 'node:http';
import type { HttpErrorKind } from './errors';
import { decodeText, isJsonContentType, looksLikeText, mediaType, parseJson } from './body';
import { printableExcerpt, redactSecrets } from './redact';

export const DEFAULT_ERROR_CODE_HEADERS = ['X-Diadoc-ErrorCode', 'X-Error-Code', 'X-ErrorCode'];
export const DEFAULT_TRACE_ID_HEADERS = [
	'X-Kontur-Trace-Id',
	'X-Request-Id',
	'X-Trace-Id',
	'Trace-Id',
	'X-Correlation-Id',
	'Request-Id',
];
export const DEFAULT_ERROR_CODE_FIELDS = ['Code', 'ErrorCode', 'errorCode', 'code', 'error'];
const MESSAGE_FIELDS = ['Message', 'message', 'ErrorMessage', 'errorMessage', 'error_description', 'Description', 'description', 'detail', 'title'];
const TRACE_FIELDS = ['TraceId', 'traceId', 'trace_id', 'RequestId', 'requestId'];
const EXCERPT_LENGTH = 300;
const FIELD_LENGTH = 200;

export interface ErrorResponseInfo {
	statusText: string;
	serviceErrorCode?: string;
	serviceErrorCodeSource?: string;
	serviceMessage?: string;
	traceId?: string;
	bodyExcerpt?: string;
}

function scalar(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim()) return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

function headerValue(headers: Record<string, string>, names: readonly string[]): { name: string; value: string } | undefined {
	for (const name of names) {
		const value = headers[name.toLowerCase()];
		if (value && value.trim()) return { name, value: value.trim() };
	}
	return undefined;
}

/** Looks a field up at the top level and inside a nested `error`/`Error` object. */
function fieldValue(json: unknown, fields: readonly string[]): { name: string; value: string } | undefined {
	if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
	const record = json as Record<string, unknown>;
	for (const field of fields) {
		const value = scalar(record[field]);
		if (value) return { name: field, value };
	}
	for (const nestedName of ['error', 'Error', 'errors']) {
		let nested = record[nestedName];
		if (Array.isArray(nested)) nested = nested[0];
		if (nested && typeof nested === 'object') {
			const found = fieldValue(nested, fields);
			if (found) return { name: `${nestedName}.${found.name}`, value: found.value };
		}
	}
	return undefined;
}

function clip(text: string | undefined, secrets: readonly string[], limit = FIELD_LENGTH): string | undefined {
	if (!text) return undefined;
	const clean = printableExcerpt(redactSecrets(text, secrets), limit);
	return clean || undefined;
}

export function statusTextOf(status: number, given?: string): string {
	return (given && given.trim()) || STATUS_CODES[status] || 'Unknown Status';
}

/** Extracts error code, message, trace id and a redacted excerpt from an error response. */
export function describeErrorResponse(
	status: number,
	statusText: string | undefined,
	headers: Record<string, string>,
	bytes: Buffer,
	options: { errorCodeHeaders: readonly string[]; errorCodeFields: readonly string[]; traceIdHeaders: readonly string[]; secrets: readonly string[] },
): ErrorResponseInfo {
	const contentType = headers['content-type'];
	const textual = bytes.length > 0 && (isJsonContentType(contentType) || mediaType(contentType).startsWith('text/') || looksLikeText(bytes));
	const text = textual ? decodeText(bytes, contentType) : '';
	let json: unknown;
	if (text && (isJsonContentType(contentType) || /^\s*[{[]/.test(text))) {
		try {
			json = parseJson(text);
		} catch {
			json = undefined;
		}
	}
	const info: ErrorResponseInfo = { statusText: statusTextOf(status, statusText) };

	const codeHeader = headerValue(headers, options.errorCodeHeaders);
	const codeField = fieldValue(json, options.errorCodeFields);
	const code = codeHeader ?? (codeField && { name: `body.${codeField.name}`, value: codeField.value });
	if (code) {
		info.serviceErrorCode = clip(code.value, options.secrets, 100);
		info.serviceErrorCodeSource = code.name;
	}
	const trace = headerValue(headers, options.traceIdHeaders) ?? fieldValue(json, TRACE_FIELDS);
	if (trace) info.traceId = clip(trace.value, options.secrets, 100);

	const messageField = fieldValue(json, MESSAGE_FIELDS);
	const type = mediaType(contentType);
	const isHtml = type === 'text/html' || /^\s*<(!doctype|html)/i.test(text);
	if (messageField && messageField.value !== info.serviceErrorCode) {
		info.serviceMessage = clip(messageField.value, options.secrets);
	} else if (json === undefined && text && !isHtml && !type.includes('xml') && text.trim().length <= EXCERPT_LENGTH) {
		info.serviceMessage = clip(text, options.secrets);
	}
	if (bytes.length > 0) {
		info.bodyExcerpt = textual
			? clip(text, options.secrets, EXCERPT_LENGTH)
			: `[${bytes.length} bytes of ${type || 'binary data'}]`;
	}
	return info;
}

const TLS_CODES = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'CERT_UNTRUSTED',
	'CERT_REJECTED',
	'CERT_REVOKED',
	'CERT_SIGNATURE_FAILURE',
	'HOSTNAME_MISMATCH',
	'UND_ERR_PRX_TLS',
]);

const FRIENDLY: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'the connection was reset',
	EPIPE: 'the connection was closed while sending',
	UND_ERR_SOCKET: 'the server closed the connection before answering',
	UND_ERR_CLOSED: 'the connection was closed',
	ENOTFOUND: 'host name not found (DNS)',
	EAI_AGAIN: 'DNS lookup failed temporarily',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ETIMEDOUT: 'the connection timed out',
	UND_ERR_CONNECT_TIMEOUT: 'could not connect in time',
	UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
	UND_ERR_BODY_TIMEOUT: 'the response body stalled',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
	SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain ends in an untrusted self-signed CA',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not signed by a trusted CA',
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of the server certificate is not trusted',
	CERT_HAS_EXPIRED: 'the server certificate has expired',
	CERT_NOT_YET_VALID: 'the server certificate is not valid yet',
	ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not name this host',
	ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate',
	ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server rejected the client certificate',
	ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the server does not trust the client certificate',
	ERR_OSSL_BAD_DECRYPT: 'the client key could not be decrypted (wrong passphrase?)',
	ERR_OSSL_PEM_NO_START_LINE: 'a CA, certificate or key is not valid PEM',
};

export interface FailureInfo {
	kind: Exclude<HttpErrorKind, 'http' | 'origin'>;
	code?: string;
	detail: string;
}

/** The most telling code in the error's cause chain: a TLS code beats a generic socket error. */
function codeOf(error: unknown): string | undefined {
	const codes: string[] = [];
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') codes.push(code);
		current = (current as { cause?: unknown }).cause;
	}
	return codes.find(isTlsCode) ?? codes.find((code) => code !== 'UND_ERR_ABORTED') ?? codes[0];
}

function isTlsCode(code: string | undefined): boolean {
	if (!code) return false;
	return TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_') || code.startsWith('CERT_');
}

/** Classifies a thrown transport error. */
export function describeFailure(error: unknown, aborted: boolean, secrets: readonly string[]): FailureInfo {
	const code = codeOf(error);
	const rawMessage = error instanceof Error ? error.message : String(error);
	const detail = clip(FRIENDLY[code ?? ''] ?? rawMessage, secrets) ?? 'unknown error';
	if (aborted) return { kind: 'aborted', code, detail: 'cancelled by the caller' };
	if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
		return { kind: 'timeout', code, detail };
	}
	if (isTlsCode(code)) return { kind: 'tls', code, detail };
	const proxyStatus = rawMessage.match(/Proxy response \((\d{3})\)/);
	if (proxyStatus) {
		const status = Number(proxyStatus[1]);
		const why = status === 407 ? ' (proxy authentication required: check the user and password in the proxy URL)' : '';
		return { kind: 'network', code: `PROXY_${status}`, detail: `the proxy answered ${status} instead of opening a tunnel${why}` };
	}
	return { kind: 'network', code, detail: code && !FRIENDLY[code] ? `${detail} (${code})` : detail };
}

export function hintFor(kind: HttpErrorKind, status: number | undefined, serviceName: string): string {
	switch (kind) {
		case 'origin':
			return 'Use a path relative to the base URL configured in the credential; requests never leave that origin.';
		case 'aborted':
			return 'The execution was cancelled.';
		case 'timeout':
			return `${serviceName} was too slow. Try again later, or raise the timeouts if large documents are involved.`;
		case 'tls':
			return 'Check the TLS settings of the credential: add the CA certificate (PEM) of the server if it uses a private CA, and check the client certificate, key and passphrase for mutual TLS.';
		case 'network':
			return `Check the base URL, DNS, firewall and proxy settings (HTTPS_PROXY, NO_PROXY) between n8n and ${serviceName}.`;
		case 'http':
			break;
	}
	if (status === 401) return 'Check the credential: the token or password is wrong or has expired.';
	if (status === 403) return 'The account has no rights for this operation or organization (box).';
	if (status === 404) return 'Check the identifiers and the base URL: the object was not found.';
	if (status === 409) return 'The object is in a state that does not allow this operation.';
	if (status === 413) return 'The request body is too large for the service.';
	if (status === 429) return `${serviceName} limits the request rate. Wait and try again, or lower the parallelism.`;
	if (status !== undefined && status >= 500) return `${serviceName} has a problem on its side. Try again later.`;
	if (status !== undefined && status >= 300 && status < 400) return 'The service answered with a redirect, which is not followed: check the base URL.';
	return 'Check the request parameters against the service documentation.';
}
