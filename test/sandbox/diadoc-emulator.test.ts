import { createPrivateKey, createPublicKey, createHash, verify as verifySignature } from 'node:crypto';
import { request } from 'undici';
import { CmsSignedDataBuilder, localKeySignatureProvider } from '../../lib/crypto/cms/sign';
import {
	createDiadocEmulator,
	entityIdContent,
	patchedContent,
	SANDBOX_BOX_ID,
	SANDBOX_CLIENT_ID,
	SANDBOX_CLIENT_SECRET,
	SANDBOX_FOREIGN_BOX_ID,
	SANDBOX_LOGIN,
	SANDBOX_PASSWORD,
	SANDBOX_UNPAID_BOX_ID,
	type RegistrationStatus,
} from '../../sandbox/emulators/diadoc';
import { emulators } from '../../sandbox/emulators';
import { SandboxServer } from '../../sandbox/server';
import { createIdentity, openssl, opensslStatus, tempPath, writeTemp, type TestIdentity } from '../helpers/pki';

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	bytes: Buffer;
	text: string;
	json<T = any>(): T;
}

interface CallOptions {
	method?: string;
	headers?: Record<string, string>;
	body?: Buffer | string;
	/** Sent as JSON with the Content-Type and Accept the API wants. */
	json?: unknown;
	auth?: string;
}

const server = new SandboxServer();
const diadoc = createDiadocEmulator();
let base: string;

async function call(path: string, options: CallOptions = {}): Promise<Reply> {
	const headers: Record<string, string> = { ...options.headers };
	let body = options.body;
	if (options.json !== undefined) {
		body = JSON.stringify(options.json);
		headers['content-type'] ??= 'application/json; charset=utf-8';
		headers.accept ??= 'application/json';
	}
	if (options.auth) headers.authorization = options.auth;
	const response = await request(`${base}${path}`, { method: (options.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET', headers, body });
	const bytes = Buffer.from(await response.body.arrayBuffer());
	return {
		status: response.statusCode,
		headers: response.headers,
		bytes,
		text: bytes.toString('utf8'),
		json: () => JSON.parse(bytes.toString('utf8')),
	};
}

function header(reply: Reply, name: string): string {
	const value = reply.headers[name.toLowerCase()];
	return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function expectDiadocError(reply: Reply, status: number, code: string): void {
	expect({ status: reply.status, code: header(reply, 'x-diadoc-errorcode') }).toEqual({ status, code });
	expect(header(reply, 'content-type')).toMatch(/^text\/plain/);
	expect(header(reply, 'x-kontur-trace-id')).toMatch(/^[0-9a-f]{32}$/);
	expect(reply.text.length).toBeGreaterThan(0);
}

const legacyHeader = (token: string, space = false) => `DiadocAuth ddauth_api_client_id=${SANDBOX_CLIENT_ID},${space ? ' ' : ''}ddauth_token=${token}`;

async function passwordToken(): Promise<string> {
	const reply = await call('/diadoc/V3/Authenticate?type=password', {
		json: { login: SANDBOX_LOGIN, password: SANDBOX_PASSWORD },
		auth: `DiadocAuth ddauth_api_client_id=${SANDBOX_CLIENT_ID}`,
	});
	expect(reply.status).toBe(200);
	return reply.text;
}

const thumbprintOf = (der: Buffer) => createHash('sha1').update(der).digest('hex').toUpperCase();

function opensslSign(identity: TestIdentity, data: Buffer, attached = false): Buffer {
	const args = ['cms', '-sign', '-binary', '-outform', 'DER', '-in', writeTemp('data.bin', data), '-signer', identity.certPath, '-inkey', identity.keyPath];
	if (attached) args.push('-nodetach');
	return openssl(args);
}

function builderSign(identity: TestIdentity, data: Buffer): Promise<Buffer> {
	const builder = new CmsSignedDataBuilder({ certificateDer: identity.certDer, provider: localKeySignatureProvider(createPrivateKey(identity.keyPem)) });
	return builder.sign(data, { detached: true });
}

let dssCertPath: string;
function opensslVerifiesDss(signature: Buffer, content: Buffer): boolean {
	const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('dss.sig', signature), '-content', writeTemp('dss.bin', content)];
	args.push('-CAfile', dssCertPath, '-purpose', 'any', '-out', tempPath('dss.out'));
	return opensslStatus(args).ok;
}

beforeAll(async () => {
	server.mount('/diadoc', diadoc);
	base = await server.start();
	dssCertPath = writeTemp('dss.pem', diadoc.dssCertificate.pem);
});

afterAll(() => server.stop());

beforeEach(() => server.reset());

describe('wire conventions', () => {
	it('answers 401 with WWW-Authenticate, X-Diadoc-ErrorCode and a trace id without Authorization', async () => {
		const reply = await call('/diadoc/Register', { json: { Thumbprint: 'A'.repeat(40) } });
		expectDiadocError(reply, 401, 'Http.Auth');
		expect(header(reply, 'www-authenticate')).toMatch(/Bearer/);
		expect(header(reply, 'www-authenticate')).toMatch(/DiadocAuth/);
	});

	it('refuses an unknown API client id with "Invalid API client id"', async () => {
		const token = await passwordToken();
		const reply = await call('/diadoc/V2/ShelfDownload?fileName=x', { auth: `DiadocAuth ddauth_api_client_id=nobody,ddauth_token=${token}` });
		expectDiadocError(reply, 401, 'Http.Auth');
		expect(reply.text).toBe('Invalid API client id');
	});

	it('accepts the DiadocAuth header with and without a space after the comma', async () => {
		const token = await passwordToken();
		for (const space of [false, true]) {
			const reply = await call('/diadoc/V2/ShelfUpload', {
				body: Buffer.from('x'),
				headers: { 'content-type': 'application/octet-stream' },
				auth: legacyHeader(token, space),
			});
			expect(reply.status).toBe(200);
			expect(header(reply, 'x-kontur-trace-id')).toMatch(/^[0-9a-f]{32}$/);
		}
	});

	it('answers 415 to a JSON method without Content-Type: application/json', async () => {
		const auth = legacyHeader(await passwordToken());
		const reply = await call('/diadoc/Register', { body: JSON.stringify({ Thumbprint: 'A'.repeat(40) }), auth, headers: { accept: 'application/json' } });
		expectDiadocError(reply, 415, 'Http.UnsupportedMediaType');
		const charset = await call('/diadoc/Register', { json: { Thumbprint: 'A'.repeat(40) }, auth, headers: { 'content-type': 'application/json' } });
		expect(charset.status).toBe(200);
	});

	it('answers 406 to a JSON answer the client does not accept (the real API would send protobuf)', async () => {
		const auth = legacyHeader(await passwordToken());
		const reply = await call('/diadoc/Register', { json: { Thumbprint: 'A'.repeat(40) }, auth, headers: { accept: '*/*' } });
		expectDiadocError(reply, 406, 'Http.NotAcceptable');
	});

	it('answers 405 with Allow, and 404 for methods it does not have', async () => {
		const auth = legacyHeader(await passwordToken());
		const post = await call(`/diadoc/DssSignResult?boxId=${SANDBOX_BOX_ID}&taskId=x`, { method: 'POST', body: '', auth });
		expectDiadocError(post, 405, 'Http.MethodNotAllowed');
		expect(header(post, 'allow')).toBe('GET');
		expectDiadocError(await call('/diadoc/V9/Nothing', { auth }), 404, 'Http.NotFound');
	});

	it('rate-limits with 429 and Retry-After when configured', async () => {
		diadoc.setOptions({ rateLimit: { requests: 2, windowSeconds: 10 } });
		const auth = legacyHeader('x');
		await call('/diadoc/V2/ShelfDownload?fileName=a', { auth });
		await call('/diadoc/V2/ShelfDownload?fileName=a', { auth });
		const limited = await call('/diadoc/V2/ShelfDownload?fileName=a', { auth });
		expectDiadocError(limited, 429, 'Http.TooManyRequests');
		expect(Number(header(limited, 'retry-after'))).toBeGreaterThan(0);
		server.clock.advance(11_000);
		expect((await call('/diadoc/V2/ShelfDownload?fileName=a', { auth })).status).toBe(401);
	});
});

describe('GetMyOrganizations', () => {
	it('lists the boxes the token user can open, and needs a token', async () => {
		const auth = legacyHeader(await passwordToken());
		const reply = await call('/diadoc/GetMyOrganizations', { auth, headers: { accept: 'application/json' } });
		expect(reply.status).toBe(200);
		const boxIds = (JSON.parse(reply.text) as { Organizations: Array<{ Boxes: Array<{ BoxId: string }> }> }).Organizations.flatMap((organization) =>
			organization.Boxes.map((box) => box.BoxId),
		);
		expect(boxIds).toContain(SANDBOX_BOX_ID);
		expectDiadocError(await call('/diadoc/GetMyOrganizations', { headers: { accept: 'application/json' } }), 401, 'Http.Auth');
	});
});

describe('OIDC identity server', () => {
	const redirectUri = 'http://localhost:5678/rest/oauth2-credential/callback';

	async function authorize(extra: Record<string, string> = {}): Promise<URL> {
		const query = new URLSearchParams({
			response_type: 'code',
			client_id: SANDBOX_CLIENT_ID,
			redirect_uri: redirectUri,
			scope: 'openid profile offline_access Diadoc.PublicAPI',
			state: 'xyz 1',
			...extra,
		});
		const reply = await call(`/diadoc/identity/connect/authorize?${query}`);
		expect(reply.status).toBe(302);
		return new URL(header(reply, 'location'));
	}

	const basic = `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64')}`;
	const form = (fields: Record<string, string>, auth?: string) =>
		call('/diadoc/identity/connect/token', {
			body: new URLSearchParams(fields).toString(),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			auth,
		});
	const upload = (auth: string) =>
		call('/diadoc/V2/ShelfUpload', { body: Buffer.from('<a/>'), headers: { 'content-type': 'application/octet-stream' }, auth });

	it('publishes a discovery document under the emulator prefix', async () => {
		const reply = await call('/diadoc/identity/.well-known/openid-configuration');
		const document = reply.json();
		expect(document.issuer).toBe(`${base}/diadoc/identity`);
		expect(document.token_endpoint).toBe(`${base}/diadoc/identity/connect/token`);
		expect(document.scopes_supported).toEqual(expect.arrayContaining(['Diadoc.PublicAPI', 'Diadoc.PublicAPI.Staging', 'offline_access']));
	});

	it('runs the authorization code flow, then refreshes with rotation', async () => {
		const location = await authorize();
		expect(location.origin + location.pathname).toBe(redirectUri);
		expect(location.searchParams.get('state')).toBe('xyz 1');
		const code = location.searchParams.get('code') as string;

		const tokens = await form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, basic);
		expect(tokens.status).toBe(200);
		const first = tokens.json();
		expect(first).toEqual(
			expect.objectContaining({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile offline_access Diadoc.PublicAPI' }),
		);
		expect(header(tokens, 'cache-control')).toBe('no-store');
		expect((await upload(`Bearer ${first.access_token}`)).status).toBe(200);

		// The id_token is an ES256 JWT signed by the published key.
		const [head, payload, signature] = (first.id_token as string).split('.');
		const jwks = (await call('/diadoc/identity/.well-known/openid-configuration/jwks')).json();
		const key = createPublicKey({ key: jwks.keys[0], format: 'jwk' });
		const signed = verifySignature('sha256', Buffer.from(`${head}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
		expect(signed).toBe(true);
		expect(JSON.parse(Buffer.from(payload, 'base64url').toString()).aud).toBe(SANDBOX_CLIENT_ID);

		expect((await form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, basic)).json().error).toBe('invalid_grant');

		// client_secret_post this time.
		const refreshed = await form({
			grant_type: 'refresh_token',
			refresh_token: first.refresh_token,
			client_id: SANDBOX_CLIENT_ID,
			client_secret: SANDBOX_CLIENT_SECRET,
		});
		expect(refreshed.status).toBe(200);
		const second = refreshed.json();
		expect(second.access_token).not.toBe(first.access_token);
		expect(second.refresh_token).not.toBe(first.refresh_token);
		expect((await upload(`Bearer ${second.access_token}`)).status).toBe(200);
		const reused = await form({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, basic);
		expect({ status: reused.status, error: reused.json().error }).toEqual({ status: 400, error: 'invalid_grant' });
	});

	it('expires access tokens on the sandbox clock; the refresh token still works', async () => {
		const code = (await authorize()).searchParams.get('code') as string;
		const tokens = (await form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, basic)).json();
		server.clock.advance(3601_000);
		const expired = await upload(`Bearer ${tokens.access_token}`);
		expectDiadocError(expired, 401, 'Http.Auth');
		expect(header(expired, 'www-authenticate')).toMatch(/Bearer.*invalid_token/);
		const refreshed = await form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic);
		expect((await upload(`Bearer ${refreshed.json().access_token}`)).status).toBe(200);
	});

	it('checks the client secret, PKCE, the redirect URI and the Diadoc scope', async () => {
		const wrongSecret = await form({ grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }, `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:nope`).toString('base64')}`);
		expect({ status: wrongSecret.status, error: wrongSecret.json().error }).toEqual({ status: 401, error: 'invalid_client' });

		const verifier = 'a-verifier-that-is-long-enough-for-pkce-0123456789';
		const challenge = createHash('sha256').update(verifier).digest('base64url');
		const pkceCode = (await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') as string;
		const badVerifier = await form({ grant_type: 'authorization_code', code: pkceCode, redirect_uri: redirectUri, code_verifier: 'wrong' }, basic);
		expect(badVerifier.json().error).toBe('invalid_grant');
		const pkceCode2 = (await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })).searchParams.get('code') as string;
		expect((await form({ grant_type: 'authorization_code', code: pkceCode2, redirect_uri: redirectUri, code_verifier: verifier }, basic)).status).toBe(200);

		const otherRedirect = (await authorize()).searchParams.get('code') as string;
		expect((await form({ grant_type: 'authorization_code', code: otherRedirect, redirect_uri: 'http://evil.example/cb' }, basic)).json().error).toBe(
			'invalid_grant',
		);

		const noApiScope = (await authorize({ scope: 'openid offline_access' })).searchParams.get('code') as string;
		const narrow = (await form({ grant_type: 'authorization_code', code: noApiScope, redirect_uri: redirectUri }, basic)).json();
		expectDiadocError(await upload(`Bearer ${narrow.access_token}`), 403, 'Http.InsufficientScope');

		const noOffline = (await authorize({ scope: 'openid Diadoc.PublicAPI.Staging' })).searchParams.get('code') as string;
		const online = (await form({ grant_type: 'authorization_code', code: noOffline, redirect_uri: redirectUri }, basic)).json();
		expect(online.refresh_token).toBeUndefined();
		expect((await upload(`Bearer ${online.access_token}`)).status).toBe(200);

		const badScope = await authorize({ scope: 'openid Diadoc.Everything' });
		expect(badScope.searchParams.get('error')).toBe('invalid_scope');
	});
});

describe('legacy DiadocAuth', () => {
	it('issues a token for login and password that expires after 24 hours on the sandbox clock', async () => {
		const token = await passwordToken();
		expect(token).toMatch(/^[A-Za-z0-9+/]+=*$/);
		const upload = () =>
			call('/diadoc/V2/ShelfUpload', { body: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' }, auth: legacyHeader(token) });
		expect((await upload()).status).toBe(200);
		server.clock.advance(24 * 3600_000 + 1000);
		expectDiadocError(await upload(), 401, 'Http.Auth');

		const wrong = await call('/diadoc/V3/Authenticate?type=password', {
			json: { login: SANDBOX_LOGIN, password: 'nope' },
			auth: `DiadocAuth ddauth_api_client_id=${SANDBOX_CLIENT_ID}`,
		});
		expectDiadocError(wrong, 401, 'Http.Auth');
		const noClient = await call('/diadoc/V3/Authenticate?type=password', { json: { login: SANDBOX_LOGIN, password: SANDBOX_PASSWORD } });
		expectDiadocError(noClient, 401, 'Http.Auth');
	});

	it('expireTokens() and issueToken() control tokens programmatically', async () => {
		const token = diadoc.issueToken();
		const bearer = diadoc.issueToken({ kind: 'bearer' });
		const download = (auth: string) => call('/diadoc/V2/ShelfDownload?fileName=none', { auth });
		expect((await download(legacyHeader(token))).status).toBe(404);
		expect((await download(`Bearer ${bearer}`)).status).toBe(404);
		diadoc.expireTokens();
		expect((await download(legacyHeader(token))).status).toBe(401);
		expect((await download(`Bearer ${bearer}`)).status).toBe(401);
	});

	it.each([
		['rsa2048', 'thumbprint'],
		['p256', 'certificate body'],
	] as const)('authenticates by a %s certificate (confirmed with the %s), decrypted with openssl', async (kind, confirmWith) => {
		const identity = createIdentity(kind);
		const clientAuth = `DiadocAuth ddauth_api_client_id=${SANDBOX_CLIENT_ID}`;
		const envelope = await call('/diadoc/V3/Authenticate?type=certificate', {
			body: identity.certDer,
			headers: { 'content-type': 'application/octet-stream' },
			auth: clientAuth,
		});
		expect(envelope.status).toBe(200);
		expect(header(envelope, 'content-type')).toBe('application/octet-stream');
		const decrypted = openssl([
			'cms', '-decrypt', '-binary', '-inform', 'DER', '-in', writeTemp('env.der', envelope.bytes),
			'-recip', identity.certPath, '-inkey', identity.keyPath,
		]);
		const secret = decrypted.toString('base64');
		expect(secret).toMatch(/[+/]/);

		const thumbprint = thumbprintOf(identity.certDer);
		const confirm = (token: string) =>
			confirmWith === 'thumbprint'
				? call(`/diadoc/V3/AuthenticateConfirm?token=${encodeURIComponent(token)}&thumbprint=${thumbprint}&saveBinding=false`, { method: 'POST', auth: clientAuth })
				: call(`/diadoc/V3/AuthenticateConfirm?token=${encodeURIComponent(token)}`, { body: identity.certDer, headers: { 'content-type': 'application/octet-stream' }, auth: clientAuth });

		const tampered = Buffer.from(decrypted);
		tampered[0] ^= 1;
		expectDiadocError(await confirm(tampered.toString('base64')), 403, 'Auth.RndBytesNotFound');
		// "+" left unencoded arrives as a space: not base64 any more.
		expectDiadocError(await call(`/diadoc/V3/AuthenticateConfirm?token=${secret}&thumbprint=${thumbprint}`, { method: 'POST', auth: clientAuth }), 400, 'Http.BadRequest');

		const confirmed = await confirm(secret);
		expect(confirmed.status).toBe(200);
		const download = await call('/diadoc/V2/ShelfDownload?fileName=none', { auth: legacyHeader(confirmed.text) });
		expectDiadocError(download, 404, 'Shelf.FileNotFound');
		expectDiadocError(await confirm(secret), 403, 'Auth.RndBytesNotFound');
	});
});

describe('Register / RegisterConfirm', () => {
	let auth: string;
	beforeEach(async () => {
		auth = legacyHeader(await passwordToken());
	});
	const register = (body: unknown) => call('/diadoc/Register', { json: body, auth });
	const confirm = (body: unknown) => call('/diadoc/RegisterConfirm', { json: body, auth });

	async function proofRequired(identity: TestIdentity, by: 'Thumbprint' | 'CertificateContent') {
		const reference = by === 'Thumbprint' ? { Thumbprint: thumbprintOf(identity.certDer) } : { CertificateContent: identity.certDer.toString('base64') };
		const reply = await register(reference);
		expect(reply.status).toBe(200);
		const answer = reply.json();
		expect(answer).toEqual({ RegistrationStatus: 'CertificateOwnershipProofIsRequired', BoxId: SANDBOX_BOX_ID, DataToSign: expect.any(String) });
		return { reference, dataToSign: answer.DataToSign as string, data: Buffer.from(answer.DataToSign, 'base64') };
	}

	it('runs the whole chain with a detached CMS from CmsSignedDataBuilder', async () => {
		const identity = createIdentity('p256');
		const { reference, dataToSign, data } = await proofRequired(identity, 'Thumbprint');
		const text = data.toString('utf8');
		expect(text).toContain(thumbprintOf(identity.certDer));
		expect(text).toContain(SANDBOX_BOX_ID);
		expect(text).toMatch(/timestamp=\d{4}-\d\d-\d\dT/);

		const confirmed = await confirm({ ...reference, DataToSign: dataToSign, Signature: (await builderSign(identity, data)).toString('base64') });
		expect({ status: confirmed.status, body: confirmed.text }).toEqual({ status: 200, body: '' });
		expect((await register(reference)).json()).toEqual({ RegistrationStatus: 'RegistrationIsInProgress' });
		expect((await register(reference)).json()).toEqual({ RegistrationStatus: 'RegistrationIsCompleted', BoxId: SANDBOX_BOX_ID });
		expect(diadoc.snapshot().confirmations).toEqual([expect.objectContaining({ accepted: true, detached: true, thumbprint: thumbprintOf(identity.certDer) })]);
		expectDiadocError(await confirm({ ...reference, DataToSign: dataToSign, Signature: 'AA==' }), 409, 'Registration.ConfirmationNotRequired');
	});

	it('accepts openssl cms -sign signatures, detached and attached', async () => {
		const identity = createIdentity('rsa2048');
		const first = await proofRequired(identity, 'CertificateContent');
		const detached = await confirm({ ...first.reference, DataToSign: first.dataToSign, Signature: opensslSign(identity, first.data).toString('base64') });
		expect(detached.status).toBe(200);

		const other = createIdentity('p256', { subject: '/CN=attached signer' });
		const second = await proofRequired(other, 'Thumbprint');
		const attached = await confirm({ ...second.reference, DataToSign: second.dataToSign, Signature: opensslSign(other, second.data, true).toString('base64') });
		expect(attached.status).toBe(200);
		expect(diadoc.snapshot().confirmations.map((record) => record.detached)).toEqual([true, false]);
	});

	it('refuses a signature over other data, by another certificate, or for DataToSign it did not issue', async () => {
		const identity = createIdentity('p256');
		const { reference, dataToSign, data } = await proofRequired(identity, 'Thumbprint');
		const overOther = await confirm({ ...reference, DataToSign: dataToSign, Signature: (await builderSign(identity, Buffer.from('other data'))).toString('base64') });
		expectDiadocError(overOther, 400, 'Registration.InvalidSignature');
		const stranger = createIdentity('rsa2048', { subject: '/CN=stranger' });
		const byOther = await confirm({ ...reference, DataToSign: dataToSign, Signature: (await builderSign(stranger, data)).toString('base64') });
		expectDiadocError(byOther, 400, 'Registration.InvalidSignature');
		const notCms = await confirm({ ...reference, DataToSign: dataToSign, Signature: Buffer.from('not a cms').toString('base64') });
		expectDiadocError(notCms, 400, 'Registration.InvalidSignature');
		const forged = Buffer.from('userId=x;boxId=y');
		const notIssued = await confirm({ ...reference, DataToSign: forged.toString('base64'), Signature: (await builderSign(identity, forged)).toString('base64') });
		expectDiadocError(notIssued, 400, 'Registration.InvalidDataToSign');
		expect(diadoc.snapshot().confirmations.map((record) => record.accepted)).toEqual([false, false, false, false]);
		// Still waiting for the proof.
		expect((await register(reference)).json().RegistrationStatus).toBe('CertificateOwnershipProofIsRequired');
	});

	it('validates the certificate reference', async () => {
		const identity = createIdentity('p256');
		const both = { Thumbprint: thumbprintOf(identity.certDer), CertificateContent: identity.certDer.toString('base64') };
		expectDiadocError(await register(both), 400, 'Http.BadRequest');
		expectDiadocError(await register({}), 400, 'Http.BadRequest');
		expectDiadocError(await register({ Thumbprint: 'B0 E1 02 92' }), 400, 'Http.BadRequest');
		expectDiadocError(await register({ CertificateContent: Buffer.from('junk').toString('base64') }), 400, 'Http.BadRequest');
		expectDiadocError(await confirm({ Thumbprint: thumbprintOf(identity.certDer), DataToSign: 'AA==', Signature: 'AA==' }), 409, 'Registration.ConfirmationNotRequired');
	});

	const finals: RegistrationStatus[] = [
		'RegistrationIsCompleted',
		'AccessIsDenied',
		'AccessRequestIsRejected',
		'CertificateIsNotQualified',
		'RegistrationInBranchIsForbidden',
		'AccessRequestIsPending',
		'OrganizationNotFound',
		'Unknown',
	];
	it('answers each configured final status (BoxId only when completed)', async () => {
		for (const [index, final] of finals.entries()) {
			const thumbprint = index.toString(16).padStart(2, '0').repeat(20).toUpperCase();
			diadoc.configureCertificate(thumbprint, { requireProof: false, inProgressCalls: 0, final });
			const answer = (await register({ Thumbprint: thumbprint })).json();
			expect(answer).toEqual(final === 'RegistrationIsCompleted' ? { RegistrationStatus: final, BoxId: SANDBOX_BOX_ID } : { RegistrationStatus: final });
			expectDiadocError(await confirm({ Thumbprint: thumbprint, DataToSign: 'AA==', Signature: 'AA==' }), 409, 'Registration.ConfirmationNotRequired');
		}
	});

	it('answers enums as numbers with numericEnums', async () => {
		diadoc.setOptions({ numericEnums: true });
		const thumbprint = 'C'.repeat(40);
		diadoc.configureCertificate(thumbprint.toLowerCase(), { requireProof: true, inProgressCalls: 2, final: 'AccessRequestIsPending' });
		expect((await register({ Thumbprint: thumbprint })).json().RegistrationStatus).toBe(3);
		diadoc.state.markOwnershipProven(thumbprint);
		expect((await register({ Thumbprint: thumbprint })).json()).toEqual({ RegistrationStatus: 6 });
		expect((await register({ Thumbprint: thumbprint })).json()).toEqual({ RegistrationStatus: 6 });
		expect((await register({ Thumbprint: thumbprint })).json()).toEqual({ RegistrationStatus: 8 });
	});
});

describe('DSS signing', () => {
	let auth: string;
	beforeEach(async () => {
		auth = legacyHeader(await passwordToken());
	});
	const sign = (files: unknown[], query = `boxId=${SANDBOX_BOX_ID}`) => call(`/diadoc/DssSign?${query}`, { json: { Files: files }, auth });
	const result = (taskId: string, boxId = SANDBOX_BOX_ID) => call(`/diadoc/DssSignResult?boxId=${boxId}&taskId=${taskId}`, { auth, headers: { accept: 'application/json' } });
	const content = (bytes: Buffer, fileName?: string) => ({ Content: { Content: bytes.toString('base64') }, ...(fileName ? { FileName: fileName } : {}) });
	const shelfUpload = async (bytes: Buffer) => {
		const reply = await call('/diadoc/V2/ShelfUpload?fileExtension=.xml', { body: bytes, headers: { 'content-type': 'application/octet-stream' }, auth });
		expect(reply.status).toBe(200);
		return reply.text;
	};
	async function pollToEnd(taskId: string, expectedPolls: number) {
		for (let poll = 0; poll < expectedPolls; poll++) {
			const waiting = (await result(taskId)).json();
			expect(waiting).toEqual({ OperationStatus: 'InProgress', FileSigningResults: [], ConfirmType: 'MyDss', Operator: 'Kontur', PhoneLastNumbers: '4567' });
		}
		const reply = await result(taskId);
		expect(reply.status).toBe(200);
		return reply.json();
	}

	it('signs every content kind; after 2 InProgress polls the signatures verify with openssl', async () => {
		const inline = Buffer.from('<Файл>первый</Файл>');
		const shelved = Buffer.from('<doc>on the shelf</doc>');
		const name = await shelfUpload(shelved);
		const messageId = 'ab149008-561e-42aa-a639-8873a64ceaaf';
		const entityId = 'f92492f0-f5fc-4de6-898c-6b77c83d0dba';
		const patchedId = '0AD643FD-C76F-4408-B6B8-1964F9A40AD5';
		const files = [
			content(inline, 'first.xml'),
			{ Content: { NameOnShelf: name }, FileName: 'second.xml' },
			{ Content: { NameOnShelf: `__userId__/${name}` } },
			{ Content: { EntityId: { MessageId: messageId, EntityId: entityId } }, FileName: 'third.xml' },
			{ Content: { PatchedContentId: patchedId }, FileName: 'fourth.xml' },
		];
		const expected = [inline, shelved, shelved, entityIdContent(messageId, entityId), patchedContent(patchedId)];
		const started = await sign(files, `boxId=${SANDBOX_BOX_ID}&certificateThumbprint=${diadoc.dssCertificate.thumbprint}`);
		expect(started.status).toBe(200);
		const { TaskId } = started.json();
		expect(TaskId).toMatch(/^[0-9a-f-]{36}$/);

		const done = await pollToEnd(TaskId, 2);
		expect(done.OperationStatus).toBe('Completed');
		expect(done.FileSigningResults).toHaveLength(files.length);
		for (const [index, fileResult] of (done.FileSigningResults as Array<{ FileSigningStatus: string; Signature: string }>).entries()) {
			expect(fileResult.FileSigningStatus).toBe('SigningCompleted');
			const signature = Buffer.from(fileResult.Signature, 'base64');
			expect(opensslVerifiesDss(signature, expected[index])).toBe(true);
		}
		expect(opensslVerifiesDss(Buffer.from(done.FileSigningResults[0].Signature, 'base64'), shelved)).toBe(false);
		// Later polls repeat the same answer.
		expect((await result(TaskId)).json()).toEqual(done);
	});

	it('ends with each configured terminal status', async () => {
		for (const terminalStatus of ['CanceledByUser', 'Timeout', 'Crashed', 'UserHasUnconfirmedOperation', 'OperationRetryRequired'] as const) {
			diadoc.configureDss({ terminalStatus, pollsInProgress: 0 });
			const { TaskId } = (await sign([content(Buffer.from('x'))])).json();
			expect((await result(TaskId)).json()).toEqual({ OperationStatus: terminalStatus, FileSigningResults: [] });
		}
	});

	it('reports SigningError per file, the legacy field name and numeric enums when configured', async () => {
		diadoc.configureDss({ pollsInProgress: 0, failingFiles: [1, 'bad.xml'], legacyResultField: true });
		const files = [content(Buffer.from('a'), 'a.xml'), content(Buffer.from('b'), 'b.xml'), content(Buffer.from('c'), 'bad.xml')];
		const done = (await result((await sign(files)).json().TaskId)).json();
		expect(done.FileSigningResults).toBeUndefined();
		expect(done.DssFileSigningResult.map((entry: { FileSigningStatus: string }) => entry.FileSigningStatus)).toEqual([
			'SigningCompleted',
			'SigningError',
			'SigningError',
		]);
		expect(done.DssFileSigningResult[1].Signature).toBeUndefined();

		diadoc.configureDss({ pollsInProgress: 1, failingFiles: [], legacyResultField: false, confirmType: 'Sms', operator: 'Megafon' });
		diadoc.setOptions({ numericEnums: true });
		const { TaskId } = (await sign([content(Buffer.from('a'))])).json();
		expect((await result(TaskId)).json()).toEqual({ OperationStatus: 1, FileSigningResults: [], ConfirmType: 1, Operator: 1, PhoneLastNumbers: '4567' });
		const numeric = (await result(TaskId)).json();
		expect(numeric.OperationStatus).toBe(2);
		expect(numeric.FileSigningResults[0].FileSigningStatus).toBe(1);
	});

	it('can stay InProgress for a time on the sandbox clock', async () => {
		diadoc.configureDss({ pollsInProgress: 0, secondsInProgress: 30 });
		const { TaskId } = (await sign([content(Buffer.from('a'))])).json();
		expect((await result(TaskId)).json().OperationStatus).toBe('InProgress');
		server.clock.advance(31_000);
		expect((await result(TaskId)).json().OperationStatus).toBe('Completed');
	});

	it('answers 404 for an unknown task or one of another box, 405 for POST', async () => {
		expectDiadocError(await result('2fd45887-138e-4e08-aeb2-bcd55bf0dd85'), 404, 'Dss.TaskNotFound');
		diadoc.addUser({ login: SANDBOX_LOGIN, boxIds: [SANDBOX_BOX_ID, SANDBOX_UNPAID_BOX_ID, '11111111-2222-4333-8444-555555555555'] });
		diadoc.addBox({ boxId: '11111111-2222-4333-8444-555555555555' });
		const { TaskId } = (await sign([content(Buffer.from('a'))])).json();
		expectDiadocError(await result(TaskId, '11111111-2222-4333-8444-555555555555'), 404, 'Dss.TaskNotFound');
		// The same box in its "@diadoc.ru" spelling.
		expect((await result(TaskId, `${SANDBOX_BOX_ID.replace(/-/g, '')}@diadoc.ru`)).status).toBe(200);
		const post = await call(`/diadoc/DssSignResult?boxId=${SANDBOX_BOX_ID}&taskId=${TaskId}`, { json: {}, auth });
		expectDiadocError(post, 405, 'Http.MethodNotAllowed');
		expect(header(post, 'allow')).toBe('GET');
	});

	it('checks boxes (402, 403, 404) and the DSS certificate', async () => {
		const files = [content(Buffer.from('a'))];
		expectDiadocError(await sign(files, `boxId=${SANDBOX_UNPAID_BOX_ID}`), 402, 'Box.NoApiSubscription');
		expectDiadocError(await sign(files, `boxId=${SANDBOX_FOREIGN_BOX_ID}`), 403, 'Box.AccessDenied');
		expectDiadocError(await sign(files, 'boxId=99a4b249-a144-4f11-9d7b-4d84fdb68f8b'), 404, 'Box.NotFound');
		expectDiadocError(await sign(files, 'boxId=not-a-box'), 400, 'Http.BadRequest');
		expectDiadocError(await sign(files, `boxId=${SANDBOX_BOX_ID}&certificateThumbprint=${'8A'.repeat(20)}`), 404, 'Dss.CertificateNotFound');
		expectDiadocError(await result('x', SANDBOX_FOREIGN_BOX_ID), 403, 'Box.AccessDenied');
	});

	it('validates the files', async () => {
		expectDiadocError(await sign([]), 400, 'Http.BadRequest');
		expectDiadocError(await sign([{ Content: { Content: 'YQ==', PatchedContentId: '0AD643FD-C76F-4408-B6B8-1964F9A40AD5' } }]), 400, 'Http.BadRequest');
		expectDiadocError(await sign([{ Content: {} }]), 400, 'Http.BadRequest');
		expectDiadocError(await sign([{ Content: { Content: 'not base64!' } }]), 400, 'Http.BadRequest');
		expectDiadocError(await sign([{ Content: { NameOnShelf: 'api-nothing.xml' } }]), 400, 'Shelf.FileNotFound');
		expectDiadocError(await sign([{ Content: { EntityId: { MessageId: 'x', EntityId: 'y' } } }]), 400, 'Http.BadRequest');
	});

	it('V2: CertificateSign by name or number, GosKeySign with the user SNILS only', async () => {
		const v2 = (body: Record<string, unknown>) =>
			call(`/diadoc/V2/DssSign?boxId=${SANDBOX_BOX_ID}`, { json: { Files: [content(Buffer.from('v2'))], ...body }, auth });
		expect((await v2({ SignDataSource: 'CertificateSign', CertificateData: { Thumbprint: diadoc.dssCertificate.thumbprint } })).status).toBe(200);
		expect((await v2({ SignDataSource: 0 })).status).toBe(200);
		expectDiadocError(await v2({ SignDataSource: 'CertificateSign', CertificateData: { Thumbprint: '8A'.repeat(20) } }), 404, 'Dss.CertificateNotFound');
		expectDiadocError(await v2({}), 400, 'Http.BadRequest');
		expectDiadocError(await v2({ SignDataSource: 'Magic' }), 400, 'Http.BadRequest');
		expectDiadocError(await v2({ SignDataSource: 'GosKeySign' }), 400, 'Http.BadRequest');
		expectDiadocError(await v2({ SignDataSource: 1, GosKeyData: { Snils: '123-456-789 64' } }), 400, 'Dss.GosKeySnilsMismatch');
		const gosKey = await v2({ SignDataSource: 1, GosKeyData: { Snils: '112-233-445 95', Oid: '1.2.643.100.113.1' } });
		expect(gosKey.status).toBe(200);
		const waiting = (await result(gosKey.json().TaskId)).json();
		expect(waiting.ConfirmType).toBe('GosKey');
		expect(diadoc.snapshot().dssTasks.map((task) => task.signDataSource)).toEqual(['CertificateSign', 'CertificateSign', 'GosKeySign']);
	});
});

describe('shelf', () => {
	let auth: string;
	beforeEach(async () => {
		auth = legacyHeader(await passwordToken());
	});
	const post = (path: string, body: Buffer | string, contentType: string | null = 'application/octet-stream') =>
		call(`/diadoc${path}`, { body, headers: contentType ? { 'content-type': contentType } : {}, auth });
	const download = (name: string) => call(`/diadoc/V2/ShelfDownload?fileName=${encodeURIComponent(name)}`, { auth });

	it('uploads a small file (raw or base64) and downloads it', async () => {
		const bytes = Buffer.from('<?xml version="1.0"?><a>тест</a>');
		const name = (await post('/V2/ShelfUpload?fileExtension=.xml', bytes)).text;
		expect(name).toMatch(/\.xml$/);
		const fetched = await download(name);
		expect(fetched.status).toBe(200);
		expect(header(fetched, 'content-type')).toBe('application/octet-stream');
		expect(fetched.bytes.equals(bytes)).toBe(true);
		const fromBase64 = (await post('/V2/ShelfUpload', bytes.toString('base64'), 'base64')).text;
		expect((await download(fromBase64)).bytes.equals(bytes)).toBe(true);
	});

	it('refuses oversize parts, missing content types and bad extensions', async () => {
		const reply = await post('/V2/ShelfUpload', Buffer.alloc(3_000_001, 0x41));
		expectDiadocError(reply, 400, 'Shelf.PartTooLarge');
		expect((await post('/V2/ShelfUpload', Buffer.alloc(3_000_000, 0x41))).status).toBe(200);
		expectDiadocError(await post('/V2/ShelfUpload', Buffer.from('x'), null), 415, 'Http.UnsupportedMediaType');
		expectDiadocError(await post('/V2/ShelfUpload', Buffer.from('x'), 'text/plain'), 415, 'Http.UnsupportedMediaType');
		expectDiadocError(await post('/V2/ShelfUpload?fileExtension=xml', 'x'), 400, 'Http.BadRequest');
		expectDiadocError(await post('/V2/ShelfUpload', ''), 400, 'Http.BadRequest');
	});

	it('uploads in 3 parts, lists missing parts, then signs the joined file', async () => {
		const parts = [Buffer.from('<part0/>'), Buffer.from('<part1/>'), Buffer.from('<part2/>')];
		const name = (await post('/ShelfUploadPartInit?fileExtension=.xml&isLastPart=false', parts[0])).text;
		const last = await post(`/ShelfUploadPart?fileName=${name}&partIndex=2&isLastPart=true`, parts[2]);
		expect({ status: last.status, type: header(last, 'content-type'), missing: last.json() }).toEqual({
			status: 200,
			type: expect.stringMatching(/^application\/json/),
			missing: [1],
		});
		expectDiadocError(await download(name), 404, 'Shelf.FileNotFound');
		const resent = await post(`/ShelfUploadPart?fileName=${name}&partIndex=1&isLastPart=true`, parts[1].toString('base64'), 'base64');
		expect(resent.json()).toEqual([]);
		const joined = Buffer.concat(parts);
		expect((await download(name)).bytes.equals(joined)).toBe(true);

		expectDiadocError(await post(`/ShelfUploadPart?fileName=${name}&partIndex=3&isLastPart=true`, 'x'), 400, 'Shelf.UploadCompleted');
		expectDiadocError(await post('/ShelfUploadPart?fileName=api-unknown&partIndex=1', 'x'), 400, 'Shelf.FileNotFound');
		const other = (await post('/ShelfUploadPartInit', 'p0')).text;
		expectDiadocError(await post(`/ShelfUploadPart?fileName=${other}&partIndex=0`, 'x'), 400, 'Http.BadRequest');
		expect((await post(`/ShelfUploadPart?fileName=${other}&partIndex=1`, 'p1')).text).toBe('');

		diadoc.configureDss({ pollsInProgress: 0 });
		const started = await call(`/diadoc/DssSign?boxId=${SANDBOX_BOX_ID}`, { json: { Files: [{ Content: { NameOnShelf: name } }] }, auth });
		const done = (await call(`/diadoc/DssSignResult?boxId=${SANDBOX_BOX_ID}&taskId=${started.json().TaskId}`, { auth, headers: { accept: 'application/json' } })).json();
		expect(opensslVerifiesDss(Buffer.from(done.FileSigningResults[0].Signature, 'base64'), joined)).toBe(true);
	});

	it('keeps files for 7 days on the sandbox clock and per user', async () => {
		const name = (await post('/V2/ShelfUpload', 'x')).text;
		const otherUser = diadoc.addUser({ login: 'other@example.com', password: 'pw' });
		const otherToken = diadoc.issueToken({ login: otherUser.login });
		expectDiadocError(await call(`/diadoc/V2/ShelfDownload?fileName=${name}`, { auth: legacyHeader(otherToken) }), 404, 'Shelf.FileNotFound');
		server.clock.advance(7 * 24 * 3600_000 + 1000);
		const fresh = legacyHeader(diadoc.issueToken());
		expectDiadocError(await call(`/diadoc/V2/ShelfDownload?fileName=${name}`, { auth: fresh }), 404, 'Shelf.FileNotFound');
	});
});

describe('configuration over HTTP and registration in the sandbox', () => {
	it('takes a configuration patch, refuses invalid ones and reports state', async () => {
		const patched = await call('/diadoc/__sandbox/config', { json: { dss: { terminalStatus: 'Timeout', pollsInProgress: 0 } } });
		expect(patched.status).toBe(200);
		expect(patched.json().dss.terminalStatus).toBe('Timeout');
		const invalid = await call('/diadoc/__sandbox/config', { json: { dss: { terminalStatus: 'Later' } } });
		expect(invalid.status).toBe(400);
		const typo = await call('/diadoc/__sandbox/config', { json: { certificates: { ['A'.repeat(40)]: { requireProf: false } } } });
		expect(typo.status).toBe(400);
		expect((await call('/diadoc/__sandbox/config')).json().dss.terminalStatus).toBe('Timeout');

		const { token } = (await call('/diadoc/__sandbox/tokens', { json: { kind: 'legacy' } })).json();
		const started = await call(`/diadoc/DssSign?boxId=${SANDBOX_BOX_ID}`, { json: { Files: [{ Content: { Content: 'YQ==' } }] }, auth: legacyHeader(token) });
		const done = await call(`/diadoc/DssSignResult?boxId=${SANDBOX_BOX_ID}&taskId=${started.json().TaskId}`, {
			auth: legacyHeader(token),
			headers: { accept: 'application/json' },
		});
		expect(done.json().OperationStatus).toBe('Timeout');
		const state = (await call('/diadoc/__sandbox/state')).json();
		expect(state.dssTasks).toEqual([expect.objectContaining({ taskId: started.json().TaskId, polls: 1, files: [{ kind: 'Content', size: 1 }] })]);

		const pem = await call('/diadoc/__sandbox/dss-certificate');
		expect(pem.text).toBe(diadoc.dssCertificate.pem);
		const der = await call('/diadoc/__sandbox/dss-certificate?format=der');
		expect(thumbprintOf(der.bytes)).toBe(diadoc.dssCertificate.thumbprint);
	});

	it('is registered at /diadoc and describes its defaults', () => {
		expect(emulators.some((entry) => entry.prefix === '/diadoc' && entry.create().name === 'diadoc')).toBe(true);
		const text = diadoc.describe(base);
		for (const expected of [SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_LOGIN, SANDBOX_PASSWORD, SANDBOX_BOX_ID, diadoc.dssCertificate.thumbprint, `${base}/diadoc/identity`]) {
			expect(text).toContain(expected);
		}
	});
});
