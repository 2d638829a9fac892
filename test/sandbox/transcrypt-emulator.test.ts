import crypto from 'node:crypto';
import { Agent, request } from 'undici';
import { CmsSignedDataBuilder, localKeySignatureProvider } from '../../lib/crypto/cms/sign';
import {
	createTranscryptEmulator,
	DEFAULT_TRANSCRYPT_APP_ID,
	DEFAULT_TRANSCRYPT_APP_INSTANCE,
	DEFAULT_TRANSCRYPT_LOGIN,
	DEFAULT_TRANSCRYPT_PASSWORD,
	EMPTY_GUID,
} from '../../sandbox/emulators/transcrypt';
import { createIdentity, openssl, RUSSIAN_SUBJECT, writeTemp, type TestIdentity } from '../helpers/pki';
import { sandboxForSuite } from '../helpers/sandbox';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const APP_INFO = { AppId: DEFAULT_TRANSCRYPT_APP_ID, AppInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE };

describe('Transcrypt emulator', () => {
	const emulator = createTranscryptEmulator();
	const server = sandboxForSuite({ '/transcrypt': emulator });
	const agent = new Agent();
	let base: string;
	let rsa: TestIdentity;
	let ec: TestIdentity;

	beforeAll(() => {
		base = `${server.baseUrl}/transcrypt`;
		rsa = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
		ec = createIdentity('p256');
	});
	afterAll(async () => {
		await agent.close();
	});

	async function call(method: string, path: string, options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
		const headers: Record<string, string> = { ...options.headers };
		let body = options.body;
		if (options.json !== undefined) {
			body = JSON.stringify(options.json);
			headers['content-type'] ??= 'application/json; charset=utf-8';
		}
		const response = await request(`${base}/${path}`, { method: method as 'GET', headers, body, dispatcher: agent });
		const text = await response.body.text();
		return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) };
	}

	async function secret(): Promise<string> {
		const response = await call('GET', 'api/v2/auth/secret');
		expect(response.status).toBe(200);
		return response.json().Secret;
	}

	function signWithBuilder(identity: TestIdentity, data: Buffer): string {
		const builder = new CmsSignedDataBuilder({
			certificateDer: identity.certDer,
			provider: localKeySignatureProvider(crypto.createPrivateKey(identity.keyPem)),
		});
		return builder.signSync(data).toString('base64');
	}

	function signWithOpenssl(identity: TestIdentity, data: Buffer): string {
		const input = writeTemp('secret.bin', data);
		return openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', input, '-signer', identity.certPath, '-inkey', identity.keyPath]).toString('base64');
	}

	const login = (Secret: string, Signature: string, extra: Record<string, unknown> = {}) =>
		call('POST', 'api/v2/auth/detachedsignature', { json: { Secret, Signature, AppInfo: APP_INFO, ...extra } });

	describe('detached-signature login', () => {
		it('accepts a CmsSignedDataBuilder signature over the UTF-8 secret and answers an AuthSucceedModel', async () => {
			const value = await secret();
			const response = await login(value, signWithBuilder(rsa, Buffer.from(value, 'utf8')));
			expect(response.status).toBe(200);
			const model = response.json();
			expect(model.Token).toMatch(GUID);
			expect(model.Token).not.toBe(EMPTY_GUID);
			expect(Object.keys(model)).toEqual([
				'Token', 'Organizations', 'NeedSignLicense', 'IsNewClient', 'IsNewEmployee', 'IsNewCertificate', 'CertificateNotFound', 'Error',
			]);
			expect(model).toMatchObject({ CertificateNotFound: false, IsNewCertificate: true, Error: null });
			expect(model.Organizations).toEqual([
				expect.objectContaining({ Name: 'ООО Ромашка', OrganizationJur: { Inn: '7701234567', Kpp: '770101001' }, OrganizationNat: null }),
			]);
			const [session] = emulator.sessions();
			expect(session).toMatchObject({ token: model.Token, kind: 'signature', appId: DEFAULT_TRANSCRYPT_APP_ID });
			expect(session.thumbprint).toBe(crypto.createHash('sha1').update(rsa.certDer).digest('hex').toUpperCase());

			const again = await secret();
			const second = (await login(again, signWithBuilder(rsa, Buffer.from(again)))).json();
			expect(second.IsNewCertificate).toBe(false);
			expect(second.Token).not.toBe(model.Token);
		});

		it('accepts an `openssl cms -sign -binary -outform DER` signature (ECDSA)', async () => {
			const value = await secret();
			const response = await login(value, signWithOpenssl(ec, Buffer.from(value, 'utf8')));
			expect(response.status).toBe(200);
			expect(response.json().Token).toMatch(GUID);
		});

		it('finds the signer among registered certificates when the CMS carries none (openssl -nocerts)', async () => {
			const signNoCerts = (data: string) =>
				openssl(['cms', '-sign', '-binary', '-nocerts', '-outform', 'DER', '-in', writeTemp('secret.bin', data), '-signer', ec.certPath, '-inkey', ec.keyPath]).toString('base64');
			let value = await secret();
			const unknown = await login(value, signNoCerts(value));
			expect(unknown.status).toBe(200);
			expect(unknown.json()).toMatchObject({ Token: EMPTY_GUID, CertificateNotFound: true });

			emulator.registerCertificate(ec.certDer);
			value = await secret();
			const known = await login(value, signNoCerts(value));
			expect(known.status).toBe(200);
			expect(known.json().Token).toMatch(GUID);
		});

		it('takes UTF-16LE signatures only when configured to', async () => {
			let value = await secret();
			const refused = await login(value, signWithOpenssl(rsa, Buffer.from(value, 'utf16le')));
			expect(refused.status).toBe(401);

			emulator.configure({ secretEncodings: ['utf16le'] });
			value = await secret();
			expect((await login(value, signWithOpenssl(rsa, Buffer.from(value, 'utf16le')))).status).toBe(200);
			value = await secret();
			expect((await login(value, signWithBuilder(rsa, Buffer.from(value, 'utf8')))).status).toBe(401);

			emulator.configure({ secretEncodings: ['utf8', 'utf16le'] });
			value = await secret();
			expect((await login(value, signWithBuilder(rsa, Buffer.from(value, 'utf8')))).status).toBe(200);
			value = await secret();
			expect((await login(value, signWithBuilder(rsa, Buffer.from(value, 'utf16le')))).status).toBe(200);
		});

		it('refuses a secret it never issued, a reused one and an expired one with 401 and an Error', async () => {
			const forged = 'not-issued-by-the-sandbox';
			const unknown = await login(forged, signWithBuilder(rsa, Buffer.from(forged)));
			expect(unknown.status).toBe(401);
			expect(unknown.json()).toMatchObject({ Token: EMPTY_GUID, Error: expect.stringMatching(/не найдена/) });

			const value = await secret();
			const signature = signWithBuilder(rsa, Buffer.from(value));
			expect((await login(value, signature)).status).toBe(200);
			const reused = await login(value, signature);
			expect(reused.status).toBe(401);
			expect(reused.json().Error).toMatch(/уже использована/);

			const stale = await secret();
			server.clock.advance(emulator.config.secretTtlMs + 1000);
			const expired = await login(stale, signWithBuilder(rsa, Buffer.from(stale)));
			expect(expired.status).toBe(401);
			expect(expired.json().Error).toMatch(/истёк/);
		});

		it('refuses a signature over other data (and burns the secret)', async () => {
			const value = await secret();
			const response = await login(value, signWithBuilder(rsa, Buffer.from(`${value}x`)));
			expect(response.status).toBe(401);
			expect(response.json()).toMatchObject({ Token: EMPTY_GUID, CertificateNotFound: false, Error: 'Подпись не прошла проверку.' });
			expect((await login(value, signWithBuilder(rsa, Buffer.from(value)))).status).toBe(401);
			expect(emulator.sessions()).toHaveLength(0);
		});

		it('answers CertificateNotFound for an unregistered certificate in strict mode, and logs in once registered', async () => {
			emulator.configure({ strictCertificates: true });
			let value = await secret();
			const response = await login(value, signWithBuilder(ec, Buffer.from(value)));
			expect(response.status).toBe(200);
			expect(response.json()).toMatchObject({ Token: EMPTY_GUID, CertificateNotFound: true });
			expect(emulator.sessions()).toHaveLength(0);

			emulator.registerCertificate(ec.certPem, { needSignLicense: true, isNewEmployee: true });
			value = await secret();
			const accepted = await login(value, signWithBuilder(ec, Buffer.from(value)));
			expect(accepted.json()).toMatchObject({ CertificateNotFound: false, NeedSignLicense: true, IsNewEmployee: true, IsNewCertificate: true });
			expect(accepted.json().Token).toMatch(GUID);
		});

		it('reports a per-certificate Error without a token', async () => {
			emulator.registerCertificate(rsa.certDer, { error: 'Сертификат отозван' });
			const value = await secret();
			const response = await login(value, signWithBuilder(rsa, Buffer.from(value)));
			expect(response.status).toBe(200);
			expect(response.json()).toMatchObject({ Token: EMPTY_GUID, Error: 'Сертификат отозван' });
		});

		it('rejects malformed requests the way ASP.NET Web API does', async () => {
			const value = await secret();
			const form = await call('POST', 'api/v2/auth/detachedsignature', {
				body: `Secret=${value}`,
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
			});
			expect(form.status).toBe(415);
			expect(form.json().Message).toMatch(/x-www-form-urlencoded/);

			const attached = crypto.createPrivateKey(rsa.keyPem);
			const attachedSignature = new CmsSignedDataBuilder({ certificateDer: rsa.certDer, provider: localKeySignatureProvider(attached) })
				.signSync(Buffer.from(value), { detached: false })
				.toString('base64');
			const notDetached = await login(value, attachedSignature);
			expect(notDetached.status).toBe(400);
			expect(notDetached.json().ModelState['model.Signature'][0]).toMatch(/detached/);

			// Requests refused before the Secret is looked at leave it usable.
			const fresh = await secret();
			expect((await login(fresh, 'not base64!')).status).toBe(400);
			const badApp = await login(fresh, signWithBuilder(rsa, Buffer.from(fresh)), { AppInfo: { AppId: 'app', AppInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE } });
			expect(badApp.status).toBe(400);
			expect(badApp.json().ModelState).toHaveProperty(['model.AppInfo.AppId']);
			expect((await login(fresh, signWithBuilder(rsa, Buffer.from(fresh)))).status).toBe(200);
		});

		it('binds JSON names case-insensitively, accepts text/json and case-insensitive paths', async () => {
			const value = await secret();
			const response = await call('POST', 'API/V2/Auth/DetachedSignature', {
				body: JSON.stringify({ secret: value, signature: signWithBuilder(rsa, Buffer.from(value)), appInfo: { appId: DEFAULT_TRANSCRYPT_APP_ID.toUpperCase(), appInstance: `{${DEFAULT_TRANSCRYPT_APP_INSTANCE}}` } }),
				headers: { 'content-type': 'text/json' },
			});
			expect(response.status).toBe(200);
			expect(emulator.sessions()[0].appInstance).toBe(DEFAULT_TRANSCRYPT_APP_INSTANCE);
		});
	});

	describe('password login and protected methods', () => {
		const passwordLogin = (Login: string, Password: string) =>
			call('POST', 'api/v2/auth', { json: { Login, Password, Ip: '127.0.0.1', AppInfo: APP_INFO } });

		it('logs in with the sandbox user and refuses a wrong password', async () => {
			const ok = await passwordLogin(DEFAULT_TRANSCRYPT_LOGIN, DEFAULT_TRANSCRYPT_PASSWORD);
			expect(ok.status).toBe(200);
			expect(ok.json().Token).toMatch(GUID);
			expect(ok.json().Organizations).toHaveLength(1);
			const wrong = await passwordLogin(DEFAULT_TRANSCRYPT_LOGIN, 'guess');
			expect(wrong.status).toBe(401);
			expect(wrong.json()).toMatchObject({ Token: EMPTY_GUID, Error: 'Неверный логин или пароль.' });
			expect(emulator.log().map((entry) => [entry.kind, entry.status])).toEqual([
				['passwordLogin', 200],
				['passwordLogin', 401],
			]);
		});

		it('needs the token for protected methods (Authorization: Bearer by default)', async () => {
			const token = (await passwordLogin(DEFAULT_TRANSCRYPT_LOGIN, DEFAULT_TRANSCRYPT_PASSWORD)).json().Token;
			const anonymous = await call('GET', 'api/v2/organizations');
			expect(anonymous.status).toBe(401);
			expect(anonymous.headers['www-authenticate']).toBe('Bearer');
			expect(anonymous.json()).toEqual({ Message: 'Authorization has been denied for this request.' });
			expect((await call('GET', 'api/v2/organizations', { headers: { authorization: token } })).status).toBe(401);
			expect((await call('GET', 'api/v2/organizations', { headers: { authorization: `Bearer ${crypto.randomUUID()}` } })).status).toBe(401);

			const organizations = await call('GET', 'api/v2/organizations', { headers: { authorization: `Bearer ${token}` } });
			expect(organizations.status).toBe(200);
			expect(organizations.json()[0]).toHaveProperty('OrganizationJur.Inn');
			const documents = await call('GET', 'api/v2/documents', { headers: { authorization: `bearer ${token}` } });
			expect(documents.json().Total).toBe(3);
			expect(emulator.sessions()[0].calls.map((entry) => [entry.path, entry.status])).toEqual([
				['/transcrypt/api/v2/organizations', 200],
				['/transcrypt/api/v2/documents', 200],
			]);
		});

		it('takes another header and a bare token when configured', async () => {
			emulator.configure({ tokenHeader: 'X-Auth-Token', tokenScheme: '' });
			const token = (await passwordLogin(DEFAULT_TRANSCRYPT_LOGIN, DEFAULT_TRANSCRYPT_PASSWORD)).json().Token;
			expect((await call('GET', 'api/v2/organizations', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
			expect((await call('GET', 'api/v2/organizations', { headers: { 'x-auth-token': token } })).status).toBe(200);
		});

		it('expires a token after the idle time on the sandbox clock (sliding)', async () => {
			const token = (await passwordLogin(DEFAULT_TRANSCRYPT_LOGIN, DEFAULT_TRANSCRYPT_PASSWORD)).json().Token;
			const auth = { authorization: `Bearer ${token}` };
			const idle = emulator.config.tokenIdleMs;
			server.clock.advance(idle - 1000);
			expect((await call('GET', 'api/v2/organizations', { headers: auth })).status).toBe(200);
			server.clock.advance(idle - 1000);
			expect((await call('GET', 'api/v2/organizations', { headers: auth })).status).toBe(200);
			server.clock.advance(idle + 1000);
			expect((await call('GET', 'api/v2/organizations', { headers: auth })).status).toBe(401);
			expect(emulator.sessions()[0].expiredAt).toBeDefined();
		});

		it('expireAll() ends every session', async () => {
			const token = (await passwordLogin(DEFAULT_TRANSCRYPT_LOGIN, DEFAULT_TRANSCRYPT_PASSWORD)).json().Token;
			emulator.expireAll();
			expect((await call('GET', 'api/v2/organizations', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
		});
	});

	describe('control over HTTP', () => {
		it('configures, registers certificates and reports state under /transcrypt/__sandbox', async () => {
			const configured = await call('POST', '__sandbox/config', { json: { strictCertificates: true, secretResponse: 'string' } });
			expect(configured.status).toBe(200);
			expect(configured.json()).toMatchObject({ strictCertificates: true, secretResponse: 'string' });
			expect((await call('POST', '__sandbox/config', { json: { noSuchSetting: 1 } })).status).toBe(400);

			const registered = await call('POST', '__sandbox/certificates', { json: { certificate: rsa.certDer.toString('base64'), isNewClient: true } });
			expect(registered.status).toBe(201);

			const bare = await call('GET', 'api/v2/auth/secret');
			const value: string = bare.json();
			expect(typeof value).toBe('string');
			const response = await login(value, signWithBuilder(rsa, Buffer.from(value)));
			expect(response.json()).toMatchObject({ IsNewClient: true, CertificateNotFound: false });

			const state = (await call('GET', '__sandbox/state')).json();
			expect(state.certificates).toEqual([expect.objectContaining({ thumbprint: registered.json().thumbprint, logins: 1 })]);
			expect(state.sessions).toHaveLength(1);

			expect((await call('POST', '__sandbox/reset')).status).toBe(204);
			expect(emulator.config.strictCertificates).toBe(false);
			expect(emulator.certificates()).toHaveLength(0);
		});

		it('describes itself for the CLI', async () => {
			expect(emulator.describe()).toMatch(/api\/v2\/auth\/detachedsignature/);
			expect((await call('GET', '__sandbox/describe')).text).toBe(emulator.describe());
		});
	});
});
