/**
 * The sandbox (Diadoc emulator, DSS completing at once) in a process of its own, so a benchmark measures only
 * the client. Prints one JSON line {apiUrl, accessToken, legacyToken} on stdout, then serves until killed.
 * Used by bench/dss-memory and bench/dss-throughput.
 *
 * SandboxServer refuses request bodies above 64 MiB, and the memory benchmark sends a ~133 MiB JSON body (100 MB
 * as base64). Until the server takes a limit option, requests reach the emulators through the server's own
 * routing (buildRequest/dispatch/send), read here without that cap.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SandboxServer, mountAllEmulators } from '../../sandbox';
import type { DiadocEmulator } from '../../sandbox/emulators/diadoc';

interface SandboxInternals {
	buildRequest(req: IncomingMessage, method: string, url: URL, body: Buffer): unknown;
	dispatch(request: unknown): Promise<unknown>;
	send(res: ServerResponse, response: unknown): void;
}

async function main(): Promise<void> {
	const sandbox = new SandboxServer({ recordJsonLimit: 0 });
	const emulator = mountAllEmulators(sandbox).get('/diadoc') as DiadocEmulator;
	emulator.configureDss({ pollsInProgress: 0, secondsInProgress: 0 });
	const internals = sandbox as unknown as SandboxInternals;

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void (async () => {
				const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
				const request = internals.buildRequest(req, (req.method ?? 'GET').toUpperCase(), url, Buffer.concat(chunks));
				chunks.length = 0;
				internals.send(res, await internals.dispatch(request));
			})().catch((error: unknown) => {
				res.statusCode = 500;
				res.end(String(error));
			});
		});
	});
	server.keepAliveTimeout = 60_000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const apiUrl = `http://127.0.0.1:${port}/diadoc`;
	process.stdout.write(
		`${JSON.stringify({
			apiUrl,
			accessToken: emulator.issueToken({ kind: 'bearer', ttlSeconds: 24 * 3600 }),
			legacyToken: emulator.issueToken({ kind: 'legacy', ttlSeconds: 24 * 3600 }),
			dssCertificatePem: emulator.dssCertificate.pem,
		})}\n`,
	);
	const quit = () => {
		server.close();
		process.exit(0);
	};
	process.on('SIGTERM', quit);
	// The parent holds our stdin: when it exits (even abruptly) the pipe closes and so do we.
	process.stdin.on('end', quit);
	process.stdin.resume();
}

void main();
