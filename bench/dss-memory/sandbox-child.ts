/**
 * The sandbox (Diadoc emulator, DSS completing at once) in a process of its own, so a benchmark measures only
 * the client. Prints one JSON line {apiUrl, accessToken, legacyToken} on stdout, then serves until killed.
 * Used by bench/dss-memory and bench/dss-throughput. The memory benchmark's body (~133 MiB of JSON) needs the
 * raised body limit.
 */
import { SandboxServer, mountAllEmulators } from '../../sandbox';
import type { DiadocEmulator } from '../../sandbox/emulators/diadoc';

async function main(): Promise<void> {
	const sandbox = new SandboxServer({ recordJsonLimit: 0, maxBodyBytes: 256 * 1024 * 1024 });
	const emulator = mountAllEmulators(sandbox).get('/diadoc') as DiadocEmulator;
	emulator.configureDss({ pollsInProgress: 0, secondsInProgress: 0 });
	const baseUrl = await sandbox.start({ port: 0 });
	const apiUrl = `${baseUrl}/diadoc`;
	process.stdout.write(
		`${JSON.stringify({
			apiUrl,
			accessToken: emulator.issueToken({ kind: 'bearer', ttlSeconds: 24 * 3600 }),
			legacyToken: emulator.issueToken({ kind: 'legacy', ttlSeconds: 24 * 3600 }),
			dssCertificatePem: emulator.dssCertificate.pem,
		})}\n`,
	);
	const quit = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.on('SIGTERM', quit);
	// The parent holds our stdin: when it exits (even abruptly) the pipe closes and so do we.
	process.stdin.on('end', quit);
	process.stdin.resume();
}

void main();
