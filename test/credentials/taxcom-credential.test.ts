/**
 * The Taxcom API credential: its fields and defaults, and its test (run by the Taxcom node, testedBy
 * 'taxcomApiTest') against the Taxcom emulator.
 */
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { SandboxServer } from '../../sandbox/server';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
	type TaxcomEmulator,
} from '../../sandbox/emulators/taxcom';
import { testCredential } from '../harness';

describe('Taxcom API credential', () => {
	const server = new SandboxServer();
	let taxcom: TaxcomEmulator;

	beforeAll(async () => {
		taxcom = createTaxcomEmulator();
		server.mount('/taxcom', taxcom);
		await server.start();
	});

	afterAll(async () => {
		await server.stop();
	});

	beforeEach(() => server.reset());

	const data = (overrides: Record<string, unknown> = {}) => ({
		serverUrl: `${server.baseUrl}/taxcom`,
		apiVersion: '1.3',
		integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
		cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
		cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
		certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT.toLowerCase().replace(/(..)/g, '$1 '),
		certificatePin: '',
		sessionLifetimeMinutes: 2,
		...overrides,
	});
	const test = async (overrides: Record<string, unknown> = {}) => await testCredential(new Taxcom(), 'taxcomApiTest', 'taxcomApi', data(overrides));

	it('describes the fields with secrets as password fields and the documented defaults', () => {
		const credential = new TaxcomApi();
		const byName = Object.fromEntries(credential.properties.map((property) => [property.name, property]));
		expect(credential.name).toBe('taxcomApi');
		for (const secret of ['cloudPassword', 'certificatePin', 'clientKey', 'clientKeyPassphrase']) {
			expect(byName[secret].typeOptions?.password).toBe(true);
		}
		expect(byName.sessionLifetimeMinutes.default).toBe(2);
		expect(byName.apiVersion.default).toBe('1.3');
		expect(byName.integratorId.placeholder).toBe('COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA');
		const node = new Taxcom();
		expect(node.description.credentials?.find((entry) => entry.name === 'taxcomApi')?.testedBy).toBe('taxcomApiTest');
	});

	it('passes when Taxcom accepts the Integrator-Id and the cloud account (a normalized thumbprint)', async () => {
		const result = await test();
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/cloud account/);
		const request = server.requests[0];
		expect(request.path).toBe('/taxcom/v1.3/API/CloudCertificateLogin');
		expect((request.json as { Certificate: { Thumbprint: string } }).Certificate.Thumbprint).toBe(DEFAULT_TAXCOM_CLOUD_THUMBPRINT);
	});

	it('fails with the reason for a wrong password, PIN or thumbprint, never showing the password', async () => {
		const wrongPassword = await test({ cloudPassword: 'not-the-password-42' });
		expect(wrongPassword.status).toBe('Error');
		expect(wrongPassword.message).toMatch(/401.*CloudCredentialsInvalid/);
		expect(wrongPassword.message).not.toContain('not-the-password-42');
		taxcom.registerCloudCertificate({ thumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT, pin: '1234' });
		expect((await test()).message).toMatch(/403.*PinInvalid.*PIN/s);
		expect((await test({ certificateThumbprint: 'CD'.repeat(20) })).message).toMatch(/404.*CloudCertificateNotFound/);
	});

	it('fails on a malformed Integrator-Id or thumbprint before any request', async () => {
		const integrator = await test({ integratorId: 'COMPANY-123' });
		expect(integrator.status).toBe('Error');
		expect(integrator.message).toMatch(/Integrator ID must look like COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA/);
		const thumbprint = await test({ certificateThumbprint: '12345' });
		expect(thumbprint.message).toMatch(/40 hexadecimal digits/);
		expect(server.requests).toHaveLength(0);
	});

	it('only checks that the server answers when no cloud account is set', async () => {
		const result = await test({ cloudLogin: '', cloudPassword: '', certificateThumbprint: '' });
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/server answers/);
		const unreachable = await test({ serverUrl: 'http://127.0.0.1:9', cloudLogin: '', cloudPassword: '', certificateThumbprint: '' });
		expect(unreachable.status).toBe('Error');
	});
});
