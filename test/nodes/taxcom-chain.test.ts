/**
 * The step-by-step Taxcom chain a visual workflow builds: Taxcom Cloud Certificate Login (token left
 * encrypted) → EDO Crypto Decrypt → Taxcom Activate Session → Taxcom API Request with that session. Each node
 * runs through n8n-core's WorkflowExecute; the output items of one are the input items of the next.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { taxcomSessions } from '../../nodes/Taxcom/transport/sessions';
import { SandboxServer } from '../../sandbox/server';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
	type TaxcomEmulator,
} from '../../sandbox/emulators/taxcom';
import { readBinary, runNode, type RunNodeResult, type TestItem } from '../harness';
import { createIdentity, type TestIdentity } from '../helpers/pki';

const credentialTypes = [new TaxcomApi(), new EdoCertificate()];

describe('Taxcom step by step: Login → EDO Crypto Decrypt → Activate Session → API Request', () => {
	const server = new SandboxServer();
	let taxcom: TaxcomEmulator;
	let identity: TestIdentity;

	beforeAll(async () => {
		taxcom = createTaxcomEmulator();
		server.mount('/taxcom', taxcom);
		await server.start();
		identity = createIdentity('rsa2048');
	});

	afterAll(async () => {
		await server.stop();
	});

	beforeEach(() => {
		server.reset();
		taxcomSessions.clear();
	});

	function credentials(signer: TestIdentity): Record<string, ICredentialDataDecryptedObject> {
		return {
			taxcomApi: {
				serverUrl: `${server.baseUrl}/taxcom`,
				apiVersion: '1.3',
				integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
				cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
				cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
				certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
			},
			edoCertificate: { format: 'pem', publicCertificate: signer.certPem, privateKey: signer.keyPem },
		};
	}

	async function step(nodeType: INodeType, parameters: INodeParameters, items: TestItem[], signer = identity): Promise<RunNodeResult> {
		return await runNode(nodeType, { parameters, credentials: credentials(signer), credentialTypes, items });
	}

	/** An output item handed on as the next node's input item, binary data included. */
	async function handOn(result: RunNodeResult): Promise<TestItem[]> {
		expect(result.error).toBeUndefined();
		return await Promise.all(
			result.output[0].map(async (item) => {
				const binary: TestItem['binary'] = {};
				for (const [name, data] of Object.entries(item.binary ?? {})) {
					binary[name] = { data: await readBinary(data), fileName: data.fileName, mimeType: data.mimeType };
				}
				return { json: item.json as IDataObject, ...(item.binary ? { binary } : {}) };
			}),
		);
	}

	const login = async () => await step(new Taxcom(), { operation: 'cloudCertificateLogin', decryptToken: false }, [{ json: {} }]);

	it('chains with the encrypted token as a file', async () => {
		const loggedIn = await handOn(await login());
		expect(loggedIn[0].binary?.encryptedToken).toBeDefined();

		const decrypted = await handOn(
			await step(new EdoCrypto(), {
				operation: 'decrypt',
				envelopeSource: 'binary',
				envelopeBinaryPropertyName: 'encryptedToken',
				outputFormat: 'text',
				outputField: 'decrypted',
			}, loggedIn),
		);
		expect(decrypted[0].json?.decrypted).toBe(taxcom.sessions()[0].token);

		const activated = await handOn(await step(new Taxcom(), { operation: 'activateSession', assistantKey: '={{ $json.decrypted }}' }, decrypted));
		expect(activated[0].json?.sessionActivated).toBe(true);
		expect(taxcom.sessions()[0].activated).toBe(true);

		const called = await step(
			new Taxcom(),
			{ operation: 'apiRequest', sessionSource: 'input', assistantKey: '={{ $json.assistantKey }}', requestPath: 'GetContacts' },
			activated,
		);
		expect(called.error).toBeUndefined();
		expect(called.output[0][0].json.data).toMatch(/<Contacts/);

		const methods = taxcom.log().map((entry) => `${entry.method} ${entry.status}`);
		expect(methods).toEqual(['CloudCertificateLogin 200', 'ActivateSession 200', 'GetContacts 200']);
	});

	it('chains with the encrypted token as base64 text, and the base64 envelope encoding of the server', async () => {
		taxcom.configure({ cloudTokenEncoding: 'base64' });
		const loggedIn = await handOn(await login());
		const decrypted = await handOn(
			await step(new EdoCrypto(), {
				operation: 'decrypt',
				envelopeSource: 'field',
				envelope: '={{ $json.encryptedToken }}',
				outputFormat: 'text',
				outputField: 'decrypted',
			}, loggedIn),
		);
		const activated = await handOn(await step(new Taxcom(), { operation: 'activateSession', assistantKey: '={{ $json.decrypted }}' }, decrypted));
		const called = await step(
			new Taxcom(),
			{
				operation: 'apiRequest',
				sessionSource: 'input',
				assistantKey: '={{ $json.assistantKey }}',
				requestPath: 'GetMessageList',
				queryParameters: { parameter: [{ name: 'DATE', value: '2020-01-01T00:00:00' }] },
			},
			activated,
		);
		expect(called.error).toBeUndefined();
		expect(called.output[0][0].json.data).toMatch(/IsLast/);
	});

	it('stops with a clear error when the Decrypt step holds another certificate', async () => {
		const loggedIn = await handOn(await login());
		const other = createIdentity('p256', { subject: '/CN=Not the trusted certificate/O=n8n-nodes-edo tests' });
		const result = await step(
			new EdoCrypto(),
			{ operation: 'decrypt', envelopeSource: 'binary', envelopeBinaryPropertyName: 'encryptedToken', outputFormat: 'text', outputField: 'decrypted' },
			loggedIn,
			other,
		);
		expect(result.error?.message).toMatch(/not addressed to this certificate/);
		expect(result.error?.message).not.toContain(taxcom.sessions()[0].token);
		expect(taxcom.sessions()[0].activated).toBe(false);
	});
});
