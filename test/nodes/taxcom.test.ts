/**
 * The Taxcom node through n8n-core's WorkflowExecute against the Taxcom emulator: every operation, the
 * managed session (one login for many items, sliding expiry, one re-login on 401), both TrustedCertificate
 * encodings and both envelope encodings, and bad input with clear errors that hold no secret.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { taxcomSessions } from '../../nodes/Taxcom/transport/sessions';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
} from '../../sandbox/emulators/taxcom';
import { readBinary, runNode, type RunNodeResult, type TestItem } from '../harness';
import { encryptCms } from '../../lib/crypto/cms/encrypt';
import { createIdentity, openssl, writeTemp, type TestIdentity } from '../helpers/pki';
import { sandboxForSuite } from '../helpers/sandbox';

const node = new Taxcom();
const credentialTypes = [new TaxcomApi(), new EdoCertificate()];
const PIN = 'pin-4711-secret';

describe('Taxcom node', () => {
	const taxcom = createTaxcomEmulator();
	const server = sandboxForSuite({ '/taxcom': taxcom });
	let rsa: TestIdentity;
	let ec: TestIdentity;

	beforeAll(() => {
		rsa = createIdentity('rsa2048');
		ec = createIdentity('p256');
	});

	beforeEach(() => {
		taxcomSessions.clear();
		taxcomSessions.now = Date.now;
	});

	function taxcomCredential(overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
		return {
			serverUrl: `${server.baseUrl}/taxcom`,
			apiVersion: '1.3',
			integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
			cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
			cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
			certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
			certificatePin: '',
			sessionLifetimeMinutes: 2,
			...overrides,
		};
	}

	function certificateCredential(identity: TestIdentity): ICredentialDataDecryptedObject {
		return { format: 'pem', publicCertificate: identity.certPem, privateKey: identity.keyPem };
	}

	async function run(
		parameters: INodeParameters,
		options: { taxcom?: ICredentialDataDecryptedObject; identity?: TestIdentity; items?: TestItem[]; continueOnFail?: boolean } = {},
	): Promise<RunNodeResult> {
		return await runNode(node, {
			parameters,
			credentials: { taxcomApi: taxcomCredential(options.taxcom), edoCertificate: certificateCredential(options.identity ?? rsa) },
			credentialTypes,
			items: options.items,
			continueOnFail: options.continueOnFail,
		});
	}

	function json(result: RunNodeResult, index = 0): IDataObject {
		expect(result.error).toBeUndefined();
		return result.output[0][index].json;
	}

	const logins = (method = 'CloudCertificateLogin') => taxcom.log().filter((entry) => entry.method === method && entry.status === 200).length;
	const activations = () => taxcom.log().filter((entry) => entry.method === 'ActivateSession' && entry.status === 200).length;

	/** Nothing a user must not see: no password, PIN or token anywhere but the explicit token fields. */
	function expectNoSecrets(result: RunNodeResult, secrets: string[]): void {
		const visible = result.output.flat().map((item: INodeExecutionData) => {
			const { assistantKey: _key, ...rest } = item.json;
			return rest;
		});
		const text = JSON.stringify({ visible, message: result.error?.message, description: result.error?.description });
		for (const secret of secrets.filter(Boolean)) expect(text).not.toContain(secret);
	}

	function sessionTokens(): string[] {
		return taxcom.sessions().map((session) => session.token);
	}

	describe('Cloud Certificate Login', () => {
		it('posts the seed body with TrustedCertificate as base64 and decrypts the token with the signer', async () => {
			const result = await run({ operation: 'cloudCertificateLogin' });
			const output = json(result);
			const [session] = taxcom.sessions();
			expect(output.assistantKey).toBe(session.token);
			expect(output.loginMethod).toBe('cloud');
			expect(session.trustedThumbprint).toBe(output.certificateThumbprint);
			const request = server.requests.find((entry) => entry.path.endsWith('/CloudCertificateLogin'));
			expect(request?.path).toBe('/taxcom/v1.3/API/CloudCertificateLogin');
			expect(request?.headers['integrator-id']).toBe(DEFAULT_TAXCOM_INTEGRATOR_ID);
			const body = request?.json as Record<string, Record<string, unknown> | string>;
			expect(body.Certificate).toEqual({ Thumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT });
			expect(Buffer.from(body.TrustedCertificate as string, 'base64').equals(rsa.certDer)).toBe(true);
			expectNoSecrets(result, [DEFAULT_TAXCOM_CLOUD_PASSWORD]);
		});

		it('sends TrustedCertificate as a JSON array of bytes on request', async () => {
			taxcom.configure({ trustedCertificateEncodings: ['array'] });
			const refused = await run({ operation: 'cloudCertificateLogin' });
			expect(refused.error?.message).toMatch(/400/);
			const result = await run({ operation: 'cloudCertificateLogin', trustedCertificateEncoding: 'array' });
			expect(json(result).assistantKey).toBe(taxcom.sessions()[0].token);
			const request = server.requests.filter((entry) => entry.path.endsWith('/CloudCertificateLogin')).pop();
			const trusted = (request?.json as { TrustedCertificate: number[] }).TrustedCertificate;
			expect(Array.isArray(trusted)).toBe(true);
			expect(Buffer.from(trusted).equals(rsa.certDer)).toBe(true);
		});

		it('accepts the envelope as base64 text as well as DER, and an EC (ECDH) recipient', async () => {
			taxcom.configure({ cloudTokenEncoding: 'base64' });
			const result = await run({ operation: 'cloudCertificateLogin' }, { identity: ec });
			expect(json(result).assistantKey).toBe(taxcom.sessions()[0].token);
		});

		it('sends the PIN when the credential has one, and never shows it', async () => {
			taxcom.registerCloudCertificate({ thumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT, pin: PIN });
			const wrong = await run({ operation: 'cloudCertificateLogin' }, { taxcom: taxcomCredential({ certificatePin: 'not-the-pin' }) });
			expect(wrong.error?.message).toMatch(/403/);
			expect(wrong.error?.description).toMatch(/PIN/);
			expectNoSecrets(wrong, ['not-the-pin', DEFAULT_TAXCOM_CLOUD_PASSWORD]);
			const right = await run({ operation: 'cloudCertificateLogin' }, { taxcom: taxcomCredential({ certificatePin: PIN }) });
			expect(json(right).assistantKey).toBe(taxcom.sessions()[0].token);
			expectNoSecrets(right, [PIN, DEFAULT_TAXCOM_CLOUD_PASSWORD]);
		});

		it('outputs the encrypted token (base64 and a file) undecrypted for a step-by-step chain', async () => {
			const result = await run({ operation: 'cloudCertificateLogin', decryptToken: false });
			const output = json(result);
			expect(output.assistantKey).toBeUndefined();
			const envelope = Buffer.from(output.encryptedToken as string, 'base64');
			const file = await readBinary(result.output[0][0].binary?.encryptedToken);
			expect(file.equals(envelope)).toBe(true);
			// openssl, the independent implementation, opens it with the key of the trusted certificate.
			const plain = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', writeTemp('token.p7m', envelope), '-inkey', rsa.keyPath, '-recip', rsa.certPath]);
			expect(plain.toString('ascii')).toBe(taxcom.sessions()[0].token);
			expect(JSON.stringify(output)).not.toContain(taxcom.sessions()[0].token);
		});
	});

	describe('Certificate Login', () => {
		it('posts the DER certificate and decrypts the token', async () => {
			const result = await run({ operation: 'certificateLogin' }, { identity: ec });
			expect(json(result).assistantKey).toBe(taxcom.sessions()[0].token);
			const request = server.requests.find((entry) => entry.path.endsWith('/CertificateLogin'));
			expect(request?.headers['content-type']).toBe('application/octet-stream');
			expect(request?.bodySize).toBe(ec.certDer.length);
		});
	});

	describe('Activate Session', () => {
		it('activates a token from the input so other methods accept it', async () => {
			const login = json(await run({ operation: 'cloudCertificateLogin' }));
			const key = login.assistantKey as string;
			const before = await run({ operation: 'apiRequest', sessionSource: 'input', assistantKey: key, requestPath: 'GetContacts' });
			expect(before.error?.message).toMatch(/401/);
			expect(before.error?.message).toMatch(/SessionNotActivated/);
			expectNoSecrets(before, [key]);

			const activated = json(await run({ operation: 'activateSession', assistantKey: '={{ $json.assistantKey }}' }, { items: [{ json: login }] }));
			expect(activated.sessionActivated).toBe(true);
			expect(Date.parse(activated.expiresAt as string)).toBeGreaterThan(Date.now());
			expect(taxcom.sessions()[0].activated).toBe(true);
			const request = server.requests.find((entry) => entry.path.endsWith('/ActivateSession'));
			expect(request?.method).toBe('POST');
			expect(request?.headers['integrator-id']).toBe(DEFAULT_TAXCOM_INTEGRATOR_ID);

			const after = json(await run({ operation: 'apiRequest', sessionSource: 'input', assistantKey: key, requestPath: 'GetContacts' }));
			expect(after.data).toMatch(/<Contacts/);
		});

		it('refuses an empty key and one that is still an envelope, before calling Taxcom', async () => {
			const empty = await run({ operation: 'activateSession', assistantKey: '={{ $json.key }}' }, { items: [{ json: { key: '' } }] });
			expect(empty.error?.message).toBe('The Assistant-Key is empty');
			const envelope = await run({ operation: 'activateSession', assistantKey: 'MIIB\nAAAA' });
			expect(envelope.error?.message).toMatch(/cannot be sent in an HTTP header/);
			expect(server.requests).toHaveLength(0);
		});
	});

	describe('Login and Activate', () => {
		it('runs the whole chain and outputs the Assistant-Key with its expiry', async () => {
			const started = Date.now();
			const output = json(await run({ operation: 'loginAndActivate' }));
			const [session] = taxcom.sessions();
			expect(output.assistantKey).toBe(session.token);
			expect(session.activated).toBe(true);
			expect(output.sessionLifetimeMinutes).toBe(2);
			const expiresAt = Date.parse(output.expiresAt as string);
			expect(expiresAt).toBeGreaterThanOrEqual(started + 120_000 - 1000);
			expect(expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
			expect(output.sessionReused).toBe(false);
		});

		it('reuses the live session of the process for later items and executions', async () => {
			const result = await run({ operation: 'loginAndActivate' }, { items: [{ json: {} }, { json: {} }, { json: {} }] });
			const keys = result.output[0].map((item) => item.json.assistantKey);
			expect(new Set(keys).size).toBe(1);
			expect(result.output[0].map((item) => item.json.sessionReused)).toEqual([false, true, true]);
			expect(json(await run({ operation: 'loginAndActivate' })).sessionReused).toBe(true);
			expect(logins()).toBe(1);
		});

		it('uses CertificateLogin when asked, activating only on request', async () => {
			const output = json(await run({ operation: 'loginAndActivate', loginMethod: 'certificate' }));
			expect(output.assistantKey).toBe(taxcom.sessions()[0].token);
			expect(logins('CertificateLogin')).toBe(1);
			expect(activations()).toBe(0);
			taxcomSessions.clear();
			await run({ operation: 'loginAndActivate', loginMethod: 'certificate', activateAfterCertificateLogin: true });
			expect(activations()).toBe(1);
		});
	});

	describe('API Request in a managed session', () => {
		const getMessageList = {
			operation: 'apiRequest',
			requestPath: 'GetMessageList',
			queryParameters: { parameter: [{ name: 'DATE', value: '2020-01-01T00:00:00' }] },
		};

		it('logs in ONCE for many items and calls the method for each', async () => {
			const items = Array.from({ length: 5 }, (_, index) => ({ json: { index } }));
			const result = await run(getMessageList, { items });
			expect(result.error).toBeUndefined();
			expect(result.output[0]).toHaveLength(5);
			for (const item of result.output[0]) expect(item.json.data).toMatch(/IsLast/);
			expect(result.output[0].map((item) => item.pairedItem)).toEqual(items.map((_, index) => ({ item: index })));
			expect(logins()).toBe(1);
			expect(activations()).toBe(1);
			expect(taxcom.sessions()[0].calls).toHaveLength(5);
			const calls = server.requests.filter((entry) => entry.path.endsWith('/GetMessageList'));
			expect(new Set(calls.map((entry) => entry.query.DATE))).toEqual(new Set(['2020-01-01T00:00:00']));
			expectNoSecrets(result, [...sessionTokens(), DEFAULT_TAXCOM_CLOUD_PASSWORD]);
		});

		it('keeps the session across executions while it lives (sliding)', async () => {
			await run(getMessageList);
			server.clock.advance(90_000);
			taxcomSessions.now = () => Date.now() + 90_000;
			await run(getMessageList);
			server.clock.advance(90_000);
			taxcomSessions.now = () => Date.now() + 180_000;
			await run(getMessageList);
			expect(logins()).toBe(1);
			expect(taxcom.sessions()[0].calls).toHaveLength(3);
		});

		it('logs in again before calling once the local lifetime has run out', async () => {
			await run(getMessageList);
			server.clock.advance(3 * 60_000);
			taxcomSessions.now = () => Date.now() + 3 * 60_000;
			const result = await run(getMessageList);
			expect(json(result).data).toMatch(/IsLast/);
			expect(logins()).toBe(2);
			expect(taxcom.log().filter((entry) => entry.status === 401)).toHaveLength(0);
		});

		it('logs in and activates once more on a 401 (server-side expiry) and repeats the call', async () => {
			await run(getMessageList);
			const first = taxcom.sessions()[0].token;
			server.clock.advance(3 * 60_000); // the sandbox expires the token; the node's clock does not move
			const result = await run(getMessageList);
			expect(json(result).data).toMatch(/IsLast/);
			expect(logins()).toBe(2);
			expect(activations()).toBe(2);
			const refused = taxcom.log().filter((entry) => entry.status === 401);
			expect(refused.map((entry) => entry.outcome)).toEqual(['AssistantKeyExpired']);
			expect(taxcom.sessions().map((session) => session.token)).toContain(first);
			expect(new Set(sessionTokens()).size).toBe(2);
		});

		it('gives up after one re-login and says so without the token', async () => {
			server.faults.add({ method: 'GET', path: '/taxcom/v1.3/API/GetMessageList', status: 401, body: '<Error><Code>AssistantKeyExpired</Code></Error>', times: 2 });
			const result = await run(getMessageList);
			expect(result.error?.message).toMatch(/401/);
			expect(result.error?.description).toMatch(/right after a new login/);
			expect(logins()).toBe(2);
			expectNoSecrets(result, [...sessionTokens(), DEFAULT_TAXCOM_CLOUD_PASSWORD]);
		});

		it('sends a text (XML) body and returns a text answer', async () => {
			const result = await run({
				operation: 'apiRequest',
				requestMethod: 'POST',
				requestPath: 'CheckContragent',
				bodyType: 'text',
				textBody: '<Contacts><Contact><Inn>7701234567</Inn><Kpp>770101001</Kpp></Contact></Contacts>',
			});
			expect(json(result).data).toMatch(/<Contacts/);
			const request = server.requests.find((entry) => entry.path.endsWith('/CheckContragent'));
			expect(request?.headers['content-type']).toBe('application/xml; charset=utf-8');
		});

		it('reports an expired Assistant-Key from the input clearly, without the key', async () => {
			const login = json(await run({ operation: 'loginAndActivate' }));
			server.clock.advance(3 * 60_000);
			const result = await run({ operation: 'apiRequest', sessionSource: 'input', assistantKey: login.assistantKey as string, requestPath: 'GetContacts' });
			expect(result.error?.message).toMatch(/401/);
			expect(result.error?.message).toMatch(/AssistantKeyExpired/);
			expect(result.error?.description).toMatch(/log in and activate again/);
			expectNoSecrets(result, [login.assistantKey as string]);
		});
	});

	describe('bad input', () => {
		it('refuses a malformed Integrator-Id before any request, naming the expected form', async () => {
			for (const integratorId of ['12345', 'COMPANY_not-a-guid', '']) {
				const result = await run({ operation: 'loginAndActivate' }, { taxcom: taxcomCredential({ integratorId }) });
				expect(result.error?.message).toMatch(/Integrator ID/);
				expect(`${result.error?.message} ${result.error?.description}`).toContain('COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA');
			}
			expect(server.requests).toHaveLength(0);
		});

		it('reports wrong cloud credentials and an unknown thumbprint with a hint and no password', async () => {
			const wrong = await run({ operation: 'loginAndActivate' }, { taxcom: taxcomCredential({ cloudPassword: 'wrong-password-123' }) });
			expect(wrong.error?.message).toMatch(/401.*CloudCredentialsInvalid/);
			expect(wrong.error?.description).toMatch(/cloud crypto login and password/);
			expectNoSecrets(wrong, ['wrong-password-123', DEFAULT_TAXCOM_CLOUD_PASSWORD]);
			const unknown = await run({ operation: 'loginAndActivate' }, { taxcom: taxcomCredential({ certificateThumbprint: 'AB'.repeat(20) }) });
			expect(unknown.error?.message).toMatch(/404.*CloudCertificateNotFound/);
			expect(unknown.error?.description).toMatch(/thumbprint/);
			const malformed = await run({ operation: 'loginAndActivate' }, { taxcom: taxcomCredential({ certificateThumbprint: 'xyz' }) });
			expect(malformed.error?.message).toMatch(/thumbprint/);
		});

		it('fails clearly when the envelope is not addressed to the signer certificate', async () => {
			const other = createIdentity('rsa2048', { subject: '/CN=Another key/O=n8n-nodes-edo tests' });
			const foreign = encryptCms(Buffer.from('TOKEN-FOR-SOMEONE-ELSE'), other.certDer);
			server.faults.add({ method: 'POST', path: '/taxcom/v1.3/API/CloudCertificateLogin', status: 200, body: foreign.toString('base64'), times: 1 });
			const result = await run({ operation: 'loginAndActivate' });
			expect(result.error?.message).toMatch(/recipient|addressed|certificate/i);
			expect(result.error?.message).not.toMatch(/TOKEN-FOR-SOMEONE-ELSE/);
			expect(activations()).toBe(0);
		});

		it('fails clearly on garbage instead of an envelope', async () => {
			server.faults.add({ method: 'POST', path: '/taxcom/v1.3/API/CloudCertificateLogin', status: 200, body: 'this is no envelope at all', times: 1 });
			const result = await run({ operation: 'loginAndActivate' });
			expect(result.error?.message).toMatch(/not an encrypted token/);
			expect(result.error?.description).toMatch(/server URL and API version/);
		});

		it('continues on fail with one error item per failed item', async () => {
			const result = await run(
				{ operation: 'activateSession', assistantKey: '={{ $json.key }}' },
				{ items: [{ json: { key: '' } }, { json: { key: 'UNKNOWNTOKEN' } }], continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			expect(result.output[0].map((item) => item.json.error)).toEqual(['The Assistant-Key is empty', expect.stringMatching(/401.*AssistantKeyInvalid/)]);
			expectNoSecrets(result, ['UNKNOWNTOKEN']);
		});
	});
});
