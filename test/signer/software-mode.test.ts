/**
 * The remote-signing endpoint in software-key mode, as the sandbox mounts it at /signer: the CSC v2 sequence
 * (and the v1 forms), signatures wrapped into CMS and checked by `openssl cms -verify`, the x-edo/decrypt
 * extension on `openssl cms -encrypt` output, and the faults a client must be able to tell apart.
 */
import { toPem } from '../../lib/crypto/encoding';
import { CmsSignedDataBuilder } from '../../lib/crypto/cms/sign';
import { createSignerEmulator, DEFAULT_SIGNER_CLIENT_ID, DEFAULT_SIGNER_CLIENT_SECRET, DEFAULT_SIGNER_PASSWORD, DEFAULT_SIGNER_TOKEN, DEFAULT_SIGNER_USERNAME, type SignerEmulator } from '../../sandbox/emulators/signer';
import { SandboxServer } from '../../sandbox/server';
import { createIdentity, openssl, opensslStatus, opensslVerify, writeTemp } from '../helpers/pki';
import { CscCaller, digest, OIDS, remoteSignatureProvider } from './csc-helpers';

const RSA = 'sandbox-rsa';
const EC = 'sandbox-ec';
const PIN = '1234';

let server: SandboxServer;
let emulator: SignerEmulator;
let caller: CscCaller;
let token: string;
const logLines: string[] = [];
const certificatePaths: Record<string, string> = {};

beforeAll(async () => {
	server = new SandboxServer();
	emulator = createSignerEmulator();
	server.mount('/signer', emulator);
	const base = await server.start();
	caller = new CscCaller(`${base}/signer/csc/v2/`);
	await emulator.ready();
	token = await caller.clientToken(DEFAULT_SIGNER_CLIENT_ID, DEFAULT_SIGNER_CLIENT_SECRET);
	for (const id of [RSA, EC]) {
		const info = await caller.call('credentials/info', { credentialID: id }, token);
		certificatePaths[id] = writeTemp(`${id}.pem`, toPem(Buffer.from(info.json.cert.certificates[0], 'base64'), 'CERTIFICATE'));
	}
	// Spy on the service log from here on (the sandbox emulator was created without one).
	(emulator.service as unknown as { log: (line: string) => void }).log = (line) => logLines.push(line);
});

afterAll(async () => {
	await caller.close();
	await server.stop();
});

beforeEach(async () => {
	await freshToken();
});

afterEach(() => {
	emulator.reset?.();
	server.clock.reset();
});

async function freshToken(): Promise<string> {
	token = await caller.clientToken(DEFAULT_SIGNER_CLIENT_ID, DEFAULT_SIGNER_CLIENT_SECRET);
	return token;
}

describe('service authentication', () => {
	it('publishes info without a token, naming v2, the auth types and the decrypt extension', async () => {
		const answer = await caller.call('info', {});
		expect(answer.status).toBe(200);
		expect(answer.json.specs).toBe('2.0.0.2');
		expect(answer.json.authType).toEqual(expect.arrayContaining(['oauth2client', 'basic']));
		expect(answer.json.methods).toEqual(expect.arrayContaining(['credentials/authorize', 'signatures/signHash', 'x-edo/decrypt']));
		expect(answer.json.oauth2).toMatch(/\/signer\/csc\/v2\/$/);
	});

	it('issues bearer tokens by OAuth2 client credentials (form or Basic) and by auth/login', async () => {
		const basic = Buffer.from(`${DEFAULT_SIGNER_CLIENT_ID}:${DEFAULT_SIGNER_CLIENT_SECRET}`).toString('base64');
		const viaBasic = await caller.raw('oauth2/token', {
			headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
			body: 'grant_type=client_credentials',
		});
		expect(viaBasic.status).toBe(200);
		expect(viaBasic.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
		expect(Buffer.from(viaBasic.json.access_token, 'base64url')).toHaveLength(32);

		const login = await caller.raw('auth/login', {
			headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${DEFAULT_SIGNER_USERNAME}:${DEFAULT_SIGNER_PASSWORD}`).toString('base64')}` },
			body: '{"rememberMe":false}',
		});
		expect(login.status).toBe(200);
		for (const bearer of [viaBasic.json.access_token, login.json.access_token, DEFAULT_SIGNER_TOKEN]) {
			expect((await caller.call('credentials/list', {}, bearer)).status).toBe(200);
		}
	});

	it('refuses wrong client secrets, wrong passwords, other grant types, and calls without a valid bearer', async () => {
		const wrongSecret = await caller.raw('oauth2/token', {
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: `grant_type=client_credentials&client_id=${DEFAULT_SIGNER_CLIENT_ID}&client_secret=nope`,
		});
		expect(wrongSecret.status).toBe(401);
		expect(wrongSecret.json.error).toBe('invalid_client');
		const grant = await caller.raw('oauth2/token', {
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: `grant_type=password&client_id=${DEFAULT_SIGNER_CLIENT_ID}&client_secret=${DEFAULT_SIGNER_CLIENT_SECRET}`,
		});
		expect(grant.json.error).toBe('unsupported_grant_type');
		const login = await caller.raw('auth/login', { headers: { authorization: `Basic ${Buffer.from('sandbox:wrong').toString('base64')}` }, body: '{}' });
		expect(login.status).toBe(401);

		const missing = await caller.call('credentials/list', {});
		expect(missing.status).toBe(401);
		expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
		const invalid = await caller.call('credentials/list', {}, 'not-a-token');
		expect(invalid.status).toBe(401);
		expect(invalid.json.error).toBe('invalid_token');
	});

	it('expires access tokens on the sandbox clock and revokes them on auth/revoke', async () => {
		const short = await freshToken();
		server.clock.advance(3601_000);
		expect((await caller.call('credentials/list', {}, short)).json.error).toBe('invalid_token');
		server.clock.reset();
		const other = await freshToken();
		expect((await caller.call('auth/revoke', { token: other }, other)).status).toBe(204);
		expect((await caller.call('credentials/list', {}, other)).status).toBe(401);
		await freshToken();
	});
});

describe('credentials', () => {
	it('lists the credentials, with their infos on request, and pages them', async () => {
		const list = await caller.call('credentials/list', { credentialInfo: true, certInfo: true, certificates: 'none' }, token);
		expect(list.json.credentialIDs).toEqual([RSA, EC]);
		const [rsa] = list.json.credentialInfos;
		expect(rsa).toMatchObject({ credentialID: RSA, key: { status: 'enabled', len: 2048 }, cert: { status: 'valid' }, authMode: 'explicit' });
		expect(rsa.cert.certificates).toBeUndefined();
		expect(rsa.cert.subjectDN).toContain('CN=Иванов Иван Иванович');
		const page = await caller.call('credentials/list', { maxResults: 1 }, token);
		expect(page.json).toEqual({ credentialIDs: [RSA], nextPageToken: '1' });
		const next = await caller.call('credentials/list', { maxResults: 1, pageToken: '1' }, token);
		expect(next.json).toEqual({ credentialIDs: [EC] });
	});

	it('describes a credential in v2 and v1 spellings (credentialID, credential_id), with key, certificate and PIN', async () => {
		const v2 = await caller.call('credentials/info', { credentialID: EC, certificates: 'chain', certInfo: true, authInfo: true }, token);
		const v1 = await caller.call('credentials/info', { credential_id: EC, certificates: 'chain', cert_info: true }, token);
		expect(v1.json).toEqual(v2.json);
		expect(v2.json.key).toEqual({ status: 'enabled', algo: expect.arrayContaining([OIDS.ecPublicKey, OIDS.ecdsaWithSha256]), len: 256, curve: '1.2.840.10045.3.1.7' });
		expect(v2.json.cert).toMatchObject({ status: 'valid', validFrom: expect.stringMatching(/^\d{14}Z$/), validTo: expect.stringMatching(/^\d{14}Z$/) });
		expect(v2.json.cert.serialNumber).toMatch(/^[0-9A-F]+$/);
		expect(v2.json.PIN).toMatchObject({ presence: 'true', format: 'N' });
		expect(v2.json.auth.objects[0]).toMatchObject({ id: 'PIN', type: 'Password' });
		expect(v2.json.multisign).toBe(100);
		const pem = openssl(['x509', '-inform', 'DER', '-noout', '-serial'], Buffer.from(v2.json.cert.certificates[0], 'base64')).toString();
		expect(pem.trim()).toBe(`serial=${v2.json.cert.serialNumber}`);
	});

	it('answers an unknown credential id with invalid_request', async () => {
		for (const method of ['credentials/info', 'credentials/authorize', 'signatures/signHash', 'x-edo/decrypt']) {
			const answer = await caller.call(method, { credentialID: 'no-such', numSignatures: 1, PIN, SAD: 'x', hashes: ['AA=='], signAlgo: OIDS.rsaEncryption, envelope: 'MAA=' }, token);
			expect(answer.status).toBe(400);
			expect(answer.json).toEqual({ error: 'invalid_request', error_description: 'Invalid parameter credentialID' });
		}
	});
});

describe('signatures in CMS, verified by openssl', () => {
	it.each([
		[RSA, 'RSA', 'SHA-256'],
		[RSA, 'RSA', 'SHA-512'],
		[EC, 'EC', 'SHA-256'],
		[EC, 'EC', 'SHA-384'],
	] as const)('%s signs CAdES-BES with %s/%s through authorize + signHash', async (id, family, hash) => {
		const info = await caller.call('credentials/info', { credentialID: id, certificates: 'single' }, token);
		const builder = new CmsSignedDataBuilder({
			certificateDer: Buffer.from(info.json.cert.certificates[0], 'base64'),
			hashAlgorithm: hash,
			provider: remoteSignatureProvider(caller, token, id, family, PIN),
		});
		const content = Buffer.from(`Документ для подписи ${id} ${hash}`);
		const cms = await builder.sign(content);
		expect(opensslVerify(cms, content, certificatePaths[id]).ok).toBe(true);
		expect(opensslVerify(cms, Buffer.from('other content'), certificatePaths[id]).ok).toBe(false);
	});

	it('signs a batch under one SAD with the v1 forms (PIN, hash, hashAlgo) and sha256WithRSAEncryption', async () => {
		const hashes = ['first', 'second', 'third'].map((text) => digest('SHA-256', text));
		const authorized = await caller.call('credentials/authorize', { credentialID: RSA, numSignatures: 3, PIN, hash: hashes.map((hash) => hash.toString('base64')) }, token);
		expect(authorized.status).toBe(200);
		expect(authorized.json.expiresIn).toBe(300);
		const signed = await caller.call(
			'signatures/signHash',
			{ credentialID: RSA, SAD: authorized.json.SAD, hash: hashes.map((hash) => hash.toString('base64')), hashAlgo: OIDS.sha256, signAlgo: OIDS.sha256WithRsa },
			token,
		);
		expect(signed.status).toBe(200);
		expect(signed.json.signatures).toHaveLength(3);
		// Each value is RSASSA-PKCS1-v1_5 over the DigestInfo of that hash: openssl recovers the DigestInfo.
		signed.json.signatures.forEach((signature: string, index: number) => {
			const recovered = openssl(['pkeyutl', '-verifyrecover', '-certin', '-inkey', certificatePaths[RSA], '-pkeyopt', 'rsa_padding_mode:pkcs1'], Buffer.from(signature, 'base64'));
			expect(recovered.subarray(-32)).toEqual(hashes[index]);
		});
	});

	it('gives ECDSA values in DER, checkable by openssl pkeyutl over the raw digest', async () => {
		const value = digest('SHA-256', 'ecdsa raw digest');
		const sad = await caller.authorize(token, EC, PIN, 1);
		const signed = await caller.call('signatures/signHash', { credentialID: EC, SAD: sad, hashes: [value.toString('base64')], signAlgo: OIDS.ecPublicKey }, token);
		const signature = Buffer.from(signed.json.signatures[0], 'base64');
		expect(signature[0]).toBe(0x30);
		const args = ['pkeyutl', '-verify', '-certin', '-inkey', certificatePaths[EC], '-in', writeTemp('digest.bin', value), '-sigfile', writeTemp('sig.der', signature)];
		expect(opensslStatus(args).output).toContain('Signature Verified Successfully');
		const tampered = Buffer.from(value);
		tampered[0] ^= 1;
		expect(opensslStatus([...args.slice(0, 6), writeTemp('digest2.bin', tampered), ...args.slice(7)]).ok).toBe(false);
	});
});

describe('signHash refusals', () => {
	const sign = (sad: string, overrides: Record<string, unknown> = {}) =>
		caller.call('signatures/signHash', { credentialID: RSA, SAD: sad, hashes: [digest('SHA-256', 'x').toString('base64')], hashAlgorithmOID: OIDS.sha256, signAlgo: OIDS.rsaEncryption, ...overrides }, token);

	it('refuses a used-up SAD, and counts numSignatures across calls', async () => {
		const sad = await caller.authorize(token, RSA, PIN, 2);
		expect((await sign(sad)).status).toBe(200);
		expect((await sign(sad)).status).toBe(200);
		const third = await sign(sad);
		expect(third.status).toBe(400);
		expect(third.json.error_description).toMatch(/^SAD exhausted/);
		const many = await caller.authorize(token, RSA, PIN, 1);
		const two = await sign(many, { hashes: [digest('SHA-256', 'a').toString('base64'), digest('SHA-256', 'b').toString('base64')] });
		expect(two.json.error_description).toMatch(/^SAD exhausted/);
	});

	it('refuses an expired SAD (sandbox clock), a SAD of another credential or another caller, and an unknown SAD', async () => {
		const sad = await caller.authorize(token, RSA, PIN, 5);
		server.clock.advance(301_000);
		expect((await sign(sad)).json.error_description).toBe('SAD expired');
		server.clock.reset();
		const ecSad = await caller.authorize(token, EC, PIN, 1);
		expect((await sign(ecSad)).json.error_description).toBe('Invalid parameter SAD: it was issued for another credential');
		const mine = await caller.authorize(token, RSA, PIN, 1);
		const stranger = await caller.call('signatures/signHash', { credentialID: RSA, SAD: mine, hashes: [digest('SHA-256', 'x').toString('base64')], hashAlgorithmOID: OIDS.sha256, signAlgo: OIDS.rsaEncryption }, DEFAULT_SIGNER_TOKEN);
		expect(stranger.json.error_description).toBe('Invalid parameter SAD');
		expect((await sign('made-up')).json.error_description).toBe('Invalid parameter SAD');
	});

	it('refuses hashes the SAD was not bound to', async () => {
		const sad = await caller.authorize(token, RSA, PIN, 1, [digest('SHA-256', 'bound')]);
		expect((await sign(sad)).json.error_description).toBe('Hash is not authorized by the SAD.');
		expect((await sign(sad, { hashes: [digest('SHA-256', 'bound').toString('base64')] })).status).toBe(200);
	});

	it('refuses digests of the wrong length, bad base64, mismatched algorithms, before spending the SAD', async () => {
		const sad = await caller.authorize(token, RSA, PIN, 1);
		const short = await sign(sad, { hashes: [Buffer.alloc(20).toString('base64')] });
		expect(short.status).toBe(400);
		expect(short.json.error_description).toBe('Invalid digest value length: SHA-256 digests are 32 bytes, got 20');
		expect((await sign(sad, { hashes: ['***'] })).json.error_description).toBe('Invalid Base64 hash string parameter');
		expect((await sign(sad, { signAlgo: OIDS.ecdsaWithSha256 })).json.error_description).toMatch(/^Invalid parameter signAlgo: .* does not fit/);
		expect((await sign(sad, { hashAlgorithmOID: undefined })).json.error_description).toMatch(/^Missing parameter hashAlgorithmOID/);
		expect((await sign(sad, { signAlgo: OIDS.sha256WithRsa, hashAlgorithmOID: OIDS.sha512 })).json.error_description).toMatch(/contradicts/);
		expect((await sign(sad, { hashAlgorithmOID: '1.3.14.3.2.26', hashes: [Buffer.alloc(20).toString('base64')] })).json.error_description).toMatch(/SHA-1/);
		expect((await sign(sad, { operationMode: 'A' })).json.error_description).toMatch(/operationMode/);
		expect((await sign(sad)).status).toBe(200);
	});
});

describe('PIN, lock, revocation, expiry', () => {
	it('answers a wrong PIN with invalid_pin and the attempts left, then locks the credential', async () => {
		const wrong = () => caller.call('credentials/authorize', { credentialID: EC, numSignatures: 1, authData: [{ id: 'PIN', value: '9999' }] }, token);
		const first = await wrong();
		expect(first.status).toBe(400);
		expect(first.json).toEqual({ error: 'invalid_pin', error_description: 'The PIN is invalid (2 attempts left)' });
		expect((await wrong()).json.error_description).toBe('The PIN is invalid (1 attempt left)');
		const third = await wrong();
		expect(third.json.error).toBe('invalid_pin');
		expect(third.json.error_description).toMatch(/locked/);
		const right = await caller.call('credentials/authorize', { credentialID: EC, numSignatures: 1, PIN }, token);
		expect(right.status).toBe(400);
		expect(right.json.error_description).toMatch(/^PIN locked: the credential sandbox-ec is locked after 3 wrong PINs/);
		expect((await caller.call('credentials/info', { credentialID: EC }, token)).json.key.status).toBe('disabled');
		expect((await caller.call('credentials/list', { onlyValid: true }, token)).json.credentialIDs).toEqual([RSA]);
		// The other credential is not affected; the sandbox control unlocks.
		await caller.authorize(token, RSA, PIN, 1);
		const unlock = await fetch(`${server.baseUrl}/signer/__sandbox/credentials/${EC}/unlock`, { method: 'POST' });
		expect(unlock.status).toBe(200);
		await caller.authorize(token, EC, PIN, 1);
	});

	it('resets the wrong-PIN count after a right PIN, and takes a PIN changed through the sandbox control', async () => {
		await caller.call('credentials/authorize', { credentialID: RSA, numSignatures: 1, PIN: '0000' }, token);
		await caller.call('credentials/authorize', { credentialID: RSA, numSignatures: 1, PIN: '0000' }, token);
		await caller.authorize(token, RSA, PIN, 1);
		expect(emulator.service.lockState(RSA)).toEqual({ failures: 0, locked: false });
		const changed = await fetch(`${server.baseUrl}/signer/__sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin: '246810' }) });
		expect(changed.status).toBe(200);
		expect((await caller.call('credentials/authorize', { credentialID: RSA, numSignatures: 1, PIN }, token)).json.error).toBe('invalid_pin');
		await caller.authorize(token, RSA, '246810', 1);
	});

	it('reports a revoked credential and refuses it, also with a SAD obtained before', async () => {
		const sad = await caller.authorize(token, RSA, PIN, 1);
		emulator.revoke(RSA);
		expect((await caller.call('credentials/info', { credentialID: RSA }, token)).json.cert.status).toBe('revoked');
		const signed = await caller.call('signatures/signHash', { credentialID: RSA, SAD: sad, hashes: [digest('SHA-256', 'x').toString('base64')], hashAlgorithmOID: OIDS.sha256, signAlgo: OIDS.rsaEncryption }, token);
		expect(signed.status).toBe(400);
		expect(signed.json).toMatchObject({ error: 'invalid_request', credentialStatus: 'revoked' });
		expect(signed.json.error_description).toMatch(/^Signing certificate 'O=ООО «Ромашка»,CN=Иванов Иван Иванович' is revoked\.$/);
		const authorize = await caller.call('credentials/authorize', { credentialID: RSA, numSignatures: 1, PIN }, token);
		expect(authorize.json.credentialStatus).toBe('revoked');
	});

	it('reports an expired credential (the clock past notAfter, or a re-issued certificate) and refuses it', async () => {
		// The static token outlives the 400-day jump that expires OAuth2 tokens.
		const staticToken = DEFAULT_SIGNER_TOKEN;
		const sad = await caller.authorize(staticToken, EC, PIN, 1);
		server.clock.advance(400 * 86_400_000);
		const info = await caller.call('credentials/info', { credentialID: EC }, staticToken);
		expect(info.json.cert.status).toBe('expired');
		const signed = await caller.call('signatures/signHash', { credentialID: EC, SAD: sad, hashes: [digest('SHA-256', 'x').toString('base64')], signAlgo: OIDS.ecdsaWithSha256 }, staticToken);
		expect(signed.json).toMatchObject({ error: 'invalid_request', credentialStatus: 'expired' });
		expect(signed.json.error_description).toMatch(/is expired\.$/);
		server.clock.reset();
		await emulator.expire(EC);
		const reissued = await caller.call('credentials/info', { credentialID: EC, certInfo: true }, token);
		expect(reissued.json.cert.status).toBe('expired');
		expect(Number(reissued.json.cert.validTo.slice(0, 8))).toBeLessThan(Number(new Date().toISOString().slice(0, 10).replace(/-/g, '')));
		expect((await caller.call('credentials/authorize', { credentialID: EC, numSignatures: 1, PIN }, token)).json.credentialStatus).toBe('expired');
	});
});

describe('x-edo/decrypt', () => {
	// -keyopt applies to the -recip before it.
	const encrypt = (certificatePath: string, content: string, options: string[] = ['-aes-256-cbc']) =>
		openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', options[0], '-recip', certificatePath, ...options.slice(1)], content);

	it.each([
		['RSA PKCS#1 v1.5, AES-256-CBC', RSA, ['-aes-256-cbc']],
		['RSA OAEP SHA-256, AES-128-CBC', RSA, ['-aes-128-cbc', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256']],
		['RSA, AuthEnvelopedData AES-256-GCM', RSA, ['-aes-256-gcm']],
		['ECDH P-256, AES-256-CBC', EC, ['-aes-256-cbc']],
	] as const)('decrypts openssl cms -encrypt output (%s)', async (_name, id, options) => {
		const content = `token for ${id}: ${'A1B2'.repeat(64)}`;
		const envelope = encrypt(certificatePaths[id], content, [...options]);
		const sad = await caller.authorize(token, id, PIN, 1);
		const answer = await caller.call('x-edo/decrypt', { credentialID: id, SAD: sad, envelope: envelope.toString('base64') }, token);
		expect(answer.status).toBe(200);
		expect(Buffer.from(answer.json.content, 'base64').toString()).toBe(content);
		const again = await caller.call('x-edo/decrypt', { credentialID: id, SAD: sad, envelope: envelope.toString('base64') }, token);
		expect(again.json.error_description).toMatch(/^SAD exhausted/);
	});

	it('counts one use per envelope and checks a SAD bound to the envelope digest', async () => {
		const envelope = encrypt(certificatePaths[EC], 'bound');
		const other = encrypt(certificatePaths[EC], 'other');
		const sad = await caller.authorize(token, EC, PIN, 2, [digest('SHA-256', envelope)]);
		const refused = await caller.call('x-edo/decrypt', { credentialID: EC, SAD: sad, envelope: other.toString('base64') }, token);
		expect(refused.json.error_description).toBe('Hash is not authorized by the SAD.');
		const answer = await caller.call('x-edo/decrypt', { credentialID: EC, SAD: sad, envelope: envelope.toString('base64') }, token);
		expect(Buffer.from(answer.json.content, 'base64').toString()).toBe('bound');
	});

	it('says clearly when the envelope is for another certificate, malformed, or not base64', async () => {
		const stranger = createIdentity('rsa2048');
		const envelope = encrypt(stranger.certPath, 'not for you');
		const sad = await caller.authorize(token, RSA, PIN, 3);
		const wrong = await caller.call('x-edo/decrypt', { credentialID: RSA, SAD: sad, envelope: envelope.toString('base64') }, token);
		expect(wrong.status).toBe(400);
		expect(wrong.json).toMatchObject({ error: 'invalid_request', edoCode: 'NO_MATCHING_RECIPIENT' });
		expect(wrong.json.error_description).toMatch(/not addressed to this certificate/);
		const garbage = await caller.call('x-edo/decrypt', { credentialID: RSA, SAD: sad, envelope: Buffer.from('garbage').toString('base64') }, token);
		expect(garbage.json.edoCode).toBe('INVALID_CMS');
		const notBase64 = await caller.call('x-edo/decrypt', { credentialID: RSA, SAD: sad, envelope: '%%%' }, token);
		expect(notBase64.json.error_description).toMatch(/^Invalid parameter envelope/);
	});
});

describe('secrets stay out of logs', () => {
	it('logs method, credential id and status only: no PIN, SAD, token, digest or content', async () => {
		logLines.length = 0;
		const value = digest('SHA-256', 'secret document');
		const sad = await caller.authorize(token, RSA, PIN, 2);
		await caller.call('signatures/signHash', { credentialID: RSA, SAD: sad, hashes: [value.toString('base64')], hashAlgorithmOID: OIDS.sha256, signAlgo: OIDS.rsaEncryption }, token);
		await caller.call('credentials/authorize', { credentialID: RSA, numSignatures: 1, PIN: '8642' }, token);
		const envelope = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-cbc', '-recip', certificatePaths[RSA]], 'TOPSECRETCONTENT');
		await caller.call('x-edo/decrypt', { credentialID: RSA, SAD: sad, envelope: envelope.toString('base64') }, token);
		const log = logLines.join('\n');
		expect(logLines).toEqual([
			'credentials/authorize "sandbox-rsa" 200',
			'signatures/signHash "sandbox-rsa" 200',
			'credentials/authorize "sandbox-rsa" 400 invalid_pin',
			'x-edo/decrypt "sandbox-rsa" 200',
		]);
		for (const secret of [PIN, '8642', sad, token, value.toString('base64'), 'TOPSECRETCONTENT']) expect(log).not.toContain(secret);
	});
});

describe('sandbox control', () => {
	it('shows the state, adds a credential with its own PIN, and delays answers by the configured latency', async () => {
		const identity = createIdentity('p384');
		const added = await fetch(`${server.baseUrl}/signer/__sandbox/credentials`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: 'extra-p384', certificate: identity.certPem, privateKey: identity.keyPem, pin: '0000' }),
		});
		expect(added.status).toBe(201);
		const state = (await (await fetch(`${server.baseUrl}/signer/__sandbox/state`)).json()) as { credentials: Array<{ credentialID: string; keyAlgorithm: string }> };
		expect(state.credentials.map((entry) => entry.credentialID)).toEqual([RSA, EC, 'extra-p384']);
		const builder = new CmsSignedDataBuilder({ certificateDer: identity.certDer, hashAlgorithm: 'SHA-384', provider: remoteSignatureProvider(caller, token, 'extra-p384', 'EC', '0000') });
		const cms = await builder.sign(Buffer.from('p384'));
		expect(opensslVerify(cms, Buffer.from('p384'), identity.certPath).ok).toBe(true);

		emulator.setLatency(300);
		const started = Date.now();
		await caller.call('info', {});
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		emulator.reset?.();
		await emulator.ready();
		expect((await caller.call('credentials/list', {}, DEFAULT_SIGNER_TOKEN)).json.credentialIDs).toEqual([RSA, EC]);
		expect(emulator.describe('http://127.0.0.1:1')).toContain('PIN 1234');
	});
});
