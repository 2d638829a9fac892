/**
 * The TLS settings of the Taxcom API credential: a private CA and a client certificate (mutual TLS), against
 * the Taxcom emulator behind an HTTPS sandbox that demands a client certificate.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { TaxcomApi } from '../../credentials/TaxcomApi.credentials';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { taxcomSessions } from '../../nodes/Taxcom/transport/sessions';
import { SandboxServer } from '../../sandbox/server';
import { generateSelfSignedCert } from '../../sandbox/tls';
import {
	createTaxcomEmulator,
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
} from '../../sandbox/emulators/taxcom';
import { runNode } from '../harness';
import { createIdentity } from '../helpers/pki';

describe('Taxcom over TLS with a private CA and a client certificate', () => {
	const serverIdentity = generateSelfSignedCert();
	const client = generateSelfSignedCert({ commonName: 'taxcom integrator' });
	const server = new SandboxServer({ tls: { ...serverIdentity, requireClientCert: true, clientCaPem: client.certPem } });

	beforeAll(async () => {
		server.mount('/taxcom', createTaxcomEmulator());
		await server.start();
	});

	afterAll(async () => {
		await server.stop();
	});

	beforeEach(() => taxcomSessions.clear());

	async function loginWith(tls: ICredentialDataDecryptedObject) {
		const identity = createIdentity('rsa2048');
		return await runNode(new Taxcom(), {
			parameters: { operation: 'loginAndActivate' },
			credentials: {
				taxcomApi: {
					serverUrl: `${server.baseUrl}/taxcom`,
					apiVersion: '1.3',
					integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
					cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
					cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
					certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
					...tls,
				},
				edoCertificate: { format: 'pem', publicCertificate: identity.certPem, privateKey: identity.keyPem },
			},
			credentialTypes: [new TaxcomApi(), new EdoCertificate()],
		});
	}

	it('logs in when the credential trusts the CA and presents the client certificate', async () => {
		const result = await loginWith({ customTls: true, caCertificate: serverIdentity.certPem, clientCertificate: client.certPem, clientKey: client.keyPem });
		expect(result.error).toBeUndefined();
		expect(result.output[0][0].json.assistantKey).toMatch(/^[0-9A-F]{256}$/);
	});

	it('fails with a TLS error without the private CA, and when the settings are switched off', async () => {
		const untrusted = await loginWith({ customTls: true, clientCertificate: client.certPem, clientKey: client.keyPem });
		expect(untrusted.error?.message).toMatch(/Secure connection to Taxcom .* failed/);
		const off = await loginWith({ customTls: false, caCertificate: serverIdentity.certPem, clientCertificate: client.certPem, clientKey: client.keyPem });
		expect(off.error?.message).toMatch(/Secure connection to Taxcom .* failed/);
	});
});
