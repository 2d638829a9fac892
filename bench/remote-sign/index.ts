/**
 * Signatures per second through the remote signer (CSC signHash over loopback HTTP, software keys) beside the
 * local signer with the same key, and the bare HTTP round trip, so that the difference can be read as the
 * round trip and not as client code.
 * Run: npm run bench:remote-sign (or npx ts-node --transpile-only bench/remote-sign/index.ts)
 *
 * For RSA-2048 and ECDSA P-256 it times, over the same 1 KiB, in interleaved rounds:
 * - LocalKeySigner.sign()            the whole CMS with the key in this process;
 * - RemoteSigner.sign()              the same CMS, the signature value from signatures/signHash (one SAD for
 *                                     the whole run: reserve() + multisign);
 * - a bare round trip                 POST info to the same endpoint through the same HTTP client.
 * The endpoint (signer/server.ts) runs in this process on 127.0.0.1, one request at a time, so its signing
 * cost is the same crypto.sign the local signer pays. It reports; it never fails (exit code 0).
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { verifyCms } from '../../lib/crypto/cms/verify';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { getHttpClient } from '../../lib/http';
import { RemoteSigner } from '../../lib/signers/remote';
import { CscSignerService, startSignerServer } from '../../signer/server';
import { SoftwareKeystore } from '../../signer/softwareKeystore';
import { KeyKind, createIdentity } from '../../test/helpers/pki';

const ROUNDS = 4;
const ROUND_MS = 500;
const WARMUP_MS = 300;
const DATA = crypto.randomBytes(1024);
const PIN = '4711';
const TOKEN = `bench-${crypto.randomBytes(8).toString('hex')}`;

type Operation = () => Promise<unknown>;

async function runFor(operation: Operation, ms: number): Promise<[number, number]> {
	let count = 0;
	const start = performance.now();
	let now = start;
	while (now < start + ms) {
		await operation();
		count++;
		now = performance.now();
	}
	return [count, now - start];
}

/** Interleaved rounds (the order alternates); returns operations per second for each. */
async function measure(operations: Record<string, Operation>): Promise<Record<string, number>> {
	const names = Object.keys(operations);
	for (const name of names) await runFor(operations[name], WARMUP_MS);
	const totals = new Map(names.map((name) => [name, [0, 0]]));
	for (let round = 0; round < ROUNDS; round++) {
		const order = round % 2 === 0 ? names : [...names].reverse();
		for (const name of order) {
			const [count, elapsed] = await runFor(operations[name], ROUND_MS);
			const total = totals.get(name) as number[];
			total[0] += count;
			total[1] += elapsed;
		}
	}
	return Object.fromEntries(names.map((name) => {
		const [count, elapsed] = totals.get(name) as number[];
		return [name, (count * 1000) / elapsed];
	}));
}

function kindSignAlgo(kind: KeyKind): string {
	return kind === 'rsa2048' ? '1.2.840.113549.1.1.11' : '1.2.840.10045.4.3.2';
}

function pad(text: string, width: number, right: boolean): string {
	return right ? text.padStart(width) : text.padEnd(width);
}

async function main(): Promise<void> {
	console.log(`Remote (CSC signHash, loopback HTTP, software keys) vs local CMS signing, ${DATA.length} B data, SHA-256, detached`);
	console.log(`node ${process.version}, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms each; endpoint in this process on 127.0.0.1\n`);
	const cases: Array<[string, KeyKind]> = [['RSA-2048', 'rsa2048'], ['ECDSA P-256', 'p256']];
	const identities = cases.map(([, kind]) => createIdentity(kind));
	const keystore = new SoftwareKeystore({
		pin: PIN,
		credentials: identities.map((identity, index) => ({ id: `bench-${index}`, certificate: identity.certPem, privateKey: identity.keyPem })),
	});
	const service = new CscSignerService({ keystore, tokens: [TOKEN], multisign: 1_000_000, sadLifetimeSeconds: 3600 });
	const server = await startSignerServer(service);
	const rows: string[][] = [];
	try {
		const http = getHttpClient({ baseUrl: server.apiUrl, serviceName: 'bench' });
		const roundTrip = async () => await http.request({ method: 'POST', path: 'info', body: {}, responseType: 'json' });

		for (const [index, [label]] of cases.entries()) {
			const identity = identities[index];
			const local = createLocalSigner({ certificatePem: identity.certPem, privateKeyPem: identity.keyPem });
			const remote = await RemoteSigner.open({ baseUrl: server.apiUrl, auth: { type: 'bearer', token: TOKEN }, credentialId: `bench-${index}`, pin: PIN });
			remote.reserve(Number.MAX_SAFE_INTEGER);
			const sample = await remote.sign(DATA);
			if (!verifyCms(sample, DATA).valid) console.log(`WARNING: the ${label} remote signature did not verify`);

			// The same signatures/signHash request the remote signer sends, without any of its code around it.
			const authorize = await http.request<{ SAD: string }>({
				method: 'POST',
				path: 'credentials/authorize',
				body: { credentialID: `bench-${index}`, numSignatures: 1_000_000, authData: [{ id: 'PIN', value: PIN }] },
				headers: { authorization: `Bearer ${TOKEN}` },
				responseType: 'json',
			});
			const signHashBody = {
				credentialID: `bench-${index}`,
				SAD: authorize.body.SAD,
				hashes: [crypto.createHash('sha256').update(DATA).digest('base64')],
				hashAlgorithmOID: '2.16.840.1.101.3.4.2.1',
				signAlgo: kindSignAlgo(cases[index][1]),
			};
			const bareSignHash = async () =>
				await http.request({ method: 'POST', path: 'signatures/signHash', body: signHashBody, headers: { authorization: `Bearer ${TOKEN}` }, responseType: 'json' });

			const rates = await measure({
				local: async () => await local.sign(DATA),
				remote: async () => await remote.sign(DATA),
				bareSignHash,
				roundTrip,
			});
			const ms = (name: string) => 1000 / rates[name];
			rows.push([
				label,
				rates.local.toFixed(0),
				rates.remote.toFixed(0),
				(rates.remote / rates.local).toFixed(3),
				ms('local').toFixed(3),
				ms('remote').toFixed(3),
				ms('bareSignHash').toFixed(3),
				ms('roundTrip').toFixed(3),
				(ms('remote') - ms('bareSignHash')).toFixed(3),
				String(remote.authorizationCount),
			]);
		}
	} finally {
		await server.close();
	}
	const head = ['key', 'local ops/s', 'remote ops/s', 'remote/local', 'local ms', 'remote ms', 'bare signHash ms', 'info RTT ms', 'client ms', 'authorizations'];
	const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
	const line = (cells: string[]) => cells.map((cell, column) => pad(cell, widths[column], column > 0)).join('  ');
	console.log(line(head));
	console.log(widths.map((width) => '-'.repeat(width)).join('  '));
	for (const row of rows) console.log(line(row));
	console.log('\nbare signHash ms: the same signatures/signHash POST sent directly (HTTP round trip + the endpoint\'s work, its signature included);');
	console.log('info RTT ms: an empty round trip; client ms = remote ms - bare signHash ms: this client\'s own work per signature');
	console.log('(CMS attributes and assembly, hashing, checking the returned value against the certificate).');
}

main()
	.catch((error) => console.error('benchmark failed:', error instanceof Error ? error.message : error))
	.finally(() => {
		process.exitCode = 0;
	});
