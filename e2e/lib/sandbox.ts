/**
 * The EDO sandbox as a child process (`sandbox/cli.ts`), and a small client of its admin API.
 */
import path from 'path';

import { startService, waitFor, type Service } from './process';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface RecordedRequest {
	seq: number;
	time: number;
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	headers: Record<string, string>;
	bodySize: number;
	json?: unknown;
	status?: number;
	fault?: string;
}

export class SandboxClient {
	constructor(readonly baseUrl: string) {}

	async call<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.baseUrl}${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`sandbox ${method} ${route}: ${response.status} ${text.slice(0, 500)}`);
		if (!text) return undefined as T;
		try {
			return JSON.parse(text) as T;
		} catch {
			return text as T;
		}
	}

	async requests(): Promise<RecordedRequest[]> {
		return (await this.call<{ requests: RecordedRequest[] }>('GET', '/__sandbox/requests')).requests;
	}

	/** Forgets the request log, faults, clock offset and every emulator's state. */
	reset(): Promise<void> {
		return this.call('POST', '/__sandbox/reset');
	}

	/** GET /<prefix>/__sandbox/state of one emulator. */
	state<T = Record<string, unknown>>(prefix: string): Promise<T> {
		return this.call<T>('GET', `${prefix}/__sandbox/state`);
	}

	configure(prefix: string, patch: unknown): Promise<unknown> {
		return this.call('POST', `${prefix}/__sandbox/config`, patch);
	}

	describe(prefix: string): Promise<string> {
		return this.call<string>('GET', `${prefix}/__sandbox/describe`);
	}
}

export interface RunningSandbox {
	service: Service;
	client: SandboxClient;
	baseUrl: string;
	stop(): Promise<void>;
}

/** Starts `sandbox/cli.ts` on the port (0: any free one) and waits until it answers. */
export async function startSandbox(options: { port?: number; host?: string; logFile?: string } = {}): Promise<RunningSandbox> {
	const service = startService(
		process.execPath,
		['-r', 'ts-node/register/transpile-only', path.join('sandbox', 'cli.ts'), '--port', String(options.port ?? 0), '--host', options.host ?? '127.0.0.1'],
		{ cwd: REPO_ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, logFile: options.logFile },
	);
	const baseUrl = await waitFor(
		'sandbox start',
		async () => service.output().match(/EDO sandbox listening on (https?:\/\/\S+)/)?.[1],
		60_000,
		service,
	);
	const client = new SandboxClient(baseUrl);
	await waitFor('sandbox health', async () => ((await fetch(`${baseUrl}/__sandbox/health`)).ok ? true : undefined), 20_000, service);
	return { service, client, baseUrl, stop: () => service.stop() };
}
