/**
 * The Transcrypt node through n8n-core's WorkflowExecute against the Transcrypt emulator: Get Secret, Login
 * by Detached Signature (signer, base64 and file signatures; UTF-8 and UTF-16LE secrets; refusals), Login by
 * Password and API Request (mapped, cached and self-obtained tokens; one re-login on 401), with the signatures
 * cross-checked by `openssl cms -verify` and no secret in any message or output.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { TranscryptApi } from '../../credentials/TranscryptApi.credentials';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';
import { transcryptTokens } from '../../nodes/Transcrypt/transport/tokens';
import {
	createTranscryptEmulator,
	DEFAULT_TRANSCRYPT_APP_ID,
	DEFAULT_TRANSCRYPT_APP_INSTANCE,
	DEFAULT_TRANSCRYPT_LOGIN,
	DEFAULT_TRANSCRYPT_PASSWORD,
} from '../../sandbox/emulators/transcrypt';
import { runNode, type RunNodeResult, type TestItem } from '../harness';
import { createIdentity, openssl, opensslVerify, RUSSIAN_SUBJECT, writeTemp, type TestIdentity } from '../helpers/pki';
import { sandboxForSuite } from '../helpers/sandbox';

const node = new Transcrypt();
const credentialTypes = [new TranscryptApi(), new EdoCertificate()];

describe('Transcrypt node', () => {
	const transcrypt = createTranscryptEmulator();
	const server = sandboxForSuite({ '/transcrypt': transcrypt });
	let russian: TestIdentity;
	let ec: TestIdentity;

	beforeAll(() => {
		russian = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
		ec = createIdentity('p256');
	});

	beforeEach(() => {
		transcryptTokens.clear();
	});

	function transcryptCredential(overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
		return {
			baseUrl: `${server.baseUrl}/transcrypt`,
			appId: DEFAULT_TRANSCRYPT_APP_ID,
			appInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE,
			login: '',
			password: '',
			...overrides,
		};
	}

	const withPassword = (overrides: ICredentialDataDecryptedObject = {}) =>
		transcryptCredential({ login: DEFAULT_TRANSCRYPT_LOGIN, password: DEFAULT_TRANSCRYPT_PASSWORD, ...overrides });

	async function run(
		parameters: INodeParameters,
		options: { transcrypt?: ICredentialDataDecryptedObject; identity?: TestIdentity; items?: TestItem[]; continueOnFail?: boolean } = {},
	): Promise<RunNodeResult> {
		const identity = options.identity ?? russian;
		return await runNode(node, {
			parameters,
			credentials: {
				transcryptApi: options.transcrypt ?? transcryptCredential(),
				edoCertificate: { format: 'pem', publicCertificate: identity.certPem, privateKey: identity.keyPem },
			},
			credentialTypes,
			items: options.items,
			continueOnFail: options.continueOnFail,
		});
	}

	function json(result: RunNodeResult, index = 0): IDataObject {
		expect(result.error).toBeUndefined();
		return result.output[0][index].json;
	}

	/** Nothing a user must not see: no password or token anywhere but the Token output field. */
	function expectNoSecrets(result: RunNodeResult, secrets: string[]): void {
		const visible = result.output.flat().map((item: INodeExecutionData) => {
			const { Token: _token, ...rest } = item.json;
			return rest;
		});
		const text = JSON.stringify({ visible, message: result.error?.message, description: result.error?.description });
		for (const secret of secrets.filter(Boolean)) expect(text).not.toContain(secret);
	}

	const tokens = () => transcrypt.sessions().map((session) => session.token);
	const signatureLogins = () => transcrypt.log().filter((entry) => entry.kind === 'signatureLogin');
	const secretItem = async (): Promise<TestItem> => ({ json: json(await run({ operation: 'getSecret' })) });

	describe('Get Secret', () => {
		it('reads {"Secret": …} and the bare JSON string form', async () => {
			const first = json(await run({ operation: 'getSecret' }));
			expect(transcrypt.secrets().map((issued) => issued.secret)).toEqual([first.Secret]);
			transcrypt.configure({ secretResponse: 'string' });
			const second = json(await run({ operation: 'getSecret' }));
			expect(transcrypt.secrets().map((issued) => issued.secret)).toContain(second.Secret);
		});

		it('reports a wrong Secret path clearly', async () => {
			const result = await run({ operation: 'getSecret', secretPath: 'api/v2/nothing' });
			expect(result.error?.message).toMatch(/404/);
		});
	});

	describe('Login by Detached Signature', () => {
		it('signs the Secret (UTF-8) with the EDO Certificate and outputs Token, organizations with INN/KPP and flags', async () => {
			const item = await secretItem();
			const result = await run(
				{ operation: 'loginBySignature', secret: '={{ $json.Secret }}', options: { includeSignature: true } },
				{ items: [item] },
			);
			const output = json(result);
			expect(output.Token).toBe(transcrypt.sessions()[0].token);
			expect(output.Organizations).toEqual([
				expect.objectContaining({ Inn: '7701234567', Kpp: '770101001', Type: 'legal', OrganizationJur: { Inn: '7701234567', Kpp: '770101001' } }),
			]);
			expect(output).toMatchObject({
				NeedSignLicense: false,
				IsNewClient: false,
				IsNewEmployee: false,
				IsNewCertificate: true,
				CertificateNotFound: false,
				Error: null,
			});
			// The request as the seed describes it, and a signature openssl accepts over the Secret's UTF-8 bytes.
			const request = server.requests.find((entry) => entry.path.endsWith('/detachedsignature'))?.json as IDataObject;
			expect(Object.keys(request).sort()).toEqual(['AppInfo', 'Secret', 'Signature']);
			expect(request.AppInfo).toEqual({ AppId: DEFAULT_TRANSCRYPT_APP_ID, AppInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE });
			expect(request.Signature).toBe(output.Signature);
			const signature = Buffer.from(output.Signature as string, 'base64');
			expect(opensslVerify(signature, Buffer.from(item.json?.Secret as string, 'utf8'), russian.certPath).ok).toBe(true);
			expect(opensslStatusDetached(signature)).toBe(true);
		});

		it('signs the UTF-16LE bytes on request (and UTF-8 is refused by a UTF-16LE server)', async () => {
			transcrypt.configure({ secretEncodings: ['utf16le'] });
			const secret = '7Жz-секрет';
			const refused = await run({ operation: 'loginBySignature', secretSource: 'endpoint' }, { identity: ec });
			expect(refused.error?.message).toMatch(/Transcrypt refused the signature login \(HTTP 401\)/);
			expect(refused.error?.description).toMatch(/UTF-16LE/);

			const [issued] = [transcrypt.issueSecret()];
			const result = await run(
				{ operation: 'loginBySignature', secret: issued, secretEncoding: 'utf16le', options: { includeSignature: true } },
				{ identity: ec },
			);
			const output = json(result);
			expect(output.Token).toBeTruthy();
			const signature = Buffer.from(output.Signature as string, 'base64');
			expect(opensslVerify(signature, Buffer.from(issued, 'utf16le'), ec.certPath).ok).toBe(true);
			expect(opensslVerify(signature, Buffer.from(issued, 'utf8'), ec.certPath).ok).toBe(false);
			// Non-ASCII text really differs between the two encodings.
			expect(Buffer.from(secret, 'utf16le').equals(Buffer.from(secret, 'utf8'))).toBe(false);
		});

		it('asks Transcrypt for the Secret first when told to', async () => {
			const output = json(await run({ operation: 'loginBySignature', secretSource: 'endpoint' }));
			expect(output.Token).toBe(transcrypt.sessions()[0].token);
			expect(transcrypt.log().map((entry) => entry.kind)).toEqual(['secret', 'signatureLogin']);
		});

		it('takes a signature made elsewhere, as base64 or as a file', async () => {
			const sign = (secret: string) =>
				openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', writeTemp('secret.txt', secret), '-signer', ec.certPath, '-inkey', ec.keyPath]);
			const first = transcrypt.issueSecret();
			const viaField = json(await run({ operation: 'loginBySignature', secret: first, signatureSource: 'base64', signature: sign(first).toString('base64') }));
			expect(viaField.Token).toBeTruthy();
			expect(viaField.certificateThumbprint).toBeUndefined();

			const second = transcrypt.issueSecret();
			const viaFile = json(
				await run(
					{ operation: 'loginBySignature', secret: '={{ $json.secret }}', signatureSource: 'binary', signatureBinaryPropertyName: 'sig' },
					{ items: [{ json: { secret: second }, binary: { sig: { data: sign(second), fileName: 'secret.sig' } } }] },
				),
			);
			expect(viaFile.Token).toBeTruthy();
			expect(new Set(tokens()).size).toBe(2);
		});

		it('refuses an empty Secret before calling Transcrypt', async () => {
			const result = await run({ operation: 'loginBySignature', secret: '={{ $json.Secret }}' }, { items: [{ json: { Secret: '' } }] });
			expect(result.error?.message).toBe('The Secret is empty');
			expect(result.error?.description).toMatch(/\$json\.Secret/);
			expect(server.requests).toHaveLength(0);
		});

		it('fails on CertificateNotFound unless asked to continue, then outputs the flags', async () => {
			transcrypt.configure({ strictCertificates: true });
			const failed = await run({ operation: 'loginBySignature', secretSource: 'endpoint' });
			expect(failed.error?.message).toMatch(/does not know the certificate [0-9A-F]{40} \(CertificateNotFound\)/);
			expect(failed.error?.description).toMatch(/Register the certificate/);
			const output = json(await run({ operation: 'loginBySignature', secretSource: 'endpoint', options: { ignoreLoginErrors: true } }));
			expect(output).toMatchObject({ CertificateNotFound: true, Token: null });
			expect(output.loginRefused).toMatch(/CertificateNotFound/);
		});

		it('fails on a non-empty Error with its text', async () => {
			transcrypt.registerCertificate(russian.certPem, { error: 'Лицензионное соглашение не подписано' });
			const result = await run({ operation: 'loginBySignature', secretSource: 'endpoint' });
			expect(result.error?.message).toBe('Transcrypt refused the signature login: Лицензионное соглашение не подписано');
		});

		it('reports a used Secret (a second login with it) clearly and keeps the secret out of the message', async () => {
			const secret = transcrypt.issueSecret();
			json(await run({ operation: 'loginBySignature', secret }));
			const again = await run({ operation: 'loginBySignature', secret });
			expect(again.error?.message).toMatch(/HTTP 401.*уже использована/);
			expectNoSecrets(again, [secret, ...tokens()]);
		});

		it('rejects a signature field that is not a CMS', async () => {
			const result = await run({ operation: 'loginBySignature', secret: 'abc', signatureSource: 'base64', signature: 'not base64 at all!' });
			expect(result.error?.message).toMatch(/signature is neither PEM, base64 nor binary DER/);
			expect(server.requests).toHaveLength(0);
		});
	});

	describe('Login by Password', () => {
		it('logs in with the credential and never shows the password', async () => {
			const result = await run({ operation: 'loginByPassword', options: { ip: '10.0.0.7' } }, { transcrypt: withPassword() });
			const output = json(result);
			expect(output.Token).toBe(transcrypt.sessions()[0].token);
			expect((output.Organizations as IDataObject[])[0].Inn).toMatch(/^\d{10}$/);
			expect(transcrypt.sessions()[0].ip).toBe('10.0.0.7');
			expectNoSecrets(result, [DEFAULT_TRANSCRYPT_PASSWORD]);
		});

		it('reports a wrong password without it', async () => {
			const result = await run({ operation: 'loginByPassword' }, { transcrypt: withPassword({ password: 'Wrong-Pa55word' }) });
			expect(result.error?.message).toMatch(/Transcrypt refused the password login \(HTTP 401\): Неверный логин или пароль/);
			expect(result.error?.description).toMatch(/Login and Password/);
			expectNoSecrets(result, ['Wrong-Pa55word']);
		});

		it('says what is missing when the credential has no login', async () => {
			const result = await run({ operation: 'loginByPassword' });
			expect(result.error?.message).toMatch(/needs the login and password/);
		});
	});

	describe('API Request', () => {
		const organizations = { operation: 'apiRequest', requestPath: 'api/v2/organizations' };

		it('uses the Token mapped from a login, in Authorization: Bearer', async () => {
			const login = json(await run({ operation: 'loginBySignature', secretSource: 'endpoint' }));
			const result = await run({ ...organizations, token: '={{ $json.Token }}' }, { items: [{ json: login }] });
			expect((json(result).data as IDataObject[])[0].OrganizationJur).toEqual({ Inn: '7701234567', Kpp: '770101001' });
			const call = server.requests.find((entry) => entry.path.endsWith('/organizations'));
			expect(call?.headers.authorization).toBe('Bearer [redacted]');
			expectNoSecrets(result, tokens());
		});

		it('uses the token of the last login of the credential when none is mapped', async () => {
			json(await run({ operation: 'loginBySignature', secretSource: 'endpoint' }));
			const result = await run({ ...organizations }, { items: [{ json: {} }, { json: {} }] });
			expect(result.output[0]).toHaveLength(2);
			expect(transcrypt.sessions()).toHaveLength(1);
			expect(transcrypt.sessions()[0].calls).toHaveLength(2);
		});

		it('logs in by password when it has no token, and once more after a 401', async () => {
			const first = await run({ ...organizations }, { transcrypt: withPassword() });
			expect(json(first).data).toHaveLength(1);
			server.clock.advance(21 * 60_000); // the token idles out on the sandbox
			const second = await run({ ...organizations }, { transcrypt: withPassword() });
			expect(json(second).data).toHaveLength(1);
			const passwordLogins = transcrypt.log().filter((entry) => entry.kind === 'passwordLogin' && entry.status === 200);
			expect(passwordLogins).toHaveLength(2);
			expect(transcrypt.log().filter((entry) => entry.kind === 'call').map((entry) => entry.status)).toEqual([200, 401, 200]);
			expectNoSecrets(second, [DEFAULT_TRANSCRYPT_PASSWORD, ...tokens()]);
		});

		it('reports an expired mapped token clearly and without it', async () => {
			const login = json(await run({ operation: 'loginBySignature', secretSource: 'endpoint' }));
			transcrypt.expireAll();
			const result = await run({ ...organizations, token: '={{ $json.Token }}' }, { items: [{ json: login }] });
			expect(result.error?.message).toMatch(/401/);
			expect(result.error?.description).toMatch(/run a Transcrypt login again/);
			expectNoSecrets(result, [login.Token as string]);
		});

		it('reports a missing token with what to do', async () => {
			const result = await run({ ...organizations });
			expect(result.error?.message).toBe('No Transcrypt token to call the API with');
		});

		it('sends the token in the configured header and scheme', async () => {
			transcrypt.configure({ tokenHeader: 'X-Auth-Token', tokenScheme: '' });
			const settings = withPassword({ tokenHeader: 'X-Auth-Token', tokenScheme: '' });
			const result = await run({ operation: 'apiRequest', requestPath: 'api/v2/documents' }, { transcrypt: settings });
			expect(json(result).Total).toBe(3);
			const call = server.requests.find((entry) => entry.path.endsWith('/documents'));
			expect(call?.headers['x-auth-token']).toBe('[redacted]');
			expect(call?.headers.authorization).toBeUndefined();
		});
	});

	describe('bad credential', () => {
		it('refuses a malformed App ID before any request', async () => {
			const result = await run({ operation: 'loginBySignature', secret: 'abc' }, { transcrypt: transcryptCredential({ appId: 'my-app' }) });
			expect(result.error?.message).toMatch(/App ID must be a GUID/);
			expect(result.error?.description).toMatch(/fd1fcd39-171e-4af5-9110-457215e20cc0/);
			expect(server.requests).toHaveLength(0);
		});

		it('accepts the other .NET GUID forms', async () => {
			const braces = `{${DEFAULT_TRANSCRYPT_APP_ID.toUpperCase()}}`;
			const output = json(await run({ operation: 'loginBySignature', secretSource: 'endpoint' }, { transcrypt: transcryptCredential({ appId: braces }) }));
			expect(output.Token).toBeTruthy();
			expect(signatureLogins()[0].status).toBe(200);
		});
	});

	/** `openssl cms -cmsout -print` shows no eContent: the signature is detached. */
	function opensslStatusDetached(signature: Buffer): boolean {
		const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('sig.der', signature)]).toString();
		return /eContent: <ABSENT>/.test(printed);
	}
});
