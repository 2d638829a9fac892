/**
 * `npm run test:e2e`: the packed package inside real n8n (1.x on this Node, 2.x on Node 24).
 *
 * For each n8n line: a fresh user folder, the tarball installed as n8n installs community packages, the
 * sandbox's credentials and every workflow imported, each workflow run with `n8n execute --id`, and its output
 * and the sandbox's record checked (see scenarios.ts). Then the n8n server: owner set-up, credential tests
 * through the REST API, node types as the editor receives them.
 *
 * Options: --line 1|2 (repeatable; default both), --skip-build (pack the current dist/), --tarball FILE (test
 * a packed package as is), --only TEXT (workflows whose id contains TEXT), --no-server, --keep (keep the work
 * folder). The last line is "N passed, N failed".
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { createDemoIdentity } from '../sandbox/identities';
import { cacheRoot, ensureN8n, parseLineArgs, type InstalledN8n, type N8nLineId } from './install';
import { assert } from './lib/assertions';
import { E2E_WORKFLOWS_DIR, EXAMPLES_DIR, isRunnable, loadWorkflows, sandboxCredentials, writeForImport, type CredentialFixture, type WorkflowFile } from './lib/fixtures';
import { N8nInstance } from './lib/n8n';
import { buildAndPack, describeTarball, packedCredentialTypes, packedNodeTypes, type PackedPackage } from './lib/package';
import { freePort, killAllTracked, removeScratch, seconds } from './lib/process';
import { startSandbox, type RunningSandbox } from './lib/sandbox';
import { describeRun, scenarios } from './scenarios';

interface Options {
	lines: N8nLineId[];
	skipBuild: boolean;
	tarball?: string;
	only?: string;
	server: boolean;
	keep: boolean;
}

function parseOptions(argv: string[]): Options {
	const options: Options = { lines: [], skipBuild: false, server: true, keep: false };
	const lines: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		if (flag === '--line' || flag === '--n8n') lines.push(value());
		else if (flag === '--skip-build') options.skipBuild = true;
		else if (flag === '--tarball') options.tarball = path.resolve(value());
		else if (flag === '--only') options.only = value();
		else if (flag === '--no-server') options.server = false;
		else if (flag === '--keep') options.keep = true;
		else throw new Error(`unknown option ${argv[i]}`);
	}
	options.lines = parseLineArgs(lines);
	return options;
}

interface Outcome {
	name: string;
	ok: boolean;
	skipped?: string;
	seconds: number;
	error?: string;
}

const outcomes: Outcome[] = [];
const timings: Array<[string, number]> = [];

async function test(name: string, body: () => Promise<void>): Promise<boolean> {
	const started = Date.now();
	try {
		await body();
		outcomes.push({ name, ok: true, seconds: seconds(started) });
		console.log(`  ✓ ${name} (${seconds(started)} s)`);
		return true;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		outcomes.push({ name, ok: false, seconds: seconds(started), error: message });
		console.log(`  ✗ ${name} (${seconds(started)} s)\n${indent(message)}`);
		return false;
	}
}

function skip(name: string, reason: string): void {
	outcomes.push({ name, ok: true, skipped: reason, seconds: 0 });
	console.log(`  - ${name}: skipped (${reason})`);
}

function indent(text: string): string {
	return text
		.split('\n')
		.slice(0, 60)
		.map((line) => `      ${line}`)
		.join('\n');
}

/** Output lines that are not n8n's ordinary chatter, for the "loads without warnings" check. */
function unexpectedLines(output: string): string[] {
	const ordinary = [
		/^Exporting node types/,
		/^Found \d+ node types/,
		/^Successfully exported/,
		/^\s*$/,
		/^Editor is now accessible via:/,
		/^http:\/\/localhost:\d+/,
		/^Press "o" to open in Browser/,
		/^n8n ready on/,
		/^Version: /,
		/^Initializing n8n process/,
		/^Successfully imported/,
		/^Importing \d+/,
	];
	return output.split('\n').filter((line) => !ordinary.some((pattern) => pattern.test(line.trim())));
}

const OUR_NAMES = /n8n-nodes-edo|edoCrypto|edoCertificate|edoRemoteSigner|taxcom|transcrypt|diadoc/i;

function assertNoWarningsAboutUs(output: string, what: string): string[] {
	// The cache folder's own name contains the package name: paths into it are not about the package.
	const lines = unexpectedLines(output.split(cacheRoot()).join('<cache>'));
	const ours = lines.filter((line) => OUR_NAMES.test(line));
	assert.deepEqual(ours, [], `${what} printed warnings about this package:\n${ours.join('\n')}`);
	return lines;
}

/** The sandbox emulator each service credential's test must reach. */
const SERVICE_PREFIX: Record<string, string> = { taxcomApi: 'taxcom', transcryptApi: 'transcrypt', diadocApi: 'diadoc', edoRemoteSigner: 'signer' };

/** The credential with a wrong secret, which its test must refuse. */
function brokenCredential(credential: CredentialFixture): CredentialFixture | undefined {
	const wrong: Record<string, Record<string, unknown>> = {
		edoCertificate: { privateKey: '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n' },
		taxcomApi: { cloudPassword: 'wrong-password' },
		transcryptApi: { password: 'wrong-password' },
		diadocApi: { password: 'wrong-password' },
		edoRemoteSigner: { accessToken: 'wrong-token' },
	};
	const patch = wrong[credential.type];
	return patch ? { ...credential, data: { ...credential.data, ...patch } } : undefined;
}

async function runLine(
	line: N8nLineId,
	installed: InstalledN8n,
	packed: PackedPackage,
	sandbox: RunningSandbox,
	credentials: CredentialFixture[],
	workflows: WorkflowFile[],
	identity: Awaited<ReturnType<typeof createDemoIdentity>>,
	workDir: string,
	options: Options,
): Promise<void> {
	const label = `[n8n ${installed.line.n8nVersion}]`;
	console.log(`\n${label} on Node ${installed.nodeVersion}`);
	const lineStarted = Date.now();
	const userFolder = path.join(workDir, `n8n-${line}`);
	fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new N8nInstance({ installed, userFolder });
	const nodeTypes = packedNodeTypes(packed);

	const installedOk = await test(`${label} the tarball installs as a community package (npm --ignore-scripts, runtime dependencies only)`, async () => {
		await n8n.installPackage(packed.tarball);
		const modules = path.join(n8n.n8nFolder, 'nodes', 'node_modules');
		assert.ok(!fs.existsSync(path.join(modules, 'n8n-workflow')), 'n8n-workflow (a peer) was installed next to the package; n8n provides it');
		assert.ok(!fs.existsSync(path.join(modules, 'n8n-core')), 'n8n-core was installed: it must stay a devDependency');
	});
	if (!installedOk) return;

	await test(`${label} n8n loads the node types without warnings; export:nodes lists them${n8n.major >= 2 ? ' and their AI Tool variants' : ''}`, async () => {
		// The first command against the folder runs the database migrations (at info level they fill the log).
		await n8n.cliOk(['export:nodes', `--output=${path.join(userFolder, 'warmup-nodes.json')}`], { timeoutMs: 300_000 });
		const output = path.join(userFolder, 'nodes.json');
		const result = await n8n.cliOk(['export:nodes', `--output=${output}`]);
		assertNoWarningsAboutUs(`${result.stdout}\n${result.stderr}`, 'n8n export:nodes');
		const exported = JSON.parse(fs.readFileSync(output, 'utf8')) as Array<{ name: string; outputs?: unknown }>;
		const names = new Set(exported.map((node) => node.name));
		const missing = nodeTypes.filter((type) => !names.has(type));
		assert.deepEqual(missing, [], `export:nodes lacks ${missing.join(', ')}`);
		if (n8n.major >= 2) {
			const tools = nodeTypes.map((type) => `${type}Tool`).filter((type) => !names.has(type));
			assert.deepEqual(tools, [], `usableAsTool nodes without an AI Tool variant: ${tools.join(', ')}`);
			for (const type of nodeTypes) {
				const tool = exported.find((node) => node.name === `${type}Tool`);
				assert.match(JSON.stringify(tool?.outputs ?? ''), /ai_tool/, `${type}Tool has no ai_tool output`);
			}
		}
	});

	const importFolder = path.join(userFolder, 'import');
	const imported = await test(`${label} imports ${credentials.length} credentials and ${workflows.length} workflows`, async () => {
		const credentialsFile = path.join(userFolder, 'credentials.json');
		fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2));
		await n8n.importCredentials(credentialsFile);
		fs.rmSync(credentialsFile);
		for (const workflow of workflows) writeForImport(workflow, importFolder);
		await n8n.cliOk(['import:workflow', '--separate', `--input=${importFolder}`]);
	});
	if (!imported) return;

	for (const workflow of workflows) {
		const scenario = scenarios.find((s) => s.workflowId === workflow.id);
		const name = `${label} ${workflow.id}: ${scenario?.title ?? workflow.name}`;
		await test(name, async () => {
			assert.ok(scenario, `no scenario in e2e/scenarios.ts checks workflow ${workflow.id} (${path.relative(process.cwd(), workflow.file)})`);
			await sandbox.client.reset();
			await scenario.before?.(sandbox.client);
			const { result, run } = await n8n.execute(workflow.id);
			const requests = await sandbox.client.requests();
			try {
				await scenario.check({ run, sandbox: sandbox.client, requests, identity, n8n });
			} catch (error) {
				const detail = `\n--- run: exit ${result.code}\n${describeRun(run)}${run ? '' : `\n--- stdout\n${result.stdout.slice(-2000)}\n--- stderr\n${result.stderr.slice(-2000)}`}`;
				throw new Error(`${error instanceof Error ? error.message : String(error)}${detail}`);
			}
			assert.equal(result.code, 0, `n8n execute exited ${result.code}`);
			assertNoWarningsAboutUs(result.stderr, 'n8n execute');
		});
	}

	if (options.server) {
		await test(`${label} server: owner set-up, credential tests through the REST API pass, the editor receives the node types`, async () => {
			const port = await freePort();
			await n8n.startServer(port, { logFile: path.join(userFolder, 'server.log') });
			try {
				const rest = n8n.rest();
				await rest.ensureOwnerAndLogin();
				await sandbox.client.reset();
				for (const credential of credentials) {
					const result = await rest.testCredential(credential);
					assert.equal(result.status, 'OK', `credential test of ${credential.name}: ${result.status} ${result.message}`);
					const broken = brokenCredential(credential);
					if (broken) {
						const refused = await rest.testCredential(broken);
						assert.equal(refused.status, 'Error', `the credential test of ${credential.name} passed with a wrong secret: ${refused.message}`);
					}
				}
				// The tests of the service credentials talked to the sandbox, not just checked their fields.
				const contacted = new Set((await sandbox.client.requests()).map((request) => request.path.split('/')[1]));
				for (const credential of credentials) {
					const prefix = SERVICE_PREFIX[credential.type];
					if (prefix) assert.ok(contacted.has(prefix), `the credential test of ${credential.name} sent nothing to /${prefix}`);
				}
				const served = new Set((await rest.nodeTypes()).map((node) => node.name));
				const missing = nodeTypes.filter((type) => !served.has(type));
				assert.deepEqual(missing, [], `/types/nodes.json lacks ${missing.join(', ')}`);
				if (n8n.major >= 2) {
					const tools = nodeTypes.map((type) => `${type}Tool`).filter((type) => !served.has(type));
					assert.deepEqual(tools, [], `the editor gets no AI Tool variant of ${tools.join(', ')}`);
				}
			} finally {
				await n8n.stopServer();
			}
			const log = fs.readFileSync(path.join(userFolder, 'server.log'), 'utf8');
			assertNoWarningsAboutUs(log, 'n8n start');
		});
	}
	timings.push([`n8n ${installed.line.n8nVersion}: tests`, seconds(lineStarted)]);
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const started = Date.now();
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edo-e2e-'));
	console.log(`e2e work folder: ${workDir}`);
	let sandbox: RunningSandbox | undefined;
	try {
		const installs = new Map<N8nLineId, InstalledN8n>();
		for (const line of options.lines) {
			const installed = await ensureN8n(line);
			installs.set(line, installed);
			timings.push([`n8n ${installed.line.n8nVersion} install (${installed.installedNow ? 'fresh' : 'cached'})`, installed.seconds]);
		}

		const packStarted = Date.now();
		const packed = options.tarball ? await describeTarball(options.tarball) : await buildAndPack(path.join(workDir, 'pack'), { skipBuild: options.skipBuild });
		timings.push([options.tarball ? 'tarball given' : options.skipBuild ? 'npm pack' : 'npm run build + npm pack', seconds(packStarted)]);
		console.log(`package: ${path.basename(packed.tarball)}; nodes: ${packedNodeTypes(packed).join(', ')}`);

		sandbox = await startSandbox({ logFile: path.join(workDir, 'sandbox.log') });
		console.log(`sandbox: ${sandbox.baseUrl}`);
		const identity = await createDemoIdentity();
		const { credentials } = await sandboxCredentials(sandbox.baseUrl, new Set(packedCredentialTypes(packed)), identity);

		const available = new Set(packedNodeTypes(packed));
		const all = [...loadWorkflows(EXAMPLES_DIR), ...loadWorkflows(E2E_WORKFLOWS_DIR, sandbox.baseUrl)].filter(
			(workflow) => !options.only || workflow.id.includes(options.only),
		);
		const workflows: WorkflowFile[] = [];
		for (const workflow of all) {
			if (isRunnable(workflow, available)) workflows.push(workflow);
			else skip(`${workflow.id}`, `uses ${workflow.packageNodeTypes.filter((t) => !available.has(t)).join(', ')}, which the package does not list yet`);
		}

		for (const line of options.lines) {
			await runLine(line, installs.get(line)!, packed, sandbox, credentials, workflows, identity, workDir, options);
		}
	} catch (error) {
		outcomes.push({ name: 'e2e set-up', ok: false, seconds: 0, error: error instanceof Error ? error.message : String(error) });
		console.log(`  ✗ e2e set-up\n${indent(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
	} finally {
		await sandbox?.stop();
		killAllTracked();
	}

	timings.push(['total', seconds(started)]);
	const failed = outcomes.filter((o) => !o.ok);
	const passed = outcomes.filter((o) => o.ok && !o.skipped);
	const skipped = outcomes.filter((o) => o.skipped);
	console.log('\nTimings:');
	for (const [what, secs] of timings) console.log(`  ${what}: ${secs} s`);
	if (failed.length) {
		console.log('\nFailed:');
		for (const outcome of failed) console.log(`  ✗ ${outcome.name}`);
	}
	if (!options.keep && failed.length === 0) removeScratch(workDir);
	else console.log(`\nwork folder kept: ${workDir}`);
	console.log(`\n${passed.length} passed, ${failed.length} failed${skipped.length ? `, ${skipped.length} skipped` : ''}`);
	process.exitCode = failed.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		killAllTracked('SIGKILL');
		process.exit(130);
	});
}

void main();
