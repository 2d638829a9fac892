/**
 * RemoteSigner against the sandbox's CSC endpoint (software keys): signatures checked by `openssl cms -verify`,
 * decryption of `openssl cms -encrypt` output, every authentication mode, v1 and snake_case dialects, the
 * credential picked by thumbprint, SAD batching (one authorize for N signatures), and every fault as a clear
 * error without a secret.
 */
import { EdoCryptoError } from '../../lib/crypto/errors';
import { HttpError } from '../../lib/http';
import { CscClient, RemoteSigner } from '../../lib/signers/remote';
import {
	DEFAULT_SIGNER_CLIENT_ID,
	DEFAULT_SIGNER_CLIENT_SECRET,
	DEFAULT_SIGNER_PASSWORD,
	DEFAULT_SIGNER_TOKEN,
	DEFAULT_SIGNER_USERNAME,
} from '../../sandbox/emulators/signer';
import { openssl, opensslVerify, writeTemp } from '../helpers/pki';
import { EC_ID, expectNoSecret, PIN, RSA_ID, signerFixture } from './fixture';

const fixture = signerFixture();
const SECRETS = [PIN, DEFAULT_SIGNER_TOKEN, DEFAULT_SIGNER_CLIENT_SECRET, DEFAULT_SIGNER_PASSWORD];
const content = Buffer.from('Документ для подписи: счёт-фактура № 42');

// Every SAD the endpoint hands out (the request log redacts them), to check that no error repeats one.
const issuedSads: string[] = [];
const realAuthorize = CscClient.prototype.authorize;
jest.spyOn(CscClient.prototype, 'authorize').mockImplementation(async function (this: CscClient, ...args: Parameters<CscClient['authorize']>) {
	const result = await realAuthorize.apply(this, args);
	issuedSads.push(result.sad);
	return result;
});

beforeAll(async () => await fixture.start());
afterAll(async () => await fixture.stop());
beforeEach(() => fixture.reset());

function encryptTo(certPath: string, data: Buffer | string): Buffer {
	return openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes256', '-recip', certPath], data);
}

/** The error a promise rejects with, checked to hold no secret (nor the SADs the endpoint handed out). */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; kind?: string; hint?: string }> {
	try {
		await promise;
	} catch (error) {
		expectNoSecret(error, [...SECRETS, ...issuedSads]);
		return error as Error;
	}
	throw new Error('expected a failure');
}

describe('RemoteSigner: signing and decrypting', () => {
	it('opens the credential and exposes its certificate', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		expect(signer.certificate.der.equals(fixture.rsa.certDer)).toBe(true);
		expect(signer.thumbprint).toMatch(/^[0-9A-F]{40}$/);
		expect((await signer.getCertificateInfo()).commonName).toBe('Иванов Иван Иванович');
		expect(signer.description).toContain(signer.thumbprint);
		expect(signer.description).toContain(RSA_ID);
		expect(signer.multisign).toBe(100);
		expect(fixture.calls()).toEqual(['credentials/info']);
	});

	it.each([
		['RSA-2048', RSA_ID, 'rsa'],
		['ECDSA P-256', EC_ID, 'ec'],
	] as const)('signs detached and attached CMS with %s that openssl verifies', async (_label, credentialId, which) => {
		const signer = await RemoteSigner.open(fixture.settings({ credentialId }));
		const identity = fixture[which];
		const detached = await signer.sign(content);
		expect(opensslVerify(detached, content, identity.certPath)).toEqual(expect.objectContaining({ ok: true }));
		const attached = await signer.sign(content, { detached: false, hashAlgorithm: 'SHA-384' });
		expect(opensslVerify(attached, undefined, identity.certPath)).toEqual(expect.objectContaining({ ok: true }));
		const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('a.der', attached)]).toString();
		expect(printed).toContain('sha384');
		// The document never travels: the endpoint only saw digests.
		const bodies = JSON.stringify(fixture.requests().map((request) => request.json));
		expect(bodies).not.toContain(content.toString('base64'));
	});

	it('signs a digest computed elsewhere (streamed content)', async () => {
		const signer = await RemoteSigner.open(fixture.settings({ credentialId: EC_ID }));
		const digest = (await import('node:crypto')).createHash('sha256').update(content).digest();
		const signature = await signer.signDigest(digest);
		expect(opensslVerify(signature, content, fixture.ec.certPath).ok).toBe(true);
	});

	it('decrypts openssl cms -encrypt output through x-edo/decrypt (RSA and ECDH)', async () => {
		const rsa = await RemoteSigner.open(fixture.settings());
		expect((await rsa.decrypt(encryptTo(fixture.rsa.certPath, 'token-for-rsa'))).toString()).toBe('token-for-rsa');
		const ec = await RemoteSigner.open(fixture.settings({ credentialId: EC_ID }));
		expect((await ec.decrypt(encryptTo(fixture.ec.certPath, 'token-for-ec'))).toString()).toBe('token-for-ec');
		expect(fixture.calls().filter((call) => call === 'x-edo/decrypt')).toHaveLength(2);
	});

	it('reports an envelope for another certificate as a clear error', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		const error = await failure(signer.decrypt(encryptTo(fixture.ec.certPath, 'not for rsa')));
		expect(error).toBeInstanceOf(EdoCryptoError);
		expect(error).toMatchObject({ code: 'DECRYPTION_FAILED' });
		expect(error.message).toMatch(/could not decrypt the data with credential "test-rsa" \(x-edo\/decrypt, HTTP 400: .*not addressed to this certificate/);
		expect(error.hint).toContain("encrypted to this credential's certificate");
	});
});

describe('RemoteSigner: authentication and dialects', () => {
	it.each([
		['OAuth2 client credentials (Basic)', { type: 'oauth2ClientCredentials', clientId: DEFAULT_SIGNER_CLIENT_ID, clientSecret: DEFAULT_SIGNER_CLIENT_SECRET }],
		[
			'OAuth2 client credentials (in the body)',
			{ type: 'oauth2ClientCredentials', clientId: DEFAULT_SIGNER_CLIENT_ID, clientSecret: DEFAULT_SIGNER_CLIENT_SECRET, clientAuthentication: 'body' },
		],
		['CSC auth/login', { type: 'cscLogin', username: DEFAULT_SIGNER_USERNAME, password: DEFAULT_SIGNER_PASSWORD }],
	] as const)('signs with %s and caches the token across signers', async (_label, auth) => {
		for (let run = 0; run < 2; run++) {
			const signer = await RemoteSigner.open(fixture.settings({ auth, credentialId: run === 0 ? RSA_ID : EC_ID }));
			const signature = await signer.sign(content);
			expect(opensslVerify(signature, content, (run === 0 ? fixture.rsa : fixture.ec).certPath).ok).toBe(true);
		}
		const tokenCalls = fixture.calls().filter((call) => call === 'oauth2/token' || call === 'auth/login');
		expect(tokenCalls).toHaveLength(1);
	});

	it('fetches a new token once when the endpoint forgets it (401)', async () => {
		const auth = { type: 'oauth2ClientCredentials', clientId: DEFAULT_SIGNER_CLIENT_ID, clientSecret: DEFAULT_SIGNER_CLIENT_SECRET } as const;
		const signer = await RemoteSigner.open(fixture.settings({ auth }));
		fixture.signer.service.accessTokens.clear();
		expect(opensslVerify(await signer.sign(content), content, fixture.rsa.certPath).ok).toBe(true);
		expect(fixture.calls().filter((call) => call === 'oauth2/token')).toHaveLength(2);
	});

	it('refuses wrong client secrets, passwords and tokens with the step that failed', async () => {
		const wrongSecret = await failure(
			RemoteSigner.open(fixture.settings({ auth: { type: 'oauth2ClientCredentials', clientId: DEFAULT_SIGNER_CLIENT_ID, clientSecret: 'Wrong-Secret-99' } })),
		);
		expect(wrongSecret).toMatchObject({ code: 'REMOTE_SIGNER_AUTH' });
		expect(wrongSecret.message).toContain('OAuth2 client id or secret');
		expectNoSecret(wrongSecret, ['Wrong-Secret-99']);
		const wrongPassword = await failure(RemoteSigner.open(fixture.settings({ auth: { type: 'cscLogin', username: 'sandbox', password: 'Wrong-Pass-77' } })));
		expect(wrongPassword).toMatchObject({ code: 'REMOTE_SIGNER_AUTH' });
		expect(wrongPassword.message).toContain('user name or password');
		expectNoSecret(wrongPassword, ['Wrong-Pass-77']);
		const wrongToken = await failure(RemoteSigner.open(fixture.settings({ auth: { type: 'bearer', token: 'Wrong-Token-55' } })));
		expect(wrongToken).toMatchObject({ code: 'REMOTE_SIGNER_AUTH' });
		expect(wrongToken.message).toContain('access token');
		expectNoSecret(wrongToken, ['Wrong-Token-55']);
	});

	it('speaks CSC v1 (hash, hashAlgo, PIN) under a /csc/v1 base URL', async () => {
		const signer = await RemoteSigner.open(fixture.settings({ baseUrl: fixture.baseUrl('v1') }));
		expect(opensslVerify(await signer.sign(content), content, fixture.rsa.certPath).ok).toBe(true);
		const authorize = fixture.requests().find((request) => request.path.endsWith('credentials/authorize'))?.json as Record<string, unknown>;
		const signHash = fixture.requests().find((request) => request.path.endsWith('signatures/signHash'))?.json as Record<string, unknown>;
		expect(Object.keys(authorize)).toEqual(expect.arrayContaining(['credentialID', 'numSignatures', 'PIN']));
		expect(Object.keys(signHash)).toEqual(expect.arrayContaining(['hash', 'hashAlgo', 'signAlgo', 'SAD']));
		expect(signHash).not.toHaveProperty('hashes');
	});

	it('asks info for the version when the URL does not name it', async () => {
		// The signer's v1 API under a path without "v1" in it.
		fixture.server.route('POST', '/unversioned/*', async (request) => {
			const reply = await fixture.signer.service.handle({
				method: request.method,
				operation: request.params['*'],
				version: 'v1',
				headers: request.headers,
				body: request.body,
				apiBaseUrl: `${fixture.server.baseUrl}/unversioned/`,
			});
			return { status: reply.status, headers: reply.headers, json: reply.json };
		});
		const signer = await RemoteSigner.open(fixture.settings({ baseUrl: `${fixture.server.baseUrl}/unversioned` }));
		expect(opensslVerify(await signer.sign(content), content, fixture.rsa.certPath).ok).toBe(true);
		const paths = fixture.requests().map((request) => request.path);
		expect(paths[0]).toBe('/unversioned/credentials/info');
		expect(paths).toContain('/unversioned/info');
		const signHash = fixture.requests().find((request) => request.path.endsWith('signatures/signHash'))?.json as Record<string, unknown>;
		expect(signHash).toHaveProperty('hash');
		expect(signHash).toHaveProperty('hashAlgo');
	});

	it('writes snake_case field names on demand', async () => {
		const v2 = await RemoteSigner.open(fixture.settings({ baseUrl: `${fixture.server.baseUrl}/signer/csc/v2/`, fieldCasing: 'snake' }));
		expect(opensslVerify(await v2.sign(content), content, fixture.rsa.certPath).ok).toBe(true);
		const signHash = fixture.requests().find((request) => request.path.endsWith('signatures/signHash'))?.json as Record<string, unknown>;
		expect(Object.keys(signHash)).toEqual(expect.arrayContaining(['credential_id', 'hashes', 'hash_algorithm_oid', 'sign_algo']));
		const authorize = fixture.requests().find((request) => request.path.endsWith('credentials/authorize'))?.json as Record<string, unknown>;
		expect(authorize).toHaveProperty('auth_data');
		expect(authorize).not.toHaveProperty('PIN');
	});

	it('finds the credential by its certificate thumbprint among credentials/list', async () => {
		const ecThumbprint = (await RemoteSigner.open(fixture.settings({ credentialId: EC_ID }))).thumbprint;
		fixture.reset();
		const lower = ecThumbprint.toLowerCase().replace(/(..)/g, '$1:').slice(0, -1);
		const signer = await RemoteSigner.open(fixture.settings({ credentialId: undefined, certificateThumbprint: lower }));
		expect(signer.credentialId).toBe(EC_ID);
		expect(fixture.calls()[0]).toBe('credentials/list');
		const missing = await failure(RemoteSigner.open(fixture.settings({ credentialId: undefined, certificateThumbprint: '00'.repeat(20) })));
		expect(missing).toMatchObject({ code: 'REMOTE_CREDENTIAL_NOT_FOUND' });
		expect(missing.message).toMatch(/None of the 2 credentials .* 0{40}/);
	});

	it('asks which credential to use when the account has several and none is named', async () => {
		const error = await failure(RemoteSigner.open(fixture.settings({ credentialId: undefined })));
		expect(error.message).toContain(`"${RSA_ID}"`);
		expect(error.hint).toMatch(/credential id, or the thumbprint/);
	});
});

describe('RemoteSigner: one authorization per batch', () => {
	it('asks for min(N, multisign) signatures once and counts them down', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		signer.reserve(5);
		const signatures = [];
		for (let index = 0; index < 5; index++) signatures.push(await signer.sign(Buffer.from(`item ${index}`)));
		signatures.forEach((signature, index) => expect(opensslVerify(signature, Buffer.from(`item ${index}`), fixture.rsa.certPath).ok).toBe(true));
		const authorizations = fixture.requests().filter((request) => request.path.endsWith('credentials/authorize'));
		expect(authorizations).toHaveLength(1);
		expect(authorizations[0].json).toMatchObject({ numSignatures: 5 });
		expect(fixture.calls().filter((call) => call === 'signatures/signHash')).toHaveLength(5);
		// Beyond the reservation, one signature is authorized at a time.
		await signer.sign(content);
		expect(fixture.requests().filter((request) => request.path.endsWith('credentials/authorize')).map((request) => (request.json as { numSignatures: number }).numSignatures)).toEqual([5, 1]);
	});

	it('splits a batch at multisign and shares one SAD between concurrent signatures', async () => {
		await fixture.signer.configure({ multisign: 2 });
		const signer = await RemoteSigner.open(fixture.settings());
		signer.reserve(5);
		await Promise.all([0, 1, 2, 3, 4].map(async (index) => await signer.sign(Buffer.from(`parallel ${index}`))));
		const counts = fixture.requests().filter((request) => request.path.endsWith('credentials/authorize')).map((request) => (request.json as { numSignatures: number }).numSignatures);
		expect(counts).toEqual([2, 2, 1]);
		expect(signer.authorizationCount).toBe(3);
	});

	it('counts a decryption as one use of the SAD', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		signer.reserve(2);
		await signer.sign(content);
		expect((await signer.decrypt(encryptTo(fixture.rsa.certPath, 'x'))).toString()).toBe('x');
		expect(fixture.calls().filter((call) => call === 'credentials/authorize')).toHaveLength(1);
	});

	it('replaces an expired SAD once, transparently', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		signer.reserve(3);
		await signer.sign(content);
		fixture.server.clock.advance(301_000);
		expect(opensslVerify(await signer.sign(content), content, fixture.rsa.certPath).ok).toBe(true);
		expect(fixture.calls().filter((call) => call === 'credentials/authorize')).toHaveLength(2);
	});
});

describe('RemoteSigner: faults are clear errors without secrets', () => {
	it('a missing base URL or token URL: named as such', async () => {
		const empty = await failure(RemoteSigner.open(fixture.settings({ baseUrl: '' })));
		expect(empty).toMatchObject({ code: 'INVALID_INPUT', message: 'The base URL of the EDO Remote Signer credential is empty' });
		const badTokenUrl = await failure(
			RemoteSigner.open(fixture.settings({ auth: { type: 'oauth2ClientCredentials', tokenUrl: 'not a url', clientId: 'a', clientSecret: DEFAULT_SIGNER_CLIENT_SECRET } })),
		);
		expect(badTokenUrl.message).toContain('token URL');
	});

	it('endpoint down: a network error naming the signer', async () => {
		const settings = fixture.settings({ baseUrl: 'http://127.0.0.1:9/csc/v2' });
		const error = await failure(RemoteSigner.open(settings));
		expect(error).toBeInstanceOf(HttpError);
		expect(error.kind).toBe('network');
		expect(error.message).toMatch(/Could not reach EDO Remote Signer .*credentials\/info.*connection refused/);
	});

	it('slow past the timeout: a timeout error', async () => {
		const signer = await RemoteSigner.open(fixture.settings({ timeoutMs: 300 }));
		fixture.server.faults.add({ path: '/signer/csc/v2/signatures/signHash', latencyMs: 2_500 });
		const started = Date.now();
		const error = await failure(signer.sign(content));
		expect(error).toBeInstanceOf(HttpError);
		expect(error.kind).toBe('timeout');
		expect(error.message).toContain('did not answer');
		expect(Date.now() - started).toBeLessThan(2_400);
	});

	it('5xx: the status and the step', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		fixture.server.faults.add({ path: '/signer/csc/v2/signatures/signHash', status: 500, body: { error: 'server_error', error_description: 'HSM unplugged' } });
		const error = await failure(signer.sign(content));
		expect(error).toBeInstanceOf(HttpError);
		expect(error.message).toMatch(/EDO Remote Signer answered 500 .*signatures\/signHash.*HSM unplugged/);
	});

	it('wrong PIN: one attempt however many items, never repeated into a lock', async () => {
		const signer = await RemoteSigner.open(fixture.settings({ pin: 'Wrong-Pin-31' }));
		signer.reserve(4);
		const errors = await Promise.all([0, 1, 2, 3].map(async () => await failure(signer.sign(content))));
		for (const error of errors) {
			expect(error).toMatchObject({ code: 'REMOTE_SIGNER_PIN' });
			expect(error.message).toContain(`credential "${RSA_ID}"`);
			expectNoSecret(error, ['Wrong-Pin-31']);
		}
		await failure(signer.sign(content));
		expect(fixture.calls().filter((call) => call === 'credentials/authorize')).toHaveLength(1);
		expect((await fixture.signer.credentials()).find((credential) => credential.credentialID === RSA_ID)).toMatchObject({ failedPins: 1, locked: false });
	});

	it('revoked and expired credentials: named before any PIN is sent', async () => {
		fixture.signer.revoke(RSA_ID);
		const revoked = await failure(RemoteSigner.open(fixture.settings()));
		expect(revoked).toMatchObject({ code: 'REMOTE_CREDENTIAL_UNUSABLE' });
		expect(revoked.message).toContain('revoked');
		await fixture.signer.expire(EC_ID);
		const expired = await failure(RemoteSigner.open(fixture.settings({ credentialId: EC_ID })));
		expect(expired).toMatchObject({ code: 'REMOTE_CREDENTIAL_UNUSABLE' });
		expect(expired.message).toContain('expired');
		expect(fixture.calls()).not.toContain('credentials/authorize');
	});

	it('revoked while in use: the signing step says so', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		fixture.signer.revoke(RSA_ID);
		const error = await failure(signer.sign(content));
		expect(error).toMatchObject({ code: 'REMOTE_CREDENTIAL_UNUSABLE' });
		expect(error.message).toContain('revoked');
	});

	it('unknown credential id', async () => {
		const error = await failure(RemoteSigner.open(fixture.settings({ credentialId: 'no-such-credential' })));
		expect(error).toMatchObject({ code: 'REMOTE_CREDENTIAL_NOT_FOUND' });
		expect(error.message).toContain('"no-such-credential"');
	});

	it('a signature value of the wrong length', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		fixture.server.faults.add({ path: '/signer/csc/v2/signatures/signHash', status: 200, body: { signatures: [Buffer.alloc(128, 7).toString('base64')] } });
		const error = await failure(signer.sign(content));
		expect(error).toMatchObject({ code: 'REMOTE_SIGNER_PROTOCOL' });
		expect(error.message).toMatch(/RSA signature value of 128 bytes.*256 bytes/);
	});

	it('a signature value made by another key', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		fixture.server.faults.add({ path: '/signer/csc/v2/signatures/signHash', status: 200, body: { signatures: [Buffer.alloc(256, 7).toString('base64')] } });
		const error = await failure(signer.sign(content));
		expect(error).toMatchObject({ code: 'REMOTE_SIGNER_PROTOCOL' });
		expect(error.message).toContain('does not verify with the certificate');
	});

	it('an answer without signatures', async () => {
		const signer = await RemoteSigner.open(fixture.settings());
		fixture.server.faults.add({ path: '/signer/csc/v2/signatures/signHash', status: 200, body: {} });
		const error = await failure(signer.sign(content));
		expect(error.message).toContain('without 1 base64 signature value');
	});

	it('has seen SADs to look for in the messages above', () => {
		expect(issuedSads.length).toBeGreaterThan(5);
		expect(new Set(issuedSads).size).toBe(issuedSads.length);
	});

	it('a PIN locked on the signer', async () => {
		await fixture.signer.configure({ maxPinAttempts: 1 });
		await failure((await RemoteSigner.open(fixture.settings({ pin: 'Wrong-1' }))).sign(content));
		const locked = await failure((await RemoteSigner.open(fixture.settings())).sign(content));
		expect(locked).toMatchObject({ code: 'REMOTE_SIGNER_PIN' });
		expect(locked.message).toContain('blocked');
	});
});
