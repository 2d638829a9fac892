/**
 * CMS signing throughput against the raw signature it wraps.
 * Run: npx ts-node --transpile-only bench/cms-sign/index.ts
 *
 * For RSA-2048 and ECDSA P-256 it measures bare `crypto.sign(hash, data, key)` and our detached CMS
 * `CmsSignedDataBuilder.sign()` over the same 1 KiB, interleaved in rounds so machine noise hits both alike.
 * It reports; it never fails (exit code 0): tests assert, benchmarks inform.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { CmsSignedDataBuilder, localKeySignatureProvider } from '../../lib/crypto/cms/sign';
import { verifyCms } from '../../lib/crypto/cms/verify';
import { KeyKind, createIdentity } from '../../test/helpers/pki';

const ROUNDS = 5;
const ROUND_MS = 400;
const WARMUP_MS = 300;
const DATA = crypto.randomBytes(1024);

interface Case {
	label: string;
	kind: KeyKind;
	target: number;
}

const CASES: Case[] = [
	{ label: 'RSA-2048', kind: 'rsa2048', target: 0.85 },
	{ label: 'ECDSA P-256', kind: 'p256', target: 0.5 },
];

type Operation = () => unknown;

/** Runs `operation` for about `ms` milliseconds; returns [operations, elapsed ms]. */
async function runFor(operation: Operation, ms: number): Promise<[number, number]> {
	let count = 0;
	const start = performance.now();
	const end = start + ms;
	let now = start;
	while (now < end) {
		const result = operation();
		if (result instanceof Promise) await result;
		count++;
		now = performance.now();
	}
	return [count, now - start];
}

interface Measured {
	opsPerSecond: number;
	roundRatios: number[];
}

async function measurePair(bare: Operation, cms: Operation): Promise<{ bare: Measured; cms: Measured }> {
	await runFor(bare, WARMUP_MS);
	await runFor(cms, WARMUP_MS);
	const totals = { bare: [0, 0], cms: [0, 0] };
	const bareRates: number[] = [];
	const cmsRates: number[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		// Alternate which goes first so neither always gets the warmer (or the more throttled) slot.
		const order: Array<['bare' | 'cms', Operation]> = round % 2 === 0 ? [['bare', bare], ['cms', cms]] : [['cms', cms], ['bare', bare]];
		for (const [name, operation] of order) {
			const [count, elapsed] = await runFor(operation, ROUND_MS);
			totals[name][0] += count;
			totals[name][1] += elapsed;
			(name === 'bare' ? bareRates : cmsRates).push((count * 1000) / elapsed);
		}
	}
	const ratios = cmsRates.map((rate, index) => rate / bareRates[index]);
	return {
		bare: { opsPerSecond: (totals.bare[0] * 1000) / totals.bare[1], roundRatios: [] },
		cms: { opsPerSecond: (totals.cms[0] * 1000) / totals.cms[1], roundRatios: ratios },
	};
}

function pad(text: string, width: number, right = false): string {
	return right ? text.padStart(width) : text.padEnd(width);
}

async function main(): Promise<void> {
	console.log(`CMS SignedData (detached, CAdES-BES attributes) vs bare crypto.sign, ${DATA.length} B data, SHA-256`);
	console.log(`node ${process.version}, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms each\n`);
	const rows: string[][] = [];
	for (const testCase of CASES) {
		const identity = createIdentity(testCase.kind);
		const key = crypto.createPrivateKey(identity.keyPem);
		const builder = new CmsSignedDataBuilder({ certificateDer: identity.certDer, provider: localKeySignatureProvider(key) });

		// Sanity: what we time must be a valid signature.
		const sample = await builder.sign(DATA);
		if (!verifyCms(sample, DATA).valid) console.log(`WARNING: ${testCase.label} CMS signature did not verify`);

		const { bare, cms } = await measurePair(
			() => crypto.sign('sha256', DATA, key),
			() => builder.sign(DATA),
		);
		const ratio = cms.opsPerSecond / bare.opsPerSecond;
		const low = Math.min(...cms.roundRatios);
		const high = Math.max(...cms.roundRatios);
		rows.push([
			testCase.label,
			bare.opsPerSecond.toFixed(0),
			cms.opsPerSecond.toFixed(0),
			ratio.toFixed(3),
			`${low.toFixed(2)}-${high.toFixed(2)}`,
			`>= ${testCase.target}`,
			ratio >= testCase.target ? 'met' : 'NOT MET',
			String(sample.length),
		]);
	}
	const head = ['key', 'crypto.sign ops/s', 'CMS sign() ops/s', 'ratio', 'round ratios', 'target', 'result', 'CMS bytes'];
	const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells: string[]) => cells.map((cell, column) => pad(cell, widths[column], column > 0 && column < 4)).join('  ');
	console.log(line(head));
	console.log(widths.map((width) => '-'.repeat(width)).join('  '));
	for (const row of rows) console.log(line(row));
}

main()
	.catch((error) => console.error('benchmark failed:', error instanceof Error ? error.message : error))
	.finally(() => {
		process.exitCode = 0;
	});
