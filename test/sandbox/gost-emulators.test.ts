/**
 * GOST in the sandbox: demo identities with GOST R 34.10-2012 keys (our key generation and certificate writer,
 * checked by OpenSSL's GOST engine), emulators that accept GOST signatures (Transcrypt login, Diadoc
 * RegisterConfirm; they use verifyCms) and issue GOST envelopes to GOST certificates (Taxcom CertificateLogin,
 * Diadoc certificate authentication; they use encryptCms), each envelope opened by `openssl cms -decrypt`.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';

import { loadCertificate } from '../../lib/crypto/certificate';
import { decryptCms } from '../../lib/crypto/cms/decrypt';
import { verifyCms } from '../../lib/crypto/cms/verify';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { loadPrivateKey } from '../../lib/crypto/privateKey';
import { createDiadocEmulator, SANDBOX_BOX_ID, SANDBOX_CLIENT_ID, SANDBOX_LOGIN, SANDBOX_PASSWORD } from '../../sandbox/emulators/diadoc';
import { createTaxcomEmulator, DEFAULT_TAXCOM_INTEGRATOR_ID } from '../../sandbox/emulators/taxcom';
import { createTranscryptEmulator, DEFAULT_TRANSCRYPT_APP_ID, DEFAULT_TRANSCRYPT_APP_INSTANCE } from '../../sandbox/emulators/transcrypt';
import { createDemoIdentity, type DemoIdentity } from '../../sandbox/identities';
import { SandboxServer } from '../../sandbox/server';
import { gostOpenssl, gostOpensslStatus, gostTempPath } from '../helpers/gost-openssl';
import { writeTemp } from '../helpers/pki';

interface Reply {
	status: number;
	body: Buffer;
	text: string;
	json<T = any>(): T;
}

interface Files {
	certPath: string;
	keyPath: string;
}

function filesOf(identity: DemoIdentity): Files {
	return { certPath: writeTemp('demo-gost.cert.pem', identity.certificatePem), keyPath: writeTemp('demo-gost.key.pem', identity.privateKeyPem) };
}

function opensslDecrypt(envelope: Buffer, files: Files): Buffer {
	return gostOpenssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', writeTemp('emulator-env.der', envelope), '-inkey', files.keyPath, '-recip', files.certPath]);
}

function opensslSign(data: Buffer, files: Files, digest: string): Buffer {
	return gostOpenssl(['cms', '-sign', '-binary', '-md', digest, '-in', writeTemp('emulator-data.bin', data), '-signer', files.certPath, '-inkey', files.keyPath, '-outform', 'DER']);
}

const thumbprintOf = (der: Buffer) => createHash('sha1').update(der).digest('hex').toUpperCase();

describe('GOST demo identities', () => {
	it.each([
		['GOST', 'GOST R 34.10-2012 256 (CryptoPro-A)', 'md_gost12_256'],
		['GOST-512', 'GOST R 34.10-2012 512 (TC26-512-A)', 'md_gost12_512'],
	] as const)('%s: OpenSSL verifies the self-signed certificate, reads the key, and checks a signature made with it', async (keyType, description, digest) => {
		const identity = await createDemoIdentity({ keyType, inn: '7707083893' });
		const files = filesOf(identity);
		expect(gostOpensslStatus(['verify', '-CAfile', files.certPath, files.certPath]).ok).toBe(true);
		// The key is the certificate's: OpenSSL derives the same public key from it.
		const fromKey = gostOpenssl(['pkey', '-in', files.keyPath, '-pubout', '-outform', 'DER']);
		const fromCertificate = gostOpenssl(['x509', '-in', files.certPath, '-noout', '-pubkey']);
		expect(gostOpenssl(['pkey', '-pubin', '-outform', 'DER'], fromCertificate).equals(fromKey)).toBe(true);
		const certificate = loadCertificate(identity.certificatePem);
		expect(certificate.info()).toMatchObject({ keyAlgorithm: description, innLe: '7707083893', ogrn: '1027700132195', snils: '11223344595', warnings: [] });
		expect(identity.thumbprint).toBe(thumbprintOf(identity.certificateDer));
		// What the demo signs, OpenSSL verifies; what OpenSSL signs with the demo key, we verify.
		const signer = createLocalSigner({ certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem });
		const data = Buffer.from('демо');
		const ours = await signer.sign(data);
		const verified = gostOpensslStatus([
			'cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('demo-sig.der', ours), '-content', writeTemp('demo-data.bin', data),
			'-CAfile', files.certPath, '-purpose', 'any', '-out', gostTempPath('demo.out'),
		]);
		expect(verified.ok).toBe(true);
		expect(verifyCms(opensslSign(data, files, digest), data).valid).toBe(true);
	});
});

describe('emulators with GOST certificates', () => {
	const server = new SandboxServer();
	const transcrypt = createTranscryptEmulator();
	const taxcom = createTaxcomEmulator();
	const diadoc = createDiadocEmulator();
	const agent = new Agent();
	let base: string;
	let gost256: DemoIdentity;
	let gost512: DemoIdentity;

	beforeAll(async () => {
		server.mount('/transcrypt', transcrypt);
		server.mount('/taxcom', taxcom);
		server.mount('/diadoc', diadoc);
		base = await server.start();
		gost256 = await createDemoIdentity({ keyType: 'GOST' });
		gost512 = await createDemoIdentity({ keyType: 'GOST-512', commonName: 'Петров Пётр Петрович' });
	});
	afterAll(async () => {
		await agent.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	async function call(path: string, options: { method?: string; body?: Buffer | string; json?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
		const headers: Record<string, string> = { ...options.headers };
		let body = options.body;
		if (options.json !== undefined) {
			body = JSON.stringify(options.json);
			headers['content-type'] ??= 'application/json; charset=utf-8';
			headers.accept ??= 'application/json';
		}
		const response = await request(`${base}${path}`, { method: (options.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET', headers, body, dispatcher: agent });
		const bytes = Buffer.from(await response.body.arrayBuffer());
		return { status: response.statusCode, body: bytes, text: bytes.toString('utf8'), json: () => JSON.parse(bytes.toString('utf8')) };
	}

	describe('Transcrypt: detached-signature login', () => {
		const login = (secret: string, signature: Buffer) =>
			call('/transcrypt/api/v2/auth/detachedsignature', {
				json: { Secret: secret, Signature: signature.toString('base64'), AppInfo: { AppId: DEFAULT_TRANSCRYPT_APP_ID, AppInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE } },
			});
		const secret = async () => (await call('/transcrypt/api/v2/auth/secret')).json().Secret as string;

		it.each(['256', '512'] as const)('accepts GOST-%s signatures by our signer and by OpenSSL, refuses one over other data', async (size) => {
			const identity = size === '256' ? gost256 : gost512;
			const signer = createLocalSigner({ certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem });
			const first = await secret();
			const ours = await login(first, await signer.sign(Buffer.from(first, 'utf8')));
			expect(ours.status).toBe(200);
			expect(ours.json().Token).toBeTruthy();
			const second = await secret();
			const theirs = await login(second, opensslSign(Buffer.from(second, 'utf8'), filesOf(identity), size === '256' ? 'md_gost12_256' : 'md_gost12_512'));
			expect(theirs.status).toBe(200);
			const third = await secret();
			expect((await login(third, await signer.sign(Buffer.from(`${third}!`, 'utf8')))).status).toBe(401);
		});
	});

	describe('Taxcom: CertificateLogin', () => {
		it.each(['256', '512'] as const)('answers a GOST envelope to a GOST-%s certificate that OpenSSL and decryptCms open', async (size) => {
			const identity = size === '256' ? gost256 : gost512;
			const reply = await call('/taxcom/v1.3/API/CertificateLogin', {
				body: identity.certificateDer,
				headers: { 'content-type': 'application/octet-stream', 'integrator-id': DEFAULT_TAXCOM_INTEGRATOR_ID },
			});
			expect(reply.status).toBe(200);
			const token = opensslDecrypt(reply.body, filesOf(identity)).toString('ascii');
			expect(token).toMatch(/^[0-9A-F]{256}$/);
			expect(taxcom.sessions()).toEqual([expect.objectContaining({ token, kind: 'certificate' })]);
			const opened = decryptCms(reply.body, { certificateDer: identity.certificateDer, key: loadPrivateKey(identity.privateKeyPem) });
			expect(opened.toString('ascii')).toBe(token);
			// GOST 28147-89 content, as the sandbox issues by default to GOST certificates.
			expect(gostOpenssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('taxcom-env.der', reply.body)]).toString()).toMatch(/GOST 28147-89/);
		});
	});

	describe('Diadoc', () => {
		const clientAuth = `DiadocAuth ddauth_api_client_id=${SANDBOX_CLIENT_ID}`;

		it('authenticates by a GOST certificate: the envelope opens with OpenSSL and confirms the login', async () => {
			const envelope = await call('/diadoc/V3/Authenticate?type=certificate', {
				body: gost512.certificateDer,
				headers: { 'content-type': 'application/octet-stream', authorization: clientAuth },
			});
			expect(envelope.status).toBe(200);
			const secret = opensslDecrypt(envelope.body, filesOf(gost512)).toString('base64');
			const confirmed = await call(
				`/diadoc/V3/AuthenticateConfirm?token=${encodeURIComponent(secret)}&thumbprint=${gost512.thumbprint}&saveBinding=false`,
				{ method: 'POST', headers: { authorization: clientAuth } },
			);
			expect(confirmed.status).toBe(200);
			expect(confirmed.text.length).toBeGreaterThan(10);
		});

		it('confirms a registration with GOST signatures (ours and OpenSSL\'s) and refuses one over other data', async () => {
			const password = await call('/diadoc/V3/Authenticate?type=password', {
				json: { login: SANDBOX_LOGIN, password: SANDBOX_PASSWORD },
				headers: { authorization: clientAuth },
			});
			const auth = `DiadocAuth ddauth_api_client_id=${SANDBOX_CLIENT_ID},ddauth_token=${password.text}`;
			for (const [identity, by] of [
				[gost256, 'ours'],
				[gost512, 'openssl'],
			] as const) {
				const reference = { Thumbprint: identity.thumbprint };
				const registered = await call('/diadoc/Register', { json: reference, headers: { authorization: auth } });
				expect(registered.json()).toMatchObject({ RegistrationStatus: 'CertificateOwnershipProofIsRequired', BoxId: SANDBOX_BOX_ID });
				const dataToSign = registered.json().DataToSign as string;
				const data = Buffer.from(dataToSign, 'base64');
				const signer = createLocalSigner({ certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem });
				const bad = await call('/diadoc/RegisterConfirm', {
					json: { ...reference, DataToSign: dataToSign, Signature: (await signer.sign(Buffer.from('other data'))).toString('base64') },
					headers: { authorization: auth },
				});
				expect(bad.status).toBe(400);
				const signature = by === 'ours' ? await signer.sign(data) : opensslSign(data, filesOf(identity), 'md_gost12_512');
				const confirmed = await call('/diadoc/RegisterConfirm', {
					json: { ...reference, DataToSign: dataToSign, Signature: signature.toString('base64') },
					headers: { authorization: auth },
				});
				expect({ status: confirmed.status, body: confirmed.text }).toEqual({ status: 200, body: '' });
			}
		});
	});
});
