/**
 * Runs the system openssl with the GOST engine enabled (Debian's libengine-gost-openssl), for the
 * cipher and key-wrap cross-checks. A missing engine fails the tests: it is never a skip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;

export function gostTempDir(): string {
	if (!dir) {
		dir = mkdtempSync(join(tmpdir(), 'edo-gost-cipher-'));
		process.on('exit', () => rmSync(dir as string, { recursive: true, force: true }));
		writeFileSync(
			join(dir, 'openssl.cnf'),
			'openssl_conf = c\n[c]\nengines = e\n[e]\ngost = g\n[g]\nengine_id = gost\ndefault_algorithms = ALL\n',
		);
	}
	return dir;
}

let counter = 0;
export function gostTempPath(name: string): string {
	counter += 1;
	return join(gostTempDir(), `${counter}-${name}`);
}

/** openssl with the GOST engine; `env` adds variables such as CRYPT_PARAMS. Throws with stderr on failure. */
export function gostOpenssl(args: string[], input?: Uint8Array, env: Record<string, string> = {}): Buffer {
	try {
		return execFileSync('openssl', args, {
			input,
			stdio: ['pipe', 'pipe', 'pipe'],
			env: { ...process.env, OPENSSL_CONF: join(gostTempDir(), 'openssl.cnf'), ...env },
			maxBuffer: 64 * 1024 * 1024,
		});
	} catch (error) {
		const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
		throw new Error(
			`openssl ${args.join(' ')} failed: ${stderr.trim()}\n` +
				'(the GOST tests need the GOST engine: apt-get install libengine-gost-openssl)',
		);
	}
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
