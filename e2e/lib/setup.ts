/**
 * A ready n8n for the demo and the editor test: cached n8n install, the packed package installed as a
 * community package in a fresh user folder, the sandbox running, its credentials and the example workflows
 * imported.
 */
import fs from 'fs';
import path from 'path';

import { createDemoIdentity, type DemoIdentity } from '../../sandbox/identities';
import { ensureN8n, type N8nLineId } from '../install';
import { EXAMPLES_DIR, isRunnable, loadWorkflows, sandboxCredentials, writeForImport, type CredentialFixture, type WorkflowFile } from './fixtures';
import { N8nInstance, SIGNATURES_DIR } from './n8n';
import { buildAndPack, describeTarball, packedCredentialTypes, packedNodeTypes, type PackedPackage } from './package';
import { freePort, isPortFree } from './process';
import { startSandbox, type RunningSandbox } from './sandbox';

export interface PrepareOptions {
	line: N8nLineId;
	/** Where the user folder, the pack and the logs go. */
	workDir: string;
	tarball?: string;
	skipBuild?: boolean;
	/** Preferred sandbox port (a free one when it is taken); 0: any. */
	sandboxPort?: number;
	/** Wraps each long step (the demo gives up on Ctrl-C). */
	guard?: <T>(work: Promise<T>) => Promise<T>;
	log?: (message: string) => void;
}

export interface PreparedInstance {
	n8n: N8nInstance;
	sandbox: RunningSandbox;
	packed: PackedPackage;
	workflows: WorkflowFile[];
	credentials: CredentialFixture[];
	identity: DemoIdentity;
}

export async function prepareInstance(options: PrepareOptions): Promise<PreparedInstance> {
	const guard = options.guard ?? (<T>(work: Promise<T>) => work);
	const log = options.log ?? ((message: string) => console.log(message));
	log(`== n8n (line ${options.line}): installing into the cache if needed`);
	const installed = await guard(ensureN8n(options.line));

	log(options.tarball ? `== package: ${options.tarball}` : '== building and packing the package');
	const packed = options.tarball
		? await guard(describeTarball(options.tarball))
		: await guard(buildAndPack(path.join(options.workDir, 'pack'), { skipBuild: options.skipBuild }));
	log(`${path.basename(packed.tarball)}: ${packedNodeTypes(packed).join(', ')}`);

	log('== starting the sandbox');
	const wanted = options.sandboxPort ?? 0;
	const port = wanted && (await isPortFree(wanted)) ? wanted : await freePort();
	const sandbox = await guard(startSandbox({ port, logFile: path.join(options.workDir, 'sandbox.log') }));
	try {
		log(`sandbox on ${sandbox.baseUrl}`);
		log('== preparing a fresh n8n user folder');
		const userFolder = path.join(options.workDir, `n8n-${options.line}`);
		fs.rmSync(userFolder, { recursive: true, force: true });
		fs.mkdirSync(userFolder, { recursive: true });
		const n8n = new N8nInstance({ installed, userFolder });
		await guard(n8n.installPackage(packed.tarball));
		// The demo signs and decrypts with a GOST R 34.10-2012 certificate, as the operators require in real use.
		const identity = await createDemoIdentity({ keyType: 'GOST' });
		const { credentials } = await sandboxCredentials(sandbox.baseUrl, new Set(packedCredentialTypes(packed)), identity);
		const credentialsFile = path.join(userFolder, 'credentials.json');
		fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2));
		await guard(n8n.importCredentials(credentialsFile));
		fs.rmSync(credentialsFile);
		const available = new Set(packedNodeTypes(packed));
		const workflows = loadWorkflows(EXAMPLES_DIR).filter((workflow) => isRunnable(workflow, available));
		fs.mkdirSync(SIGNATURES_DIR, { recursive: true });
		const importDir = path.join(userFolder, 'import');
		for (const workflow of workflows) writeForImport(workflow, importDir);
		if (workflows.length) await guard(n8n.cliOk(['import:workflow', '--separate', `--input=${importDir}`]));
		log(`imported ${credentials.length} credentials and ${workflows.length} example workflows into ${userFolder}`);
		return { n8n, sandbox, packed, workflows, credentials, identity };
	} catch (error) {
		await sandbox.stop();
		throw error;
	}
}
