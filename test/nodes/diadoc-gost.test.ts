/**
 * The Diadoc node with a GOST R 34.10-2012 identity (made by OpenSSL's GOST engine) in the EDO Certificate
 * credential, against the sandbox: RegisterConfirm with a GOST ownership proof (accepted by the sandbox, checked
 * by the engine) and certificate authentication, where the sandbox issues a GOST envelope the node decrypts.
 */
import type { INodeParameters } from 'n8n-workflow';

import { createGostIdentity, gostOpenssl, gostOpensslStatus, gostTempPath, type GostTestIdentity } from '../helpers/gost-openssl';
import { RUSSIAN_SUBJECT, writeTemp } from '../helpers/pki';
import { legacy, passwordCredential, runDiadoc, SANDBOX_BOX_ID, SANDBOX_CLIENT_ID, startDiadocSandbox, type DiadocSandbox } from './diadoc-fixtures';

let sandbox: DiadocSandbox;
const identities: Record<string, GostTestIdentity> = {
	'256': createGostIdentity('gost2012_256', 'XA', { subject: RUSSIAN_SUBJECT }),
	'512': createGostIdentity('gost2012_512', 'A', { subject: RUSSIAN_SUBJECT }),
};

beforeAll(async () => {
	sandbox = await startDiadocSandbox();
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const pem = (identity: GostTestIdentity) => ({ format: 'pem', publicCertificate: identity.certPem, privateKey: identity.keyPem });
const thumbprintOf = (identity: GostTestIdentity) =>
	gostOpenssl(['x509', '-in', identity.certPath, '-noout', '-fingerprint', '-sha1']).toString().replace(/^.*=/, '').replace(/[:\s]/g, '');

describe('Diadoc with a GOST certificate', () => {
	it.each(['256', '512'])('Register With Ownership Proof: the GOST-%s proof is accepted by the sandbox and by OpenSSL', async (size) => {
		const identity = identities[size];
		const thumbprint = thumbprintOf(identity);
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 0, final: 'RegistrationIsCompleted' });
		const parameters: INodeParameters = { resource: 'registration', operation: 'registerWithProof', signer: 'edoCertificate', certificateSource: 'thumbprint', thumbprint, pollInterval: 0.01, timeout: 10 };
		const { output, error } = await runDiadoc(legacy(parameters), { credentials: { diadocApi: passwordCredential(sandbox), edoCertificate: pem(identity) } });
		expect(error).toBeUndefined();
		expect(output[0][0].json).toMatchObject({ RegistrationStatus: 'RegistrationIsCompleted', BoxId: SANDBOX_BOX_ID });
		expect(sandbox.emulator.snapshot().confirmations[0]).toMatchObject({ accepted: true, detached: true, signerThumbprints: [thumbprint] });
		const confirm = sandbox.server.requests.find((request) => request.path.endsWith('/RegisterConfirm'));
		const body = confirm?.json as { DataToSign: string; Signature: string };
		const verified = gostOpensslStatus([
			'cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('diadoc-gost.sig', Buffer.from(body.Signature, 'base64')),
			'-content', writeTemp('diadoc-gost.bin', Buffer.from(body.DataToSign, 'base64')), '-CAfile', identity.certPath, '-purpose', 'any',
			'-out', gostTempPath('diadoc-gost.out'),
		]);
		expect(verified.ok).toBe(true);
	});

	it('authenticates by the GOST certificate: the node decrypts the sandbox\'s GOST envelope', async () => {
		const identity = identities['512'];
		const credentials = { diadocApi: { baseUrl: sandbox.apiUrl, apiClientId: SANDBOX_CLIENT_ID, authMethod: 'certificate' }, edoCertificate: pem(identity) };
		const parameters = { resource: 'dss', operation: 'signAndWait', boxId: SANDBOX_BOX_ID, pollInterval: 0.01, timeout: 5, signer: 'edoCertificate' };
		const items = [{ binary: { data: { data: Buffer.from('document'), fileName: 'd.xml' } } }];
		const { error } = await runDiadoc(legacy(parameters), { credentials, items });
		expect(error).toBeUndefined();
		const thumbprint = thumbprintOf(identity);
		expect(sandbox.emulator.snapshot().certificateAuthentications).toEqual([
			{ thumbprint, phase: 'authenticate', ok: true },
			{ thumbprint, phase: 'confirm', ok: true, saveBinding: false },
		]);
	});
});
