/**
 * What a trust chain costs in Verify: verifyCms of one detached signature (1 KiB) without trust anchors, and
 * with them (path signer → CA checked: name, key identifier, the CA's signature on the signer certificate,
 * validity, CA flag), interleaved in rounds so machine noise hits both alike. RSA-2048 and GOST R 34.10-2012
 * (256), with CAs run by `openssl ca` (the GOST one needs the engine).
 * Run: npm run bench:verify-chain. It reports; it never fails.
 */
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { verifyCms } from '../../lib/crypto/cms/verify';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { OpensslCa, type CaKind } from '../../test/helpers/crl';

const ROUNDS = 5;
const ROUND_MS = 400;
const DATA = crypto.randomBytes(1024);

function rate(operation: () => unknown, ms: number): number {
	let count = 0;
	const start = performance.now();
	let now = start;
	while (now < start + ms) {
		operation();
		count++;
		now = performance.now();
	}
	return (count * 1000) / (now - start);
}

async function measure(kind: CaKind, label: string): Promise<void> {
	const ca = new OpensslCa(kind, `Bench ${kind} CA`, 'http://127.0.0.1:9/unused.crl');
	const leaf = ca.issue(`bench-${kind}`);
	const signer = createLocalSigner({ certificatePem: readFileSync(leaf.certPath, 'utf8'), privateKeyPem: readFileSync(leaf.keyPath, 'utf8') });
	const signature = await signer.sign(DATA);
	const anchors = [ca.certificate];
	if (!verifyCms(signature, DATA, { trustedCertificates: anchors }).valid) throw new Error(`${label}: the chain does not verify`);

	const plain = () => verifyCms(signature, DATA);
	const chained = () => verifyCms(signature, DATA, { trustedCertificates: anchors });
	rate(plain, 300);
	rate(chained, 300);
	const ratios: number[] = [];
	let plainTotal = 0;
	let chainedTotal = 0;
	for (let round = 0; round < ROUNDS; round++) {
		const first = round % 2 === 0;
		const a = first ? rate(plain, ROUND_MS) : rate(chained, ROUND_MS);
		const b = first ? rate(chained, ROUND_MS) : rate(plain, ROUND_MS);
		const [plainRate, chainedRate] = first ? [a, b] : [b, a];
		plainTotal += plainRate;
		chainedTotal += chainedRate;
		ratios.push(chainedRate / plainRate);
	}
	const median = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)];
	console.log(
		`${label.padEnd(22)} without anchors ${(plainTotal / ROUNDS).toFixed(0).padStart(6)}/s   with trust chain ${(chainedTotal / ROUNDS).toFixed(0).padStart(6)}/s   ratio ${median.toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
	);
}

async function main(): Promise<void> {
	console.log('verifyCms, 1 KiB detached; ratio = with trust chain / without (1.0 = free), median of rounds\n');
	await measure('rsa', 'RSA-2048');
	try {
		await measure('gost256', 'GOST R 34.10-2012 256');
	} catch (error) {
		console.log(`GOST skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
	}
}

void main();
