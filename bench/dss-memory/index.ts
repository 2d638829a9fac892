/**
 * Memory of DSS Sign with a 100 MB binary: the Diadoc node builds the DssSign JSON body as a stream (base64
 * pieces of the binary between a JSON prefix and suffix), so the file is never held as one base64 string.
 * The sandbox runs in a child process, so only this process (the client) is measured.
 *
 * Run: npm run bench:dss-memory   (SIZE_MB=… to change the size)
 * For each n8n binary-data mode it records RSS and arrayBuffers when the node starts executing (after a GC:
 * the input item with its 100 MB already exists, as it would in n8n) and samples both every few ms until the
 * node ends. It prints the peak growth divided by the file size. It reports; it never fails (exit code 0).
 * The request is checked: the sandbox receives a task for the whole file.
 */
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { request } from 'undici';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { DiadocOAuth2Api } from '../../credentials/DiadocOAuth2Api.credentials';
import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';
import { runNode, type BinaryDataMode } from '../../test/harness';
import { startSandboxChild, type SandboxChild } from './child';

const SIZE_MB = Number(process.env.SIZE_MB ?? 100);
const SIZE = SIZE_MB * 1000 * 1000;
const TARGET = 1.5;
const BOX_ID = '7f3c2a1e-9b8d-4c6f-a5e4-3d2c1b0a9f8e';
const SAMPLE_MS = 5;

/** A full GC before the baseline; enabled at run time, so no node flag is needed. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (() => void) | undefined;

interface Sample {
	rss: number;
	arrayBuffers: number;
	heapUsed: number;
}

function sample(): Sample {
	const usage = process.memoryUsage();
	return { rss: usage.rss, arrayBuffers: usage.arrayBuffers, heapUsed: usage.heapUsed };
}

/** The Diadoc node, with a baseline taken (after a GC) at the moment its execute() starts. */
function measuredNode(record: { baseline?: Sample; peak?: Sample }): INodeType {
	const diadoc = new Diadoc();
	return {
		description: diadoc.description,
		methods: diadoc.methods,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			gc?.();
			record.baseline = sample();
			const peak = { ...record.baseline };
			const timer = setInterval(() => {
				const now = sample();
				peak.rss = Math.max(peak.rss, now.rss);
				peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
				peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
			}, SAMPLE_MS);
			try {
				return await diadoc.execute.call(this);
			} finally {
				clearInterval(timer);
				const now = sample();
				record.peak = {
					rss: Math.max(peak.rss, now.rss),
					arrayBuffers: Math.max(peak.arrayBuffers, now.arrayBuffers),
					heapUsed: Math.max(peak.heapUsed, now.heapUsed),
				};
			}
		},
	};
}

async function signOnce(sandbox: SandboxChild, file: Buffer, mode: BinaryDataMode) {
	const record: { baseline?: Sample; peak?: Sample } = {};
	const started = Date.now();
	const result = await runNode(measuredNode(record), {
		parameters: { resource: 'dss', operation: 'sign', boxId: BOX_ID, binaryPropertyNames: 'data' },
		credentials: { diadocOAuth2Api: { baseUrl: sandbox.apiUrl, oauthTokenData: { access_token: sandbox.accessToken } } },
		credentialTypes: [new DiadocOAuth2Api()],
		items: [{ binary: { data: { data: file, fileName: 'big.bin', mimeType: 'application/octet-stream' } } }],
		binaryDataMode: mode,
	});
	if (result.error) throw new Error(`DSS Sign failed: ${result.error.message}`);
	const seconds = (Date.now() - started) / 1000;
	const taskId = result.output[0][0].json.TaskId;
	// The emulator's state: the task must hold the whole file (its base64 decoded strictly by the emulator).
	const state = (await (await request(`${sandbox.apiUrl}/__sandbox/state`)).body.json()) as { dssTasks: Array<{ taskId: string; files: Array<{ size: number }> }> };
	const received = state.dssTasks.find((task) => task.taskId === taskId)?.files[0]?.size;
	if (received !== file.length) throw new Error(`the sandbox received ${received} bytes instead of ${file.length}`);
	return { record, seconds };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function main(): Promise<void> {
	const sandbox = await startSandboxChild();
	try {
		const file = randomBytes(SIZE);
		console.log(`DSS Sign of a ${SIZE_MB} MB binary (${mb(Math.ceil(SIZE / 3) * 4)} as base64), sandbox in a child process`);
		for (const mode of ['filesystem', 'default'] as const) {
			// Warm-up with a small file: modules, pools and JIT are not part of the measurement.
			await signOnce(sandbox, randomBytes(1_000_000), mode);
			const { record, seconds } = await signOnce(sandbox, file, mode);
			const { baseline, peak } = record as { baseline: Sample; peak: Sample };
			const rssGrowth = peak.rss - baseline.rss;
			const buffersGrowth = peak.arrayBuffers - baseline.arrayBuffers;
			const heapGrowth = peak.heapUsed - baseline.heapUsed;
			const ratio = Math.max(rssGrowth, buffersGrowth) / SIZE;
			console.log(
				`  binary mode ${mode.padEnd(10)} peak growth: RSS ${mb(rssGrowth)}, arrayBuffers ${mb(buffersGrowth)}, JS heap ${mb(heapGrowth)}` +
					` → ${ratio.toFixed(3)} × file size (target ≤ ${TARGET}) ${ratio <= TARGET ? 'OK' : 'ABOVE TARGET'}; ${seconds.toFixed(1)} s`,
			);
		}
		console.log('  (a single base64 JSON string of the file would be ~1.33 × in the string plus its copies: ~4 ×)');
	} finally {
		await sandbox.stop();
	}
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
