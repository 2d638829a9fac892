/**
 * Authentication of the Diadoc node against the sandbox: OAuth2 with tokens from the sandbox identity server
 * and a real refresh (n8n-core's refreshOAuth2Token against the sandbox token endpoint) on a 401; the legacy
 * scheme with login/password (token reused across items and executions, obtained again once on a 401), a
 * pasted token, and the certificate flow (the EDO Certificate signer decrypts the sandbox's CMS envelope).
 * Plus the credential tests, API Request and its origin lock, and no secret in any message.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { generateSelfSignedCert, SandboxServer, mountAllEmulators } from '../../sandbox';
import type { DiadocEmulator } from '../../sandbox/emulators/diadoc';
import { opensslThumbprint, pemCredential, testCredential } from '../harness';
import { createIdentity, opensslVerify, RUSSIAN_SUBJECT, type TestIdentity } from '../helpers/pki';
import {
	legacy,
	node,
	oauthCredential,
	obtainOAuthTokens,
	passwordCredential,
	runDiadoc,
	SANDBOX_BOX_ID,
	SANDBOX_CLIENT_ID,
	SANDBOX_PASSWORD,
	startDiadocSandbox,
	type DiadocSandbox,
} from './diadoc-fixtures';

let sandbox: DiadocSandbox;
let identity: TestIdentity;
beforeAll(async () => {
	sandbox = await startDiadocSandbox();
	identity = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.emulator.configureDss({ pollsInProgress: 0 });
});

const signAndWait = (extra: IDataObject = {}) => ({ resource: 'dss', operation: 'signAndWait', boxId: SANDBOX_BOX_ID, pollInterval: 0.01, timeout: 5, ...extra });
const items = (count: number) => Array.from({ length: count }, (_, index) => ({ binary: { data: { data: Buffer.from(`document ${index}`), fileName: `d${index}.xml` } } }));
const calls = (pattern: RegExp) => sandbox.server.requests.filter((request) => pattern.test(request.path));

function expectNoSecret(text: unknown, ...secrets: string[]): void {
	const shown = JSON.stringify(text);
	for (const secret of secrets) expect(shown).not.toContain(secret);
}

describe('OAuth2 (OpenID Connect)', () => {
	it('calls the API with a Bearer token from the sandbox identity server', async () => {
		const tokens = await obtainOAuthTokens(sandbox);
		const { output, error } = await runDiadoc(signAndWait(), { credentials: { diadocOAuth2Api: oauthCredential(sandbox, tokens) }, items: items(1) });
		expect(error).toBeUndefined();
		expect(output[0][0].json.OperationStatus).toBe('Completed');
		expect(calls(/\/DssSign$/)[0].headers.authorization).toBe('Bearer [redacted]');
	});

	it('refreshes an expired access token once through n8n (real refresh_token grant) and retries, for a streamed body too', async () => {
		const tokens = await obtainOAuthTokens(sandbox);
		sandbox.emulator.expireTokens(); // access tokens only
		sandbox.server.clearRequests();
		const { output, error } = await runDiadoc(signAndWait(), { credentials: { diadocOAuth2Api: oauthCredential(sandbox, tokens) }, items: items(3) });
		expect(error).toBeUndefined();
		expect(output[0].map((item) => item.json.OperationStatus)).toEqual(['Completed', 'Completed', 'Completed']);
		expect(calls(/\/connect\/token$/)).toHaveLength(1);
		const signs = calls(/\/DssSign$/);
		expect(signs.map((request) => request.status)).toEqual([401, 200, 200, 200]);
		// The retried request streamed its whole body again: the signature covers the document.
		const signature = Buffer.from(String((output[0][0].json.Files as IDataObject[])[0].Signature), 'base64');
		expect(opensslVerify(signature, Buffer.from('document 0'), sandbox.dssCertificatePath).ok).toBe(true);
	});

	it('says to reconnect when the refresh token is no longer valid, or the credential was never connected', async () => {
		const tokens = await obtainOAuthTokens(sandbox);
		sandbox.emulator.expireTokens({ refresh: true });
		const expired = await runDiadoc(signAndWait(), { credentials: { diadocOAuth2Api: oauthCredential(sandbox, tokens) }, items: items(1) });
		expect(expired.error?.message).toMatch(/^The Diadoc access token has expired and could not be refreshed at the identity server/);
		expect(expired.error?.description).toMatch(/Reconnect the Diadoc OAuth2 credential/);
		expectNoSecret(expired.error, String(tokens.access_token), String(tokens.refresh_token));

		const unconnected = await runDiadoc(signAndWait(), { credentials: { diadocOAuth2Api: oauthCredential(sandbox, {}) }, items: items(1) });
		expect(unconnected.error?.message).toBe('The Diadoc OAuth2 credential is not connected: it holds no access token');
	});

	it('passes a missing API scope on as a clear 403', async () => {
		const tokens = await obtainOAuthTokens(sandbox, 'openid offline_access');
		const { error } = await runDiadoc(signAndWait(), { credentials: { diadocOAuth2Api: oauthCredential(sandbox, tokens) }, items: items(1) });
		expect(error?.message).toMatch(/Diadoc answered 403 Forbidden to POST \/diadoc\/DssSign \(X-Diadoc-ErrorCode: Http\.InsufficientScope/);
	});
});

describe('Diadoc API (legacy DiadocAuth)', () => {
	it('logs in once with login and password and reuses the token across items and executions', async () => {
		for (let run = 0; run < 2; run++) {
			const { output, error } = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: passwordCredential(sandbox) }, items: items(3) });
			expect(error).toBeUndefined();
			expect(output[0]).toHaveLength(3);
		}
		expect(calls(/\/V3\/Authenticate$/)).toHaveLength(1);
		expect(calls(/\/V3\/Authenticate$/)[0].query).toEqual({ type: 'password' });
		expect(calls(/\/DssSign$/).map((request) => request.headers.authorization)).toEqual(Array(6).fill('DiadocAuth [redacted]'));
	});

	it('logs in again once when the token expired, and retries the request', async () => {
		await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: passwordCredential(sandbox) }, items: items(1) });
		sandbox.emulator.expireTokens();
		const { output, error } = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: passwordCredential(sandbox) }, items: items(2) });
		expect(error).toBeUndefined();
		expect(output[0]).toHaveLength(2);
		expect(calls(/\/V3\/Authenticate$/)).toHaveLength(2);
		expect(calls(/\/DssSign$/).map((request) => request.status)).toEqual([200, 401, 200, 200]);
	});

	it('does not borrow a cached token for a wrong password, and never shows the password', async () => {
		await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: passwordCredential(sandbox) }, items: items(1) });
		const wrong = 'Wrong-Password-8472';
		const { error } = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: passwordCredential(sandbox, { password: wrong }) }, items: items(1) });
		expect(error?.message).toMatch(/^Diadoc login with login and password failed: Diadoc answered 401 Unauthorized to POST \/diadoc\/V3\/Authenticate/);
		expect(error?.description).toMatch(/Check the login, the password and the API client ID/);
		expectNoSecret(error, wrong, SANDBOX_PASSWORD, SANDBOX_CLIENT_ID);
	});

	it('uses a pasted token, and says clearly when it has expired (no login attempt)', async () => {
		const token = sandbox.emulator.issueToken({ kind: 'legacy' });
		const credential = { diadocApi: { baseUrl: sandbox.apiUrl, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'token', token } };
		expect((await runDiadoc(legacy(signAndWait()), { credentials: credential, items: items(1) })).error).toBeUndefined();
		sandbox.emulator.expireTokens();
		const { error } = await runDiadoc(legacy(signAndWait()), { credentials: credential, items: items(1), continueOnFail: true }).then((result) => ({
			error: result.output[0][0].json,
		}));
		expect(error.error).toMatch(/Diadoc answered 401 Unauthorized to POST \/diadoc\/DssSign/);
		expect(error.description).toMatch(/token in the Diadoc API credential was refused \(tokens expire after about 24 hours\)/);
		expect(calls(/\/V3\/Authenticate$/)).toHaveLength(0);
		expectNoSecret(error, token);
	});

	it('authenticates with a certificate: the signer decrypts the CMS envelope, AuthenticateConfirm returns the token', async () => {
		const credential = {
			diadocApi: { baseUrl: sandbox.apiUrl, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'certificate' },
			edoCertificate: pemCredential(identity),
		};
		for (let run = 0; run < 2; run++) {
			const { output, error } = await runDiadoc(legacy(signAndWait({ signer: 'edoCertificate' })), { credentials: credential, items: items(2) });
			expect(error).toBeUndefined();
			expect(output[0]).toHaveLength(2);
		}
		const thumbprint = opensslThumbprint(identity);
		expect(sandbox.emulator.snapshot().certificateAuthentications).toEqual([
			{ thumbprint, phase: 'authenticate', ok: true },
			{ thumbprint, phase: 'confirm', ok: true, saveBinding: false },
		]);
		expect(calls(/\/V3\/AuthenticateConfirm$/)[0].query).toMatchObject({ thumbprint, saveBinding: 'false' });

		const withoutSigner = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: credential.diadocApi }, items: items(1) });
		sandbox.reset();
		expect(withoutSigner.error?.message).toBe('This step needs a signer, and none is selected');
	});

	it('reports a refused certificate clearly', async () => {
		sandbox.emulator.setOptions({ unknownCertificateLogin: null });
		const { error } = await runDiadoc(legacy(signAndWait({ signer: 'edoCertificate' })), {
			credentials: { diadocApi: { baseUrl: sandbox.apiUrl, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'certificate' }, edoCertificate: pemCredential(identity) },
			items: items(1),
		});
		expect(error?.message).toMatch(/^Diadoc certificate authentication failed: Diadoc answered 403 Forbidden to POST \/diadoc\/V3\/Authenticate \(X-Diadoc-ErrorCode: Auth\.CertificateNotBound/);
		expect(error?.description).toMatch(/bound to a Diadoc user/);
	});

	it('refuses an incomplete credential before calling Diadoc', async () => {
		const { error } = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: { baseUrl: sandbox.apiUrl, apiClientId: '', authMethod: 'password' } }, items: items(1) });
		expect(error?.message).toBe('The Diadoc API credential has no API client ID');
		expect(sandbox.server.requests).toHaveLength(0);
	});
});

describe('credential tests', () => {
	const legacyTest = async (data: ICredentialDataDecryptedObject) => await testCredential(node, 'diadocApiTest', 'diadocApi', data);
	const oauthTest = async (data: ICredentialDataDecryptedObject) => await testCredential(node, 'diadocOAuth2ApiTest', 'diadocOAuth2Api', data);

	it('are declared on the node for both credentials', () => {
		const byName = Object.fromEntries((node.description.credentials ?? []).map((entry) => [entry.name, entry.testedBy]));
		expect(byName).toMatchObject({ diadocApi: 'diadocApiTest', diadocOAuth2Api: 'diadocOAuth2ApiTest' });
	});

	it('login and password: log in and list the organizations; a wrong password fails without echoing it', async () => {
		expect(await legacyTest(passwordCredential(sandbox))).toEqual({ status: 'OK', message: 'Connected to Diadoc (login and password): 2 organization(s)' });
		const wrong = await legacyTest(passwordCredential(sandbox, { password: 'Nope-123' }));
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/Diadoc refused the login, the password or the API client ID \(401\)/);
		expect(wrong.message).not.toContain('Nope-123');
	});

	it('token: a valid and an expired one', async () => {
		const token = sandbox.emulator.issueToken({ kind: 'legacy' });
		const data = { baseUrl: sandbox.apiUrl, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'token', token };
		expect((await legacyTest(data)).status).toBe('OK');
		sandbox.emulator.expireTokens();
		const expired = await legacyTest(data);
		expect(expired).toMatchObject({ status: 'Error' });
		expect(expired.message).toMatch(/token \(tokens expire after about 24 hours\)/);
		expect(expired.message).not.toContain(token);
	});

	it('certificate: checks what it can (the API client ID) and says so', async () => {
		const accepted = await legacyTest({ baseUrl: sandbox.apiUrl, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'certificate' });
		expect(accepted.status).toBe('OK');
		expect(accepted.message).toMatch(/accepted the API client ID.*not tested here/);
		const refused = await legacyTest({ baseUrl: sandbox.apiUrl, apiClientId: 'unknown-client', authMethod: 'certificate' });
		expect(refused).toMatchObject({ status: 'Error' });
		expect(refused.message).toMatch(/refused the API client ID \(401\)/);
	});

	it('OAuth2: a connected credential, an expired token, an unconnected credential', async () => {
		const tokens = await obtainOAuthTokens(sandbox);
		expect(await oauthTest(oauthCredential(sandbox, tokens))).toEqual({ status: 'OK', message: 'Connected to Diadoc (OAuth2): 2 organization(s)' });
		sandbox.emulator.expireTokens();
		expect((await oauthTest(oauthCredential(sandbox, tokens))).message).toMatch(/refused the access token/);
		expect((await oauthTest(oauthCredential(sandbox, {}))).message).toMatch(/not connected yet/);
	});
});

describe('API Request', () => {
	it('calls any method with the credential and stays on its origin', async () => {
		const { output, error } = await runDiadoc(legacy({ resource: 'apiRequest', operation: 'send', requestMethod: 'GET', requestPath: '/GetMyOrganizations' }), {
			credentials: { diadocApi: passwordCredential(sandbox) },
		});
		expect(error).toBeUndefined();
		expect((output[0][0].json.Organizations as IDataObject[]).length).toBe(2);

		const posted = await runDiadoc(
			legacy({ resource: 'apiRequest', operation: 'send', requestMethod: 'POST', requestPath: '/Register', bodyType: 'json', jsonBody: JSON.stringify({ Thumbprint: opensslThumbprint(identity) }) }),
			{ credentials: { diadocApi: passwordCredential(sandbox) } },
		);
		expect(posted.output[0][0].json.RegistrationStatus).toBe('CertificateOwnershipProofIsRequired');

		const signed = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: passwordCredential(sandbox) }, items: items(1) });
		const query = { parameter: [{ name: 'boxId', value: SANDBOX_BOX_ID }, { name: 'taskId', value: String(signed.output[0][0].json.TaskId) }] };
		const polled = await runDiadoc(legacy({ resource: 'apiRequest', operation: 'send', requestMethod: 'GET', requestPath: '/DssSignResult', queryParameters: query }), {
			credentials: { diadocApi: passwordCredential(sandbox) },
		});
		expect(polled.output[0][0].json.OperationStatus).toBe('Completed');

		for (const path of ['https://evil.example.com/GetMyOrganizations', '//evil.example.com/x', '/../other']) {
			const escaped = await runDiadoc(legacy({ resource: 'apiRequest', operation: 'send', requestMethod: 'GET', requestPath: path }), { credentials: { diadocApi: passwordCredential(sandbox) } });
			expect(escaped.error?.message).toMatch(/^Refused to send GET .* to Diadoc/);
		}
		expect(sandbox.server.requests.filter((request) => !request.path.startsWith('/diadoc/'))).toHaveLength(0);
	});

	it('answers an unknown method with Diadoc error details', async () => {
		const { error } = await runDiadoc(legacy({ resource: 'apiRequest', operation: 'send', requestMethod: 'GET', requestPath: '/NoSuchMethod' }), {
			credentials: { diadocApi: passwordCredential(sandbox) },
		});
		expect(error?.message).toMatch(/Diadoc answered 404 Not Found to GET \/diadoc\/NoSuchMethod \(X-Diadoc-ErrorCode: Http\.NotFound, trace [0-9a-f]{32}\)/);
	});
});

describe('custom CA and client certificate (mutual TLS)', () => {
	it('reaches a sandbox that trusts only its own CA and requires a client certificate', async () => {
		const serverCert = generateSelfSignedCert();
		const client = createIdentity('p256');
		const server = new SandboxServer({ tls: { certPem: serverCert.certPem, keyPem: serverCert.keyPem, requireClientCert: true, clientCaPem: client.certPem } });
		const emulator = mountAllEmulators(server).get('/diadoc') as DiadocEmulator;
		const url = await server.start();
		try {
			emulator.configureDss({ pollsInProgress: 0 });
			const base = { baseUrl: `${url}/diadoc`, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'token', token: emulator.issueToken({ kind: 'legacy' }) };
			const tls = { customTls: true, caCertificate: serverCert.certPem, clientCertificate: client.certPem, clientKey: client.keyPem };
			const ok = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: { ...base, ...tls } }, items: items(1) });
			expect(ok.error).toBeUndefined();
			expect(ok.output[0][0].json.OperationStatus).toBe('Completed');
			const untrusted = await runDiadoc(legacy(signAndWait()), { credentials: { diadocApi: base }, items: items(1) });
			expect(untrusted.error?.message).toMatch(/^Secure connection to Diadoc/);
		} finally {
			await server.stop();
		}
	});
});
