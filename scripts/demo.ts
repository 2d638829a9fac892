/**
 * `npm run demo`: the package inside a real n8n, against the sandbox.
 *
 * Builds and packs the package, installs n8n into the cache if it is not there yet, starts the sandbox and
 * n8n (http://localhost:5678) with the package installed as a community package, the sandbox credentials and
 * the example workflows imported and an owner account set up, then waits; Ctrl-C stops everything it started.
 *
 *   npm run demo -- --headless     run every example once with `n8n execute` and print a report instead
 *   npm run demo -- --n8n 2        use n8n 2.x (on Node 24 from the npm registry) instead of 1.x
 *   other options: --port N (n8n, 5678), --sandbox-port N (5680), --skip-build, --tarball FILE
 */
import path from 'path';

import type { DemoIdentity } from '../sandbox/identities';
import { parseLineArgs, type N8nLineId } from '../e2e/install';
import { REPO_ROOT, type WorkflowFile } from '../e2e/lib/fixtures';
import { OWNER, type N8nInstance } from '../e2e/lib/n8n';
import { isPortFree, killAllTracked, seconds } from '../e2e/lib/process';
import type { RunningSandbox } from '../e2e/lib/sandbox';
import { prepareInstance, type PreparedInstance } from '../e2e/lib/setup';
import { describeRun, scenarios } from '../e2e/scenarios';

interface DemoOptions {
	headless: boolean;
	line: N8nLineId;
	port: number;
	sandboxPort: number;
	skipBuild: boolean;
	tarball?: string;
}

const USAGE = 'usage: npm run demo -- [--headless] [--n8n 1|2] [--port 5678] [--sandbox-port 5680] [--skip-build] [--tarball FILE]';

/** The example to open first: the first of these the package can run. */
const FIRST_CHOICES = ['edoDiadocRegistration', 'edoTaxcomStepByStep', 'edoTranscryptLogin'];

function parseOptions(argv: string[]): DemoOptions {
	const options: DemoOptions = { headless: false, line: '1', port: 5678, sandboxPort: 5680, skipBuild: false };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--headless':
				options.headless = true;
				break;
			case '--n8n':
			case '--line':
				options.line = parseLineArgs([value()])[0];
				break;
			case '--port':
				options.port = Number(value());
				break;
			case '--sandbox-port':
				options.sandboxPort = Number(value());
				break;
			case '--skip-build':
				options.skipBuild = true;
				break;
			case '--tarball':
				options.tarball = path.resolve(value());
				break;
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
		}
	}
	for (const port of [options.port, options.sandboxPort]) {
		if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`a port must be a number 1..65535\n${USAGE}`);
	}
	return options;
}

/** Resolves on the first Ctrl-C (or SIGTERM); a second one stops at once. */
const stopRequested = new Promise<void>((resolve) => {
	let asked = false;
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.on(signal, () => {
			if (asked) {
				killAllTracked('SIGKILL');
				process.exit(130);
			}
			asked = true;
			resolve();
		});
	}
});

/** Awaits a set-up step, or gives up when Ctrl-C comes first (the finally block then stops the children). */
async function unlessStopped<T>(work: Promise<T>): Promise<T> {
	return await Promise.race([work, stopRequested.then(() => Promise.reject(new Error('stopped (Ctrl-C)')))]);
}

function step(message: string): void {
	console.log(`\n== ${message}`);
}

async function runHeadless(n8n: N8nInstance, sandbox: RunningSandbox, workflows: WorkflowFile[], identity: DemoIdentity): Promise<boolean> {
	step(`running ${workflows.length} example workflows with n8n execute`);
	const rows: Array<{ workflow: WorkflowFile; ok: boolean; seconds: number; detail: string }> = [];
	for (const workflow of workflows) {
		await sandbox.client.reset();
		const scenario = scenarios.find((s) => s.workflowId === workflow.id);
		await scenario?.before?.(sandbox.client);
		const started = Date.now();
		const { result, run } = await n8n.execute(workflow.id);
		const requests = await sandbox.client.requests();
		let ok = result.code === 0 && !run?.data.resultData.error;
		let detail = `${Object.keys(run?.data.resultData.runData ?? {}).length} nodes ran, ${requests.length} requests to the sandbox`;
		if (ok && scenario) {
			try {
				await scenario.check({ run, sandbox: sandbox.client, requests, identity, n8n });
				detail += '; checks passed';
			} catch (error) {
				ok = false;
				detail += `; check failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
			}
		} else if (!ok) {
			detail = describeRun(run).split('\n').slice(-1)[0] || `exit ${result.code}`;
		}
		rows.push({ workflow, ok, seconds: seconds(started), detail });
		console.log(`  ${ok ? '✓' : '✗'} ${workflow.name} (${workflow.id}, ${seconds(started)} s): ${detail}`);
	}
	const failed = rows.filter((row) => !row.ok).length;
	console.log(`\n${rows.length - failed} of ${rows.length} examples ran and passed their checks on n8n ${n8n.version}.`);
	return failed === 0;
}

async function serve(n8n: N8nInstance, sandbox: RunningSandbox, workflows: WorkflowFile[], options: DemoOptions, logFile: string): Promise<void> {
	step(`starting n8n ${n8n.version} on http://localhost:${options.port}`);
	await unlessStopped(n8n.startServer(options.port, { logFile }));
	await n8n.rest().ensureOwnerAndLogin();
	const first = FIRST_CHOICES.map((id) => workflows.find((w) => w.id === id)).find(Boolean) ?? workflows[0];
	const editor = `http://localhost:${options.port}`;
	console.log(`
n8n is running with n8n-nodes-edo installed:

  Editor     ${editor}
  Sign in    ${OWNER.email} / ${OWNER.password}
  Sandbox    ${sandbox.baseUrl}  (Diadoc, Taxcom, Transcrypt and the remote signer emulators; ${sandbox.baseUrl}/__sandbox/requests lists what they received)
  n8n log    ${logFile}

Example workflows (credentials "… (sandbox)" are already set up):
${workflows.map((w) => `  ${w.name.padEnd(48)} ${editor}/workflow/${w.id}`).join('\n')}
${first ? `\nRun this one first: "${first.name}": open ${editor}/workflow/${first.id} and click "Execute workflow" (Test workflow in n8n 1.x).` : ''}

Ctrl-C stops n8n and the sandbox.`);
	let stopping = false;
	await new Promise<void>((resolve) => {
		void stopRequested.then(() => {
			stopping = true;
			resolve();
		});
		n8n.server?.child.once('close', () => {
			if (stopping) return;
			console.error(`n8n stopped by itself; see ${logFile}`);
			process.exitCode = 1;
			resolve();
		});
	});
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const started = Date.now();
	const demoDir = path.join(REPO_ROOT, '.cache', 'demo');
	let prepared: PreparedInstance | undefined;
	try {
		if (!options.headless && !(await isPortFree(options.port))) {
			throw new Error(`port ${options.port} is taken (another n8n?): stop it or pass --port N`);
		}
		prepared = await prepareInstance({
			line: options.line,
			workDir: demoDir,
			tarball: options.tarball,
			skipBuild: options.skipBuild,
			sandboxPort: options.sandboxPort,
			guard: unlessStopped,
		});
		console.log(`ready after ${seconds(started)} s`);
		const { n8n, sandbox, workflows, identity } = prepared;
		if (options.headless) {
			const ok = await unlessStopped(runHeadless(n8n, sandbox, workflows, identity));
			process.exitCode = ok ? 0 : 1;
		} else {
			await serve(n8n, sandbox, workflows, options, path.join(demoDir, `n8n-${options.line}.log`));
		}
	} finally {
		console.log('\nstopping…');
		await prepared?.n8n.stopServer();
		await prepared?.sandbox.stop();
		killAllTracked();
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : String(error));
	killAllTracked('SIGKILL');
	process.exit(1);
});
