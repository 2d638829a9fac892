/**
 * The remote-signing endpoint over a SoftHSM2 token (the PKCS#11 shape of a Rutoken or an HSM), served over
 * HTTPS by startSignerServer in a child process (pkcs11-fixture.ts; SoftHSM needs SOFTHSM2_CONF in the real
 * environment): keys generated on the token by scripts/softhsm-init.sh, certificates from a test CA, login with
 * the PIN given at authorize time. Also `npm run signer` itself (signer/cli.ts). Needs softhsm2, opensc and the
 * built pkcs11js addon; without them the suite is skipped locally and fails in CI.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { CmsSignedDataBuilder } from '../../lib/crypto/cms/sign';
import { openssl, opensslVerify, writeTemp } from '../helpers/pki';
import { describeWithToken, launchPkcs11Signer, missingPkcs11Prerequisite, SOFTHSM_MODULE as MODULE } from '../helpers/softhsm';
import { CscCaller, digest, OIDS, remoteSignatureProvider } from './csc-helpers';

const missing = missingPkcs11Prerequisite();
const describeToken = describeWithToken(missing, 'PKCS#11 signer tests');

const CLIENT = { clientId: 'hsm-test-client', clientSecret: 'hsm-test-secret' };
const PIN = '4321';

const ROOT = join(__dirname, '../..');
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

describeToken('remote signer over a SoftHSM2 token (PKCS#11)', () => {
	let dir: string;
	let child: ChildProcess;
	let caller: CscCaller;
	let token: string;
	let requestId = 0;
	const pending = new Map<number, (result: unknown) => void>();

	/** Sends a command to the signer process and waits for its answer. */
	function control<T = unknown>(command: string, extra: Record<string, unknown> = {}): Promise<T> {
		const id = ++requestId;
		return new Promise((resolve) => {
			pending.set(id, resolve as (result: unknown) => void);
			child.send({ id, command, ...extra });
		});
	}

	beforeAll(async () => {
		if (missing) throw new Error(`the PKCS#11 tests need ${missing}`);
		const signer = launchPkcs11Signer({
			pin: PIN,
			client: CLIENT,
			tempPrefix: 'edo-softhsm-',
			onReply: (id, result) => {
				pending.get(id)?.(result);
				pending.delete(id);
			},
		});
		({ dir, child } = signer);
		const { apiUrl, ca } = await signer.ready;
		caller = new CscCaller(apiUrl, { ca });
	});

	afterAll(async () => {
		await caller?.close();
		if (child?.connected) await control('stop');
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	beforeEach(async () => {
		token = await caller.clientToken(CLIENT.clientId, CLIENT.clientSecret);
	});

	it('serves HTTPS on 127.0.0.1 and lists the token credentials with their chain', async () => {
		expect(caller.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/csc\/v2\/$/);
		const list = await caller.call('credentials/list', { credentialInfo: true, certificates: 'chain', certInfo: true }, token);
		expect(list.json.credentialIDs).toEqual(['edo-rsa', 'edo-ec']);
		const [rsa, ec] = list.json.credentialInfos;
		expect(rsa.key).toMatchObject({ status: 'enabled', len: 2048 });
		expect(ec.key).toMatchObject({ len: 256, curve: '1.2.840.10045.3.1.7' });
		expect(rsa.cert.certificates).toHaveLength(2);
		expect(rsa.cert.issuerDN).toContain('CN=EDO SoftHSM test CA');
		const caDer = openssl(['x509', '-in', join(dir, 'ca.pem'), '-outform', 'DER']);
		expect(Buffer.from(rsa.cert.certificates[1], 'base64')).toEqual(caDer);
		expect(Buffer.from(ec.cert.certificates[0], 'base64')).toEqual(openssl(['x509', '-in', join(dir, 'edo-ec.pem'), '-outform', 'DER']));
	});

	it.each([
		['edo-rsa', 'RSA', 'SHA-256'],
		['edo-rsa', 'RSA', 'SHA-384'],
		['edo-ec', 'EC', 'SHA-256'],
		['edo-ec', 'EC', 'SHA-512'],
	] as const)('%s signs on the token (%s, %s); the CMS with the chain verifies with openssl against the CA', async (id, family, hash) => {
		const info = await caller.call('credentials/info', { credentialID: id, certificates: 'chain' }, token);
		const [leaf, ...chain] = info.json.cert.certificates.map((entry: string) => Buffer.from(entry, 'base64'));
		const builder = new CmsSignedDataBuilder({ certificateDer: leaf, chainDer: chain, hashAlgorithm: hash, provider: remoteSignatureProvider(caller, token, id, family, PIN) });
		const content = Buffer.from(`signed on SoftHSM by ${id}`);
		const cms = await builder.sign(content);
		expect(opensslVerify(cms, content, join(dir, 'ca.pem')).ok).toBe(true);
		expect(opensslVerify(cms, Buffer.from('tampered'), join(dir, 'ca.pem')).ok).toBe(false);
	});

	it('signs a batch of digests under one SAD (one C_Login for the batch)', async () => {
		const hashes = ['a', 'b', 'c'].map((text) => digest('SHA-256', text));
		const sad = await caller.authorize(token, 'edo-ec', PIN, 3);
		const signed = await caller.call('signatures/signHash', { credentialID: 'edo-ec', SAD: sad, hashes: hashes.map((hash) => hash.toString('base64')), signAlgo: OIDS.ecdsaWithSha256 }, token);
		expect(signed.json.signatures).toHaveLength(3);
		signed.json.signatures.forEach((signature: string, index: number) => {
			const args = ['pkeyutl', '-verify', '-certin', '-inkey', join(dir, 'edo-ec.pem'), '-in', writeTemp('h.bin', hashes[index]), '-sigfile', writeTemp('s.der', Buffer.from(signature, 'base64'))];
			expect(openssl(args).toString()).toContain('Signature Verified Successfully');
		});
	});

	describe('x-edo/decrypt with the private-key step on the token', () => {
		const encrypt = (id: string, content: string, keyOptions: string[] = []) =>
			openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-cbc', '-recip', join(dir, `${id}.pem`), ...keyOptions], content);

		it.each([
			['RSA PKCS#1 v1.5 (C_Decrypt CKM_RSA_PKCS)', 'edo-rsa', []],
			['RSAES-OAEP SHA-1 (CKM_RSA_PKCS_OAEP)', 'edo-rsa', ['-keyopt', 'rsa_padding_mode:oaep']],
			['ECDH (C_DeriveKey CKM_ECDH1_DERIVE, KDF and unwrap in software)', 'edo-ec', []],
		])('decrypts %s', async (_name, id, keyOptions) => {
			const envelope = encrypt(id, `token ${id}`, keyOptions);
			const sad = await caller.authorize(token, id, PIN, 1);
			const answer = await caller.call('x-edo/decrypt', { credentialID: id, SAD: sad, envelope: envelope.toString('base64') }, token);
			expect(answer.status).toBe(200);
			expect(Buffer.from(answer.json.content, 'base64').toString()).toBe(`token ${id}`);
		});

		it('says which mechanism the token lacks (SoftHSM 2.6: OAEP with SHA-1 only)', async () => {
			const envelope = encrypt('edo-rsa', 'oaep256', ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256']);
			const sad = await caller.authorize(token, 'edo-rsa', PIN, 1);
			const answer = await caller.call('x-edo/decrypt', { credentialID: 'edo-rsa', SAD: sad, envelope: envelope.toString('base64') }, token);
			expect(answer.status).toBe(400);
			expect(answer.json.error_description).toBe('The token cannot decrypt RSAES-OAEP with sha256 with this key (CKR_ARGUMENTS_BAD)');
		});

		it('answers a damaged PKCS#1 v1.5 key transport with the generic failure (implicit rejection, no padding oracle)', async () => {
			const envelope = encrypt('edo-rsa', 'damaged');
			// The encrypted key is the only 256-byte OCTET STRING; flip a byte in its middle.
			const marker = envelope.indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00]));
			envelope[marker + 4 + 128] ^= 0xff;
			const sad = await caller.authorize(token, 'edo-rsa', PIN, 1);
			const answer = await caller.call('x-edo/decrypt', { credentialID: 'edo-rsa', SAD: sad, envelope: envelope.toString('base64') }, token);
			expect(answer.json).toMatchObject({ error: 'invalid_request', edoCode: 'DECRYPTION_FAILED' });
		});
	});

	describe('faults', () => {
		it('checks the PIN with C_Login: a wrong PIN is invalid_pin, three lock the credential on the server', async () => {
			const wrong = () => caller.call('credentials/authorize', { credentialID: 'edo-rsa', numSignatures: 1, PIN: '0000' }, token);
			expect((await wrong()).json).toEqual({ error: 'invalid_pin', error_description: 'The PIN is invalid (2 attempts left)' });
			await wrong();
			expect((await wrong()).json.error_description).toMatch(/now locked/);
			const right = await caller.call('credentials/authorize', { credentialID: 'edo-rsa', numSignatures: 1, PIN }, token);
			expect(right.json.error_description).toMatch(/^PIN locked/);
			await control('unlock', { credentialId: 'edo-rsa' });
			await caller.authorize(token, 'edo-rsa', PIN, 1);
		});

		it('refuses a revoked credential (by thumbprint), also with a SAD obtained before', async () => {
			const sad = await caller.authorize(token, 'edo-ec', PIN, 2);
			const credentials = await control<Array<{ id: string; thumbprint: string }>>('credentials');
			const thumbprint = credentials.find((credential) => credential.id === 'edo-ec')?.thumbprint as string;
			await control('revoke', { credentialId: thumbprint });
			const signed = await caller.call('signatures/signHash', { credentialID: 'edo-ec', SAD: sad, hashes: [digest('SHA-256', 'x').toString('base64')], signAlgo: OIDS.ecdsaWithSha256 }, token);
			expect(signed.json).toMatchObject({ error: 'invalid_request', credentialStatus: 'revoked' });
			await control('unrevoke', { credentialId: thumbprint });
			const ok = await caller.call('signatures/signHash', { credentialID: 'edo-ec', SAD: sad, hashes: [digest('SHA-256', 'x').toString('base64')], signAlgo: OIDS.ecdsaWithSha256 }, token);
			expect(ok.status).toBe(200);
		});

		it('reports an expired credential (the clock past notAfter) in credentials/info and refuses authorize', async () => {
			// A static bearer token: OAuth2 tokens expire with a 400-day jump.
			await control('clock', { offsetMs: 400 * 86_400_000 });
			try {
				expect((await caller.call('credentials/info', { credentialID: 'edo-rsa' }, 'fixture-static-token')).json.cert.status).toBe('expired');
				const refused = await caller.call('credentials/authorize', { credentialID: 'edo-rsa', numSignatures: 1, PIN }, 'fixture-static-token');
				expect(refused.json).toMatchObject({ error: 'invalid_request', credentialStatus: 'expired' });
				expect(refused.json.error_description).toMatch(/^Signing certificate '.*' is expired\.$/);
			} finally {
				await control('clock', { offsetMs: 0 });
			}
		});

		it('refuses an unknown credential id, a digest of the wrong length, and calls without a bearer', async () => {
			expect((await caller.call('credentials/info', { credentialID: 'id-99' }, token)).json.error_description).toBe('Invalid parameter credentialID');
			const sad = await caller.authorize(token, 'edo-rsa', PIN, 1);
			const short = await caller.call('signatures/signHash', { credentialID: 'edo-rsa', SAD: sad, hashes: [Buffer.alloc(31).toString('base64')], signAlgo: OIDS.sha256WithRsa }, token);
			expect(short.json.error_description).toBe('Invalid digest value length: SHA-256 digests are 32 bytes, got 31');
			expect((await caller.call('credentials/list', {})).status).toBe(401);
			const notCsc = await caller.raw('../other', { body: '{}' });
			expect(notCsc.status).toBe(404);
			expect((await caller.raw('signatures/signHash', { httpMethod: 'GET' })).status).toBe(405);
		});

		it('never logs the PIN or the SAD', async () => {
			const log = (await control<string[]>('logs')).join('\n');
			expect(log).toContain('credentials/authorize "edo-rsa" 400 invalid_pin');
			expect(log).not.toContain(PIN);
			expect(log).not.toMatch(/[A-Za-z0-9_-]{43}/);
		});
	});

	it('keeps the private keys on the token: sensitive and not extractable', () => {
		const objects = execFileSync('pkcs11-tool', ['--module', MODULE as string, '--token-label', 'edo', '--login', '--pin', PIN, '-O'], {
			env: { ...process.env, SOFTHSM2_CONF: join(dir, 'softhsm2.conf') },
		}).toString();
		const privateKeys = objects.split(/\n(?=\S)/).filter((block) => block.startsWith('Private Key Object'));
		expect(privateKeys).toHaveLength(2);
		for (const block of privateKeys) expect(block).toMatch(/sensitive.*never extractable/);
		expect(readFileSync(join(dir, 'softhsm2.conf'), 'utf8')).toContain(join(dir, 'tokens'));
	});

	it('npm run signer (signer/cli.ts) serves the token over HTTPS with a generated certificate', async () => {
		const cli = spawn(process.execPath, [...TS_NODE, 'signer/cli.ts', '--module', MODULE as string, '--slot-label', 'edo', '--port', '0', '--token', 'cli-token'], {
			cwd: ROOT,
			env: { ...process.env, SOFTHSM2_CONF: join(dir, 'softhsm2.conf') },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		try {
			let output = '';
			const banner = await new Promise<string>((resolve, reject) => {
				cli.stdout?.on('data', (chunk: Buffer) => {
					output += chunk.toString();
					if (output.includes('Decrypt extension')) resolve(output);
				});
				cli.once('exit', (code) => reject(new Error(`signer exited with ${code}: ${output}`)));
			});
			const apiUrl = /on (https:\/\/127\.0\.0\.1:\d+\/csc\/v2\/)/.exec(banner)?.[1] as string;
			const caFile = /CA file (\S+)/.exec(banner)?.[1] as string;
			expect(banner).toContain("PKCS#11 token 'edo'");
			expect(banner).toMatch(/Credentials: edo-rsa \(RSA-2048, [0-9A-F]{40}\), edo-ec \(ECDSA P-256/);
			const cliCaller = new CscCaller(apiUrl, { ca: readFileSync(caFile, 'utf8') });
			try {
				expect((await cliCaller.call('credentials/list', {}, 'cli-token')).json.credentialIDs).toEqual(['edo-rsa', 'edo-ec']);
				const sad = await cliCaller.authorize('cli-token', 'edo-rsa', PIN, 1);
				const signed = await cliCaller.call('signatures/signHash', { credentialID: 'edo-rsa', SAD: sad, hashes: [digest('SHA-256', 'cli').toString('base64')], signAlgo: OIDS.sha256WithRsa }, 'cli-token');
				expect(signed.status).toBe(200);
			} finally {
				await cliCaller.close();
			}
		} finally {
			cli.kill('SIGTERM');
		}
	});
});
