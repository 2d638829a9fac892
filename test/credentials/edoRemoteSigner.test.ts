/**
 * The EDO Remote Signer credential: its fields, the nodes that test it, and its test (n8n-core's
 * CredentialTestContext) against the sandbox signer over HTTP and HTTPS with a private CA: it names the
 * credential and its certificate, and every refusal is a clear message without a secret.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { EdoRemoteSigner } from '../../credentials/EdoRemoteSigner.credentials';
import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';
import { remoteSignerSettingsFromCredentials } from '../../nodes/shared/signer';
import { createSignerEmulator, DEFAULT_SIGNER_CLIENT_ID, DEFAULT_SIGNER_CLIENT_SECRET, DEFAULT_SIGNER_TOKEN } from '../../sandbox/emulators/signer';
import { SandboxServer } from '../../sandbox/server';
import { generateSelfSignedCert } from '../../sandbox/tls';
import { testCredential } from '../harness';
import { openssl } from '../helpers/pki';
import { EC_ID, expectNoSecret, PIN, RSA_ID, signerFixture } from '../signers/fixture';

const fixture = signerFixture();
const node = new EdoCrypto();
const run = async (data: ICredentialDataDecryptedObject) => await testCredential(node, 'edoRemoteSignerTest', 'edoRemoteSigner', data);

function fingerprint(certPath: string): string {
	return openssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha1']).toString().replace(/^.*=/, '').replace(/[:\s]/g, '');
}

beforeAll(async () => await fixture.start());
afterAll(async () => await fixture.stop());
beforeEach(() => fixture.reset());

describe('EDO Remote Signer credential', () => {
	const credential = new EdoRemoteSigner();
	const field = (name: string) => credential.properties.find((property) => property.name === name);

	it('keeps every secret in a password field and shows each authentication its own fields', () => {
		expect(credential.name).toBe('edoRemoteSigner');
		expect(credential.displayName).toBe('EDO Remote Signer');
		for (const name of ['accessToken', 'clientSecret', 'password', 'pin', 'otp', 'clientKey', 'clientKeyPassphrase']) {
			expect(field(name)?.typeOptions?.password).toBe(true);
		}
		for (const name of ['baseUrl', 'credentialId', 'certificateThumbprint', 'caCertificate', 'clientCertificate']) {
			expect(field(name)?.typeOptions?.password).toBeUndefined();
		}
		expect(field('authentication')?.options?.map((option) => (option as { value: string }).value)).toEqual(['bearer', 'oauth2ClientCredentials', 'cscLogin', 'none']);
		expect(field('accessToken')?.displayOptions?.show?.authentication).toEqual(['bearer']);
		expect(field('clientSecret')?.displayOptions?.show?.authentication).toEqual(['oauth2ClientCredentials']);
		expect(field('password')?.displayOptions?.show?.authentication).toEqual(['cscLogin']);
		expect(field('caCertificate')?.displayOptions?.show?.customTls).toEqual([true]);
		expect(field('timeoutSeconds')?.default).toBe(30);
	});

	it('is tested by every node that can use it', () => {
		for (const user of [new EdoCrypto(), new Transcrypt(), new Taxcom(), new Diadoc()]) {
			const entry = user.description.credentials?.find((item) => item.name === 'edoRemoteSigner');
			expect(entry?.testedBy).toBe('edoRemoteSignerTest');
			expect(typeof user.methods.credentialTest.edoRemoteSignerTest).toBe('function');
		}
	});

	it('maps its fields to the remote signer settings', () => {
		const settings = remoteSignerSettingsFromCredentials({
			baseUrl: ' https://signer/csc/v2 ',
			authentication: 'oauth2ClientCredentials',
			clientId: 'id',
			clientSecret: 'secret',
			scope: 'service',
			clientAuthentication: 'body',
			credentialId: '',
			certificateThumbprint: 'AB',
			pin: '1',
			timeoutSeconds: 2.5,
			cscVersion: 'v1',
			fieldCasing: 'snake',
			customTls: true,
			caCertificate: 'CA PEM',
		});
		expect(settings).toEqual({
			baseUrl: 'https://signer/csc/v2',
			auth: { type: 'oauth2ClientCredentials', tokenUrl: undefined, clientId: 'id', clientSecret: 'secret', scope: 'service', clientAuthentication: 'body' },
			credentialId: undefined,
			certificateThumbprint: 'AB',
			pin: '1',
			otp: undefined,
			tls: { ca: 'CA PEM' },
			timeoutMs: 2500,
			cscVersion: 'v1',
			fieldCasing: 'snake',
		});
	});
});

describe('EDO Remote Signer credential test', () => {
	it('names the credential and its certificate: subject, thumbprint, validity', async () => {
		const result = await run(fixture.credential());
		expect(result.status).toBe('OK');
		expect(result.message).toContain(`Credential "${RSA_ID}"`);
		expect(result.message).toContain(fingerprint(fixture.rsa.certPath));
		expect(result.message).toContain('Иванов Иван Иванович');
		expect(result.message).toMatch(/valid \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
		expect(result.message).toContain('Up to 100 signatures per authorization');
		// Listing only: a PIN is never tried by a test, so it cannot count towards blocking the key.
		expect(fixture.calls()).toEqual(['credentials/info']);
	});

	it('finds the credential by thumbprint, with OAuth2', async () => {
		const result = await run(
			fixture.credential({
				credentialId: '',
				certificateThumbprint: fingerprint(fixture.ec.certPath),
				authentication: 'oauth2ClientCredentials',
				clientId: DEFAULT_SIGNER_CLIENT_ID,
				clientSecret: DEFAULT_SIGNER_CLIENT_SECRET,
			}),
		);
		expect(result.status).toBe('OK');
		expect(result.message).toContain(`Credential "${EC_ID}"`);
	});

	it('reports an unknown credential, a wrong token, a revoked certificate and a signer that is down', async () => {
		const secrets = [PIN, DEFAULT_SIGNER_TOKEN, 'Wrong-Token-1'];
		const unknown = await run(fixture.credential({ credentialId: 'missing-id' }));
		expect(unknown).toMatchObject({ status: 'Error' });
		expect(unknown.message).toMatch(/does not know credential "missing-id"/);
		const token = await run(fixture.credential({ accessToken: 'Wrong-Token-1' }));
		expect(token.message).toMatch(/refused the access token/);
		fixture.signer.revoke(RSA_ID);
		const revoked = await run(fixture.credential());
		expect(revoked.message).toMatch(/certificate of credential "test-rsa" as revoked/);
		const down = await run(fixture.credential({ baseUrl: 'http://127.0.0.1:9/csc/v2', timeoutSeconds: 2 }));
		expect(down.message).toMatch(/Could not reach EDO Remote Signer/);
		expectNoSecret([unknown, token, revoked, down], secrets);
	});

	it('trusts a private CA over HTTPS (the TLS fields of the credential)', async () => {
		const tls = generateSelfSignedCert();
		const server = new SandboxServer({ tls: { certPem: tls.certPem, keyPem: tls.keyPem } });
		server.mount('/signer', createSignerEmulator());
		await server.start();
		try {
			const base = { ...fixture.credential({ baseUrl: `${server.baseUrl}/signer/csc/v2`, credentialId: 'sandbox-ec', pin: '1234' }) };
			const untrusted = await run(base);
			expect(untrusted.status).toBe('Error');
			expect(untrusted.message).toMatch(/Secure connection to EDO Remote Signer/);
			const trusted = await run({ ...base, customTls: true, caCertificate: tls.certPem });
			expect(trusted.status).toBe('OK');
			expect(trusted.message).toContain('Credential "sandbox-ec"');
		} finally {
			await server.stop();
		}
	});
});
