/**
 * The nodes with "EDO Remote Signer" chosen, through n8n-core's WorkflowExecute against the sandbox: EDO Crypto
 * Sign/Decrypt/Certificate Info, Transcrypt login by signature, Taxcom login and activation (cloud and
 * certificate). Signatures are checked with `openssl cms -verify`; a run of N items authorizes once; failures
 * are per-item errors without secrets; existing workflows keep the local key.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { EdoRemoteSigner } from '../../credentials/EdoRemoteSigner.credentials';
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { TranscryptApi } from '../../credentials/TranscryptApi.credentials';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { taxcomSessions } from '../../nodes/Taxcom/transport/sessions';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';
import { transcryptTokens } from '../../nodes/Transcrypt/transport/tokens';
import { DEFAULT_SIGNER_TOKEN } from '../../sandbox/emulators/signer';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
	type TaxcomEmulator,
} from '../../sandbox/emulators/taxcom';
import { createTranscryptEmulator, DEFAULT_TRANSCRYPT_APP_ID, DEFAULT_TRANSCRYPT_APP_INSTANCE, type TranscryptEmulator } from '../../sandbox/emulators/transcrypt';
import { pemCredential, readBinary, runNode, type RunNodeResult } from '../harness';
import { createIdentity, openssl, opensslVerify } from '../helpers/pki';
import { EC_ID, expectNoSecret, PIN, signerFixture } from './fixture';

/** SHA-1 fingerprint of a certificate file as openssl prints it, in the thumbprint form. */
function opensslFingerprint(certPath: string): string {
	return openssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha1']).toString().replace(/^.*=/, '').replace(/[:\s]/g, '');
}

const fixture = signerFixture();
const transcrypt: TranscryptEmulator = createTranscryptEmulator();
const taxcom: TaxcomEmulator = createTaxcomEmulator();
fixture.server.mount('/transcrypt', transcrypt);
fixture.server.mount('/taxcom', taxcom);
const credentialTypes = [new EdoCertificate(), new EdoRemoteSigner(), new TranscryptApi(), new TaxcomApi()];
const authorizeCalls = () => fixture.calls().filter((call) => call === 'credentials/authorize').length;

beforeAll(async () => await fixture.start());
afterAll(async () => await fixture.stop());
beforeEach(() => {
	fixture.reset();
	transcryptTokens.clear();
	taxcomSessions.clear();
});

function outputOf(result: RunNodeResult) {
	if (result.error) throw new Error(`node failed: ${result.error.message} (${String(result.error.description)})`);
	return result.output[0];
}

describe('EDO Crypto with the remote signer', () => {
	const node = new EdoCrypto();
	async function run(parameters: INodeParameters, options: { items?: Parameters<typeof runNode>[1]['items']; remote?: ICredentialDataDecryptedObject; continueOnFail?: boolean } = {}) {
		return await runNode(node, {
			parameters: { signerSource: 'edoRemoteSigner', ...parameters },
			credentials: { edoRemoteSigner: fixture.credential(options.remote) },
			credentialTypes,
			items: options.items,
			continueOnFail: options.continueOnFail,
		});
	}

	it('signs N items (text and a binary file) with one authorization', async () => {
		const texts = ['first', 'второй', 'third'];
		const items = outputOf(
			await run({ operation: 'sign', dataSource: 'text', text: '={{ $json.text }}' }, { items: texts.map((text) => ({ json: { text } })) }),
		);
		expect(items).toHaveLength(3);
		items.forEach((item, index) => {
			const signature = Buffer.from(item.json.signature as string, 'base64');
			expect(opensslVerify(signature, Buffer.from(texts[index]), fixture.rsa.certPath).ok).toBe(true);
			expect(item.json.signerThumbprint).toMatch(/^[0-9A-F]{40}$/);
			expect(item.json.signerSubject).toContain('Иванов Иван Иванович');
		});
		expect(authorizeCalls()).toBe(1);
		expect(fixture.requests().find((request) => request.path.endsWith('credentials/authorize'))?.json).toMatchObject({ numSignatures: 3 });

		const file = Buffer.from('%PDF-1.7 a document');
		const [signed] = outputOf(
			await run(
				{ operation: 'sign', dataSource: 'binary', binaryPropertyName: 'data', signatureType: 'detached' },
				{ items: [{ binary: { data: { data: file, fileName: 'doc.pdf' } } }], remote: { credentialId: EC_ID } },
			),
		);
		const signature = await readBinary(signed.binary?.signature);
		expect(opensslVerify(signature, file, fixture.ec.certPath).ok).toBe(true);
		expect(signed.binary?.signature.fileName).toBe('doc.pdf.sig');
	});

	it('decrypts with the remote key and describes its certificate', async () => {
		const envelope = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes256', '-recip', fixture.rsa.certPath], 'assistant-key-42');
		const [decrypted] = outputOf(
			await run({ operation: 'decrypt', envelopeSource: 'field', envelope: envelope.toString('base64'), outputFormat: 'text', outputField: 'decrypted' }),
		);
		expect(decrypted.json.decrypted).toBe('assistant-key-42');
		const [info] = outputOf(await run({ operation: 'certificateInfo', certificateSource: 'credential' }));
		expect(info.json).toMatchObject({ commonName: 'Иванов Иван Иванович', inn: '007701234567', ogrn: '1027700132195' });
		expect(info.json.thumbprint).toBe(opensslFingerprint(fixture.rsa.certPath));
	});

	it('reports a wrong PIN on every item without asking the signer again, and no secret', async () => {
		const result = await run(
			{ operation: 'sign', dataSource: 'text', text: 'x' },
			{ items: [{ json: {} }, { json: {} }, { json: {} }], remote: { pin: 'Wrong-Pin-8' }, continueOnFail: true },
		);
		const items = outputOf(result);
		expect(items).toHaveLength(3);
		for (const item of items) {
			expect(item.json.error).toMatch(/refused the PIN or OTP of credential "test-rsa"/);
			expect(item.json.code).toBe('REMOTE_SIGNER_PIN');
		}
		expectNoSecret(items, ['Wrong-Pin-8', PIN, DEFAULT_SIGNER_TOKEN]);
		expect(authorizeCalls()).toBe(1);
	});

	it('stops with a clear node error when the signer is down', async () => {
		const result = await run({ operation: 'sign', dataSource: 'text', text: 'x' }, { remote: { baseUrl: 'http://127.0.0.1:9/csc/v2' } });
		// Our wording survives n8n's rewriting of messages that carry a Node.js error code (ECONNREFUSED).
		expect(result.error?.message).toMatch(/Could not reach EDO Remote Signer .*connection refused/);
		expect(result.error?.description).toContain('EDO Remote Signer');
		expectNoSecret({ message: result.error?.message, description: result.error?.description }, [PIN, DEFAULT_SIGNER_TOKEN]);
	});

	it('keeps the local key for workflows saved before the choice existed', async () => {
		const local = createIdentity('p256');
		const result = await runNode(node, {
			parameters: { operation: 'sign', dataSource: 'text', text: 'old workflow' },
			credentials: { edoCertificate: pemCredential(local) },
			credentialTypes,
		});
		const [item] = outputOf(result);
		expect(opensslVerify(Buffer.from(item.json.signature as string, 'base64'), Buffer.from('old workflow'), local.certPath).ok).toBe(true);
		expect(fixture.calls()).toEqual([]);
	});

	it('shows each credential only for its signer', () => {
		const credentials = node.description.credentials ?? [];
		expect(credentials.find((entry) => entry.name === 'edoCertificate')?.displayOptions?.show).toEqual({ signerSource: ['edoCertificate'] });
		expect(credentials.find((entry) => entry.name === 'edoRemoteSigner')).toMatchObject({
			required: true,
			testedBy: 'edoRemoteSignerTest',
			displayOptions: { show: { signerSource: ['edoRemoteSigner'] } },
		});
		const field = node.description.properties.find((property) => property.name === 'signerSource');
		expect(field?.default).toBe('edoCertificate');
		// Hidden where no signer is needed; a `show` by operation would make n8n's editor hide Operation itself.
		expect(field?.displayOptions).toEqual({ hide: { operation: ['verify'], certificateSource: ['field', 'binary'] } });
	});
});

describe('Transcrypt login by signature with the remote signer', () => {
	const node = new Transcrypt();

	it('signs the Secret remotely and logs in', async () => {
		const secret = transcrypt.issueSecret();
		const result = await runNode(node, {
			parameters: { operation: 'loginBySignature', secret, signatureSource: 'edoRemoteSigner', options: { includeSignature: true } },
			credentials: {
				transcryptApi: { baseUrl: `${fixture.server.baseUrl}/transcrypt`, appId: DEFAULT_TRANSCRYPT_APP_ID, appInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE, login: '', password: '' },
				edoRemoteSigner: fixture.credential(),
			},
			credentialTypes,
		});
		const [item] = outputOf(result);
		expect(item.json.Token).toBe(transcrypt.sessions()[0].token);
		expect(opensslVerify(Buffer.from(item.json.Signature as string, 'base64'), Buffer.from(secret, 'utf8'), fixture.rsa.certPath).ok).toBe(true);
		expect(item.json.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
		expect(authorizeCalls()).toBe(1);
		const credentials = node.description.credentials ?? [];
		expect(credentials.find((entry) => entry.name === 'edoRemoteSigner')?.displayOptions?.show).toEqual({
			operation: ['loginBySignature'],
			signatureSource: ['edoRemoteSigner'],
		});
	});
});

describe('Taxcom login and activation with the remote signer', () => {
	const node = new Taxcom();
	async function run(parameters: INodeParameters, items = 1) {
		return await runNode(node, {
			parameters: { signerSource: 'edoRemoteSigner', ...parameters },
			credentials: {
				taxcomApi: {
					serverUrl: `${fixture.server.baseUrl}/taxcom`,
					apiVersion: '1.3',
					integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
					cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
					cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
					certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
					certificatePin: '',
					sessionLifetimeMinutes: 2,
				},
				edoRemoteSigner: fixture.credential({ credentialId: EC_ID }),
			},
			credentialTypes,
			items: Array.from({ length: items }, () => ({ json: {} })),
		});
	}

	it.each(['cloud', 'certificate'])('logs in (%s), decrypts the token remotely and activates', async (loginMethod) => {
		const [item] = outputOf(await run({ operation: 'loginAndActivate', loginMethod, activateAfterCertificateLogin: true }));
		const [session] = taxcom.sessions();
		expect(item.json.assistantKey).toBe(session.token);
		expect(item.json.sessionActivated).toBe(true);
		expect(fixture.calls().filter((call) => call === 'x-edo/decrypt')).toHaveLength(1);
		expect(item.json.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
	});

	it('outputs the decrypted token of Certificate Login', async () => {
		const [item] = outputOf(await run({ operation: 'certificateLogin', decryptToken: true }));
		expect(item.json.assistantKey).toBe(taxcom.sessions()[0].token);
		expect(authorizeCalls()).toBe(1);
	});
});

describe('nodes without a remote signer credential where none is needed', () => {
	it('EDO Crypto Verify still needs no credential', async () => {
		const node = new EdoCrypto();
		const signature = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-signer', fixture.ec.certPath, '-inkey', fixture.ec.keyPath], 'v');
		const result = await runNode(node, {
			parameters: { operation: 'verify', contentSource: 'text', contentText: 'v', signatureSource: 'field', signature: signature.toString('base64') },
			credentialTypes,
		});
		const [item] = outputOf(result);
		expect(item.json.valid).toBe(true);
		expect(fixture.calls()).toEqual([]);
	});
});
