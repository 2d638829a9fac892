/**
 * The SoftHSM2 token behind the PKCS#11 tests: what they need on the machine, and the remote-signing endpoint
 * over the token, started in a child process by test/signer/pkcs11-fixture.ts (SoftHSM reads SOFTHSM2_CONF
 * from the real process environment, and jest gives test files a copy of it).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

export const SOFTHSM_MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'].find(
	(path) => existsSync(path),
);

/** What the PKCS#11 tests lack on this machine (softhsm2, opensc, the pkcs11js addon), if anything. */
export function missingPkcs11Prerequisite(): string | undefined {
	if (!SOFTHSM_MODULE) return 'libsofthsm2.so (apt-get install -y softhsm2)';
	try {
		execFileSync('pkcs11-tool', ['--help'], { stdio: 'ignore' });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'pkcs11-tool (apt-get install -y opensc)';
	}
	try {
		require('pkcs11js');
	} catch {
		return 'the pkcs11js addon (npm rebuild pkcs11js --ignore-scripts=false)';
	}
	return undefined;
}

/** `describe`, or locally (never in CI) `describe.skip` with a warning when a prerequisite is missing. */
export function describeWithToken(missing: string | undefined, skipped: string): jest.Describe {
	if (missing && !process.env.CI) console.warn(`${skipped} skipped: ${missing} is missing`);
	return missing && !process.env.CI ? describe.skip : describe;
}

export interface Pkcs11Signer {
	/** The token's directory: softhsm2.conf, the tokens, ca.pem and the certificates <credential id>.pem. */
	dir: string;
	child: ChildProcess;
	/** The CSC API URL and the CA of its TLS certificate, once the endpoint listens. */
	ready: Promise<{ apiUrl: string; ca: string }>;
}

/**
 * Creates a token with scripts/softhsm-init.sh (keys edo-rsa and edo-ec, certificates from a test CA) and
 * starts the endpoint over it for one OAuth2 client. Answers to IPC commands ({ id, command }) go to `onReply`.
 */
export function launchPkcs11Signer(options: {
	pin: string;
	client: { clientId: string; clientSecret: string };
	tempPrefix: string;
	onReply?: (id: number, result: unknown) => void;
}): Pkcs11Signer {
	const module = SOFTHSM_MODULE as string;
	const dir = mkdtempSync(join(tmpdir(), options.tempPrefix));
	try {
		execFileSync('bash', [join(ROOT, 'scripts/softhsm-init.sh'), dir], {
			env: { ...process.env, USER_PIN: options.pin, SOFTHSM_MODULE: module },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		throw error;
	}
	const child = fork(join(ROOT, 'test/signer/pkcs11-fixture.ts'), [], {
		cwd: ROOT,
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		env: {
			...process.env,
			SOFTHSM2_CONF: join(dir, 'softhsm2.conf'),
			FIXTURE_MODULE: module,
			FIXTURE_CLIENT_ID: options.client.clientId,
			FIXTURE_CLIENT_SECRET: options.client.clientSecret,
		},
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const ready = new Promise<{ apiUrl: string; ca: string; failed?: string }>((resolve, reject) => {
		child.on('message', (message: { id?: number; result?: unknown; ready?: boolean; failed?: string; apiUrl: string; ca: string }) => {
			if (message.id !== undefined) options.onReply?.(message.id, message.result);
			else if (message.ready || message.failed) resolve(message);
		});
		child.once('exit', (code) => reject(new Error(`the signer process exited with ${code}`)));
	}).then(({ apiUrl, ca, failed }) => {
		if (failed) throw new Error(`the signer process failed: ${failed}`);
		return { apiUrl, ca };
	});
	return { dir, child, ready };
}
