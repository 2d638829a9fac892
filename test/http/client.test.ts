import { Readable } from 'node:stream';
import { closeHttpPools, getHttpClient, HttpClient, HttpError, httpPoolCount, type HttpClientOptions } from '../../lib/http';
import { createEchoEmulator } from '../../sandbox/emulators/echo';
import { SandboxServer } from '../../sandbox/server';

/** A clock and sleep that do not wait: sleeping advances the fake time and is recorded. */
function fakeTime(start = 1_000_000) {
	let time = start;
	const sleeps: number[] = [];
	return {
		sleeps,
		now: () => time,
		sleep: async (ms: number, signal?: AbortSignal) => {
			if (signal?.aborted) throw signal.reason;
			sleeps.push(ms);
			time += ms;
		},
		random: () => 0.5,
	};
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof HttpError) return error;
		throw error;
	}
	throw new Error('expected the request to fail');
}

describe('HttpClient against the sandbox', () => {
	const server = new SandboxServer();
	let base: string;

	const client = (options: Partial<HttpClientOptions> = {}) => new HttpClient({ baseUrl: `${base}/echo/`, serviceName: 'Echo', ...fakeTime(), ...options });

	beforeAll(async () => {
		server.mount('/echo', createEchoEmulator());
		base = await server.start();
	});

	afterAll(async () => {
		await closeHttpPools();
		await server.stop();
	});

	beforeEach(() => server.reset());

	describe('pooling', () => {
		it('returns the same client for the same options and one pool per origin', async () => {
			const options = { baseUrl: `${base}/echo/`, serviceName: 'Echo' };
			const a = getHttpClient(options);
			expect(getHttpClient({ ...options })).toBe(a);
			const b = getHttpClient({ ...options, serviceName: 'Other', timeouts: { headersMs: 5000 } });
			expect(b).not.toBe(a);
			expect(b.dispatcher()).toBe(a.dispatcher());
			const withTls = getHttpClient({ ...options, tls: { rejectUnauthorized: false } });
			expect(withTls.dispatcher()).not.toBe(a.dispatcher());
			expect(a.origin).toBe(base);
			expect(httpPoolCount()).toBeGreaterThanOrEqual(2);
		});

		it('reuses keep-alive connections across requests and clients of the same origin', async () => {
			// undici's pool opens a spare connection when its first one is busy, so sequential requests use
			// at most two sockets; without keep-alive there would be one per request.
			const before = server.connectionCount;
			const first = getHttpClient({ baseUrl: `${base}/echo/`, serviceName: 'A' });
			const second = getHttpClient({ baseUrl: `${base}/echo/sub/`, serviceName: 'B' });
			const ports = new Set<number>();
			for (const c of [first, second, first, second, first, second, first, second]) {
				const res = await c.request<{ remotePort: number }>({ method: 'GET', path: '/x' });
				ports.add(res.body.remotePort);
			}
			expect(ports.size).toBeLessThanOrEqual(2);
			expect(server.connectionCount - before).toBeLessThanOrEqual(2);
			expect(server.requests).toHaveLength(8);
		});
	});

	describe('bodies', () => {
		it('sends JSON objects with a JSON content type and parses JSON answers', async () => {
			const res = await client().request<{ json: unknown; headers: Record<string, string> }>({ method: 'POST', path: '/items', body: { name: 'Ромашка', n: 1 } });
			expect(res.status).toBe(200);
			expect(res.attempts).toBe(1);
			expect(res.body.json).toEqual({ name: 'Ромашка', n: 1 });
			expect(res.body.headers['content-type']).toBe('application/json; charset=utf-8');
			expect(res.headers['content-type']).toMatch(/application\/json/);
		});

		it('sends strings, bytes and streams, keeping a caller content type', async () => {
			const text = await client().request<{ text: string; headers: Record<string, string> }>({ method: 'PUT', path: '/t', body: 'hello', headers: { 'Content-Type': 'text/xml' } });
			expect(text.body.text).toBe('hello');
			expect(text.body.headers['content-type']).toBe('text/xml');
			const bytes = await client().request<{ bodySize: number }>({ method: 'POST', path: '/b', body: new Uint8Array(1234) });
			expect(bytes.body.bodySize).toBe(1234);
			const stream = Readable.from([Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)]);
			const streamed = await client().request<{ bodySize: number }>({ method: 'POST', path: '/s', body: stream });
			expect(streamed.body.bodySize).toBe(100_000);
		});

		it('encodes query values and sends default and request headers', async () => {
			const res = await client({ defaultHeaders: { 'X-Client': 'edo' } }).request<{ query: unknown; headers: Record<string, string> }>({
				method: 'GET',
				path: '/q',
				query: { boxId: 'a b&c', count: 5, flag: true, skip: undefined },
				headers: { Accept: 'application/json' },
			});
			expect(res.body.query).toEqual({ boxId: 'a b&c', count: '5', flag: 'true' });
			expect(res.body.headers).toMatchObject({ 'x-client': 'edo', accept: 'application/json', 'user-agent': 'n8n-nodes-edo' });
		});

		it('answers text, buffers and streams per responseType', async () => {
			expect((await client().request({ method: 'GET', path: '/text', query: { value: 'plain' } })).body).toBe('plain');
			const bytes = await client().request<Buffer>({ method: 'GET', path: '/bytes/1000' });
			expect(Buffer.isBuffer(bytes.body)).toBe(true);
			expect(bytes.body.length).toBe(1000);
			expect(bytes.body[999]).toBe(999 % 256);
			const asText = await client().request<string>({ method: 'GET', path: '/x', responseType: 'text' });
			expect(JSON.parse(asText.body).path).toBe('/echo/x');
			const asBuffer = await client().request<Buffer>({ method: 'GET', path: '/x', responseType: 'buffer' });
			expect(JSON.parse(asBuffer.body.toString()).path).toBe('/echo/x');
			const streamed = await client().request<Readable>({ method: 'GET', path: '/bytes/200000', responseType: 'stream' });
			let size = 0;
			for await (const chunk of streamed.body) size += (chunk as Buffer).length;
			expect(size).toBe(200_000);
		});

		it('parses JSON sent as text/json with a BOM, and JSON requested explicitly', async () => {
			const raw = '\uFEFF{"Id":"d1"}';
			const auto = await client().request({ method: 'POST', path: '/raw', query: { contentType: 'text/json; charset=utf-8' }, body: raw });
			expect(auto.body).toEqual({ Id: 'd1' });
			const forced = await client().request({ method: 'POST', path: '/raw', query: { contentType: 'application/octet-stream' }, body: raw, responseType: 'json' });
			expect(forced.body).toEqual({ Id: 'd1' });
			const invalid = await rejection(client().request({ method: 'POST', path: '/raw', query: { contentType: 'text/plain' }, body: '<html>login</html>', responseType: 'json' }));
			expect(invalid.kind).toBe('http');
			expect(invalid.status).toBe(200);
			expect(invalid.message).toMatch(/not valid JSON/);
		});

		it('returns okStatuses as responses', async () => {
			const res = await client().request<{ path: string }>({ method: 'GET', path: '/status/404', okStatuses: [404] });
			expect(res.status).toBe(404);
			expect(res.body.path).toBe('/echo/status/404');
		});

		it('joins paths under a base URL with a path prefix', async () => {
			const prefixed = new HttpClient({ baseUrl: `${base}/echo/v1.3/API`, serviceName: 'Taxcom' });
			const res = await prefixed.request<{ path: string }>({ method: 'GET', path: '/Login' });
			expect(res.body.path).toBe('/echo/v1.3/API/Login');
		});
	});

	describe('origin enforcement', () => {
		it.each(['https://evil.example/x', '//evil.example/x', '../../__sandbox/requests', `${'/'}%2e%2e/__sandbox/reset`])(
			'refuses %s before connecting',
			async (path) => {
				const error = await rejection(client().request({ method: 'GET', path }));
				expect(error.kind).toBe('origin');
				expect(error.attempts).toBe(0);
				expect(error.hint).toMatch(/relative to the base URL/);
				expect(server.requests).toHaveLength(0);
			},
		);

		it('never shows the query of a refused path', async () => {
			const error = await rejection(client().request({ method: 'GET', path: 'https://evil.example/x?token=abc' }));
			expect(error.message).not.toContain('abc');
		});

		it('does not follow redirects', async () => {
			const error = await rejection(client().request({ method: 'GET', path: '/status/302', query: { header: 'Location: https://evil.example/' } }));
			expect(error.status).toBe(302);
			expect(error.hint).toMatch(/redirect/);
		});
	});

	describe('errors', () => {
		it('carry status, service error code, trace id and an excerpt, with the URL minus its query', async () => {
			const error = await rejection(
				client({ serviceName: 'Diadoc' }).request({
					method: 'POST',
					path: '/status/403?header=X-Kontur-Trace-Id:4f1b2c',
					query: { header: 'X-Diadoc-ErrorCode: Http.Forbidden' },
					body: { boxId: 'b1' },
				}),
			);
			expect(error).toBeInstanceOf(HttpError);
			expect(error.kind).toBe('http');
			expect(error.status).toBe(403);
			expect(error.statusText).toBe('Forbidden');
			expect(error.serviceErrorCode).toBe('Http.Forbidden');
			expect(error.method).toBe('POST');
			expect(error.url).toBe(`${base}/echo/status/403`);
			expect(error.attempts).toBe(1);
			expect(error.message).toBe('Diadoc answered 403 Forbidden to POST /echo/status/403 (X-Diadoc-ErrorCode: Http.Forbidden, trace 4f1b2c)');
			expect(error.traceId).toBe('4f1b2c');
			expect(error.bodyExcerpt!.startsWith('{"method":"POST","path":"/echo/status/403"')).toBe(true);
			expect(error.bodyExcerpt!.length).toBe(301);
			expect(error.bodyExcerpt!.endsWith('…')).toBe(true);
			expect(error.hint).toMatch(/rights/);
		});

		it('name the trace id and take codes and messages from JSON bodies', async () => {
			server.faults.add({
				path: '/echo/register',
				status: 400,
				body: { Code: 'InvalidInn', Message: 'ИНН не найден' },
				headers: { 'X-Kontur-Trace-Id': 'trace-42' },
			});
			const error = await rejection(client({ serviceName: 'Diadoc' }).request({ method: 'POST', path: '/register' }));
			expect(error).toMatchObject({ status: 400, serviceErrorCode: 'InvalidInn', serviceErrorCodeSource: 'body.Code', traceId: 'trace-42', serviceMessage: 'ИНН не найден' });
			expect(error.message).toBe('Diadoc answered 400 Bad Request to POST /echo/register (code InvalidInn, trace trace-42): ИНН не найден');
		});

		it('use configured header names', async () => {
			server.faults.add({ path: '/echo/r', status: 500, body: 'oops', headers: { 'X-Taxcom-Error': 'T-1', 'X-My-Trace': 'mt' } });
			const error = await rejection(client({ errorCodeHeaders: ['X-Taxcom-Error'], traceIdHeaders: ['X-My-Trace'], retry: { maxRetries: 0 } }).request({ method: 'GET', path: '/r' }));
			expect(error).toMatchObject({ serviceErrorCode: 'T-1', traceId: 'mt', serviceMessage: 'oops', bodyExcerpt: 'oops' });
		});

		it('redact secrets echoed back by the service from message, excerpt and fields', async () => {
			const token = 'tok-9f8e7d6c5b4a';
			const password = 'Pa$$w0rd!';
			const error = await rejection(
				client().request({
					method: 'POST',
					path: '/status/401',
					query: { token },
					headers: { Authorization: `Bearer ${token}` },
					body: { password },
					secrets: [token, password],
				}),
			);
			expect(error.status).toBe(401);
			const everything = JSON.stringify(error) + error.message + error.stack;
			expect(everything).not.toContain(token);
			expect(everything).not.toContain(password);
			expect(error.bodyExcerpt).toContain('[redacted]');
			expect(error.url).not.toContain('?');
		});

		it('report headers timeouts as kind timeout', async () => {
			// undici checks headers timeouts on a timer with about one second resolution.
			server.faults.add({ path: '/echo/slow', latencyMs: 2500 });
			const started = Date.now();
			const error = await rejection(client({ timeouts: { headersMs: 200 }, retry: { maxRetries: 0 } }).request({ method: 'GET', path: '/slow' }));
			expect(Date.now() - started).toBeLessThan(2400);
			expect(error.kind).toBe('timeout');
			expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT');
			expect(error.message).toMatch(/Echo did not answer GET .*\/echo\/slow in time/);
		});

		it('report cancellation as kind aborted', async () => {
			server.faults.add({ path: '/echo/slow', latencyMs: 400 });
			const controller = new AbortController();
			setTimeout(() => controller.abort(), 50);
			const error = await rejection(client().request({ method: 'GET', path: '/slow', signal: controller.signal }));
			expect(error.kind).toBe('aborted');
			const already = await rejection(client().request({ method: 'GET', path: '/x', signal: AbortSignal.abort() }));
			expect(already.kind).toBe('aborted');
		});
	});

	describe('retries', () => {
		it('waits exactly Retry-After on 429 and then succeeds', async () => {
			server.faults.add({ path: '/echo/limited', retryAfter: 2, times: 1 });
			const time = fakeTime();
			const res = await client(time).request({ method: 'GET', path: '/limited' });
			expect(res.status).toBe(200);
			expect(res.attempts).toBe(2);
			expect(time.sleeps).toEqual([2000]);
		});

		it('honours Retry-After given as an HTTP date', async () => {
			server.faults.add({ path: '/echo/limited', retryAfter: new Date(Date.now() + 5_000).toUTCString(), times: 1 });
			const time = fakeTime();
			await client(time).request({ method: 'GET', path: '/limited' });
			expect(time.sleeps).toHaveLength(1);
			expect(time.sleeps[0]).toBeGreaterThan(3_000);
			expect(time.sleeps[0]).toBeLessThanOrEqual(5_000);
		});

		it('retries 502, 503 and 504 for GET with jittered exponential backoff', async () => {
			for (const status of [502, 503, 504]) server.faults.add({ path: '/echo/flaky', status, times: 1 });
			const time = fakeTime();
			const res = await client({ ...time, retry: { baseDelayMs: 100, maxDelayMs: 10_000 } }).request({ method: 'GET', path: '/flaky' });
			expect(res.attempts).toBe(4);
			expect(time.sleeps).toEqual([50, 100, 200]);
			expect(server.requests.map((entry) => entry.status)).toEqual([502, 503, 504, 200]);
		});

		it('never repeats a POST that is not marked idempotent', async () => {
			server.faults.add({ path: '/echo/send', status: 503, times: 1 });
			const error = await rejection(client().request({ method: 'POST', path: '/send', body: { a: 1 } }));
			expect(error).toMatchObject({ status: 503, attempts: 1 });
			expect(server.requests).toHaveLength(1);
		});

		it('repeats a POST marked idempotent', async () => {
			server.faults.add({ path: '/echo/send', status: 503, times: 1 });
			const res = await client().request({ method: 'POST', path: '/send', body: { a: 1 }, idempotent: true });
			expect(res.attempts).toBe(2);
			expect(server.requests.map((entry) => entry.json)).toEqual([{ a: 1 }, { a: 1 }]);
		});

		it('does not repeat a GET marked not idempotent', async () => {
			server.faults.add({ path: '/echo/x', status: 503, times: 1 });
			expect((await rejection(client().request({ method: 'GET', path: '/x', idempotent: false }))).attempts).toBe(1);
		});

		it('never repeats a stream body', async () => {
			server.faults.add({ path: '/echo/upload', status: 503, times: 1 });
			const error = await rejection(client().request({ method: 'PUT', path: '/upload', body: Readable.from([Buffer.from('data')]) }));
			expect(error.attempts).toBe(1);
		});

		it('is bounded in count', async () => {
			server.faults.add({ path: '/echo/down', status: 503 });
			const error = await rejection(client().request({ method: 'GET', path: '/down' }));
			expect(error.attempts).toBe(4);
			expect(error.message).toMatch(/4 attempts/);
			expect(server.requests).toHaveLength(4);
			server.clearRequests();
			expect((await rejection(client({ retry: { maxRetries: 1 } }).request({ method: 'GET', path: '/down' }))).attempts).toBe(2);
		});

		it('is bounded in total time', async () => {
			server.faults.add({ path: '/echo/down', status: 503 });
			const time = fakeTime();
			const error = await rejection(
				client({ ...time, random: () => 0.99, retry: { maxRetries: 10, maxTotalMs: 30_000, baseDelayMs: 10_000, maxDelayMs: 60_000 } }).request({ method: 'GET', path: '/down' }),
			);
			expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(30_000);
			expect(error.attempts).toBeLessThan(11);
			expect(error.attempts).toBe(time.sleeps.length + 1);
		});

		it('fails at once when Retry-After exceeds the budget, saying when to retry', async () => {
			server.faults.add({ path: '/echo/limited', retryAfter: 120 });
			const time = fakeTime();
			const error = await rejection(client(time).request({ method: 'GET', path: '/limited' }));
			expect(time.sleeps).toEqual([]);
			expect(error).toMatchObject({ status: 429, attempts: 1, retryAfterSeconds: 120 });
			expect(error.message).toMatch(/retry after 120 s/);
			expect(error.hint).toMatch(/rate/);
		});

		it('retries a dropped connection for GET', async () => {
			server.faults.add({ path: '/echo/drop', drop: true, times: 1 });
			const res = await client().request({ method: 'GET', path: '/drop' });
			expect(res.attempts).toBe(2);
		});

		it('reports a dropped connection for POST as network, without repeating it', async () => {
			server.faults.add({ path: '/echo/drop', drop: true, times: 1 });
			const error = await rejection(client().request({ method: 'POST', path: '/drop', body: { pay: 1 } }));
			expect(error.kind).toBe('network');
			expect(error.attempts).toBe(1);
			expect(error.message).toMatch(/Could not reach Echo for POST .*\/echo\/drop/);
			expect(server.requests).toHaveLength(1);
		});

		it('retries a headers timeout for GET', async () => {
			server.faults.add({ path: '/echo/slow', latencyMs: 2500, times: 1 });
			const res = await client({ timeouts: { headersMs: 200 } }).request({ method: 'GET', path: '/slow' });
			expect(res.attempts).toBe(2);
		});

		it('retries a refused connection even for POST, since nothing was sent', async () => {
			const closed = new SandboxServer();
			const closedBase = await closed.start();
			await closed.stop();
			const time = fakeTime();
			const error = await rejection(
				new HttpClient({ baseUrl: closedBase, serviceName: 'Gone', ...time, retry: { maxRetries: 2 } }).request({ method: 'POST', path: '/x', body: { a: 1 } }),
			);
			expect(error).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', attempts: 3 });
			expect(error.message).toMatch(/connection refused/);
			expect(error.hint).toMatch(/HTTPS_PROXY/);
		});

		it('stops waiting when cancelled during a backoff', async () => {
			server.faults.add({ path: '/echo/down', status: 503 });
			const controller = new AbortController();
			const sleep = async () => {
				controller.abort();
				throw new Error('aborted');
			};
			const error = await rejection(client({ sleep }).request({ method: 'GET', path: '/down', signal: controller.signal }));
			expect(error.kind).toBe('aborted');
			expect(server.requests).toHaveLength(1);
		});
	});
});
