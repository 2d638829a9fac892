/**
 * End to end with keys on a SoftHSM2 token: the EDO Crypto node with "EDO Remote Signer" against the PKCS#11
 * endpoint (signer/server.ts over Pkcs11Keystore, HTTPS with its own CA, OAuth2 client credentials), started
 * in a child process by test/signer/pkcs11-fixture.ts because SoftHSM reads SOFTHSM2_CONF from the real
 * environment. Signatures with the chain verify with openssl against the token's test CA. Skipped locally
 * when softhsm2, opensc or the pkcs11js addon is missing (like test/signer/pkcs11-mode.test.ts).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { EdoRemoteSigner } from '../../credentials/EdoRemoteSigner.credentials';
import { clearRemoteSignerCaches } from '../../lib/signers/remote';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { runNode } from '../harness';
import { openssl, opensslVerify } from '../helpers/pki';
import { expectNoSecret } from './fixture';

const MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'].find((path) =>
	existsSync(path),
);

function missingPrerequisite(): string | undefined {
	if (!MODULE) return 'libsofthsm2.so (apt-get install -y softhsm2)';
	try {
		execFileSync('pkcs11-tool', ['--help'], { stdio: 'ignore' });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'pkcs11-tool (apt-get install -y opensc)';
	}
	try {
		require('pkcs11js');
	} catch {
		return 'the pkcs11js addon';
	}
	return undefined;
}

const missing = missingPrerequisite();
if (missing && !process.env.CI) console.warn(`PKCS#11 remote signer node test skipped: ${missing} is missing`);
const describeToken = missing && !process.env.CI ? describe.skip : describe;

const CLIENT = { clientId: 'hsm-node-client', clientSecret: 'hsm-node-secret' };
const PIN = '5678';
const ROOT = join(__dirname, '../..');

describeToken('EDO Crypto node with the remote signer over a SoftHSM2 token', () => {
	let dir: string;
	let child: ChildProcess;
	let apiUrl: string;
	let ca: string;

	beforeAll(async () => {
		if (missing) throw new Error(`the PKCS#11 test needs ${missing}`);
		dir = mkdtempSync(join(tmpdir(), 'edo-softhsm-node-'));
		execFileSync('bash', [join(ROOT, 'scripts/softhsm-init.sh'), dir], {
			env: { ...process.env, USER_PIN: PIN, SOFTHSM_MODULE: MODULE },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child = fork(join(ROOT, 'test/signer/pkcs11-fixture.ts'), [], {
			cwd: ROOT,
			execArgv: ['-r', 'ts-node/register/transpile-only'],
			env: { ...process.env, SOFTHSM2_CONF: join(dir, 'softhsm2.conf'), FIXTURE_MODULE: MODULE, FIXTURE_CLIENT_ID: CLIENT.clientId, FIXTURE_CLIENT_SECRET: CLIENT.clientSecret },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const ready = await new Promise<{ apiUrl: string; ca: string; failed?: string }>((resolve, reject) => {
			child.on('message', (message: { ready?: boolean; failed?: string; apiUrl: string; ca: string }) => {
				if (message.ready || message.failed) resolve(message);
			});
			child.once('exit', (code) => reject(new Error(`the signer process exited with ${code}`)));
		});
		if (ready.failed) throw new Error(`the signer process failed: ${ready.failed}`);
		({ apiUrl, ca } = ready);
	}, 60_000);

	afterAll(async () => {
		if (child?.connected) {
			await new Promise<void>((resolve) => {
				child.once('exit', () => resolve());
				child.send({ id: 1, command: 'stop' });
			});
		}
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	beforeEach(() => clearRemoteSignerCaches());

	const credential = (overrides: Record<string, unknown> = {}) => ({
		baseUrl: apiUrl,
		authentication: 'oauth2ClientCredentials',
		clientId: CLIENT.clientId,
		clientSecret: CLIENT.clientSecret,
		scope: 'service',
		clientAuthentication: 'header',
		credentialId: 'edo-rsa',
		certificateThumbprint: '',
		pin: PIN,
		otp: '',
		cscVersion: 'auto',
		fieldCasing: 'camel',
		timeoutSeconds: 20,
		customTls: true,
		caCertificate: ca,
		...overrides,
	});

	async function run(parameters: INodeParameters, overrides: Record<string, unknown> = {}, items = 1) {
		return await runNode(new EdoCrypto(), {
			parameters: { signerSource: 'edoRemoteSigner', ...parameters },
			credentials: { edoRemoteSigner: credential(overrides) },
			credentialTypes: [new EdoRemoteSigner()],
			items: Array.from({ length: items }, (_unused, index) => ({ json: { text: `signed on the token #${index}` } })),
		});
	}

	it('signs items on the token (RSA by id, ECDSA by thumbprint); the CMS with the chain verifies against the CA', async () => {
		const rsa = await run({ operation: 'sign', dataSource: 'text', text: '={{ $json.text }}' }, {}, 2);
		expect(rsa.error).toBeUndefined();
		rsa.output[0].forEach((item, index) => {
			const signature = Buffer.from(item.json.signature as string, 'base64');
			expect(opensslVerify(signature, Buffer.from(`signed on the token #${index}`), join(dir, 'ca.pem')).ok).toBe(true);
		});
		const ecThumbprint = openssl(['x509', '-in', join(dir, 'edo-ec.pem'), '-noout', '-fingerprint', '-sha1']).toString().replace(/^.*=/, '').replace(/[:\s]/g, '');
		const ec = await run({ operation: 'sign', dataSource: 'text', text: 'ecdsa on the token', hashAlgorithm: 'SHA-384' }, { credentialId: '', certificateThumbprint: ecThumbprint });
		expect(ec.error).toBeUndefined();
		expect(ec.output[0][0].json.signerThumbprint).toBe(ecThumbprint);
		expect(opensslVerify(Buffer.from(ec.output[0][0].json.signature as string, 'base64'), Buffer.from('ecdsa on the token'), join(dir, 'ca.pem')).ok).toBe(true);
	});

	it('decrypts an envelope with the token key', async () => {
		const envelope = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes256', '-recip', join(dir, 'edo-rsa.pem')], 'token-held secret');
		const result = await run({ operation: 'decrypt', envelopeSource: 'field', envelope: envelope.toString('base64'), outputFormat: 'text', outputField: 'plain' });
		expect(result.error).toBeUndefined();
		expect(result.output[0][0].json.plain).toBe('token-held secret');
	});

	it('reports a wrong PIN clearly and without secrets', async () => {
		const result = await run({ operation: 'sign', dataSource: 'text', text: 'x' }, { pin: '0000' });
		expect(result.error?.message).toMatch(/refused the PIN or OTP of credential "edo-rsa"/);
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, [PIN, '0000', CLIENT.clientSecret]);
	});
});
