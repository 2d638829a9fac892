/**
 * Child processes for the e2e runner and the demo: each long-lived child leads its own process group, so
 * stopping it also stops whatever it started (npm → node, n8n → task runners).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';

export interface CommandResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	seconds: number;
}

export interface CommandOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	input?: string;
}

/** Runs a command to its end and collects its output; a timeout kills its whole process group. */
export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
			detached: true,
		});
		tracked.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		if (options.input !== undefined) child.stdin?.end(options.input);
		const timer = options.timeoutMs
			? setTimeout(() => {
					stderr += `\n[killed after ${options.timeoutMs} ms]`;
					killGroup(child, 'SIGKILL');
				}, options.timeoutMs)
			: undefined;
		child.on('error', (error) => {
			if (timer) clearTimeout(timer);
			tracked.delete(child);
			reject(error);
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			tracked.delete(child);
			resolve({ code, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 });
		});
	});
}

const tracked = new Set<ChildProcess>();

// Whatever way this process ends (an uncaught error included), its detached children end with it.
process.once('exit', () => killAllTracked('SIGTERM'));

export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

export interface Service {
	child: ChildProcess;
	/** Everything the service printed, for assertions on its log. */
	output(): string;
	stop(): Promise<void>;
}

/** Starts a long-lived child in its own process group, its output kept and optionally copied to a file. */
export function startService(command: string, args: string[], options: SpawnOptions & { logFile?: string }): Service {
	const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	tracked.add(child);
	let output = '';
	if (options.logFile) fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
	const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined;
	log?.on('error', () => undefined);
	const keep = (chunk: Buffer) => {
		output += chunk.toString();
		log?.write(chunk);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
	child.on('close', () => {
		tracked.delete(child);
		log?.end();
	});
	return {
		child,
		output: () => output,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
			await exited;
			clearTimeout(timer);
		},
	};
}

/** Stops every child this process started (on exit, Ctrl-C or a failure). */
export function killAllTracked(signal: NodeJS.Signals = 'SIGTERM'): void {
	for (const child of tracked) killGroup(child, signal);
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

export function isPortFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.unref();
		server.once('error', () => resolve(false));
		server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
	});
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, service?: Service): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (service && (service.child.exitCode !== null || service.child.signalCode !== null)) {
			throw new Error(`${what}: the process ended (${service.child.exitCode ?? service.child.signalCode}).\n${service.output().slice(-3000)}`);
		}
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch {
			// not yet
		}
		if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${service ? `\n${service.output().slice(-3000)}` : ''}`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

export function seconds(started: number): number {
	return Math.round((Date.now() - started) / 100) / 10;
}

/**
 * Removes a scratch folder without ever failing the run: a browser or n8n process that is still closing may
 * write into it, so removal is retried, and a folder that stays is only reported.
 */
export function removeScratch(dir: string): void {
	try {
		fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
	} catch (error) {
		console.log(`  note: could not remove ${dir}: ${error instanceof Error ? error.message : String(error)}`);
	}
}
