import crypto from 'node:crypto';
import { Agent, request } from 'undici';
import { decryptCms } from '../../lib/crypto/cms/decrypt';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
} from '../../sandbox/emulators/taxcom';
import { createIdentity, openssl, RUSSIAN_SUBJECT, writeTemp, type TestIdentity } from '../helpers/pki';
import { sandboxForSuite } from '../helpers/sandbox';

const MINUTE = 60_000;

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
	text: string;
}

describe('Taxcom emulator', () => {
	const emulator = createTaxcomEmulator();
	const server = sandboxForSuite({ '/taxcom': emulator });
	const agent = new Agent();
	let base: string;
	let rsa: TestIdentity;
	let ec: TestIdentity;

	beforeAll(() => {
		base = `${server.baseUrl}/taxcom`;
		rsa = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
		ec = createIdentity('p256');
	});
	afterAll(async () => {
		await agent.close();
	});

	async function call(
		method: string,
		apiMethod: string,
		options: { body?: Buffer | string; headers?: Record<string, string>; integratorId?: string | null; path?: string } = {},
	): Promise<Reply> {
		const headers: Record<string, string> = { ...options.headers };
		const integratorId = options.integratorId === undefined ? DEFAULT_TAXCOM_INTEGRATOR_ID : options.integratorId;
		if (integratorId !== null) headers['integrator-id'] = integratorId;
		const url = `${base}/${options.path ?? `v1.3/API/${apiMethod}`}`;
		const response = await request(url, { method: method as 'GET', headers, body: options.body, dispatcher: agent });
		const body = Buffer.from(await response.body.arrayBuffer());
		return { status: response.statusCode, headers: response.headers, body, text: body.toString('utf8') };
	}

	const errorCode = (reply: Reply) => /<Code>(\w+)<\/Code>/.exec(reply.text)?.[1];

	/** The independent check: `openssl cms -decrypt` with the recipient's key and certificate. */
	function opensslDecrypt(envelope: Buffer, identity: TestIdentity): string {
		const input = writeTemp('token.p7m', envelope);
		return openssl(['cms', '-decrypt', '-inform', 'DER', '-in', input, '-inkey', identity.keyPath, '-recip', identity.certPath]).toString('ascii');
	}

	const certificateLogin = (identity: TestIdentity, options: { path?: string; contentType?: string; integratorId?: string | null } = {}) =>
		call('POST', 'CertificateLogin', {
			body: identity.certDer,
			headers: { 'content-type': options.contentType ?? 'application/pkcs7-mime' },
			path: options.path,
			integratorId: options.integratorId,
		});

	async function loginToken(identity: TestIdentity): Promise<string> {
		const reply = await certificateLogin(identity);
		expect(reply.status).toBe(200);
		return opensslDecrypt(reply.body, identity);
	}

	const withKey = (token: string) => ({ headers: { 'assistant-key': token } });
	const getContacts = (token: string) => call('GET', 'GetContacts', withKey(token));
	const activate = (token: string) => call('POST', 'ActivateSession', withKey(token));

	function cloudBody(overrides: Record<string, unknown> = {}, trusted: unknown = rsa.certDer.toString('base64')) {
		return JSON.stringify({
			Certificate: { Thumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT },
			CloudCryptoService: { Login: DEFAULT_TAXCOM_CLOUD_LOGIN, Password: DEFAULT_TAXCOM_CLOUD_PASSWORD },
			TrustedCertificate: trusted,
			...overrides,
		});
	}
	const cloudLogin = (body: string) => call('POST', 'CloudCertificateLogin', { body, headers: { 'content-type': 'application/json; charset=utf-8' } });

	describe('CertificateLogin', () => {
		it('answers a DER EnvelopedData of an ASCII token that openssl decrypts with the certificate key (RSA)', async () => {
			const reply = await certificateLogin(rsa);
			expect(reply.status).toBe(200);
			expect(reply.headers['content-type']).toBe('application/octet-stream');
			expect(openssl(['asn1parse', '-inform', 'DER', '-in', writeTemp('env.der', reply.body)]).toString()).toMatch(/pkcs7-envelopedData/);
			const token = opensslDecrypt(reply.body, rsa);
			expect(token).toMatch(/^[0-9A-F]{256}$/);
			expect(decryptCms(reply.body, { certificateDer: rsa.certDer, key: crypto.createPrivateKey(rsa.keyPem) }).toString('ascii')).toBe(token);
			expect(emulator.sessions()).toEqual([expect.objectContaining({ token, kind: 'certificate', integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID })]);
		});

		it('encrypts to EC certificates too, and accepts application/octet-stream and the lower-case api path', async () => {
			const reply = await certificateLogin(ec, { contentType: 'application/octet-stream', path: 'v1.3/api/certificatelogin' });
			expect(reply.status).toBe(200);
			expect(opensslDecrypt(reply.body, ec)).toMatch(/^[0-9A-F]{256}$/);
		});

		it('returns the same token, newly encrypted, on a re-login while it lives', async () => {
			const first = await certificateLogin(rsa);
			const second = await certificateLogin(rsa);
			expect(second.body.equals(first.body)).toBe(false);
			expect(opensslDecrypt(second.body, rsa)).toBe(opensslDecrypt(first.body, rsa));
			expect(emulator.sessions()).toHaveLength(1);
			expect(emulator.sessions()[0].logins).toHaveLength(2);
		});

		it('refuses a wrong content type, a non-DER body, and unregistered certificates in strict mode', async () => {
			expect((await certificateLogin(rsa, { contentType: 'application/json' })).status).toBe(415);
			const pem = await call('POST', 'CertificateLogin', { body: rsa.certPem, headers: { 'content-type': 'application/pkcs7-mime' } });
			expect(pem.status).toBe(400);
			expect(errorCode(pem)).toBe('CertificateInvalid');

			emulator.configure({ strictCertificates: true });
			const refused = await certificateLogin(ec);
			expect(refused.status).toBe(401);
			expect(errorCode(refused)).toBe('CertificateNotRegistered');
			emulator.registerCertificate(ec.certPem);
			expect((await certificateLogin(ec)).status).toBe(200);
		});

		it('routes only the configured version and the documented verbs', async () => {
			expect((await certificateLogin(rsa, { path: 'v1.2/API/CertificateLogin' })).status).toBe(404);
			expect((await call('GET', 'CertificateLogin')).status).toBe(405);
			emulator.configure({ apiVersion: '2.0' });
			expect((await certificateLogin(rsa, { path: 'v2.0/API/CertificateLogin' })).status).toBe(200);
		});
	});

	describe('Integrator-Id', () => {
		it('is required, must be COMPANY_<GUID> and known; the GUID may be lower-case', async () => {
			const missing = await certificateLogin(rsa, { integratorId: null });
			expect([missing.status, errorCode(missing)]).toEqual([400, 'IntegratorIdMissing']);
			for (const malformed of ['COMPANY', 'COMPANY_1234', 'company_5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D', 'ACME_5A0B1C2D-3E4F-4A5B-8C6D-7E8F9A0B1C2D']) {
				const reply = await certificateLogin(rsa, { integratorId: malformed });
				expect([malformed, reply.status, errorCode(reply)]).toEqual([malformed, 400, 'IntegratorIdInvalid']);
			}
			const unknown = await certificateLogin(rsa, { integratorId: `COMPANY_${crypto.randomUUID()}` });
			expect([unknown.status, errorCode(unknown)]).toEqual([401, 'IntegratorIdUnknown']);
			expect((await certificateLogin(rsa, { integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID.toLowerCase().replace('company_', 'COMPANY_') })).status).toBe(200);
		});

		it('binds the token to the Integrator-Id that logged in', async () => {
			const other = `COMPANY_${crypto.randomUUID().toUpperCase()}`;
			emulator.configure({ integratorIds: [DEFAULT_TAXCOM_INTEGRATOR_ID, other] });
			const token = await loginToken(rsa);
			const foreign = await call('GET', 'GetContacts', { headers: { 'assistant-key': token }, integratorId: other });
			expect(foreign.status).toBe(401);
		});
	});

	describe('sessions and protected methods', () => {
		it('lets certificate-login sessions call methods at once; ActivateSession answers 200 with an empty body', async () => {
			const token = await loginToken(rsa);
			expect((await getContacts(token)).status).toBe(200);
			const activation = await activate(token);
			expect(activation.status).toBe(200);
			expect(activation.body).toHaveLength(0);
			const session = emulator.session(token)!;
			expect(session.activations).toHaveLength(1);
			expect(session.calls.map((entry) => [entry.method, entry.status])).toEqual([['GetContacts', 200]]);
		});

		it('answers 401 before ActivateSession when activation is required, 200 after', async () => {
			emulator.configure({ requireActivation: { certificate: true } });
			const token = await loginToken(rsa);
			const early = await getContacts(token);
			expect([early.status, errorCode(early)]).toEqual([401, 'SessionNotActivated']);
			expect((await activate(token)).status).toBe(200);
			const later = await getContacts(token);
			expect(later.status).toBe(200);
			expect(later.text).toMatch(/<Contacts xmlns="http:\/\/api-invoice\.taxcom\.ru\/contacts"/);
		});

		it('answers 401 without Assistant-Key and for an unknown key (methods and ActivateSession)', async () => {
			expect(errorCode(await call('GET', 'GetContacts'))).toBe('AssistantKeyMissing');
			expect(errorCode(await getContacts('0'.repeat(256)))).toBe('AssistantKeyInvalid');
			expect((await activate('0'.repeat(256))).status).toBe(401);
		});

		it('slides the 5-minute lifetime from the last use on the sandbox clock', async () => {
			const token = await loginToken(rsa);
			server.clock.advance(5 * MINUTE - 1000);
			expect((await getContacts(token)).status).toBe(200);
			server.clock.advance(5 * MINUTE - 1000);
			expect((await getContacts(token)).status).toBe(200);
			server.clock.advance(5 * MINUTE + 1000);
			const expired = await getContacts(token);
			expect([expired.status, errorCode(expired)]).toEqual([401, 'AssistantKeyExpired']);
			expect(emulator.session(token)!.expiredAt).toBeDefined();

			const fresh = await loginToken(rsa);
			expect(fresh).not.toBe(token);
			expect((await getContacts(fresh)).status).toBe(200);
		});

		it('expireAll() makes every token answer 401', async () => {
			const token = await loginToken(rsa);
			emulator.expireAll();
			expect((await getContacts(token)).status).toBe(401);
		});

		it('GetMessageList filters by DATE and direction and marks IsLast', async () => {
			const token = await loginToken(rsa);
			const since = new Date(server.clock.now() - 2.5 * 86_400_000).toISOString().replace('Z', '');
			const list = await call('GET', 'GetMessageList', { ...withKey(token), path: `v1.3/API/GetMessageList?DATE=${encodeURIComponent(since)}` });
			expect(list.status).toBe(200);
			expect(list.headers['content-type']).toMatch(/^application\/xml/);
			expect(list.text).toMatch(/<ContainerDescription xmlns="http:\/\/api-invoice\.taxcom\.ru\/meta"[^>]* IsLast="true"/);
			expect(list.text.match(/<DocFlow /g)).toHaveLength(2);
			const ingoing = await call('GET', 'GetMessageList', { ...withKey(token), path: `v1.3/API/GetMessageList?DATE=${encodeURIComponent(since)}&direction=Ingoing` });
			expect(ingoing.text.match(/<DocFlow /g)).toHaveLength(1);
			expect((await call('GET', 'GetMessageList', withKey(token))).status).toBe(400);
		});

		it('CheckContragent reports known participants and enforces the 5-second interval', async () => {
			const token = await loginToken(rsa);
			const inn = /<Inn>(\d+)<\/Inn>/.exec((await call('GET', 'GetContacts', withKey(token))).text)?.[1];
			expect(inn).toMatch(/^99\d{8}$/);
			const body = `<?xml version="1.0" encoding="utf-8"?><Contacts xmlns="http://api-invoice.taxcom.ru/contacts"><Contact><Inn>${inn}</Inn></Contact><Contact><Inn>9900000000</Inn></Contact></Contacts>`;
			const found = await call('POST', 'CheckContragent', { ...withKey(token), body });
			expect(found.status).toBe(200);
			expect(found.text).toMatch(new RegExp(`<Inn>${inn}</Inn>[\\s\\S]*<EDXClientId>2AL-[0-9A-F-]+-00000</EDXClientId>[\\s\\S]*<IsActive>true</IsActive>`));
			const tooSoon = await call('POST', 'CheckContragent', { ...withKey(token), body });
			expect(tooSoon.status).toBe(429);
			expect(tooSoon.headers['retry-after']).toBeDefined();
			server.clock.advance(5000);
			expect((await call('POST', 'CheckContragent', { ...withKey(token), body })).status).toBe(200);
		});
	});

	describe('CloudCertificateLogin', () => {
		it('encrypts the token to a base64 TrustedCertificate; the session needs ActivateSession and lives 2 minutes', async () => {
			const reply = await cloudLogin(cloudBody());
			expect(reply.status).toBe(200);
			expect(reply.headers['content-type']).toBe('application/octet-stream');
			const token = opensslDecrypt(reply.body, rsa);
			expect(errorCode(await getContacts(token))).toBe('SessionNotActivated');
			expect((await activate(token)).status).toBe(200);
			expect((await getContacts(token)).status).toBe(200);

			const again = await cloudLogin(cloudBody({}, ec.certDer.toString('base64')));
			expect(opensslDecrypt(again.body, ec)).toBe(token);
			expect(emulator.session(token)).toMatchObject({ kind: 'cloud', thumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT, activated: true });

			server.clock.advance(2 * MINUTE - 1000);
			expect((await getContacts(token)).status).toBe(200);
			server.clock.advance(2 * MINUTE + 1000);
			expect((await getContacts(token)).status).toBe(401);
		});

		it('takes a byte-array TrustedCertificate only when configured to, and can answer base64 text', async () => {
			const asArray = cloudBody({}, [...rsa.certDer]);
			const refused = await cloudLogin(asArray);
			expect([refused.status, errorCode(refused)]).toEqual([400, 'TrustedCertificateInvalid']);

			emulator.configure({ trustedCertificateEncodings: ['base64', 'array'], cloudTokenEncoding: 'base64' });
			const accepted = await cloudLogin(asArray);
			expect(accepted.status).toBe(200);
			expect(accepted.text).toMatch(/^[A-Za-z0-9+/]+=*$/);
			expect(opensslDecrypt(Buffer.from(accepted.text, 'base64'), rsa)).toMatch(/^[0-9A-F]{256}$/);

			emulator.configure({ trustedCertificateEncodings: ['array'] });
			expect((await cloudLogin(cloudBody())).status).toBe(400);
		});

		it('refuses wrong cloud credentials (401), an unknown thumbprint (404) and a wrong PIN (403)', async () => {
			const wrongPassword = await cloudLogin(cloudBody({ CloudCryptoService: { Login: DEFAULT_TAXCOM_CLOUD_LOGIN, Password: 'nope' } }));
			expect([wrongPassword.status, errorCode(wrongPassword)]).toEqual([401, 'CloudCredentialsInvalid']);
			expect(wrongPassword.text).not.toContain('nope');
			const wrongLogin = await cloudLogin(cloudBody({ CloudCryptoService: { Login: 'someone', Password: DEFAULT_TAXCOM_CLOUD_PASSWORD } }));
			expect(wrongLogin.status).toBe(401);

			const unknown = await cloudLogin(cloudBody({ Certificate: { Thumbprint: 'AB'.repeat(20) } }));
			expect([unknown.status, errorCode(unknown)]).toEqual([404, 'CloudCertificateNotFound']);

			const withPin = crypto.createHash('sha1').update('pin-protected').digest('hex').toUpperCase();
			emulator.registerCloudCertificate({ thumbprint: withPin, pin: '1234' });
			const noPin = await cloudLogin(cloudBody({ Certificate: { Thumbprint: withPin } }));
			expect([noPin.status, errorCode(noPin)]).toEqual([403, 'PinInvalid']);
			const wrongPin = await cloudLogin(cloudBody({ Certificate: { Thumbprint: withPin, Pin: '0000' } }));
			expect(wrongPin.status).toBe(403);
			const spaced = withPin.replace(/(..)/g, '$1 ').toLowerCase();
			expect((await cloudLogin(cloudBody({ Certificate: { Thumbprint: spaced, Pin: '1234' } }))).status).toBe(200);
		});

		it('needs JSON', async () => {
			const reply = await call('POST', 'CloudCertificateLogin', { body: cloudBody(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
			expect(reply.status).toBe(415);
		});
	});

	describe('control', () => {
		it('records logins, activations and calls in the log', async () => {
			const token = await loginToken(rsa);
			await activate(token);
			await getContacts(token);
			await call('GET', 'GetContacts', { integratorId: null });
			expect(emulator.log().map((entry) => [entry.method, entry.status, entry.outcome])).toEqual([
				['CertificateLogin', 200, 'ok'],
				['ActivateSession', 200, 'ok'],
				['GetContacts', 200, 'ok'],
				['GetContacts', 400, 'IntegratorIdMissing'],
			]);
		});

		it('is configurable over HTTP under /taxcom/__sandbox', async () => {
			const configured = await call('POST', '', {
				path: '__sandbox/config',
				body: JSON.stringify({ tokenLifetimeMs: { certificate: 1000 }, tokenLength: 32 }),
				headers: { 'content-type': 'application/json' },
			});
			expect(configured.status).toBe(200);
			expect(JSON.parse(configured.text).tokenLifetimeMs).toEqual({ certificate: 1000, cloud: 2 * MINUTE });
			const bad = await call('POST', '', { path: '__sandbox/config', body: '{"tokenLength": 2}', headers: { 'content-type': 'application/json' } });
			expect(bad.status).toBe(400);

			const token = await loginToken(rsa);
			expect(token).toMatch(/^[0-9A-F]{32}$/);
			server.clock.advance(1500);
			expect((await getContacts(token)).status).toBe(401);

			const registered = await call('POST', '', {
				path: '__sandbox/cloud-certificates',
				body: JSON.stringify({ certificate: ec.certPem, pin: '42' }),
				headers: { 'content-type': 'application/json' },
			});
			expect(registered.status).toBe(201);
			const thumbprint = JSON.parse(registered.text).thumbprint;
			expect((await cloudLogin(cloudBody({ Certificate: { Thumbprint: thumbprint, Pin: '42' } }))).status).toBe(200);

			const state = JSON.parse((await call('GET', '', { path: '__sandbox/state' })).text);
			expect(state.sessions.map((session: { kind: string }) => session.kind).sort()).toEqual(['certificate', 'cloud']);
			expect((await call('POST', '', { path: '__sandbox/expire' })).status).toBe(204);
			expect(emulator.sessions().every((session) => session.expiredAt !== undefined)).toBe(true);
		});

		it('describes itself for the CLI', async () => {
			expect((await call('GET', '', { path: '__sandbox/describe' })).text).toBe(emulator.describe());
			expect(emulator.describe()).toMatch(/CloudCertificateLogin/);
			expect(emulator.describe()).toContain(DEFAULT_TAXCOM_INTEGRATOR_ID);
		});
	});
});
