import { Agent } from 'node:http';
import { error, json, SandboxReply, SandboxServer, type SandboxEmulator } from '../../sandbox/server';
import { createEchoEmulator } from '../../sandbox/emulators/echo';
import { emulators, mountAllEmulators } from '../../sandbox/emulators';
import { generateSelfSignedCert } from '../../sandbox/tls';
import { rawRequest } from './raw-http';

/** An emulator whose tokens expire on the sandbox clock, the way service emulators will use it. */
function createTokenEmulator(): SandboxEmulator & { issued: number } {
	const tokens = new Map<string, number>();
	const emulator = {
		name: 'tokens',
		issued: 0,
		register(router: Parameters<SandboxEmulator['register']>[0]) {
			router.route('POST', '/token', () => {
				emulator.issued += 1;
				const token = `t${emulator.issued}`;
				tokens.set(token, router.clock.now() + 60_000);
				return json(200, { token });
			});
			router.route('GET', '/check/:token', (request) => {
				const expiry = tokens.get(request.params.token);
				if (expiry === undefined) return error(404, 'unknown token');
				return expiry > request.clock.now() ? json(200, { valid: true }) : error(401, 'token expired', { code: 'Expired' });
			});
		},
		reset() {
			tokens.clear();
			emulator.issued = 0;
		},
	};
	return emulator;
}

describe('SandboxServer', () => {
	const server = new SandboxServer();
	const tokens = createTokenEmulator();
	let base: string;

	beforeAll(async () => {
		server.route('GET', '/items/:id/parts/:part', (request) => json(200, { params: request.params, q: request.query.get('q') }));
		server.route('POST', '/items', (request) => json(201, { received: request.json<{ name: string }>().name }));
		server.route('GET', '/boom', () => {
			throw new Error('handler bug');
		});
		server.route('GET', '/teapot', () => {
			throw new SandboxReply({ status: 418, body: 'short and stout' });
		});
		server.mount('/tokens', tokens);
		server.mount('/echo', createEchoEmulator());
		base = await server.start();
	});

	afterAll(() => server.stop());

	beforeEach(() => server.reset());

	describe('routing', () => {
		it('matches :params (decoded) and passes the query', async () => {
			const res = await rawRequest(`${base}/items/a%20b/parts/7?q=x`);
			expect(res.status).toBe(200);
			expect(res.json()).toEqual({ params: { id: 'a b', part: '7' }, q: 'x' });
		});

		it('answers 404 for unknown paths and 405 for a known path with another method', async () => {
			expect((await rawRequest(`${base}/nowhere`)).status).toBe(404);
			const wrongMethod = await rawRequest(`${base}/items`, { method: 'GET' });
			expect(wrongMethod.status).toBe(405);
		});

		it('parses JSON bodies and answers 400 for invalid JSON', async () => {
			expect((await rawRequest(`${base}/items`, { method: 'POST', body: { name: 'n1' } })).json()).toEqual({ received: 'n1' });
			const bad = await rawRequest(`${base}/items`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
			expect(bad.status).toBe(400);
			expect(bad.json().error).toMatch(/not valid JSON/);
		});

		it('turns a thrown SandboxReply into its response and any other error into a 500', async () => {
			const teapot = await rawRequest(`${base}/teapot`);
			expect(teapot.status).toBe(418);
			expect(teapot.text).toBe('short and stout');
			const boom = await rawRequest(`${base}/boom`);
			expect(boom.status).toBe(500);
			expect(boom.json().error).toMatch(/handler bug/);
		});

		it('mounts emulators under their prefix and lists routes with their emulator', async () => {
			const echo = await rawRequest(`${base}/echo/some/where?a=1&a=2`, { method: 'PUT', body: 'plain' });
			expect(echo.json()).toMatchObject({ method: 'PUT', path: '/echo/some/where', params: { '*': 'some/where' }, query: { a: ['1', '2'] }, text: 'plain' });
			expect((await rawRequest(`${base}/echo`)).json().path).toBe('/echo');
			expect(server.listRoutes()).toEqual(
				expect.arrayContaining([
					{ method: 'POST', pattern: '/tokens/token', emulator: 'tokens' },
					{ method: '*', pattern: '/echo/*', emulator: 'echo' },
					{ method: 'GET', pattern: '/items/:id/parts/:part', emulator: undefined },
				]),
			);
		});

		it('serves the shaped echo answers: text, bytes, raw and status with headers', async () => {
			const textRes = await rawRequest(`${base}/echo/text?value=${encodeURIComponent('привет')}`);
			expect(textRes.headers['content-type']).toMatch(/^text\/plain/);
			expect(textRes.text).toBe('привет');
			const bytes = await rawRequest(`${base}/echo/bytes/300`);
			expect(bytes.body.length).toBe(300);
			expect(bytes.body[257]).toBe(1);
			const raw = await rawRequest(`${base}/echo/raw?contentType=text%2Fjson`, { method: 'POST', body: '\uFEFF{"a":1}' });
			expect(raw.headers['content-type']).toBe('text/json');
			expect(raw.text).toBe('\uFEFF{"a":1}');
			const status = await rawRequest(`${base}/echo/status/403?header=${encodeURIComponent('X-Diadoc-ErrorCode: Http.Forbidden')}`);
			expect(status.status).toBe(403);
			expect(status.headers['x-diadoc-errorcode']).toBe('Http.Forbidden');
		});
	});

	describe('request log', () => {
		it('records method, path, query, body size, small JSON bodies and the answer status', async () => {
			await rawRequest(`${base}/items?x=1`, { method: 'POST', body: { name: 'logged' } });
			await rawRequest(`${base}/nowhere`);
			expect(server.requests).toHaveLength(2);
			expect(server.requests[0]).toMatchObject({
				method: 'POST',
				path: '/items',
				query: { x: '1' },
				bodySize: Buffer.byteLength(JSON.stringify({ name: 'logged' })),
				json: { name: 'logged' },
				status: 201,
			});
			expect(server.requests[1]).toMatchObject({ path: '/nowhere', status: 404, bodySize: 0 });
			expect(server.requests[1].json).toBeUndefined();
		});

		it('never records credential values', async () => {
			await rawRequest(`${base}/echo/x`, {
				headers: { Authorization: 'DiadocAuth ddauth_api_client_id=abc, ddauth_token=SECRET1', 'X-Auth-Token': 'SECRET2', Cookie: 'sid=SECRET3' },
			});
			const recorded = server.requests[0];
			expect(recorded.headers.authorization).toBe('DiadocAuth [redacted]');
			expect(recorded.headers['x-auth-token']).toBe('[redacted]');
			expect(recorded.headers.cookie).toBe('[redacted]');
			expect(JSON.stringify(server.requests)).not.toMatch(/SECRET/);
		});

		it('does not record admin calls and can be cleared', async () => {
			await rawRequest(`${base}/echo/1`);
			await rawRequest(`${base}/__sandbox/requests`);
			expect(server.requests.map((entry) => entry.path)).toEqual(['/echo/1']);
			server.clearRequests();
			expect(server.requests).toHaveLength(0);
		});

		it('tells connections apart: keep-alive requests share a connection id', async () => {
			const agent = new Agent({ keepAlive: true, maxSockets: 1 });
			try {
				const before = server.connectionCount;
				const first = (await rawRequest(`${base}/echo/a`, { agent })).json();
				const second = (await rawRequest(`${base}/echo/b`, { agent })).json();
				const third = (await rawRequest(`${base}/echo/c`, { agent: false })).json();
				expect(second.connectionId).toBe(first.connectionId);
				expect(second.remotePort).toBe(first.remotePort);
				expect(third.connectionId).not.toBe(first.connectionId);
				expect(server.connectionCount - before).toBe(2);
			} finally {
				agent.destroy();
			}
		});
	});

	describe('faults', () => {
		it('delays answers by latencyMs', async () => {
			server.faults.add({ path: '/echo/slow', latencyMs: 150 });
			const started = Date.now();
			const res = await rawRequest(`${base}/echo/slow`);
			expect(res.status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(140);
			const fast = Date.now();
			await rawRequest(`${base}/echo/fast`);
			expect(Date.now() - fast).toBeLessThan(140);
		});

		it('answers with an error status, body and headers for the next N requests only', async () => {
			const fault = server.faults.add({ method: 'get', prefix: '/echo/', status: 503, body: 'maintenance', headers: { 'X-Kontur-Trace-Id': 'tr-1' }, times: 2 });
			const first = await rawRequest(`${base}/echo/a`);
			expect(first.status).toBe(503);
			expect(first.text).toBe('maintenance');
			expect(first.headers['x-kontur-trace-id']).toBe('tr-1');
			expect((await rawRequest(`${base}/echo/a`, { method: 'POST' })).status).toBe(200);
			expect((await rawRequest(`${base}/echo/b`)).status).toBe(503);
			expect((await rawRequest(`${base}/echo/c`)).status).toBe(200);
			expect(server.faults.list()).toEqual([expect.objectContaining({ id: fault.id, hits: 2, remaining: 0 })]);
			expect(server.requests.map((entry) => entry.fault)).toEqual([fault.id, undefined, fault.id, undefined]);
		});

		it('sends JSON fault bodies as JSON', async () => {
			server.faults.add({ path: '/echo/:id', status: 400, body: { Code: 'BadThing' } });
			const res = await rawRequest(`${base}/echo/42`);
			expect(res.status).toBe(400);
			expect(res.headers['content-type']).toMatch(/application\/json/);
			expect(res.json()).toEqual({ Code: 'BadThing' });
			expect((await rawRequest(`${base}/echo/42/deeper`)).status).toBe(200);
		});

		it('rate-limits with 429 and Retry-After', async () => {
			server.faults.add({ path: '/tokens/token', retryAfter: 7, times: 1 });
			const limited = await rawRequest(`${base}/tokens/token`, { method: 'POST' });
			expect(limited.status).toBe(429);
			expect(limited.headers['retry-after']).toBe('7');
			expect(tokens.issued).toBe(0);
			expect((await rawRequest(`${base}/tokens/token`, { method: 'POST' })).status).toBe(200);
		});

		it('drops the connection before answering, after reading the request', async () => {
			server.faults.add({ path: '/echo/drop', drop: true, times: 1 });
			await expect(rawRequest(`${base}/echo/drop`, { method: 'POST', body: { a: 1 } })).rejects.toThrow(/socket hang up|ECONNRESET/);
			expect(server.requests[0]).toMatchObject({ path: '/echo/drop', json: { a: 1 } });
			expect((await rawRequest(`${base}/echo/drop`)).status).toBe(200);
		});

		it('rejects faults that do nothing or are malformed', () => {
			expect(() => server.faults.add({ path: '/x' })).toThrow(/needs latencyMs/);
			expect(() => server.faults.add({ status: 42 })).toThrow(/status/);
			expect(() => server.faults.add({ status: 500, times: 0 })).toThrow(/times/);
			expect(() => server.faults.add({ status: 500, path: '/a', prefix: '/b' })).toThrow(/either/);
		});
	});

	describe('admin API', () => {
		it('adds, lists and clears faults over HTTP', async () => {
			const added = await rawRequest(`${base}/__sandbox/faults`, { method: 'POST', body: [{ path: '/echo/x', status: 502 }, { prefix: '/tokens', latencyMs: 1 }] });
			expect(added.status).toBe(201);
			expect(added.json().faults).toHaveLength(2);
			expect((await rawRequest(`${base}/echo/x`)).status).toBe(502);
			expect((await rawRequest(`${base}/__sandbox/faults`)).json().faults).toHaveLength(2);
			const id = added.json().faults[0].id;
			expect((await rawRequest(`${base}/__sandbox/faults/${id}`, { method: 'DELETE' })).status).toBe(204);
			expect((await rawRequest(`${base}/echo/x`)).status).toBe(200);
			expect((await rawRequest(`${base}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
			expect(server.faults.list()).toEqual([]);
			const invalid = await rawRequest(`${base}/__sandbox/faults`, { method: 'POST', body: { path: '/x' } });
			expect(invalid.status).toBe(400);
		});

		it('serves and clears the request log', async () => {
			await rawRequest(`${base}/echo/logged`, { headers: { Authorization: 'Bearer SECRET' } });
			const log = await rawRequest(`${base}/__sandbox/requests`);
			expect(log.json().requests).toEqual([expect.objectContaining({ path: '/echo/logged', status: 200 })]);
			expect(log.text).not.toContain('SECRET');
			await rawRequest(`${base}/__sandbox/requests`, { method: 'DELETE' });
			expect(server.requests).toHaveLength(0);
		});

		it('resets requests, faults, clock and emulator state', async () => {
			await rawRequest(`${base}/tokens/token`, { method: 'POST' });
			server.faults.add({ status: 500 });
			server.clock.advance(5_000);
			const reset = await rawRequest(`${base}/__sandbox/reset`, { method: 'POST' });
			expect(reset.status).toBe(204);
			expect(server.requests).toHaveLength(0);
			expect(server.faults.list()).toHaveLength(0);
			expect(server.clock.offsetMs).toBe(0);
			expect(tokens.issued).toBe(0);
			expect((await rawRequest(`${base}/tokens/check/t1`)).status).toBe(404);
		});

		it('reports health and routes, and 404s unknown admin endpoints', async () => {
			expect((await rawRequest(`${base}/__sandbox/health`)).json()).toEqual({ ok: true, emulators: ['tokens', 'echo'] });
			expect((await rawRequest(`${base}/__sandbox/routes`)).json().routes).toContainEqual({ method: 'GET', pattern: '/tokens/check/:token', emulator: 'tokens' });
			expect((await rawRequest(`${base}/__sandbox/nope`)).status).toBe(404);
		});
	});

	describe('clock', () => {
		it('lets emulators expire state when the clock is advanced in-process', async () => {
			const { token } = (await rawRequest(`${base}/tokens/token`, { method: 'POST' })).json();
			expect((await rawRequest(`${base}/tokens/check/${token}`)).status).toBe(200);
			server.clock.advance(61_000);
			const expired = await rawRequest(`${base}/tokens/check/${token}`);
			expect(expired.status).toBe(401);
			expect(expired.json()).toEqual({ error: 'token expired', code: 'Expired' });
		});

		it('is settable over HTTP: advance, set, reset', async () => {
			const { token } = (await rawRequest(`${base}/tokens/token`, { method: 'POST' })).json();
			const advanced = (await rawRequest(`${base}/__sandbox/clock`, { method: 'POST', body: { advanceMs: 3_600_000 } })).json();
			expect(advanced.offsetMs).toBe(3_600_000);
			expect((await rawRequest(`${base}/tokens/check/${token}`)).status).toBe(401);
			const set = (await rawRequest(`${base}/__sandbox/clock`, { method: 'POST', body: { set: '2030-01-01T00:00:00Z' } })).json();
			expect(Math.abs(set.now - Date.parse('2030-01-01T00:00:00Z'))).toBeLessThan(1000);
			expect(set.iso.startsWith('2030-01-01T00:00:0')).toBe(true);
			const reset = (await rawRequest(`${base}/__sandbox/clock`, { method: 'POST', body: { reset: true } })).json();
			expect(reset.offsetMs).toBe(0);
			expect((await rawRequest(`${base}/__sandbox/clock`, { method: 'POST', body: { set: 'not a date' } })).status).toBe(400);
		});

		it('keeps flowing after a jump', async () => {
			server.clock.set(Date.parse('2031-05-05T00:00:00Z'));
			const first = server.clock.now();
			await new Promise((resolve) => setTimeout(resolve, 20));
			expect(server.clock.now() - first).toBeGreaterThanOrEqual(15);
			expect(server.clock.date().getUTCFullYear()).toBe(2031);
		});
	});
});

describe('SandboxServer over TLS', () => {
	const identity = generateSelfSignedCert();
	const client = generateSelfSignedCert({ commonName: 'sandbox test client' });

	it('serves HTTPS with a self-signed certificate that verifies only with it as CA', async () => {
		const server = new SandboxServer({ tls: identity });
		mountAllEmulators(server);
		const base = await server.start();
		try {
			expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
			await expect(rawRequest(`${base}/echo/x`)).rejects.toThrow(/self-signed|self signed/i);
			const res = await rawRequest(`${base}/echo/x`, { ca: identity.certPem });
			expect(res.json().path).toBe('/echo/x');
			expect(server.connectionCount).toBe(1);
		} finally {
			await server.stop();
		}
	});

	it('requires a client certificate when asked to', async () => {
		const server = new SandboxServer({ tls: { ...identity, requireClientCert: true, clientCaPem: client.certPem } });
		mountAllEmulators(server);
		const base = await server.start();
		try {
			await expect(rawRequest(`${base}/echo/x`, { ca: identity.certPem })).rejects.toThrow();
			const res = await rawRequest(`${base}/echo/x`, { ca: identity.certPem, cert: client.certPem, key: client.keyPem });
			expect(res.status).toBe(200);
		} finally {
			await server.stop();
		}
	});

	it('registers the echo emulator in the CLI registry', () => {
		expect(emulators.map((entry) => entry.prefix)).toContain('/echo');
		expect(emulators.find((entry) => entry.prefix === '/echo')?.create().name).toBe('echo');
	});
});
