/**
 * Route helpers: every Diadoc route is registered for any method and answers 405 (with Allow) itself, so
 * the error is Diadoc-shaped; every answer gets a trace id; the optional built-in rate limit applies.
 */
import type { SandboxRequest, SandboxResponse, SandboxRouter } from '../../server';
import { authenticate, type AuthContext } from './auth';
import { allowMethods, fail, traced } from './http';
import type { DiadocState } from './state';

type Answer = SandboxResponse | Promise<SandboxResponse>;
export type OpenHandler = (request: SandboxRequest) => Answer;
export type ApiHandler = (request: SandboxRequest, auth: AuthContext) => Answer;

export interface DiadocRoutes {
	/** A method that needs no API token (Authenticate, AuthenticateConfirm). */
	open(pattern: string, methods: string[], handler: OpenHandler): void;
	/** An API method: Bearer or DiadocAuth token required. */
	api(pattern: string, methods: string[], handler: ApiHandler): void;
}

/** 429 once more than `requests` calls arrived within the window (sandbox clock). */
function limitRate(state: DiadocState): void {
	const limit = state.config.options.rateLimit;
	if (!limit) return;
	const now = state.now();
	const windowMs = limit.windowSeconds * 1000;
	const window = state.rateWindow;
	while (window.length && window[0] <= now - windowMs) window.shift();
	if (window.length >= limit.requests) {
		const retryAfter = Math.max(1, Math.ceil((window[0] + windowMs - now) / 1000));
		fail(429, 'Http.TooManyRequests', 'Too many requests per unit of time.', { 'Retry-After': String(retryAfter) });
	}
	window.push(now);
}

export function createRoutes(router: SandboxRouter, state: DiadocState): DiadocRoutes {
	return {
		open(pattern, methods, handler) {
			router.route(
				'*',
				pattern,
				traced((request) => {
					allowMethods(request, ...methods);
					limitRate(state);
					return handler(request);
				}),
			);
		},
		api(pattern, methods, handler) {
			router.route(
				'*',
				pattern,
				traced((request) => {
					allowMethods(request, ...methods);
					limitRate(state);
					return handler(request, authenticate(state, request));
				}),
			);
		},
	};
}
