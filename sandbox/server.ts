/**
 * The sandbox: a small HTTP(S) server hosting emulators of the EDO services, with request recording,
 * fault injection, a test clock and an admin API under /__sandbox for tests in other processes.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { TestClock } from './clock';
import { FaultRegistry, FaultSpecError, type Fault, type FaultSpec } from './faults';
import { compilePattern, joinPattern, type CompiledPattern } from './router';

export interface SandboxRequest {
	method: string;
	/** Decoded-as-sent path without the query string, e.g. "/echo/a%20b". */
	path: string;
	params: Record<string, string>;
	query: URLSearchParams;
	/** Lower-case names; repeated headers joined with ", ". */
	headers: Record<string, string>;
	body: Buffer;
	json<T = unknown>(): T;
	text(): string;
	clock: TestClock;
	/** Port of the client end of the connection, to tell connections apart. */
	remotePort?: number;
	/** Sequence number of the connection this request arrived on (1, 2, …). */
	connectionId: number;
}

export interface SandboxResponse {
	status: number;
	headers?: Record<string, string | string[]>;
	/** Serialized as JSON (content-type set unless given). */
	json?: unknown;
	/** Sent as is; a string is UTF-8 text/plain unless a content-type is given. */
	body?: Buffer | string;
}

export type RouteHandler = (request: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface SandboxRouter {
	/** Registers a route under the emulator's prefix; method "*" matches any. */
	route(method: string, pattern: string, handler: RouteHandler): void;
	readonly clock: TestClock;
	readonly prefix: string;
}

export interface SandboxEmulator {
	name: string;
	register(router: SandboxRouter): void;
	/** Forget all state (called by POST /__sandbox/reset and server.reset()). */
	reset?(): void;
	/** Human-readable defaults (users, ids, options) for the CLI and the demo; `baseUrl` is the sandbox root. */
	describe?(baseUrl: string): string;
}

export interface SandboxTlsOptions {
	certPem: string;
	keyPem: string;
	/** Ask for a client certificate and refuse connections without one signed by `clientCaPem`. */
	requireClientCert?: boolean;
	clientCaPem?: string;
}

export interface SandboxServerOptions {
	tls?: SandboxTlsOptions;
	/** JSON request bodies up to this size are kept in the request log. Default 64 KiB. */
	recordJsonLimit?: number;
	/** Larger request bodies get 413. Default 64 MiB (a 100 MB file as base64 JSON needs about 140 MiB). */
	maxBodyBytes?: number;
}

export interface RecordedRequest {
	seq: number;
	/** Clock time (ms) when the request arrived. */
	time: number;
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	/** Credential-bearing headers are "[redacted]" (the scheme of Authorization is kept). */
	headers: Record<string, string>;
	bodySize: number;
	json?: unknown;
	status?: number;
	fault?: string;
	remotePort?: number;
	connectionId: number;
}

export interface RouteInfo {
	method: string;
	pattern: string;
	emulator?: string;
}

/** Thrown from a handler (or by request.json()) to answer with this response. */
export class SandboxReply extends Error {
	constructor(readonly response: SandboxResponse) {
		super(`sandbox reply ${response.status}`);
	}
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SandboxResponse {
	return { status, json: body, headers };
}

export function text(status: number, body: string, headers?: Record<string, string>): SandboxResponse {
	return { status, body, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } };
}

/** A JSON error answer: `{ error: message, code? }` plus any extra fields. */
export function error(
	status: number,
	message: string,
	options: { code?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): SandboxResponse {
	return json(status, { error: message, ...(options.code ? { code: options.code } : {}), ...options.extra }, options.headers);
}

const ADMIN_PREFIX = '/__sandbox';
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|password|api-?key|assistant-key/i;
/** JSON fields whose values never reach the request log (passwords, PINs, tokens, secrets). */
const SECRET_FIELD = /password|^pin$|token|secret|^sad$|otp|client_?secret|^authdata$/i;

interface Route extends RouteInfo {
	compiled: CompiledPattern;
	handler: RouteHandler;
}

function flatHeaders(message: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(message.headers)) {
		if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

function redactJson(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(redactJson);
	if (value === null || typeof value !== 'object') return value;
	const redacted: Record<string, unknown> = {};
	for (const [name, field] of Object.entries(value)) {
		redacted[name] = SECRET_FIELD.test(name) && field !== null && field !== '' ? '[redacted]' : redactJson(field);
	}
	return redacted;
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
	const redacted: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!SECRET_HEADER.test(name)) {
			redacted[name] = value;
			continue;
		}
		const scheme = name === 'authorization' || name === 'proxy-authorization' ? value.match(/^([A-Za-z][\w-]*)\s+\S/) : null;
		redacted[name] = scheme ? `${scheme[1]} [redacted]` : '[redacted]';
	}
	return redacted;
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
	const result: Record<string, string | string[]> = {};
	for (const name of new Set(query.keys())) {
		const values = query.getAll(name);
		result[name] = values.length === 1 ? values[0] : values;
	}
	return result;
}

function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > maxBytes) {
				reject(new SandboxReply(error(413, 'request body too large')));
				request.destroy();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

/** An unref'd wait, so a pending latency fault never keeps a stopped sandbox's process alive. */
function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class SandboxServer {
	readonly clock = new TestClock();
	readonly faults = new FaultRegistry();
	/** Every request outside /__sandbox, oldest first. */
	readonly requests: RecordedRequest[] = [];
	private readonly routes: Route[] = [];
	private readonly emulators: SandboxEmulator[] = [];
	private readonly options: SandboxServerOptions;
	private server?: Server;
	private readonly connectionIds = new WeakMap<Socket, number>();
	private connectionSeq = 0;
	private requestSeq = 0;
	private url?: string;

	constructor(options: SandboxServerOptions = {}) {
		this.options = options;
	}

	/** Connections accepted so far (TLS: completed handshakes). */
	get connectionCount(): number {
		return this.connectionSeq;
	}

	get baseUrl(): string {
		if (!this.url) throw new Error('the sandbox is not started');
		return this.url;
	}

	get isTls(): boolean {
		return this.options.tls !== undefined;
	}

	route(method: string, pattern: string, handler: RouteHandler, emulator?: string): void {
		const compiled = compilePattern(pattern);
		this.routes.push({ method: method.toUpperCase(), pattern: compiled.pattern, compiled, handler, emulator });
	}

	mount(prefix: string, emulator: SandboxEmulator): void {
		const router: SandboxRouter = {
			route: (method, pattern, handler) => this.route(method, joinPattern(prefix, pattern), handler, emulator.name),
			clock: this.clock,
			prefix: joinPattern(prefix, '/'),
		};
		emulator.register(router);
		this.emulators.push(emulator);
	}

	listRoutes(): RouteInfo[] {
		return this.routes.map(({ method, pattern, emulator }) => ({ method, pattern, emulator }));
	}

	clearRequests(): void {
		this.requests.length = 0;
	}

	/** Clears the request log and faults, resets the clock and every emulator's state. */
	reset(): void {
		this.clearRequests();
		this.faults.clear();
		this.clock.reset();
		for (const emulator of this.emulators) emulator.reset?.();
	}

	async start(options: { port?: number; host?: string } = {}): Promise<string> {
		if (this.server) throw new Error('the sandbox is already started');
		const host = options.host ?? '127.0.0.1';
		const listener = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
		const tls = this.options.tls;
		const server: Server = tls
			? createHttpsServer(
					{
						cert: tls.certPem,
						key: tls.keyPem,
						requestCert: tls.requireClientCert === true,
						rejectUnauthorized: tls.requireClientCert === true,
						ca: tls.clientCaPem,
					},
					listener,
				)
			: createHttpServer(listener);
		server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
			this.connectionSeq += 1;
			this.connectionIds.set(socket, this.connectionSeq);
		});
		server.on('tlsClientError', () => undefined);
		server.keepAliveTimeout = 60_000;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		const { port } = server.address() as AddressInfo;
		const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
		this.url = `${tls ? 'https' : 'http'}://${shownHost}:${port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		this.url = undefined;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
		const method = (req.method ?? 'GET').toUpperCase();
		let record: RecordedRequest | undefined;
		try {
			const body = await readRequestBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY);
			const request = this.buildRequest(req, method, url, body);
			if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
				this.send(res, await this.admin(request));
				return;
			}
			record = this.record(request);
			const fault = this.faults.take(method, url.pathname);
			if (fault) {
				record.fault = fault.id;
				if (fault.latencyMs) await delay(fault.latencyMs);
				if (res.destroyed || req.socket.destroyed) return;
				if (fault.drop) {
					req.socket.destroy();
					return;
				}
				const faultResponse = this.faultResponse(fault);
				if (faultResponse) {
					record.status = faultResponse.status;
					this.send(res, faultResponse);
					return;
				}
			}
			const response = await this.dispatch(request);
			record.status = response.status;
			this.send(res, response);
		} catch (caught) {
			const response =
				caught instanceof SandboxReply
					? caught.response
					: error(500, `sandbox handler failed: ${caught instanceof Error ? caught.message : String(caught)}`);
			if (record) record.status = response.status;
			this.send(res, response);
		}
	}

	private buildRequest(req: IncomingMessage, method: string, url: URL, body: Buffer): SandboxRequest {
		const headers = flatHeaders(req);
		return {
			method,
			path: url.pathname,
			params: {},
			query: url.searchParams,
			headers,
			body,
			json<T>(): T {
				try {
					return JSON.parse(body.toString('utf8').replace(/^\uFEFF/, '')) as T;
				} catch {
					throw new SandboxReply(error(400, 'request body is not valid JSON'));
				}
			},
			text: () => body.toString('utf8'),
			clock: this.clock,
			remotePort: req.socket.remotePort,
			connectionId: this.connectionIds.get(req.socket) ?? 0,
		};
	}

	private record(request: SandboxRequest): RecordedRequest {
		this.requestSeq += 1;
		const entry: RecordedRequest = {
			seq: this.requestSeq,
			time: this.clock.now(),
			method: request.method,
			path: request.path,
			query: queryObject(request.query),
			headers: redactHeaders(request.headers),
			bodySize: request.body.length,
			remotePort: request.remotePort,
			connectionId: request.connectionId,
		};
		const limit = this.options.recordJsonLimit ?? 64 * 1024;
		if (request.body.length > 0 && request.body.length <= limit && /json/i.test(request.headers['content-type'] ?? '')) {
			try {
				entry.json = redactJson(JSON.parse(request.body.toString('utf8').replace(/^\uFEFF/, '')));
			} catch {
				// Not JSON after all: the size is recorded, the body is not.
			}
		}
		this.requests.push(entry);
		return entry;
	}

	private faultResponse(fault: Fault): SandboxResponse | undefined {
		const status = fault.status ?? (fault.retryAfter !== undefined ? 429 : undefined);
		if (status === undefined) return undefined;
		const headers: Record<string, string> = { ...fault.headers };
		if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
		if (typeof fault.body === 'string') return { status, headers, body: fault.body };
		if (fault.body !== undefined) return { status, headers, json: fault.body };
		return error(status, `sandbox fault ${fault.id}`, { headers });
	}

	private async dispatch(request: SandboxRequest): Promise<SandboxResponse> {
		let pathMatched = false;
		for (const route of this.routes) {
			const params = route.compiled.match(request.path);
			if (!params) continue;
			pathMatched = true;
			if (route.method !== '*' && route.method !== request.method) continue;
			return route.handler({ ...request, params });
		}
		if (pathMatched) return error(405, `method ${request.method} not allowed for ${request.path}`);
		return error(404, `no sandbox route for ${request.method} ${request.path}`);
	}

	private send(res: ServerResponse, response: SandboxResponse): void {
		if (res.destroyed || res.writableEnded) return;
		const headers: Record<string, string | string[]> = {};
		for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
		let payload: Buffer | undefined;
		if (response.json !== undefined) {
			payload = Buffer.from(JSON.stringify(response.json));
			headers['content-type'] ??= 'application/json; charset=utf-8';
		} else if (typeof response.body === 'string') {
			payload = Buffer.from(response.body, 'utf8');
			headers['content-type'] ??= 'text/plain; charset=utf-8';
		} else if (response.body) {
			payload = response.body;
			headers['content-type'] ??= 'application/octet-stream';
		}
		headers['content-length'] = String(payload?.length ?? 0);
		res.writeHead(response.status, headers);
		res.end(payload);
	}

	private async admin(request: SandboxRequest): Promise<SandboxResponse> {
		const path = request.path.slice(ADMIN_PREFIX.length) || '/';
		const { method } = request;
		const clockState = () => json(200, this.clock.toJSON());
		if (path === '/health' && method === 'GET') {
			return json(200, { ok: true, emulators: this.emulators.map((emulator) => emulator.name) });
		}
		if (path === '/routes' && method === 'GET') return json(200, { routes: this.listRoutes() });
		if (path === '/requests') {
			if (method === 'GET') return json(200, { requests: this.requests });
			if (method === 'DELETE') {
				this.clearRequests();
				return { status: 204 };
			}
		}
		if (path === '/faults') {
			if (method === 'GET') return json(200, { faults: this.faults.list() });
			if (method === 'DELETE') {
				this.faults.clear();
				return { status: 204 };
			}
			if (method === 'POST') {
				const payload = request.json<FaultSpec | FaultSpec[] | { faults: FaultSpec[] }>();
				const specs = Array.isArray(payload) ? payload : 'faults' in payload && Array.isArray(payload.faults) ? payload.faults : [payload as FaultSpec];
				try {
					return json(201, { faults: specs.map((spec) => this.faults.add(spec)) });
				} catch (caught) {
					if (caught instanceof FaultSpecError) return error(400, caught.message);
					throw caught;
				}
			}
		}
		const faultId = path.match(/^\/faults\/([^/]+)$/);
		if (faultId && method === 'DELETE') {
			return this.faults.remove(decodeURIComponent(faultId[1])) ? { status: 204 } : error(404, 'no such fault');
		}
		if (path === '/reset' && method === 'POST') {
			this.reset();
			return { status: 204 };
		}
		if (path === '/clock') {
			if (method === 'GET') return clockState();
			if (method === 'POST') {
				const change = request.body.length ? request.json<{ advanceMs?: number; set?: number | string; reset?: boolean }>() : {};
				try {
					if (change.reset) this.clock.reset();
					if (change.set !== undefined) this.clock.set(change.set);
					if (change.advanceMs !== undefined) this.clock.advance(Number(change.advanceMs));
				} catch (caught) {
					return error(400, caught instanceof Error ? caught.message : String(caught));
				}
				return clockState();
			}
		}
		return error(404, `no sandbox admin endpoint ${method} ${request.path}`);
	}
}
