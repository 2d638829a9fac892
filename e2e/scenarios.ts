/**
 * What each workflow must do in a real n8n: assertions on the run's output and on the sandbox's record.
 * Every example workflow needs a scenario here (the runner fails an example without one).
 */
import fs from 'fs';
import path from 'path';

import type { DemoIdentity } from '../sandbox/identities';
import { SANDBOX_BOX_ID } from '../sandbox/emulators/diadoc/config';
import { SIGNER_CREDENTIAL_IDS } from '../sandbox/emulators/signer';
import { DEFAULT_TAXCOM_CLOUD_THUMBPRINT } from '../sandbox/emulators/taxcom/config';
import { assert, assertBase64, assertRequests, assertSucceeded, findRequest, opensslVerifyDetached, single } from './lib/assertions';
import { nodeOutput, nodeRuns, SIGNATURES_DIR, type ExecutionRun, type N8nInstance } from './lib/n8n';
import type { RecordedRequest, SandboxClient } from './lib/sandbox';

export interface ScenarioContext {
	run: ExecutionRun | undefined;
	sandbox: SandboxClient;
	requests: RecordedRequest[];
	identity: DemoIdentity;
	n8n: N8nInstance;
}

export interface Scenario {
	workflowId: string;
	/** What the run proves, for the report. */
	title: string;
	/** Sandbox set-up before the run (the sandbox is reset before every scenario). */
	before?(sandbox: SandboxClient): Promise<void>;
	check(context: ScenarioContext): Promise<void> | void;
}

interface TaxcomState {
	sessions: Array<{ token: string; activated: boolean; expiredAt?: number; trustedThumbprint?: string; kind: string }>;
	log: Array<{ method: string; status: number; outcome: string }>;
}

interface TranscryptState {
	sessions: Array<{ token: string; kind: string; thumbprint?: string }>;
	secrets: Array<{ secret: string; usedAt?: number }>;
}

interface DiadocState {
	registerCalls: Array<{ thumbprint: string; by: string; status: string; boxId?: string }>;
	confirmations: Array<{ thumbprint: string; accepted: boolean; status: number; detached?: boolean; signerThumbprints: string[] }>;
	dssTasks: Array<{ taskId: string; boxId: string; polls: number; files: Array<{ fileName?: string; kind: string; size: number }> }>;
}

const TAXCOM_API = '/taxcom/v1.3/API';
const TOKEN = /^[0-9A-F]{256}$/;
const REGISTRATION_WITH_PROOF = ['CertificateOwnershipProofIsRequired', 'RegistrationIsInProgress', 'RegistrationIsCompleted'];

/** The registration went through the proof and one in-progress answer, for the EDO Certificate. */
function assertRegistrationWithProof(state: DiadocState, identity: DemoIdentity): void {
	assert.deepEqual(state.registerCalls.map((call) => call.status), REGISTRATION_WITH_PROOF, 'Register calls');
	for (const call of state.registerCalls) {
		assert.equal(call.thumbprint, identity.thumbprint, 'Register named another certificate');
		assert.equal(call.by, 'CertificateContent', 'Register did not send the certificate itself');
	}
	assert.equal(state.confirmations.length, 1, 'expected one RegisterConfirm');
	const [confirmation] = state.confirmations;
	assert.equal(confirmation.accepted, true, 'the sandbox refused the ownership proof');
	assert.equal(confirmation.detached, true, 'the proof is not a detached signature');
	assert.deepEqual(confirmation.signerThumbprints, [identity.thumbprint], 'the proof was not signed with the EDO Certificate');
}

export const scenarios: Scenario[] = [
	{
		workflowId: 'edoTaxcomStepByStep',
		title: 'Taxcom: Cloud Certificate Login → EDO Crypto Decrypt → Activate Session → API Request',
		async check({ run, sandbox, requests, identity }) {
			assertSucceeded(run, ['Cloud Certificate Login', 'Decrypt Token', 'Activate Session', 'Get Message List']);
			const login = single(run, 'Cloud Certificate Login');
			assert.equal(login.certificateThumbprint, identity.thumbprint, 'the login did not use the EDO Certificate credential');
			const envelope = assertBase64(login.encryptedToken, 'the encrypted token');
			assert.equal(envelope[0], 0x30, 'the encrypted token is not DER');
			const decrypted = single(run, 'Decrypt Token');
			assert.match(String(decrypted.assistantKey), TOKEN, 'EDO Crypto Decrypt did not output the token as text');
			assert.equal(single(run, 'Activate Session').sessionActivated, true);
			assert.match(String(single(run, 'Get Message List').data), /<ContainerDescription[\s\S]*<DocFlow /, 'GetMessageList answer missing');

			assertRequests(requests, [
				['POST', `${TAXCOM_API}/CloudCertificateLogin`, 200],
				['POST', `${TAXCOM_API}/ActivateSession`, 200],
				['GET', `${TAXCOM_API}/GetMessageList`, 200],
			]);
			const body = findRequest(requests, 'POST', `${TAXCOM_API}/CloudCertificateLogin`).json as Record<string, Record<string, unknown> | string>;
			assert.equal((body.Certificate as Record<string, unknown>).Thumbprint, DEFAULT_TAXCOM_CLOUD_THUMBPRINT);
			assert.equal(body.TrustedCertificate, identity.certificateDer.toString('base64'), 'TrustedCertificate is not the EDO Certificate');
			const state = await sandbox.state<TaxcomState>('/taxcom');
			const session = state.sessions.find((s) => s.token === decrypted.assistantKey);
			assert.ok(session, 'the decrypted token is not a session the sandbox issued');
			assert.equal(session.activated, true, 'the sandbox did not record the activation');
			assert.equal(session.trustedThumbprint, identity.thumbprint);
		},
	},
	{
		workflowId: 'edoTranscryptLogin',
		title: 'Transcrypt: Get Secret → Login by Detached Signature (EDO Certificate) → API Request',
		async check({ run, sandbox, requests, identity }) {
			assertSucceeded(run, ['Get Secret', 'Login by Detached Signature', 'List Organizations']);
			const secret = String(single(run, 'Get Secret').Secret);
			const login = single(run, 'Login by Detached Signature');
			assert.match(String(login.Token), /^[0-9a-f-]{36}$/, 'no Token in the login output');
			assert.equal(login.certificateThumbprint, identity.thumbprint);
			const organizations = single(run, 'List Organizations').data as Array<{ OrganizationJur?: { Inn?: string } }>;
			assert.ok(Array.isArray(organizations) && organizations.length > 0, 'no organizations listed');
			assert.equal(organizations[0].OrganizationJur?.Inn, '7701234567', 'the organization is not the certificate owner');

			assertRequests(requests, [
				['GET', '/transcrypt/api/v2/auth/secret', 200],
				['POST', '/transcrypt/api/v2/auth/detachedsignature', 200],
				['GET', '/transcrypt/api/v2/organizations', 200],
			]);
			// The request log redacts the Secret; the emulator's state says which Secret the login used.
			const sent = findRequest(requests, 'POST', '/transcrypt/api/v2/auth/detachedsignature').json as { Signature: string };
			const state = await sandbox.state<TranscryptState>('/transcrypt');
			assert.equal(state.secrets.length, 1, 'expected one Secret issued');
			assert.equal(state.secrets[0].secret, secret, 'Get Secret did not output the Secret the sandbox issued');
			assert.ok(state.secrets[0].usedAt, 'the login did not use the Secret of Get Secret');
			opensslVerifyDetached(assertBase64(sent.Signature, 'the signature sent'), Buffer.from(secret, 'utf8'), identity.certificatePem);
			assert.equal(findRequest(requests, 'GET', '/transcrypt/api/v2/organizations').headers.authorization, 'Bearer [redacted]');
			const session = state.sessions.find((s) => s.token === login.Token);
			assert.ok(session, 'the Token is not a session the sandbox issued');
			assert.equal(session.kind, 'signature');
			assert.equal(session.thumbprint, identity.thumbprint);
		},
	},
	{
		workflowId: 'e2eTaxcomExpiry',
		title: 'Taxcom managed session: the token expires between two nodes, the second node logs in again and succeeds',
		async check({ run, sandbox, requests }) {
			assertSucceeded(run, ['Get Message List', 'Token Expires', 'Get Contacts']);
			assert.equal(single(run, 'Token Expires').offsetMs, 180_000, 'the sandbox clock did not move');
			assert.match(String(single(run, 'Get Contacts').data), /<Contacts[\s\S]*<Inn>/);
			assertRequests(requests, [
				['POST', `${TAXCOM_API}/CloudCertificateLogin`, 200],
				['POST', `${TAXCOM_API}/ActivateSession`, 200],
				['GET', `${TAXCOM_API}/GetMessageList`, 200],
				['GET', `${TAXCOM_API}/GetContacts`, 401],
				['POST', `${TAXCOM_API}/CloudCertificateLogin`, 200],
				['POST', `${TAXCOM_API}/ActivateSession`, 200],
				['GET', `${TAXCOM_API}/GetContacts`, 200],
			]);
			const state = await sandbox.state<TaxcomState>('/taxcom');
			assert.equal(state.sessions.length, 2, 'expected the expired session and a new one');
			assert.ok(state.sessions[0].expiredAt, 'the first session did not expire');
			assert.notEqual(state.sessions[0].token, state.sessions[1].token);
			assert.equal(state.sessions[1].activated, true);
		},
	},
	{
		workflowId: 'edoDiadocRegistration',
		title: 'Diadoc: Register → IF proof → EDO Crypto Sign → Confirm Registration → Register / Wait loop → result',
		async check({ run, sandbox, identity }) {
			assertSucceeded(run, ['Register', 'Sign DataToSign', 'Confirm Registration', 'Register Again', 'Wait 2 s', 'Registration Result']);
			const first = single(run, 'Register');
			assert.equal(first.RegistrationStatus, 'CertificateOwnershipProofIsRequired');
			const dataToSign = assertBase64(first.DataToSign, 'DataToSign');
			assert.equal(nodeRuns(run, 'Register Again'), 2, 'Register Again should run twice: in progress, then completed');
			assert.equal(single(run, 'Confirm Registration').confirmed, true);
			const signature = assertBase64(single(run, 'Sign DataToSign').signature, 'the EDO Crypto signature');
			opensslVerifyDetached(signature, dataToSign, identity.certificatePem);
			const result = single(run, 'Registration Result');
			assert.equal(result.RegistrationStatus, 'RegistrationIsCompleted');
			assert.equal(result.BoxId, SANDBOX_BOX_ID);
			assertRegistrationWithProof(await sandbox.state<DiadocState>('/diadoc'), identity);
		},
	},
	{
		workflowId: 'edoDiadocDssSigning',
		title: 'Diadoc DSS: files → DSS Sign → Get Result / Wait loop over several polls → .sig files written',
		async before() {
			fs.mkdirSync(SIGNATURES_DIR, { recursive: true });
			for (const name of ['invoice.xml.sig', 'act.xml.sig']) fs.rmSync(path.join(SIGNATURES_DIR, name), { force: true });
		},
		async check({ run, sandbox }) {
			assertSucceeded(run, ['Get My Box', 'DSS Sign', 'Get Result', 'Wait 2 s', 'Write .sig Files']);
			const documents = single(run, 'Documents').documents as Array<{ fileName: string; content: string }>;
			const contents = new Map(documents.map((document) => [document.fileName, document.content]));
			const tasks = nodeOutput(run, 'DSS Sign');
			assert.equal(tasks.length, 2, 'one DSS task per document');
			assert.ok(nodeRuns(run, 'Get Result') >= 3, `Get Result ran ${nodeRuns(run, 'Get Result')} times; the sandbox answers InProgress twice`);
			const results = nodeOutput(run, 'Get Result');
			assert.deepEqual(results.map((r) => r.OperationStatus), ['Completed', 'Completed']);
			const files = results.flatMap((r) => r.Files as Array<{ FileName: string; FileSigningStatus: string; Signature: string }>);
			assert.deepEqual(files.map((f) => f.FileName).sort(), ['act.xml', 'invoice.xml']);
			for (const file of files) {
				const written = path.join(SIGNATURES_DIR, `${file.FileName}.sig`);
				assert.ok(fs.existsSync(written), `${written} was not written`);
				assert.equal(fs.readFileSync(written).toString('base64'), file.Signature, `${written} is not the signature Get Result returned`);
				opensslVerifyDetached(fs.readFileSync(written), Buffer.from(contents.get(file.FileName) ?? '', 'utf8'));
			}
			const state = await sandbox.state<DiadocState>('/diadoc');
			assert.equal(state.dssTasks.length, 2);
			for (const task of state.dssTasks) {
				assert.equal(task.boxId, SANDBOX_BOX_ID, 'DSS Sign did not use the box from GetMyOrganizations');
				assert.equal(task.polls, 3, `task ${task.taskId} was polled ${task.polls} times`);
				assert.equal(task.files.length, 1);
			}
		},
	},
	{
		workflowId: 'edoOneStepForms',
		title: 'One-step forms: Register With Ownership Proof, Sign and Wait, Login and Activate',
		async check({ run, sandbox, requests, identity }) {
			assertSucceeded(run, ['Register With Ownership Proof', 'Sign and Wait', 'Login and Activate', 'Get Contacts']);
			const registration = single(run, 'Register With Ownership Proof');
			assert.equal(registration.RegistrationStatus, 'RegistrationIsCompleted');
			assert.equal(registration.BoxId, SANDBOX_BOX_ID);
			const state = await sandbox.state<DiadocState>('/diadoc');
			assertRegistrationWithProof(state, identity);
			const signed = single(run, 'Sign and Wait');
			assert.equal(signed.OperationStatus, 'Completed');
			const [file] = signed.Files as Array<{ FileName: string; Signature: string }>;
			assert.equal(file.FileName, 'invoice-43.xml');
			opensslVerifyDetached(assertBase64(file.Signature, 'the DSS signature'), Buffer.from(String(single(run, 'Document').content), 'utf8'));
			assert.equal(state.dssTasks.length, 1);
			assert.equal(state.dssTasks[0].polls, 3, 'Sign and Wait should poll until Completed (the sandbox answers InProgress twice)');
			const session = single(run, 'Login and Activate');
			assert.match(String(session.assistantKey), TOKEN);
			assert.equal(session.sessionActivated, true);
			assert.match(String(single(run, 'Get Contacts').data), /<Contacts/);
			assertRequests(
				requests,
				[
					['POST', `${TAXCOM_API}/CloudCertificateLogin`, 200],
					['POST', `${TAXCOM_API}/ActivateSession`, 200],
					['GET', `${TAXCOM_API}/GetContacts`, 200],
				],
				'/taxcom/',
			);
		},
	},
	{
		workflowId: 'edoRemoteSigner',
		title: 'EDO Remote Signer (CSC API): EDO Crypto Sign, Transcrypt login and Taxcom token decryption with a remote key',
		async check({ run, sandbox, requests, identity }) {
			assertSucceeded(run, ['Sign Text Remotely', 'Login With Remote Signature', 'Taxcom Login (Remote Key)']);
			const signer = await sandbox.state<{ credentials: Array<{ credentialID: string; thumbprint: string }> }>('/signer');
			const remote = signer.credentials.find((credential) => credential.credentialID === SIGNER_CREDENTIAL_IDS.rsa);
			assert.ok(remote, 'the sandbox signer has no sandbox-rsa credential');
			assert.notEqual(remote.thumbprint, identity.thumbprint);

			const signed = single(run, 'Sign Text Remotely');
			assert.equal(signed.signerThumbprint, remote.thumbprint, 'EDO Crypto did not sign with the remote key');
			opensslVerifyDetached(assertBase64(signed.signature, 'the remote signature'), Buffer.from('Акт сверки № 7', 'utf8'));

			const login = single(run, 'Login With Remote Signature');
			assert.equal(login.certificateThumbprint, remote.thumbprint);
			const transcrypt = await sandbox.state<TranscryptState>('/transcrypt');
			assert.equal(transcrypt.sessions.find((s) => s.token === login.Token)?.thumbprint, remote.thumbprint, 'Transcrypt did not log in the remote certificate');

			const session = single(run, 'Taxcom Login (Remote Key)');
			assert.match(String(session.assistantKey), TOKEN, 'the remote signer did not decrypt the Taxcom token');
			const taxcom = await sandbox.state<TaxcomState>('/taxcom');
			assert.equal(taxcom.sessions.find((s) => s.token === session.assistantKey)?.trustedThumbprint, remote.thumbprint);

			const csc = requests.filter((request) => request.path.startsWith('/signer/')).map((request) => `${request.path} ${request.status}`);
			assert.ok(csc.some((line) => /signatures\/signHash 200$/.test(line)), `no signHash call: ${csc.join(', ')}`);
			assert.ok(csc.some((line) => /decrypt 200$/.test(line)), `no remote decryption: ${csc.join(', ')}`);
		},
	},
];

/** Item counts per node, for the failure report. */
export function describeRun(run: ExecutionRun | undefined): string {
	if (!run) return '(no run data)';
	const lines = Object.keys(run.data.resultData.runData).map((name) => {
		let items = 0;
		try {
			items = nodeOutput(run, name).length;
		} catch {
			// a node without main output
		}
		return `${name}: ${run.data.resultData.runData[name].length} run(s), ${items} item(s)`;
	});
	const error = run.data.resultData.error;
	if (error) lines.push(`error at ${error.node?.name ?? '?'}: ${error.message ?? ''} ${error.description ?? ''}`);
	return lines.join('\n');
}
