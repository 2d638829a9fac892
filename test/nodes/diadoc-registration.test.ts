/**
 * Registration resource against the sandbox Diadoc emulator, through n8n-core's WorkflowExecute: every
 * RegistrationStatus, the ownership proof (verified by the sandbox and by `openssl cms -verify`), 409 from
 * RegisterConfirm, the whole chain, waiting and its timeout, bad input.
 */
import type { IDataObject } from 'n8n-workflow';

import { pemCredential, opensslThumbprint } from '../harness';
import { createIdentity, openssl, opensslVerify, RUSSIAN_SUBJECT, writeTemp, type TestIdentity } from '../helpers/pki';
import { legacy, passwordCredential, runDiadoc, SANDBOX_BOX_ID, startDiadocSandbox, type DiadocSandbox } from './diadoc-fixtures';

let sandbox: DiadocSandbox;
let identity: TestIdentity;
let other: TestIdentity;
let thumbprint: string;

beforeAll(async () => {
	sandbox = await startDiadocSandbox();
	identity = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
	other = createIdentity('p256');
	thumbprint = opensslThumbprint(identity);
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const credentials = () => ({ diadocApi: passwordCredential(sandbox), edoCertificate: pemCredential(identity) });

function registration(operation: string, parameters: IDataObject = {}) {
	return legacy({ resource: 'registration', operation, signer: 'edoCertificate', certificateSource: 'thumbprint', thumbprint, ...parameters });
}

/** A detached DER CMS signature made by the openssl CLI (independent of our signer). */
function opensslSign(signer: TestIdentity, data: Buffer): Buffer {
	const input = writeTemp('data.bin', data);
	return openssl(['cms', '-sign', '-binary', '-in', input, '-signer', signer.certPath, '-inkey', signer.keyPath, '-outform', 'DER', '-nosmimecap']);
}

async function registerOnce(parameters: IDataObject = {}) {
	return await runDiadoc(registration('register', parameters), { credentials: credentials() });
}

describe('Register With Ownership Proof', () => {
	it('runs the whole chain: proof, confirm, in progress, completed; the sandbox and openssl accept the proof', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 2, final: 'RegistrationIsCompleted' });
		const { output, error } = await runDiadoc(registration('registerWithProof', { pollInterval: 0.01, timeout: 10 }), { credentials: credentials() });
		expect(error).toBeUndefined();
		const json = output[0][0].json;
		expect(json.RegistrationStatus).toBe('RegistrationIsCompleted');
		expect(json.BoxId).toBe(SANDBOX_BOX_ID);
		expect((json.steps as IDataObject[]).map((step) => [step.step, step.RegistrationStatus ?? step.result ?? ''])).toEqual([
			['Register', 'CertificateOwnershipProofIsRequired'],
			['Sign', ''],
			['RegisterConfirm', 'confirmed'],
			['Register', 'RegistrationIsInProgress'],
			['Wait', ''],
			['Register', 'RegistrationIsInProgress'],
			['Wait', ''],
			['Register', 'RegistrationIsCompleted'],
		]);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });

		const state = sandbox.emulator.snapshot();
		expect(state.confirmations).toHaveLength(1);
		expect(state.confirmations[0]).toMatchObject({ accepted: true, detached: true, signerThumbprints: [thumbprint] });

		// The signature the node sent, checked by openssl over the decoded DataToSign.
		const confirm = sandbox.server.requests.find((request) => request.path.endsWith('/RegisterConfirm'));
		const body = confirm?.json as { DataToSign: string; Signature: string; Thumbprint: string };
		expect(body.Thumbprint).toBe(thumbprint);
		const verified = opensslVerify(Buffer.from(body.Signature, 'base64'), Buffer.from(body.DataToSign, 'base64'), identity.certPath);
		expect(verified.ok).toBe(true);
		// The same DataToSign Register issued was sent back unchanged.
		expect(state.registerCalls[0].dataToSign).toBe(body.DataToSign);
	});

	it('treats a 409 from RegisterConfirm as "not required" and carries on', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 0, final: 'RegistrationIsCompleted' });
		sandbox.server.faults.add({ method: 'POST', path: '/diadoc/RegisterConfirm', status: 409, body: 'The registration does not require confirmation now.', headers: { 'X-Diadoc-ErrorCode': 'Registration.ConfirmationNotRequired' }, times: 1 });
		const { output, error } = await runDiadoc(registration('registerWithProof', { pollInterval: 0.01, timeout: 10 }), { credentials: credentials() });
		expect(error).toBeUndefined();
		const steps = output[0][0].json.steps as IDataObject[];
		expect(steps.filter((step) => step.step === 'RegisterConfirm').map((step) => step.result)).toEqual(['not required (409)', 'confirmed']);
		expect(output[0][0].json.RegistrationStatus).toBe('RegistrationIsCompleted');
	});

	it('registers at once when no proof is needed, and reads numeric enums', async () => {
		sandbox.emulator.setOptions({ numericEnums: true });
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: false, inProgressCalls: 0, final: 'AccessRequestIsPending' });
		const { output, error } = await runDiadoc(registration('registerWithProof'), { credentials: credentials() });
		expect(error).toBeUndefined();
		expect(output[0][0].json).toMatchObject({ RegistrationStatus: 'AccessRequestIsPending', rawRegistrationStatus: 8 });
		expect(output[0][0].json.steps).toEqual([{ step: 'Register', RegistrationStatus: 'AccessRequestIsPending' }]);
	});

	it('gives up after the timeout with a clear error, keeping BoxId and the steps in the error item', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 1000, final: 'RegistrationIsCompleted' });
		const parameters = registration('registerWithProof', { pollInterval: 0.02, timeout: 0.15 });
		const failed = await runDiadoc(parameters, { credentials: credentials() });
		expect(failed.error?.message).toMatch(/still in progress after \d+ s \(timeout 0\.15 s\)/);
		expect(failed.error?.description).toContain(`BoxId ${SANDBOX_BOX_ID}`);

		sandbox.reset();
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: false, inProgressCalls: 1000, final: 'RegistrationIsCompleted' });
		const continued = await runDiadoc(parameters, { credentials: credentials(), continueOnFail: true });
		const json = continued.output[0][0].json;
		expect(json.error).toMatch(/still in progress/);
		expect(json.RegistrationStatus).toBe('RegistrationIsInProgress');
		expect((json.steps as IDataObject[]).some((step) => step.step === 'Wait')).toBe(true);

		const asResult = await runDiadoc({ ...parameters, options: { returnUnfavourable: true } }, { credentials: credentials() });
		expect(asResult.output[0][0].json).toMatchObject({ RegistrationStatus: 'RegistrationIsInProgress', waitTimedOut: true });
	});

	it('fails on an unfavourable final status after the proof, or returns it when asked', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 0, final: 'AccessRequestIsRejected' });
		const failed = await runDiadoc(registration('registerWithProof'), { credentials: credentials() });
		expect(failed.error?.message).toBe('Diadoc registration: AccessRequestIsRejected. An administrator of the organization rejected the access request.');
		expect(failed.error?.description).toContain("Contact the organization's administrator.");

		sandbox.reset();
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 0, final: 'AccessRequestIsRejected' });
		const returned = await runDiadoc(registration('registerWithProof', { options: { returnUnfavourable: true } }), { credentials: credentials() });
		expect(returned.output[0][0].json).toMatchObject({ RegistrationStatus: 'AccessRequestIsRejected', remedy: "Contact the organization's administrator." });
	});

	it("refuses to prove with a signer whose certificate is not the registered one", async () => {
		const { error } = await runDiadoc(registration('registerWithProof', { thumbprint: opensslThumbprint(other) }), { credentials: credentials() });
		expect(error?.message).toMatch(/signer's certificate \([0-9A-F]{40}\) is not the certificate being registered/);
		expect(sandbox.emulator.snapshot().confirmations).toHaveLength(0);
	});
});

describe('Register', () => {
	it.each([
		['RegistrationIsCompleted', true],
		['AccessRequestIsPending', true],
		['AccessIsDenied', false],
		['AccessRequestIsRejected', false],
		['CertificateIsNotQualified', false],
		['RegistrationInBranchIsForbidden', false],
		['OrganizationNotFound', false],
		['Unknown', false],
	] as const)('%s: %s', async (status, isResult) => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: false, inProgressCalls: 0, final: status });
		const plain = await registerOnce();
		if (isResult) {
			expect(plain.error).toBeUndefined();
			expect(plain.output[0][0].json.RegistrationStatus).toBe(status);
			expect(plain.output[0][0].json.statusMeaning).toBeTruthy();
		} else {
			expect(plain.error?.message).toMatch(new RegExp(`^Diadoc registration: ${status}\\. `));
			expect(plain.error?.description).toMatch(/Continue on Unfavourable Status/);
			const returned = await registerOnce({ options: { returnUnfavourable: true } });
			expect(returned.output[0][0].json).toMatchObject({ RegistrationStatus: status, Thumbprint: thumbprint });
			expect(returned.output[0][0].json.remedy).toBeTruthy();
		}
	});

	it('returns the proof request with DataToSign, then in progress, as steps of a chain', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 1, final: 'RegistrationIsCompleted' });
		const first = await registerOnce();
		expect(first.output[0][0].json).toMatchObject({ RegistrationStatus: 'CertificateOwnershipProofIsRequired', BoxId: SANDBOX_BOX_ID });
		expect(Buffer.from(String(first.output[0][0].json.DataToSign), 'base64').toString('utf8')).toContain(`thumbprint=${thumbprint}`);
	});

	it('sends the certificate itself from the signer, a PEM field or a binary property', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: false, inProgressCalls: 0, final: 'RegistrationIsCompleted' });
		const sources = [
			{ certificateSource: 'signer' },
			{ certificateSource: 'text', certificateText: identity.certPem },
			{ certificateSource: 'binary', certificateBinaryProperty: 'cert' },
		];
		for (const source of sources) {
			const { output, error } = await runDiadoc(registration('register', source), {
				credentials: credentials(),
				items: [{ binary: { cert: { data: identity.certDer, fileName: 'me.cer' } } }],
			});
			expect(error).toBeUndefined();
			expect(output[0][0].json.RegistrationStatus).toBe('RegistrationIsCompleted');
		}
		expect(sandbox.emulator.snapshot().registerCalls.map((call) => [call.by, call.thumbprint])).toEqual(sources.map(() => ['CertificateContent', thumbprint]));
	});

	it('normalizes a pasted thumbprint and refuses a malformed one before calling Diadoc', async () => {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: false, inProgressCalls: 0, final: 'RegistrationIsCompleted' });
		const pasted = thumbprint.toLowerCase().match(/../g)!.join(':');
		expect((await registerOnce({ thumbprint: ` ${pasted} ` })).output[0][0].json.Thumbprint).toBe(thumbprint);

		const requests = sandbox.server.requests.length;
		const { error } = await registerOnce({ thumbprint: `${thumbprint.slice(0, 39)}Z` });
		expect(error?.message).toBe("The certificate thumbprint contains a character that is not a hexadecimal digit: 'Z' at position 40");
		expect(error?.description).toMatch(/SHA-1 thumbprint/);
		const short = await registerOnce({ thumbprint: thumbprint.slice(0, 20) });
		expect(short.error?.message).toMatch(/must be 40 hexadecimal digits, found 20/);
		expect(sandbox.server.requests.length).toBe(requests);
	});
});

describe('Confirm Registration', () => {
	async function proofRequest(): Promise<string> {
		sandbox.emulator.configureCertificate(thumbprint, { requireProof: true, inProgressCalls: 0, final: 'RegistrationIsCompleted' });
		const { output } = await registerOnce();
		return String(output[0][0].json.DataToSign);
	}

	it('signs the decoded DataToSign with the signer (openssl verifies it), then reports a repeat as not required', async () => {
		const dataToSign = await proofRequest();
		const { output, error } = await runDiadoc(registration('confirmRegistration'), { credentials: credentials(), items: [{ json: { DataToSign: dataToSign } }] });
		expect(error).toBeUndefined();
		expect(output[0][0].json.confirmed).toBe(true);
		const signature = Buffer.from(String(output[0][0].json.Signature), 'base64');
		expect(opensslVerify(signature, Buffer.from(dataToSign, 'base64'), identity.certPath).ok).toBe(true);
		expect(openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], signature).toString()).toMatch(/eContent: <ABSENT>/);
		expect((await registerOnce()).output[0][0].json.RegistrationStatus).toBe('RegistrationIsCompleted');

		const again = await runDiadoc(registration('confirmRegistration'), { credentials: credentials(), items: [{ json: { DataToSign: dataToSign } }] });
		expect(again.error).toBeUndefined();
		expect(again.output[0][0].json).toMatchObject({ confirmed: false, confirmationRequired: false, serviceErrorCode: 'Registration.ConfirmationNotRequired' });
		expect(again.output[0][0].json.traceId).toMatch(/^[0-9a-f]{32}$/);
	});

	it('accepts a signature made elsewhere, as base64 or as a binary property', async () => {
		const dataToSign = await proofRequest();
		const signature = opensslSign(identity, Buffer.from(dataToSign, 'base64'));
		const base64 = await runDiadoc(registration('confirmRegistration', { signatureSource: 'base64', signatureBase64: signature.toString('base64'), signer: 'none' }), {
			credentials: { diadocApi: passwordCredential(sandbox) },
			items: [{ json: { DataToSign: dataToSign } }],
		});
		expect(base64.error).toBeUndefined();
		expect(base64.output[0][0].json).toMatchObject({ confirmed: true, signedBy: 'base64 field' });

		const nextData = await proofRequestAfterReset();
		const binary = await runDiadoc(registration('confirmRegistration', { signatureSource: 'binary', signatureBinaryProperty: 'sig', signer: 'none' }), {
			credentials: { diadocApi: passwordCredential(sandbox) },
			items: [{ json: { DataToSign: nextData }, binary: { sig: { data: opensslSign(identity, Buffer.from(nextData, 'base64')), fileName: 'proof.sig' } } }],
		});
		expect(binary.error).toBeUndefined();
		expect(binary.output[0][0].json).toMatchObject({ confirmed: true, signedBy: 'binary property' });
	});

	async function proofRequestAfterReset(): Promise<string> {
		sandbox.reset();
		return await proofRequest();
	}

	it('refuses a signature over the wrong data or by another key, with clear errors and no call', async () => {
		const dataToSign = await proofRequest();
		const wrongData = opensslSign(identity, Buffer.from(dataToSign, 'utf8')); // the base64 text instead of its bytes
		const calls = sandbox.server.requests.length;
		const first = await runDiadoc(registration('confirmRegistration', { signatureSource: 'base64', signatureBase64: wrongData.toString('base64') }), {
			credentials: credentials(),
			items: [{ json: { DataToSign: dataToSign } }],
		});
		expect(first.error?.message).toBe('The given signature does not verify over DataToSign');
		expect(first.error?.description).toMatch(/decoded bytes/);

		const byOther = opensslSign(other, Buffer.from(dataToSign, 'base64'));
		const second = await runDiadoc(registration('confirmRegistration', { signatureSource: 'base64', signatureBase64: byOther.toString('base64') }), {
			credentials: credentials(),
			items: [{ json: { DataToSign: dataToSign } }],
		});
		expect(second.error?.message).toMatch(/made with another certificate/);
		expect(sandbox.server.requests.length).toBe(calls);
	});

	it("passes on Diadoc's refusal (400) with its error code and trace id", async () => {
		await proofRequest();
		const forged = Buffer.from(`userId=x;boxId=${SANDBOX_BOX_ID};thumbprint=${thumbprint};timestamp=2020-01-01T00:00:00Z`).toString('base64');
		const { error } = await runDiadoc(registration('confirmRegistration'), { credentials: credentials(), items: [{ json: { DataToSign: forged } }] });
		expect(error?.message).toMatch(/^Diadoc answered 400 Bad Request to POST \/diadoc\/RegisterConfirm \(X-Diadoc-ErrorCode: Registration\.InvalidDataToSign, trace [0-9a-f]{32}\)/);
		expect(error?.description).toMatch(/Service error code: Registration\.InvalidDataToSign/);
		expect(error?.description).toMatch(/Trace ID: [0-9a-f]{32}/);
	});

	it('says what is wrong with DataToSign that is not base64 or missing', async () => {
		const bad = await runDiadoc(registration('confirmRegistration', { dataToSign: 'not base64!' }), { credentials: credentials() });
		expect(bad.error?.message).toBe('DataToSign is not valid base64');
		const empty = await runDiadoc(registration('confirmRegistration'), { credentials: credentials(), items: [{ json: { other: 1 } }] });
		expect(empty.error?.message).toBe('DataToSign is empty');
	});

	it('asks for a signer when none is selected', async () => {
		const dataToSign = await proofRequest();
		const { error } = await runDiadoc(registration('confirmRegistration', { signer: 'none' }), {
			credentials: { diadocApi: passwordCredential(sandbox) },
			items: [{ json: { DataToSign: dataToSign } }],
		});
		expect(error?.message).toBe('This step needs a signer, and none is selected');
	});
});
