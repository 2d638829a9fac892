/**
 * End to end with keys on a SoftHSM2 token: the EDO Crypto node with "EDO Remote Signer" against the PKCS#11
 * endpoint (signer/server.ts over Pkcs11Keystore, HTTPS with its own CA, OAuth2 client credentials), started
 * in a child process by test/signer/pkcs11-fixture.ts because SoftHSM reads SOFTHSM2_CONF from the real
 * environment. Signatures with the chain verify with openssl against the token's test CA. Skipped locally
 * when softhsm2, opensc or the pkcs11js addon is missing (like test/signer/pkcs11-mode.test.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { EdoRemoteSigner } from '../../credentials/EdoRemoteSigner.credentials';
import { clearRemoteSignerCaches } from '../../lib/signers/remote';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { runNode } from '../harness';
import { openssl, opensslVerify } from '../helpers/pki';
import { describeWithToken, launchPkcs11Signer, missingPkcs11Prerequisite } from '../helpers/softhsm';
import { expectNoSecret } from './fixture';

const missing = missingPkcs11Prerequisite();
const describeToken = describeWithToken(missing, 'PKCS#11 remote signer node test');

const CLIENT = { clientId: 'hsm-node-client', clientSecret: 'hsm-node-secret' };
const PIN = '5678';

describeToken('EDO Crypto node with the remote signer over a SoftHSM2 token', () => {
	let dir: string;
	let child: ChildProcess;
	let apiUrl: string;
	let ca: string;

	beforeAll(async () => {
		if (missing) throw new Error(`the PKCS#11 test needs ${missing}`);
		const signer = launchPkcs11Signer({ pin: PIN, client: CLIENT, tempPrefix: 'edo-softhsm-node-' });
		({ dir, child } = signer);
		({ apiUrl, ca } = await signer.ready);
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
