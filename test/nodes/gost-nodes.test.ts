/**
 * The nodes with a GOST R 34.10-2012 identity in the EDO Certificate credential (keys and certificates made by
 * OpenSSL's GOST engine): EDO Crypto Sign / Verify / Decrypt / Certificate Info, Transcrypt login by signature
 * and Taxcom certificate logins against the emulators (which verify GOST signatures and issue GOST envelopes).
 * Every signature and envelope is cross-checked with the engine.
 */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { TranscryptApi } from '../../credentials/TranscryptApi.credentials';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { taxcomSessions } from '../../nodes/Taxcom/transport/sessions';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';
import { transcryptTokens } from '../../nodes/Transcrypt/transport/tokens';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
	type TaxcomEmulator,
} from '../../sandbox/emulators/taxcom';
import { createTranscryptEmulator, DEFAULT_TRANSCRYPT_APP_ID, DEFAULT_TRANSCRYPT_APP_INSTANCE, type TranscryptEmulator } from '../../sandbox/emulators/transcrypt';
import { SandboxServer } from '../../sandbox/server';
import { readBinary, runNode, type RunNodeOptions } from '../harness';
import { createGostIdentity, exportGostPfx, gostOpenssl, gostOpensslStatus, gostTempPath, type GostTestIdentity } from '../helpers/gost-openssl';
import { RUSSIAN_SUBJECT, writeTemp } from '../helpers/pki';

const gost256 = createGostIdentity('gost2012_256', 'A', { subject: RUSSIAN_SUBJECT });
const gost512 = createGostIdentity('gost2012_512', 'A', { subject: RUSSIAN_SUBJECT });

function pemCredential(identity: GostTestIdentity): ICredentialDataDecryptedObject {
	return { format: 'pem', publicCertificate: identity.certPem, privateKey: identity.keyPem };
}

function pfxCredential(identity: GostTestIdentity, password: string): ICredentialDataDecryptedObject {
	const pfx = exportGostPfx(identity, password, ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_512']);
	return { format: 'pfx', pfxCertificate: pfx.toString('base64'), pfxPassword: password };
}

function thumbprintOf(identity: GostTestIdentity): string {
	return gostOpenssl(['x509', '-in', identity.certPath, '-noout', '-fingerprint', '-sha1']).toString().replace(/^.*=/, '').replace(/[:\s]/g, '');
}

function opensslVerifies(signature: Buffer, content: Buffer | undefined, identity: GostTestIdentity): boolean {
	const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('node-sig.der', signature), '-CAfile', identity.certPath, '-purpose', 'any'];
	if (content) args.push('-content', writeTemp('node-content.bin', content));
	return gostOpensslStatus([...args, '-out', gostTempPath('node-verified.out')]).ok;
}

function opensslEncrypt(content: string, identity: GostTestIdentity, cipher: string): Buffer {
	return gostOpenssl(['cms', '-encrypt', '-binary', `-${cipher}`, '-in', writeTemp('node-plain.bin', content), '-outform', 'DER', identity.certPath]);
}

function opensslDecrypts(envelope: Buffer, identity: GostTestIdentity): string {
	return gostOpenssl(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', writeTemp('node-env.der', envelope), '-inkey', identity.keyPath, '-recip', identity.certPath]).toString();
}

describe('EDO Crypto node with a GOST certificate', () => {
	const node = new EdoCrypto();

	async function runOk(parameters: RunNodeOptions['parameters'], options: Partial<RunNodeOptions> = {}) {
		const result = await runNode(node, {
			credentials: { edoCertificate: pemCredential(gost256) },
			credentialTypes: [new EdoCertificate()],
			...options,
			parameters,
		});
		if (result.error) throw new Error(`node failed: ${result.error.message} (${String(result.error.description)})`);
		return result.output[0];
	}

	it('Certificate Info names the GOST key and the Russian identifiers', async () => {
		const [item] = await runOk({ operation: 'certificateInfo' });
		expect(item.json).toMatchObject({
			thumbprint: thumbprintOf(gost256),
			keyAlgorithm: 'GOST R 34.10-2012 256 (CryptoPro-A)',
			inn: '007701234567',
			ogrn: '1027700132195',
			snils: '11223344595',
			warnings: [],
		});
	});

	it('Sign: text with the default field value signs Streebog-256; OpenSSL verifies', async () => {
		const [item] = await runOk({ operation: 'sign', dataSource: 'text', text: 'Счёт-фактура №1' });
		expect(item.json).toMatchObject({ hashAlgorithm: 'STREEBOG-256', signatureType: 'detached', signerThumbprint: thumbprintOf(gost256) });
		const signature = Buffer.from(item.json.signature as string, 'base64');
		expect(opensslVerifies(signature, Buffer.from('Счёт-фактура №1'), gost256)).toBe(true);
		expect(opensslVerifies(signature, Buffer.from('Счёт-фактура №2'), gost256)).toBe(false);
	});

	it.each(['default', 'filesystem'] as const)('Sign: a binary file (%s binary mode, streamed Streebog-512) with a GOST PFX', async (binaryDataMode) => {
		const document = Buffer.alloc(200_000, 'строка документа ЭДО\n');
		const [item] = await runOk(
			{ operation: 'sign', dataSource: 'binary', binaryPropertyName: 'data', hashAlgorithm: 'SHA-384' },
			{
				credentials: { edoCertificate: pfxCredential(gost512, 'pfx-пароль') },
				binaryDataMode,
				items: [{ binary: { data: { data: document, fileName: 'invoice.xml', mimeType: 'application/xml' } } }],
			},
		);
		expect(item.json.hashAlgorithm).toBe('STREEBOG-512');
		const signature = await readBinary(item.binary?.signature);
		expect(opensslVerifies(signature, document, gost512)).toBe(true);
	});

	it('Sign → Verify: an attached signature verifies in the node and in OpenSSL', async () => {
		const [signed] = await runOk({ operation: 'sign', dataSource: 'text', text: 'attached', signatureType: 'attached' });
		const signature = Buffer.from(signed.json.signature as string, 'base64');
		expect(opensslVerifies(signature, undefined, gost256)).toBe(true);
		const [verified] = await runOk(
			{ operation: 'verify', signatureSource: 'field', signature: signed.json.signature as string, contentSource: 'attached' },
			{ credentials: undefined },
		);
		expect(verified.json.valid).toBe(true);
		expect((verified.json.signers as Array<Record<string, unknown>>)[0]).toMatchObject({ digestAlgorithm: 'STREEBOG-256', signatureValid: true });
	});

	it('Verify: an OpenSSL GOST-512 CAdES signature', async () => {
		const signature = gostOpenssl([
			'cms', '-sign', '-binary', '-cades', '-md', 'md_gost12_512', '-in', writeTemp('node-in.txt', 'hello EDO'),
			'-signer', gost512.certPath, '-inkey', gost512.keyPath, '-outform', 'DER',
		]);
		const [item] = await runOk(
			{ operation: 'verify', signatureSource: 'field', signature: signature.toString('base64'), contentSource: 'text', contentText: 'hello EDO' },
			{ credentials: undefined },
		);
		expect(item.json.valid).toBe(true);
		expect((item.json.signers as Array<Record<string, unknown>>)[0]).toMatchObject({ signingCertificateV2Matches: true, digestAlgorithm: 'STREEBOG-512' });
	});

	it.each(['gost89', 'kuznyechik-ctr-acpkm-omac', 'magma-ctr-acpkm'])('Decrypt: an OpenSSL -%s envelope', async (cipher) => {
		const token = 'session-token-0123456789';
		const envelope = opensslEncrypt(token, gost512, cipher);
		const [item] = await runOk(
			{ operation: 'decrypt', envelopeSource: 'field', envelope: envelope.toString('base64'), outputFormat: 'text' },
			{ credentials: { edoCertificate: pemCredential(gost512) } },
		);
		expect(JSON.stringify(item.json)).toContain(token);
	});
});

describe('Transcrypt and Taxcom logins with a GOST certificate (emulators)', () => {
	const server = new SandboxServer();
	let transcrypt: TranscryptEmulator;
	let taxcom: TaxcomEmulator;

	beforeAll(async () => {
		transcrypt = createTranscryptEmulator();
		taxcom = createTaxcomEmulator();
		server.mount('/transcrypt', transcrypt);
		server.mount('/taxcom', taxcom);
		await server.start();
	});

	afterAll(async () => {
		await server.stop();
	});

	beforeEach(() => {
		server.reset();
		transcryptTokens.clear();
		taxcomSessions.clear();
	});

	async function runTranscrypt(parameters: INodeParameters, identity: GostTestIdentity) {
		return await runNode(new Transcrypt(), {
			parameters,
			credentials: {
				transcryptApi: {
					baseUrl: `${server.baseUrl}/transcrypt`,
					appId: DEFAULT_TRANSCRYPT_APP_ID,
					appInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE,
					login: '',
					password: '',
				},
				edoCertificate: pemCredential(identity),
			},
			credentialTypes: [new TranscryptApi(), new EdoCertificate()],
		});
	}

	async function runTaxcom(parameters: INodeParameters, identity: GostTestIdentity) {
		return await runNode(new Taxcom(), {
			parameters,
			credentials: {
				taxcomApi: {
					serverUrl: `${server.baseUrl}/taxcom`,
					apiVersion: '1.3',
					integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
					cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
					cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
					certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
					certificatePin: '',
					sessionLifetimeMinutes: 2,
				},
				edoCertificate: pemCredential(identity),
			},
			credentialTypes: [new TaxcomApi(), new EdoCertificate()],
		});
	}

	it.each([
		['256', gost256],
		['512', gost512],
	] as const)('Transcrypt: login by detached GOST-%s signature; the emulator and OpenSSL accept the signature', async (_size, identity) => {
		const result = await runTranscrypt({ operation: 'loginBySignature', secretSource: 'endpoint', options: { includeSignature: true } }, identity);
		if (result.error) throw new Error(`${result.error.message}: ${String(result.error.description)}`);
		const output = result.output[0][0].json;
		expect(output.Token).toBe(transcrypt.sessions()[0].token);
		const [secret] = transcrypt.secrets();
		expect(opensslVerifies(Buffer.from(output.Signature as string, 'base64'), Buffer.from(secret.secret, 'utf8'), identity)).toBe(true);
	});

	it.each([
		['256', gost256],
		['512', gost512],
	] as const)('Taxcom: CertificateLogin with a GOST-%s certificate decrypts the GOST envelope', async (_size, identity) => {
		const result = await runTaxcom({ operation: 'certificateLogin' }, identity);
		if (result.error) throw new Error(`${result.error.message}: ${String(result.error.description)}`);
		expect(result.output[0][0].json.assistantKey).toBe(taxcom.sessions()[0].token);
	});

	it('Taxcom: the cloud login token comes as a GOST envelope that OpenSSL opens too', async () => {
		const result = await runTaxcom({ operation: 'cloudCertificateLogin', decryptToken: false }, gost256);
		if (result.error) throw new Error(`${result.error.message}: ${String(result.error.description)}`);
		const envelope = Buffer.from(result.output[0][0].json.encryptedToken as string, 'base64');
		expect(opensslDecrypts(envelope, gost256)).toBe(taxcom.sessions()[0].token);
		const decrypted = await runTaxcom({ operation: 'cloudCertificateLogin' }, gost256);
		expect(taxcom.sessions().map((session) => session.token)).toContain(decrypted.output[0][0].json.assistantKey);
	});
});
