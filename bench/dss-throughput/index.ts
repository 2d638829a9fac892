/**
 * DSS throughput: 1,000 items through the Diadoc node (DSS Sign, then Get Result, run by n8n-core's
 * WorkflowExecute with the real transport) beside a bare script making the same HTTP requests with undici
 * directly, at the same concurrency (one request at a time, as the node processes items in order), against
 * the sandbox running in a child process with DSS completing at once.
 *
 * Run: npm run bench:dss-throughput   (ITEMS=… and ROUNDS=… to change the size)
 * It reports; it never fails (exit code 0). The node's time is n8n's own executionTime of the node (the test
 * input node that prepares 1,000 binaries is not counted); the whole-run wall time is printed too.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DiadocOAuth2Api } from '../../credentials/DiadocOAuth2Api.credentials';
import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';
import { NODE_UNDER_TEST, runNode, type RunNodeResult } from '../../test/harness';
import { startSandboxChild, type SandboxChild } from '../dss-memory/child';

const ITEMS = Number(process.env.ITEMS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TARGET = 1.25;
const BOX_ID = '7f3c2a1e-9b8d-4c6f-a5e4-3d2c1b0a9f8e'; // the sandbox box with an API subscription
const FILE_SIZE = 2048;
const WARMUP = ITEMS;

const node = new Diadoc();
const credentialTypes = [new DiadocOAuth2Api()];

interface Timing {
	signMs: number;
	resultMs: number;
	wallMs?: number;
	/** CPU time of this (client) process during the round, user + system. */
	cpuMs: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
	const used = process.cpuUsage(since);
	return (used.user + used.system) / 1000;
}

function nodeTime(result: RunNodeResult): number {
	if (result.error) throw new Error(`the node failed: ${result.error.message}`);
	const task = result.run.data.resultData.runData[NODE_UNDER_TEST]?.[0];
	return task?.executionTime ?? NaN;
}

async function nodeRound(sandbox: SandboxChild, files: Buffer[]): Promise<Timing> {
	const credentials = { diadocOAuth2Api: { baseUrl: sandbox.apiUrl, oauthTokenData: { access_token: sandbox.accessToken } } };
	const cpu = process.cpuUsage();
	const started = performance.now();
	const signed = await runNode(node, {
		parameters: { resource: 'dss', operation: 'sign', boxId: BOX_ID, binaryPropertyNames: 'data' },
		credentials,
		credentialTypes,
		items: files.map((data, index) => ({ binary: { data: { data, fileName: `doc-${index}.xml`, mimeType: 'application/xml' } } })),
	});
	const signMs = nodeTime(signed);
	const tasks = signed.output[0].map((item: INodeExecutionData) => ({ json: item.json as IDataObject }));
	const results = await runNode(node, {
		parameters: { resource: 'dss', operation: 'getResult' },
		credentials,
		credentialTypes,
		items: tasks,
	});
	const resultMs = nodeTime(results);
	const completed = results.output[0].filter((item) => item.json.OperationStatus === 'Completed').length;
	if (completed !== files.length) throw new Error(`only ${completed} of ${files.length} results completed`);
	return { signMs, resultMs, wallMs: performance.now() - started, cpuMs: cpuMs(cpu) };
}

/** The same requests, one at a time, with undici and nothing else. */
async function bareRound(sandbox: SandboxChild, files: Buffer[], dispatcher: Agent): Promise<Timing> {
	const headers = {
		accept: 'application/json',
		authorization: `Bearer ${sandbox.accessToken}`,
		'content-type': 'application/json; charset=utf-8',
	};
	const cpu = process.cpuUsage();
	const signStarted = performance.now();
	const taskIds: string[] = [];
	for (const [index, file] of files.entries()) {
		const response = await request(`${sandbox.apiUrl}/DssSign?boxId=${BOX_ID}`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ Files: [{ Content: { Content: file.toString('base64') }, FileName: `doc-${index}.xml` }] }),
			dispatcher,
		});
		const body = (await response.body.json()) as { TaskId: string };
		if (response.statusCode !== 200) throw new Error(`DssSign answered ${response.statusCode}`);
		taskIds.push(body.TaskId);
	}
	const signMs = performance.now() - signStarted;
	const resultStarted = performance.now();
	for (const taskId of taskIds) {
		const response = await request(`${sandbox.apiUrl}/DssSignResult?boxId=${BOX_ID}&taskId=${taskId}`, { method: 'GET', headers, dispatcher });
		const body = (await response.body.json()) as { OperationStatus: string; FileSigningResults: Array<{ Signature: string }> };
		if (body.OperationStatus !== 'Completed') throw new Error(`DssSignResult: ${body.OperationStatus}`);
		Buffer.from(body.FileSigningResults[0].Signature, 'base64');
	}
	return { signMs, resultMs: performance.now() - resultStarted, cpuMs: cpuMs(cpu) };
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
	const sandbox = await startSandboxChild();
	const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
	try {
		const files = Array.from({ length: ITEMS }, () => randomBytes(FILE_SIZE));
		// Warm-up with a full round each: JIT, connection pools, heap sizes, the sandbox DSS key.
		await nodeRound(sandbox, files.slice(0, WARMUP));
		await bareRound(sandbox, files.slice(0, WARMUP), dispatcher);

		const nodeTimes: Timing[] = [];
		const bareTimes: Timing[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			// Alternate the order so drift (GC, the other core's load) hits both alike.
			if (round % 2 === 0) {
				nodeTimes.push(await nodeRound(sandbox, files));
				bareTimes.push(await bareRound(sandbox, files, dispatcher));
			} else {
				bareTimes.push(await bareRound(sandbox, files, dispatcher));
				nodeTimes.push(await nodeRound(sandbox, files));
			}
		}
		const total = (timing: Timing) => timing.signMs + timing.resultMs;
		const nodeTotal = median(nodeTimes.map(total));
		const bareTotal = median(bareTimes.map(total));
		const ratio = nodeTotal / bareTotal;
		console.log(`DSS throughput: ${ITEMS} items × (DssSign + DssSignResult), ${FILE_SIZE}-byte files, one request at a time, sandbox in a child process`);
		console.log(`rounds: ${ROUNDS} (median shown)`);
		console.log(`  Diadoc node  sign ${ms(median(nodeTimes.map((t) => t.signMs)))}, get result ${ms(median(nodeTimes.map((t) => t.resultMs)))}, total ${ms(nodeTotal)}  (${((2 * ITEMS) / (nodeTotal / 1000)).toFixed(0)} requests/s; whole runNode wall time incl. test input ${ms(median(nodeTimes.map((t) => t.wallMs ?? 0)))})`);
		console.log(`  bare undici  sign ${ms(median(bareTimes.map((t) => t.signMs)))}, get result ${ms(median(bareTimes.map((t) => t.resultMs)))}, total ${ms(bareTotal)}  (${((2 * ITEMS) / (bareTotal / 1000)).toFixed(0)} requests/s)`);
		console.log(`  ratio node / bare: ${ratio.toFixed(3)} (target ≤ ${TARGET}) ${ratio <= TARGET ? 'OK' : 'ABOVE TARGET'}`);
		const nodeCpu = median(nodeTimes.map((t) => t.cpuMs));
		const bareCpu = median(bareTimes.map((t) => t.cpuMs));
		console.log(
			`  client CPU per item (sign + get result): node ${((nodeCpu * 1000) / ITEMS).toFixed(0)} µs (incl. the test input node), bare ${((bareCpu * 1000) / ITEMS).toFixed(0)} µs; the wall-time ratio grows when other processes compete for the CPU`,
		);
		console.log(`  per round (node/bare ms): ${nodeTimes.map((t, i) => `${total(t).toFixed(0)}/${total(bareTimes[i]).toFixed(0)}`).join(', ')}`);
	} finally {
		await dispatcher.close();
		await sandbox.stop();
	}
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
