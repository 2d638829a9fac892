/**
 * One n8n instance of a cached install: its own user folder (database, config, community packages), its CLI,
 * and its server with a small REST client (owner setup, login, credential tests).
 */
import fs from 'fs';
import path from 'path';

import type { InstalledN8n } from '../install';
import { runCommand, startService, waitFor, type CommandResult, type Service } from './process';

/** Where the DSS example writes its .sig files; n8n 2.x writes only under N8N_RESTRICT_FILE_ACCESS_TO. */
export const SIGNATURES_DIR = '/tmp/n8n-edo-signatures';

/** Fixed, so that credentials imported with plain data decrypt in every later command of the same folder. */
export const ENCRYPTION_KEY = 'n8n-nodes-edo-e2e-and-demo-key';
export const PACKAGE_NAME = 'n8n-nodes-edo';

export const OWNER = {
	email: 'demo@example.com',
	firstName: 'EDO',
	lastName: 'Demo',
	password: 'Demo-Password-1',
};

export interface N8nInstanceOptions {
	installed: InstalledN8n;
	userFolder: string;
	/** Extra environment (wins over the defaults). */
	env?: Record<string, string>;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export class N8nInstance {
	readonly installed: InstalledN8n;
	readonly userFolder: string;
	readonly n8nFolder: string;
	private readonly extraEnv: Record<string, string>;
	private readonly logLevel: string;
	server?: Service;
	port?: number;

	constructor(options: N8nInstanceOptions) {
		this.installed = options.installed;
		this.userFolder = options.userFolder;
		this.n8nFolder = path.join(options.userFolder, '.n8n');
		this.extraEnv = options.env ?? {};
		this.logLevel = options.logLevel ?? 'warn';
	}

	get version(): string {
		return this.installed.line.n8nVersion;
	}

	get major(): number {
		return Number(this.version.split('.')[0]);
	}

	env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
		const inherited: NodeJS.ProcessEnv = {};
		for (const [name, value] of Object.entries(process.env)) {
			// npm's own variables (npm run) and ts-node's loader must not leak into n8n.
			if (/^npm_|^TS_NODE_|^NODE_OPTIONS$|^N8N_|^DB_/.test(name)) continue;
			inherited[name] = value;
		}
		return {
			...inherited,
			PATH: this.installed.pathEnv,
			HOME: process.env.HOME,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_LOG_LEVEL: this.logLevel,
			N8N_LOG_OUTPUT: 'console',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_SECURE_COOKIE: 'false',
			GENERIC_TIMEZONE: 'UTC',
			// Settings n8n asks for in deprecation notices; they change nothing the package relies on.
			DB_SQLITE_POOL_SIZE: '2',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
			N8N_GIT_NODE_DISABLE_BARE_REPOS: 'true',
			N8N_RESTRICT_FILE_ACCESS_TO: `${SIGNATURES_DIR};~/.n8n-files`,
			...this.installed.line.env,
			...this.extraEnv,
			...overrides,
		};
	}

	/** Runs `n8n <args>` to its end. */
	cli(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CommandResult> {
		return runCommand(this.installed.nodeBin, [this.installed.n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env(options.env),
			timeoutMs: options.timeoutMs ?? 180_000,
		});
	}

	async cliOk(args: string[], options: { timeoutMs?: number } = {}): Promise<CommandResult> {
		const result = await this.cli(args, options);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited ${result.code ?? result.signal}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
		}
		return result;
	}

	/** The folder where n8n looks for community packages, with the package tarball installed as n8n would. */
	async installPackage(tarball: string): Promise<void> {
		const nodesFolder = path.join(this.n8nFolder, 'nodes');
		fs.mkdirSync(nodesFolder, { recursive: true });
		fs.writeFileSync(path.join(nodesFolder, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
		// Runtime dependencies only, no install scripts; peers (n8n-workflow) come from n8n itself, as when n8n
		// installs a community package.
		const result = await runCommand(
			'npm',
			['install', '--ignore-scripts', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--loglevel=error', tarball],
			{ cwd: nodesFolder, timeoutMs: 300_000, env: { ...process.env, PATH: this.installed.pathEnv } },
		);
		if (result.code !== 0) throw new Error(`npm install ${tarball} failed\n${result.stderr.slice(-3000)}`);
		const installedPackage = path.join(nodesFolder, 'node_modules', PACKAGE_NAME, 'package.json');
		if (!fs.existsSync(installedPackage)) throw new Error(`${PACKAGE_NAME} is not in ${nodesFolder}/node_modules after npm install`);
	}

	async importCredentials(file: string): Promise<void> {
		await this.cliOk(['import:credentials', `--input=${file}`]);
	}

	async importWorkflow(file: string): Promise<void> {
		await this.cliOk(['import:workflow', `--input=${file}`]);
	}

	/** `n8n execute --id <id> --rawOutput`: the run data, parsed, and the raw result. */
	async execute(workflowId: string, options: { timeoutMs?: number } = {}): Promise<{ result: CommandResult; run?: ExecutionRun }> {
		// The run JSON is written through n8n's logger at level info (both lines), so info it is.
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], {
			timeoutMs: options.timeoutMs ?? 240_000,
			env: { N8N_LOG_LEVEL: 'info' },
		});
		return { result, run: parseRunOutput(result.stdout) };
	}

	/** Starts `n8n start` on the port and waits for /healthz, the REST API and the end of start-up. */
	async startServer(port: number, options: { logFile?: string; env?: Record<string, string> } = {}): Promise<void> {
		this.port = port;
		this.server = startService(this.installed.nodeBin, [this.installed.n8nBin, 'start'], {
			cwd: this.userFolder,
			// Level info: the "Editor is now accessible" line below is how the server says its start-up is over.
			env: this.env({ N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '0.0.0.0', N8N_HOST: 'localhost', N8N_LOG_LEVEL: 'info', ...options.env }),
			logFile: options.logFile,
		});
		await waitFor(
			`n8n ${this.version} server on port ${port}`,
			async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined),
			180_000,
			this.server,
		);
		// /healthz answers before the REST API is mounted; wait for the settings endpoint too.
		await waitFor(
			`n8n ${this.version} REST API`,
			async () => ((await fetch(`http://127.0.0.1:${port}/rest/settings`)).ok ? true : undefined),
			120_000,
			this.server,
		);
		// The REST API answers while start-up goes on (workflow activation, then n8n releases and reloads the node
		// type descriptions); a credential test sent in that window got an empty answer once on n8n 2.x.
		const server = this.server;
		await waitFor(
			`n8n ${this.version} start-up`,
			async () => (server.output().includes('Editor is now accessible via') ? true : undefined),
			120_000,
			server,
		);
	}

	async stopServer(): Promise<void> {
		await this.server?.stop();
		this.server = undefined;
	}

	rest(): N8nRestClient {
		if (!this.port) throw new Error('the n8n server is not running');
		return new N8nRestClient(`http://127.0.0.1:${this.port}`);
	}
}

export interface NodeRunData {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	error?: { message?: string; description?: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { fileName?: string; mimeType?: string; fileSize?: string; data?: string }> }> | null> };
}

export interface ExecutionRun {
	finished?: boolean;
	status?: string;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, NodeRunData[]>;
			lastNodeExecuted?: string;
			error?: { message?: string; description?: string; node?: { name?: string } };
		};
	};
}

/** `--rawOutput` prints the run as JSON; log lines that share stdout come before it. */
export function parseRunOutput(stdout: string): ExecutionRun | undefined {
	const lines = stdout.split('\n');
	for (let index = 0; index < lines.length; index++) {
		if (!lines[index].startsWith('{')) continue;
		try {
			const parsed = JSON.parse(lines.slice(index).join('\n')) as ExecutionRun;
			if (parsed && typeof parsed === 'object' && parsed.data?.resultData) return parsed;
		} catch {
			// a log line that happened to start with "{": keep looking
		}
	}
	return undefined;
}

/** Output items (json) of a node's last run, first output by default. */
export function nodeOutput(run: ExecutionRun, nodeName: string, output = 0, runIndex = -1): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs || runs.length === 0) throw new Error(`node "${nodeName}" did not run; ran: ${Object.keys(run.data.resultData.runData).join(', ')}`);
	const chosen = runs[runIndex < 0 ? runs.length + runIndex : runIndex];
	return (chosen.data?.main?.[output] ?? []).map((item) => item.json);
}

export function nodeRuns(run: ExecutionRun, nodeName: string): number {
	return run.data.resultData.runData[nodeName]?.length ?? 0;
}

export class N8nRestClient {
	private cookie = '';
	private readonly browserId = 'edo-e2e-browser';

	constructor(readonly baseUrl: string) {}

	async call<T = unknown>(method: string, route: string, body?: unknown): Promise<{ status: number; data: T; raw: string }> {
		const response = await fetch(`${this.baseUrl}${route}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.getSetCookie?.() ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		const raw = await response.text();
		let parsed: unknown = raw;
		try {
			parsed = JSON.parse(raw);
		} catch {
			// not JSON
		}
		const data = parsed && typeof parsed === 'object' && 'data' in parsed ? (parsed as { data: T }).data : (parsed as T);
		return { status: response.status, data, raw };
	}

	/** Sets up the owner account on a fresh instance (no-op answer when it exists), then logs in. */
	async ensureOwnerAndLogin(owner = OWNER): Promise<void> {
		const settings = await this.call<{ userManagement?: { showSetupOnFirstLoad?: boolean } }>('GET', '/rest/settings');
		if (settings.data?.userManagement?.showSetupOnFirstLoad !== false) {
			const setup = await this.call('POST', '/rest/owner/setup', owner);
			if (setup.status !== 200) throw new Error(`owner setup failed: ${setup.status} ${setup.raw.slice(0, 500)}`);
		}
		const login = await this.call('POST', '/rest/login', { emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password });
		if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.raw.slice(0, 500)}`);
	}

	/** The credential test of the editor's credential form ("Retry"/"Save" runs it), through the REST API. */
	async testCredential(credential: { id: string; name: string; type: string; data: Record<string, unknown> }): Promise<{ status: string; message: string }> {
		// An answer without a status is n8n's REST layer, not the test's verdict (seen once on n8n 2.x in CI): it is
		// reported and asked again, twice at most; a verdict of "Error" is never retried.
		for (let attempt = 1; ; attempt++) {
			const result = await this.call<{ status: string; message: string }>('POST', '/rest/credentials/test', { credentials: credential });
			if (result.status === 200 && typeof result.data?.status === 'string') return result.data;
			const answer = `HTTP ${result.status}, ${result.raw.slice(0, 500) || '(empty body)'}`;
			if (attempt === 3) throw new Error(`credential test ${credential.name}: no verdict after ${attempt} attempts; last answer ${answer}`);
			console.error(`  note: credential test ${credential.name} answered without a verdict (${answer}); asking again`);
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}

	async nodeTypes(): Promise<Array<{ name: string; displayName: string }>> {
		const result = await this.call<Array<{ name: string; displayName: string }>>('GET', '/types/nodes.json');
		return Array.isArray(result.data) ? result.data : [];
	}
}
