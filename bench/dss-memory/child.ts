/**
 * Starting and stopping the sandbox child process (see sandbox-child.ts) from a benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface SandboxChild {
	apiUrl: string;
	accessToken: string;
	legacyToken: string;
	dssCertificatePem: string;
	stop(): Promise<void>;
}

export async function startSandboxChild(): Promise<SandboxChild> {
	const script = join(__dirname, 'sandbox-child.ts');
	const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
		// The child exits when this pipe closes, so it never outlives the benchmark.
		stdio: ['pipe', 'pipe', 'inherit'],
		env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PREFER_TS_EXTS: 'true' },
	});
	const line = await new Promise<string>((resolve, reject) => {
		const lines = createInterface({ input: child.stdout! });
		lines.once('line', resolve);
		child.once('exit', (code) => reject(new Error(`the sandbox child exited with ${code}`)));
	});
	const info = JSON.parse(line) as Omit<SandboxChild, 'stop'>;
	return {
		...info,
		stop: async () => {
			if (child.exitCode !== null) return;
			await new Promise<void>((resolve) => {
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			});
		},
	};
}
