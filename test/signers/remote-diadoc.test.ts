/**
 * The Diadoc node with "EDO Remote Signer" against the sandbox (Diadoc emulator + the software-key signer):
 * registration with the ownership proof signed remotely (checked by the emulator and by `openssl cms -verify`)
 * and the certificate login, whose CMS envelope is decrypted through x-edo/decrypt.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { DiadocApi } from '../../credentials/DiadocApi.credentials';
import { EdoRemoteSigner } from '../../credentials/EdoRemoteSigner.credentials';
import { clearRemoteSignerCaches } from '../../lib/signers/remote';
import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';
import { clearTokenCache } from '../../nodes/Diadoc/transport/tokenCache';
import { mountAllEmulators, SandboxServer } from '../../sandbox';
import { SANDBOX_BOX_ID, SANDBOX_CLIENT_ID, SANDBOX_LOGIN, SANDBOX_PASSWORD, type DiadocEmulator } from '../../sandbox/emulators/diadoc';
import { DEFAULT_SIGNER_PIN, DEFAULT_SIGNER_TOKEN, SIGNER_CREDENTIAL_IDS, type SignerEmulator } from '../../sandbox/emulators/signer';
import { runNode } from '../harness';
import { opensslVerify, writeTemp } from '../helpers/pki';
import { expectNoSecret } from './fixture';

const node = new Diadoc();
const server = new SandboxServer();
const mounted = mountAllEmulators(server);
const diadoc = mounted.get('/diadoc') as DiadocEmulator;
const signer = mounted.get('/signer') as SignerEmulator;
let rsaThumbprint: string;
let rsaCertPath: string;

beforeAll(async () => {
	await server.start();
	const keystore = await signer.ready();
	const rsa = (await keystore.list()).find((credential) => credential.id === SIGNER_CREDENTIAL_IDS.rsa);
	if (!rsa) throw new Error('the sandbox signer has no RSA credential');
	rsaThumbprint = rsa.certificate.thumbprint;
	rsaCertPath = writeTemp('remote-rsa.pem', rsa.certificate.pem);
});
afterAll(async () => await server.stop());
beforeEach(() => {
	server.reset();
	clearTokenCache();
	clearRemoteSignerCaches();
});

const remoteCredential = (overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => ({
	baseUrl: `${server.baseUrl}/signer/csc/v2`,
	authentication: 'bearer',
	accessToken: DEFAULT_SIGNER_TOKEN,
	credentialId: SIGNER_CREDENTIAL_IDS.rsa,
	certificateThumbprint: '',
	pin: DEFAULT_SIGNER_PIN,
	otp: '',
	timeoutSeconds: 5,
	customTls: false,
	...overrides,
});
const diadocApi = (overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => ({
	baseUrl: `${server.baseUrl}/diadoc`,
	apiClientId: SANDBOX_CLIENT_ID,
	authMethod: 'password',
	login: SANDBOX_LOGIN,
	password: SANDBOX_PASSWORD,
	...overrides,
});
const signerCalls = (method: string) => server.requests.filter((request) => request.path === `/signer/csc/v2/${method}`);

async function run(parameters: IDataObject, credentials: Record<string, ICredentialDataDecryptedObject>, items = 1) {
	return await runNode(node, {
		parameters: { authentication: 'diadocAuth', ...parameters },
		credentials,
		credentialTypes: [new DiadocApi(), new EdoRemoteSigner()],
		items: Array.from({ length: items }, (_unused, index) => ({ binary: { data: { data: Buffer.from(`document ${index}`), fileName: `d${index}.xml` } } })),
	});
}

describe('Diadoc with the remote signer', () => {
	it('registers with an ownership proof signed remotely (RegisterConfirm)', async () => {
		diadoc.configureCertificate(rsaThumbprint, { requireProof: true, inProgressCalls: 0, final: 'RegistrationIsCompleted' });
		const { output, error } = await run(
			{ resource: 'registration', operation: 'registerWithProof', signer: 'edoRemoteSigner', certificateSource: 'signer', pollInterval: 0.01, timeout: 10 },
			{ diadocApi: diadocApi(), edoRemoteSigner: remoteCredential() },
		);
		expect(error).toBeUndefined();
		expect(output[0][0].json).toMatchObject({ RegistrationStatus: 'RegistrationIsCompleted', BoxId: SANDBOX_BOX_ID });
		expect(diadoc.snapshot().confirmations[0]).toMatchObject({ accepted: true, detached: true, signerThumbprints: [rsaThumbprint] });
		const confirm = server.requests.find((request) => request.path.endsWith('/RegisterConfirm'))?.json as { DataToSign: string; Signature: string };
		expect(opensslVerify(Buffer.from(confirm.Signature, 'base64'), Buffer.from(confirm.DataToSign, 'base64'), rsaCertPath).ok).toBe(true);
		expect(signerCalls('signatures/signHash')).toHaveLength(1);
	});

	it('logs in with the certificate: the envelope is decrypted remotely, once for several items', async () => {
		diadoc.configureDss({ pollsInProgress: 0 });
		const parameters = { resource: 'dss', operation: 'signAndWait', boxId: SANDBOX_BOX_ID, pollInterval: 0.01, timeout: 5, signer: 'edoRemoteSigner' };
		const { output, error } = await run(parameters, { diadocApi: diadocApi({ authMethod: 'certificate' }), edoRemoteSigner: remoteCredential() }, 2);
		expect(error).toBeUndefined();
		expect(output[0]).toHaveLength(2);
		expect(diadoc.snapshot().certificateAuthentications).toEqual([
			{ thumbprint: rsaThumbprint, phase: 'authenticate', ok: true },
			{ thumbprint: rsaThumbprint, phase: 'confirm', ok: true, saveBinding: false },
		]);
		expect(signerCalls('x-edo/decrypt')).toHaveLength(1);
		expect(signerCalls('credentials/authorize')).toHaveLength(1);
	});

	it('reports a wrong PIN of the remote signer clearly, without secrets', async () => {
		const parameters = { resource: 'dss', operation: 'signAndWait', boxId: SANDBOX_BOX_ID, pollInterval: 0.01, timeout: 5, signer: 'edoRemoteSigner' };
		const { error } = await run(parameters, { diadocApi: diadocApi({ authMethod: 'certificate' }), edoRemoteSigner: remoteCredential({ pin: '98765' }) });
		expect(`${error?.message} ${error?.description}`).toMatch(/refused the PIN or OTP of credential "sandbox-rsa"/);
		expectNoSecret({ message: error?.message, description: error?.description }, ['98765', DEFAULT_SIGNER_PIN, DEFAULT_SIGNER_TOKEN, SANDBOX_PASSWORD]);
	});

	it('offers the remote signer wherever the node has a signer, with its credential test', () => {
		const signerFields = node.description.properties.filter((property) => property.name === 'signer');
		expect(signerFields).toHaveLength(2);
		for (const field of signerFields) expect(field.options?.map((option) => (option as { value: string }).value)).toContain('edoRemoteSigner');
		expect(node.description.credentials?.find((entry) => entry.name === 'edoRemoteSigner')).toMatchObject({
			testedBy: 'edoRemoteSignerTest',
			displayOptions: { show: { signer: ['edoRemoteSigner'] } },
		});
		expect(typeof node.methods.credentialTest.edoRemoteSignerTest).toBe('function');
	});
});
