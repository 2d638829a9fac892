import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { closeHttpPools, HttpClient, HttpError } from '../../lib/http';
import { createEchoEmulator } from '../../sandbox/emulators/echo';
import { SandboxServer } from '../../sandbox/server';
import { generateSelfSignedCert } from '../../sandbox/tls';

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof HttpError) return error;
		throw error;
	}
	throw new Error('expected the request to fail');
}

const serverIdentity = generateSelfSignedCert();
const clientIdentity = generateSelfSignedCert({ commonName: 'edo test client' });
const strangerIdentity = generateSelfSignedCert({ commonName: 'unknown client' });

describe('TLS', () => {
	const server = new SandboxServer({ tls: serverIdentity });
	let base: string;

	beforeAll(async () => {
		server.mount('/echo', createEchoEmulator());
		base = await server.start();
	});

	afterAll(async () => {
		await closeHttpPools();
		await server.stop();
	});

	it('refuses a self-signed server certificate without a custom CA, as kind tls', async () => {
		const error = await rejection(new HttpClient({ baseUrl: base, serviceName: 'Transcrypt' }).request({ method: 'GET', path: '/echo/x' }));
		expect(error.kind).toBe('tls');
		expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
		expect(error.attempts).toBe(1);
		expect(error.message).toMatch(/^Secure connection to Transcrypt \(https:\/\/127\.0\.0\.1:\d+\) failed: the server certificate is self-signed/);
		expect(error.hint).toMatch(/CA certificate/);
	});

	it('trusts the server with the custom CA bundle', async () => {
		const res = await new HttpClient({ baseUrl: base, serviceName: 'Transcrypt', tls: { ca: serverIdentity.certPem } }).request<{ path: string }>({ method: 'GET', path: '/echo/x' });
		expect(res.body.path).toBe('/echo/x');
	});

	it('can skip verification when told to', async () => {
		const res = await new HttpClient({ baseUrl: base, serviceName: 'T', tls: { rejectUnauthorized: false } }).request({ method: 'GET', path: '/echo/x' });
		expect(res.status).toBe(200);
	});

	it('reports a certificate for another host name', async () => {
		const localhostOnly = generateSelfSignedCert({ altNames: ['localhost'] });
		const other = new SandboxServer({ tls: localhostOnly });
		other.mount('/echo', createEchoEmulator());
		const otherBase = await other.start();
		try {
			const error = await rejection(new HttpClient({ baseUrl: otherBase, serviceName: 'T', tls: { ca: localhostOnly.certPem } }).request({ method: 'GET', path: '/echo/x' }));
			expect(error).toMatchObject({ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
		} finally {
			await other.stop();
		}
	});
});

describe('mutual TLS', () => {
	const server = new SandboxServer({ tls: { ...serverIdentity, requireClientCert: true, clientCaPem: clientIdentity.certPem } });
	let base: string;

	beforeAll(async () => {
		server.mount('/echo', createEchoEmulator());
		base = await server.start();
	});

	afterAll(async () => {
		await closeHttpPools();
		await server.stop();
	});

	it('connects with the client certificate and key', async () => {
		const client = new HttpClient({ baseUrl: base, serviceName: 'Signer', tls: { ca: serverIdentity.certPem, cert: clientIdentity.certPem, key: clientIdentity.keyPem } });
		expect((await client.request({ method: 'GET', path: '/echo/x' })).status).toBe(200);
	});

	it('fails as kind tls without a client certificate (the TLS 1.3 alert is recovered from the socket)', async () => {
		const client = new HttpClient({ baseUrl: base, serviceName: 'Signer', tls: { ca: serverIdentity.certPem } });
		const error = await rejection(client.request({ method: 'POST', path: '/echo/x', body: { a: 1 } }));
		expect(error).toMatchObject({ kind: 'tls', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', attempts: 1 });
		expect(error.message).toMatch(/requires a client certificate/);
	});

	it('fails, unrepeated, with an untrusted client certificate', async () => {
		// A Node TLS server closes such connections without an alert, so the client sees only a closed socket.
		const client = new HttpClient({ baseUrl: base, serviceName: 'Signer', tls: { ca: serverIdentity.certPem, cert: strangerIdentity.certPem, key: strangerIdentity.keyPem } });
		const error = await rejection(client.request({ method: 'POST', path: '/echo/x', body: { a: 1 } }));
		expect(['tls', 'network']).toContain(error.kind);
		expect(error.attempts).toBe(1);
		expect(error.message).not.toContain('PRIVATE KEY');
		expect(server.requests.filter((entry) => entry.method === 'POST')).toHaveLength(0);
	});

	it('refuses a certificate without its key at construction', () => {
		expect(() => new HttpClient({ baseUrl: base, serviceName: 'Signer', tls: { cert: clientIdentity.certPem } })).toThrow(/both the certificate and its private key/);
	});
});

/** A forward proxy that tunnels CONNECT and relays absolute-form requests, counting both. */
class CountingProxy {
	tunnels = 0;
	forwarded = 0;
	authorizations: (string | undefined)[] = [];
	/** When set, CONNECT without exactly this Proxy-Authorization gets 407. */
	requiredAuthorization?: string;
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();

	constructor() {
		this.server = createServer((req, res) => {
			this.forwarded += 1;
			this.authorizations.push(req.headers['proxy-authorization']);
			res.writeHead(502).end('this proxy only tunnels');
		});
		this.server.on('connect', (req: IncomingMessage, clientSocket: Socket, head: Buffer) => {
			this.tunnels += 1;
			this.authorizations.push(req.headers['proxy-authorization']);
			if (this.requiredAuthorization && req.headers['proxy-authorization'] !== this.requiredAuthorization) {
				clientSocket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n');
				return;
			}
			this.sockets.add(clientSocket);
			const [host, port] = (req.url ?? '').split(':');
			const upstream = connect(Number(port), host, () => {
				clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				upstream.write(head);
				upstream.pipe(clientSocket);
				clientSocket.pipe(upstream);
			});
			this.sockets.add(upstream);
			const close = () => {
				upstream.destroy();
				clientSocket.destroy();
			};
			upstream.on('error', close);
			clientSocket.on('error', close);
			clientSocket.on('close', close);
		});
	}

	async start(): Promise<string> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}
}

describe('proxies from the environment', () => {
	const plain = new SandboxServer();
	const secure = new SandboxServer({ tls: serverIdentity });
	const proxy = new CountingProxy();
	let plainBase: string;
	let secureBase: string;
	let proxyHost: string;
	const savedEnv = { ...process.env };

	beforeAll(async () => {
		plain.mount('/echo', createEchoEmulator());
		secure.mount('/echo', createEchoEmulator());
		plainBase = await plain.start();
		secureBase = await secure.start();
		proxyHost = await proxy.start();
	});

	beforeEach(() => {
		for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) delete process.env[name];
		proxy.tunnels = 0;
		proxy.authorizations = [];
		proxy.requiredAuthorization = undefined;
	});

	afterAll(async () => {
		process.env = savedEnv;
		await closeHttpPools();
		await Promise.all([plain.stop(), secure.stop(), proxy.stop()]);
	});

	it('sends http requests through HTTP_PROXY', async () => {
		process.env.HTTP_PROXY = `http://${proxyHost}`;
		const res = await new HttpClient({ baseUrl: plainBase, serviceName: 'Echo' }).request<{ path: string }>({ method: 'GET', path: '/echo/via-proxy' });
		expect(res.body.path).toBe('/echo/via-proxy');
		expect(proxy.tunnels).toBe(1);
	});

	it('sends https requests through HTTPS_PROXY, with proxy credentials from the URL and the custom CA for the target', async () => {
		process.env.HTTPS_PROXY = `http://edo:pr0xy-pass@${proxyHost}`;
		const res = await new HttpClient({ baseUrl: secureBase, serviceName: 'Echo', tls: { ca: serverIdentity.certPem } }).request({ method: 'GET', path: '/echo/x' });
		expect(res.status).toBe(200);
		expect(proxy.tunnels).toBe(1);
		expect(proxy.authorizations).toEqual([`Basic ${Buffer.from('edo:pr0xy-pass').toString('base64')}`]);
	});

	it('explains a 407 from the proxy without showing the proxy password', async () => {
		proxy.requiredAuthorization = `Basic ${Buffer.from('edo:right').toString('base64')}`;
		process.env.HTTPS_PROXY = `http://edo:wr0ng-pass@${proxyHost}`;
		const client = new HttpClient({ baseUrl: secureBase, serviceName: 'Echo', tls: { ca: serverIdentity.certPem } });
		const error = await rejection(client.request({ method: 'POST', path: '/echo/x', body: {} }));
		expect(error).toMatchObject({ kind: 'network', code: 'PROXY_407', attempts: 1 });
		expect(error.message).toMatch(/the proxy answered 407 instead of opening a tunnel \(proxy authentication required/);
		expect(error.message).toContain(`through proxy http://${proxyHost}`);
		expect(error.message).not.toContain('wr0ng');
	});

	it('bypasses the proxy for NO_PROXY=localhost (which covers 127.0.0.1)', async () => {
		process.env.HTTP_PROXY = `http://${proxyHost}`;
		process.env.NO_PROXY = 'example.com,localhost';
		const res = await new HttpClient({ baseUrl: plainBase, serviceName: 'Echo' }).request({ method: 'GET', path: '/echo/direct' });
		expect(res.status).toBe(200);
		expect(proxy.tunnels).toBe(0);
	});

	it('names the proxy, without its password, when it cannot be reached', async () => {
		const dead = new SandboxServer();
		const deadBase = await dead.start();
		await dead.stop();
		process.env.HTTP_PROXY = `http://edo:s3cret-proxy@${new URL(deadBase).host}`;
		const error = await rejection(new HttpClient({ baseUrl: plainBase, serviceName: 'Echo', retry: { maxRetries: 0 } }).request({ method: 'GET', path: '/echo/x' }));
		expect(error.kind).toBe('network');
		expect(error.message).toContain(`through proxy http://${new URL(deadBase).host}`);
		expect(error.message).not.toContain('s3cret');
	});
});
