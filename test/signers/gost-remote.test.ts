/**
 * The remote signer with GOST R 34.10-2012 credentials (software keys from OpenSSL's GOST engine in the sandbox
 * signer endpoint): the CMS is built here with Streebog hashing of the signed attributes, signHash gets the GOST
 * OIDs, the s || r value goes into the CMS; OpenSSL verifies. Decryption of the engine's GOST envelopes goes
 * through x-edo/decrypt. The nodes (EDO Crypto, Transcrypt, Taxcom) work with such a credential too.
 */
import type { INodeParameters } from 'n8n-workflow';

import { EdoRemoteSigner } from '../../credentials/EdoRemoteSigner.credentials';
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { TranscryptApi } from '../../credentials/TranscryptApi.credentials';
import { readDer } from '../../lib/crypto/encoding';
import { hashContent } from '../../lib/crypto/hash';
import { clearRemoteSignerCaches, RemoteSigner } from '../../lib/signers/remote';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { taxcomSessions } from '../../nodes/Taxcom/transport/sessions';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';
import { transcryptTokens } from '../../nodes/Transcrypt/transport/tokens';
import { createSignerEmulator, DEFAULT_SIGNER_TOKEN } from '../../sandbox/emulators/signer';
import { createTaxcomEmulator, DEFAULT_TAXCOM_INTEGRATOR_ID, type TaxcomEmulator } from '../../sandbox/emulators/taxcom';
import { createTranscryptEmulator, DEFAULT_TRANSCRYPT_APP_ID, DEFAULT_TRANSCRYPT_APP_INSTANCE, type TranscryptEmulator } from '../../sandbox/emulators/transcrypt';
import { SandboxServer } from '../../sandbox/server';
import { SoftwareKeystore } from '../../signer/softwareKeystore';
import { runNode } from '../harness';
import { createGostIdentity, gostOpenssl, gostOpensslStatus, gostTempPath, type GostTestIdentity } from '../helpers/gost-openssl';
import { RUSSIAN_SUBJECT, writeTemp } from '../helpers/pki';

const PIN = '4711-pin';
const gost256 = createGostIdentity('gost2012_256', 'A', { subject: RUSSIAN_SUBJECT });
const gost512 = createGostIdentity('gost2012_512', 'C', { subject: RUSSIAN_SUBJECT });
const IDS = { 'gost-256': gost256, 'gost-512': gost512 } as const;

const server = new SandboxServer();
const transcrypt: TranscryptEmulator = createTranscryptEmulator();
const taxcom: TaxcomEmulator = createTaxcomEmulator();
const signerEmulator = createSignerEmulator({
	keystore: new SoftwareKeystore({
		pin: PIN,
		credentials: Object.entries(IDS).map(([id, identity]) => ({ id, certificate: identity.certPem, privateKey: identity.keyPem })),
	}),
	pin: PIN,
});
server.mount('/signer', signerEmulator);
server.mount('/transcrypt', transcrypt);
server.mount('/taxcom', taxcom);

beforeAll(async () => {
	await server.start();
	await signerEmulator.ready();
});
afterAll(async () => await server.stop());
beforeEach(() => {
	server.reset();
	clearRemoteSignerCaches();
	transcryptTokens.clear();
	taxcomSessions.clear();
});

const settings = (credentialId: keyof typeof IDS) => ({
	baseUrl: `${server.baseUrl}/signer/csc/v2`,
	auth: { type: 'bearer' as const, token: DEFAULT_SIGNER_TOKEN },
	credentialId,
	pin: PIN,
	timeoutMs: 5_000,
});

const remoteCredential = (credentialId: keyof typeof IDS) => ({
	baseUrl: `${server.baseUrl}/signer/csc/v2`,
	authentication: 'bearer',
	accessToken: DEFAULT_SIGNER_TOKEN,
	credentialId,
	certificateThumbprint: '',
	pin: PIN,
	otp: '',
	cscVersion: 'auto',
	fieldCasing: 'camel',
	timeoutSeconds: 5,
	customTls: false,
});

function opensslVerifies(signature: Buffer, content: Buffer | undefined, identity: GostTestIdentity): boolean {
	const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('remote-gost.sig', signature), '-CAfile', identity.certPath, '-purpose', 'any'];
	if (content) args.push('-content', writeTemp('remote-gost.bin', content));
	return gostOpensslStatus([...args, '-out', gostTempPath('remote-gost.out')]).ok;
}

function signHashBodies(): Array<Record<string, unknown>> {
	return server.requests.filter((request) => request.path.endsWith('/signatures/signHash')).map((request) => request.json as Record<string, unknown>);
}

describe('RemoteSigner with GOST credentials', () => {
	it.each([
		['gost-256', '1.2.643.7.1.1.2.2', '1.2.643.7.1.1.3.2', 64],
		['gost-512', '1.2.643.7.1.1.2.3', '1.2.643.7.1.1.3.3', 128],
	] as const)('%s: signHash with the GOST OIDs over a local Streebog digest; OpenSSL verifies the CMS', async (id, hashOid, signAlgo, valueLength) => {
		const signer = await RemoteSigner.open(settings(id));
		const content = Buffer.from(`счёт-фактура для ${id}`);
		expect(signer.hashAlgorithmFor('SHA-256')).toBe(id === 'gost-256' ? 'STREEBOG-256' : 'STREEBOG-512');
		const detached = await signer.sign(content);
		expect(opensslVerifies(detached, content, IDS[id])).toBe(true);
		expect(opensslVerifies(detached, Buffer.from('другое'), IDS[id])).toBe(false);
		const attached = await signer.sign(content, { detached: false, hashAlgorithm: 'SHA-512' });
		expect(opensslVerifies(attached, undefined, IDS[id])).toBe(true);
		const [request] = signHashBodies();
		expect(request).toMatchObject({ hashAlgorithmOID: hashOid, signAlgo });
		expect(Buffer.from((request.hashes as string[])[0], 'base64')).toHaveLength(valueLength / 2);
		// SignerInfo: signatureAlgorithm id-tc26-signwithdigest, value s || r.
		const signerInfo = readDer(detached).child(1).child(0).children.at(-1)?.child(0).children ?? [];
		expect(signerInfo[4].child(0).oid).toBe(signAlgo);
		expect(signerInfo[5].bytes).toHaveLength(valueLength);
	});

	it('signs a streamed Streebog digest, refuses a SHA digest for the GOST key', async () => {
		const signer = await RemoteSigner.open(settings('gost-512'));
		const content = Buffer.alloc(100_000, 'поток ');
		const signature = await signer.signDigest(hashContent('STREEBOG-512', content), { hashAlgorithm: 'STREEBOG-512' });
		expect(opensslVerifies(signature, content, gost512)).toBe(true);
		await expect(signer.signDigest(hashContent('SHA-512', content), { hashAlgorithm: 'SHA-512' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
	});

	it.each(['gost89', 'kuznyechik-ctr-acpkm-omac'])('decrypts an OpenSSL -%s envelope through x-edo/decrypt', async (cipher) => {
		const signer = await RemoteSigner.open(settings('gost-256'));
		const envelope = gostOpenssl(['cms', '-encrypt', '-binary', `-${cipher}`, '-in', writeTemp('remote-plain.txt', 'remote token'), '-outform', 'DER', gost256.certPath]);
		expect((await signer.decrypt(envelope)).toString()).toBe('remote token');
	});
});

describe('nodes with a GOST remote signer', () => {
	const credentialTypes = [new EdoRemoteSigner(), new TranscryptApi(), new TaxcomApi()];

	it('EDO Crypto signs with Streebog through the remote signer', async () => {
		const result = await runNode(new EdoCrypto(), {
			parameters: { signerSource: 'edoRemoteSigner', operation: 'sign', dataSource: 'text', text: 'ЭДО' },
			credentials: { edoRemoteSigner: remoteCredential('gost-512') },
			credentialTypes,
		});
		if (result.error) throw new Error(`${result.error.message}: ${String(result.error.description)}`);
		const [item] = result.output[0];
		expect(item.json.hashAlgorithm).toBe('STREEBOG-512');
		expect(opensslVerifies(Buffer.from(item.json.signature as string, 'base64'), Buffer.from('ЭДО'), gost512)).toBe(true);
	});

	it('Transcrypt logs in by a remote GOST signature and Taxcom by a remote GOST decryption', async () => {
		const transcryptResult = await runNode(new Transcrypt(), {
			parameters: { operation: 'loginBySignature', secretSource: 'endpoint', signatureSource: 'edoRemoteSigner' } as INodeParameters,
			credentials: {
				edoRemoteSigner: remoteCredential('gost-256'),
				transcryptApi: {
					baseUrl: `${server.baseUrl}/transcrypt`,
					appId: DEFAULT_TRANSCRYPT_APP_ID,
					appInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE,
					login: '',
					password: '',
				},
			},
			credentialTypes,
		});
		if (transcryptResult.error) throw new Error(`${transcryptResult.error.message}: ${String(transcryptResult.error.description)}`);
		expect(transcryptResult.output[0][0].json.Token).toBe(transcrypt.sessions()[0].token);

		const taxcomResult = await runNode(new Taxcom(), {
			parameters: { signerSource: 'edoRemoteSigner', operation: 'certificateLogin' } as INodeParameters,
			credentials: {
				edoRemoteSigner: remoteCredential('gost-512'),
				taxcomApi: {
					serverUrl: `${server.baseUrl}/taxcom`,
					apiVersion: '1.3',
					integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
					cloudLogin: '',
					cloudPassword: '',
					certificateThumbprint: '',
					certificatePin: '',
					sessionLifetimeMinutes: 2,
				},
			},
			credentialTypes,
		});
		if (taxcomResult.error) throw new Error(`${taxcomResult.error.message}: ${String(taxcomResult.error.description)}`);
		expect(taxcomResult.output[0][0].json.assistantKey).toBe(taxcom.sessions()[0].token);
	});
});
