/**
 * The Transcrypt API credential: its fields and defaults, and its test (run by the Transcrypt node, testedBy
 * 'transcryptApiTest') against the Transcrypt emulator.
 */
import { TranscryptApi } from '../../credentials/TranscryptApi.credentials';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';
import { SandboxServer } from '../../sandbox/server';
import {
	createTranscryptEmulator,
	DEFAULT_TRANSCRYPT_APP_ID,
	DEFAULT_TRANSCRYPT_APP_INSTANCE,
	DEFAULT_TRANSCRYPT_LOGIN,
	DEFAULT_TRANSCRYPT_PASSWORD,
} from '../../sandbox/emulators/transcrypt';
import { testCredential } from '../harness';

describe('Transcrypt API credential', () => {
	const server = new SandboxServer();

	beforeAll(async () => {
		server.mount('/transcrypt', createTranscryptEmulator());
		await server.start();
	});

	afterAll(async () => {
		await server.stop();
	});

	beforeEach(() => server.reset());

	const data = (overrides: Record<string, unknown> = {}) => ({
		baseUrl: `${server.baseUrl}/transcrypt`,
		appId: DEFAULT_TRANSCRYPT_APP_ID,
		appInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE,
		login: DEFAULT_TRANSCRYPT_LOGIN,
		password: DEFAULT_TRANSCRYPT_PASSWORD,
		tokenHeader: 'Authorization',
		tokenScheme: 'Bearer',
		...overrides,
	});
	const test = async (overrides: Record<string, unknown> = {}) =>
		await testCredential(new Transcrypt(), 'transcryptApiTest', 'transcryptApi', data(overrides));

	it('describes the fields, with the token header defaulting to Authorization: Bearer', () => {
		const credential = new TranscryptApi();
		const byName = Object.fromEntries(credential.properties.map((property) => [property.name, property]));
		expect(credential.name).toBe('transcryptApi');
		expect(byName.password.typeOptions?.password).toBe(true);
		expect(byName.clientKey.typeOptions?.password).toBe(true);
		expect(byName.tokenHeader.default).toBe('Authorization');
		expect(byName.tokenScheme.default).toBe('Bearer');
		expect(byName.appId.required).toBe(true);
		expect(byName.appInstance.required).toBe(true);
	});

	it('logs in by password when login and password are set', async () => {
		const result = await test();
		expect(result).toEqual({ status: 'OK', message: `Logged in as ${DEFAULT_TRANSCRYPT_LOGIN}: 1 organization.` });
	});

	it('reports a wrong password without it', async () => {
		const result = await test({ password: 'Secret-But-Wrong' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the password login \(HTTP 401\)/);
		expect(result.message).not.toContain('Secret-But-Wrong');
	});

	it('without a login, checks the GUIDs and that the server answers', async () => {
		expect((await test({ login: '', password: '' })).status).toBe('OK');
		const badGuid = await test({ login: '', password: '', appInstance: '7d359f83-fb28-4b35-bb82' });
		expect(badGuid.status).toBe('Error');
		expect(badGuid.message).toMatch(/App Instance must be a GUID/);
		const unreachable = await test({ login: '', password: '', baseUrl: 'http://127.0.0.1:9/' });
		expect(unreachable.status).toBe('Error');
	});

	it('refuses a token header that is not a header name', async () => {
		const result = await test({ tokenHeader: 'X Auth' });
		expect(result.message).toMatch(/not an HTTP header name/);
	});
});
