/**
 * The one error the transport throws. It carries everything the n8n layer needs to build a NodeApiError
 * (status, service error code, trace id, excerpt, hint) and never a credential: callers hand their secrets
 * to the request and every text field is redacted before the error is built.
 */

export type HttpErrorKind = 'http' | 'timeout' | 'network' | 'tls' | 'aborted' | 'origin';

export interface HttpErrorDetails {
	kind: HttpErrorKind;
	serviceName: string;
	method: string;
	/** Origin and path only: never the query string, where tokens may sit. */
	url: string;
	attempts: number;
	status?: number;
	statusText?: string;
	serviceErrorCode?: string;
	/** The header or JSON field the service error code came from, e.g. "X-Diadoc-ErrorCode" or "body.Code". */
	serviceErrorCodeSource?: string;
	/** A human-readable message from the service (a JSON `message` field or a short plain-text body). */
	serviceMessage?: string;
	traceId?: string;
	bodyExcerpt?: string;
	retryAfterSeconds?: number;
	/** Low-level cause code: ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, DEPTH_ZERO_SELF_SIGNED_CERT… */
	code?: string;
	/** What to do about it, for the user. */
	hint?: string;
}

export class HttpError extends Error {
	readonly kind: HttpErrorKind;
	readonly serviceName: string;
	readonly method: string;
	readonly url: string;
	readonly attempts: number;
	readonly status?: number;
	readonly statusText?: string;
	readonly serviceErrorCode?: string;
	readonly serviceErrorCodeSource?: string;
	readonly serviceMessage?: string;
	readonly traceId?: string;
	readonly bodyExcerpt?: string;
	readonly retryAfterSeconds?: number;
	readonly code?: string;
	readonly hint?: string;

	constructor(message: string, details: HttpErrorDetails) {
		super(message);
		this.name = 'HttpError';
		this.kind = details.kind;
		this.serviceName = details.serviceName;
		this.method = details.method;
		this.url = details.url;
		this.attempts = details.attempts;
		this.status = details.status;
		this.statusText = details.statusText;
		this.serviceErrorCode = details.serviceErrorCode;
		this.serviceErrorCodeSource = details.serviceErrorCodeSource;
		this.serviceMessage = details.serviceMessage;
		this.traceId = details.traceId;
		this.bodyExcerpt = details.bodyExcerpt;
		this.retryAfterSeconds = details.retryAfterSeconds;
		this.code = details.code;
		this.hint = details.hint;
	}

	/** The same error with another message and/or hint (the fields are read-only, so this is a copy). */
	withChanges(changes: { message?: string; hint?: string }): HttpError {
		return new HttpError(changes.message ?? this.message, {
			kind: this.kind,
			serviceName: this.serviceName,
			method: this.method,
			url: this.url,
			attempts: this.attempts,
			status: this.status,
			statusText: this.statusText,
			serviceErrorCode: this.serviceErrorCode,
			serviceErrorCodeSource: this.serviceErrorCodeSource,
			serviceMessage: this.serviceMessage,
			traceId: this.traceId,
			bodyExcerpt: this.bodyExcerpt,
			retryAfterSeconds: this.retryAfterSeconds,
			code: this.code,
			hint: changes.hint ?? this.hint,
		});
	}

	/** A plain object for logs and n8n error descriptions. */
	toJSON(): Record<string, unknown> {
		const { kind, serviceName, method, url, attempts, status, statusText, serviceErrorCode, traceId } = this;
		return {
			name: this.name,
			message: this.message,
			kind,
			serviceName,
			method,
			url,
			attempts,
			status,
			statusText,
			serviceErrorCode,
			serviceErrorCodeSource: this.serviceErrorCodeSource,
			serviceMessage: this.serviceMessage,
			traceId,
			bodyExcerpt: this.bodyExcerpt,
			retryAfterSeconds: this.retryAfterSeconds,
			code: this.code,
			hint: this.hint,
		};
	}
}

export function isHttpError(error: unknown): error is HttpError {
	return error instanceof HttpError;
}
