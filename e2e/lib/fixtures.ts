/**
 * What the e2e run and the demo import into n8n: credentials pointing at the sandbox (ids and names that the
 * example workflows reference), and the workflows themselves.
 */
import fs from 'fs';
import path from 'path';

import { createDemoIdentity, type DemoIdentity } from '../../sandbox/identities';
import { SANDBOX_CLIENT_ID, SANDBOX_LOGIN, SANDBOX_PASSWORD } from '../../sandbox/emulators/diadoc/config';
import { DEFAULT_SIGNER_TOKEN, SIGNER_CREDENTIAL_IDS, DEFAULT_SIGNER_PIN } from '../../sandbox/emulators/signer';
import {
	DEFAULT_TAXCOM_CLOUD_LOGIN,
	DEFAULT_TAXCOM_CLOUD_PASSWORD,
	DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
	DEFAULT_TAXCOM_INTEGRATOR_ID,
} from '../../sandbox/emulators/taxcom/config';
import {
	DEFAULT_TRANSCRYPT_APP_ID,
	DEFAULT_TRANSCRYPT_APP_INSTANCE,
	DEFAULT_TRANSCRYPT_LOGIN,
	DEFAULT_TRANSCRYPT_PASSWORD,
} from '../../sandbox/emulators/transcrypt/config';
import { readPackageJson } from './package';
import { REPO_ROOT } from './sandbox';

export interface CredentialFixture {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** Ids and names the example workflows use in their `credentials` blocks. */
export const CREDENTIAL_REFS = {
	edoCertificate: { id: 'edoCertSandbox01', name: 'EDO Certificate (sandbox)' },
	taxcomApi: { id: 'taxcomSandbox0001', name: 'Taxcom (sandbox)' },
	transcryptApi: { id: 'transcryptSandbox1', name: 'Transcrypt (sandbox)' },
	diadocApi: { id: 'diadocSandbox0001', name: 'Diadoc (sandbox)' },
	edoRemoteSigner: { id: 'remoteSignerSbx01', name: 'EDO Remote Signer (sandbox)' },
} as const;

export type CredentialType = keyof typeof CREDENTIAL_REFS;

/**
 * Sandbox credentials of the types `declared` (the packed package's credential types; n8n would not know the
 * others).
 */
export async function sandboxCredentials(
	sandboxUrl: string,
	declared: Set<string>,
	identity?: DemoIdentity,
): Promise<{ credentials: CredentialFixture[]; identity: DemoIdentity }> {
	const demo = identity ?? (await createDemoIdentity());
	const all: Record<CredentialType, Record<string, unknown>> = {
		edoCertificate: { format: 'pem', publicCertificate: demo.certificatePem, privateKey: demo.privateKeyPem, privateKeyPassphrase: '' },
		taxcomApi: {
			serverUrl: `${sandboxUrl}/taxcom`,
			apiVersion: '1.3',
			integratorId: DEFAULT_TAXCOM_INTEGRATOR_ID,
			cloudLogin: DEFAULT_TAXCOM_CLOUD_LOGIN,
			cloudPassword: DEFAULT_TAXCOM_CLOUD_PASSWORD,
			certificateThumbprint: DEFAULT_TAXCOM_CLOUD_THUMBPRINT,
			certificatePin: '',
			sessionLifetimeMinutes: 2,
			customTls: false,
		},
		transcryptApi: {
			baseUrl: `${sandboxUrl}/transcrypt/`,
			appId: DEFAULT_TRANSCRYPT_APP_ID,
			appInstance: DEFAULT_TRANSCRYPT_APP_INSTANCE,
			login: DEFAULT_TRANSCRYPT_LOGIN,
			password: DEFAULT_TRANSCRYPT_PASSWORD,
			tokenHeader: 'Authorization',
			tokenScheme: 'Bearer',
			customTls: false,
		},
		diadocApi: {
			baseUrl: `${sandboxUrl}/diadoc`,
			apiClientId: SANDBOX_CLIENT_ID,
			authMethod: 'password',
			login: SANDBOX_LOGIN,
			password: SANDBOX_PASSWORD,
			customTls: false,
		},
		edoRemoteSigner: {
			baseUrl: `${sandboxUrl}/signer/csc/v2/`,
			authentication: 'bearer',
			accessToken: DEFAULT_SIGNER_TOKEN,
			credentialId: SIGNER_CREDENTIAL_IDS.rsa,
			pin: DEFAULT_SIGNER_PIN,
			cscVersion: 'auto',
			fieldCasing: 'camel',
			timeoutSeconds: 30,
			customTls: false,
		},
	};
	const credentials = (Object.keys(all) as CredentialType[])
		.filter((type) => declared.has(type))
		.map((type) => ({ ...CREDENTIAL_REFS[type], type, data: all[type] }));
	return { credentials, identity: demo };
}

export interface WorkflowFile {
	file: string;
	id: string;
	name: string;
	json: WorkflowJson;
	/** Node types of this package the workflow uses (`n8n-nodes-edo.diadoc`, …). */
	packageNodeTypes: string[];
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
export const E2E_WORKFLOWS_DIR = path.join(REPO_ROOT, 'e2e', 'workflows');

/** Reads workflow JSON files; `{{SANDBOX_URL}}` in e2e-only workflows becomes the sandbox's address. */
export function loadWorkflows(dir: string, sandboxUrl?: string): WorkflowFile[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => {
			const file = path.join(dir, name);
			let text = fs.readFileSync(file, 'utf8');
			if (sandboxUrl) text = text.split('{{SANDBOX_URL}}').join(sandboxUrl);
			const json = JSON.parse(text) as WorkflowJson;
			const prefix = `${readPackageJson().name}.`;
			const packageNodeTypes = [...new Set(json.nodes.map((node) => node.type).filter((type) => type.startsWith(prefix)))];
			return { file, id: json.id, name: json.name, json, packageNodeTypes };
		});
}

/** Whether every node type of this package a workflow uses is in the packed package. */
export function isRunnable(workflow: WorkflowFile, availableNodeTypes: Set<string>): boolean {
	return workflow.packageNodeTypes.every((type) => availableNodeTypes.has(type));
}

/** Writes the workflow (with substitutions applied) where n8n can import it. */
export function writeForImport(workflow: WorkflowFile, dir: string): string {
	fs.mkdirSync(dir, { recursive: true });
	const target = path.join(dir, path.basename(workflow.file));
	fs.writeFileSync(target, JSON.stringify(workflow.json, null, 2));
	return target;
}

export { REPO_ROOT };
