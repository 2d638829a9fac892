/**
 * Test key material, generated on the fly with the `openssl` CLI (the independent implementation every
 * crypto test is cross-checked against). Nothing here is a committed blob.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyKind = 'rsa2048' | 'p256' | 'p384';

export interface TestIdentity {
	kind: KeyKind;
	dir: string;
	certPath: string;
	keyPath: string;
	certPem: string;
	/** Unencrypted PKCS#8 PEM. */
	keyPem: string;
	certDer: Buffer;
}

export interface IdentityOptions {
	subject?: string;
	/** Days of validity, counted from now; negative start with `startDaysAgo`. */
	days?: number;
	/** Shift notBefore into the past (expired certificates) or, when negative, into the future. */
	startDaysAgo?: number;
}

/** Russian identifiers as real qualified certificates carry them (values are well-formed test data). */
export const RUSSIAN_SUBJECT =
	'/CN=Иванов Иван Иванович/O=ООО Ромашка/C=RU/1.2.643.3.131.1.1=007701234567/1.2.643.100.4=7701234567' +
	'/1.2.643.100.1=1027700132195/1.2.643.100.3=11223344595/SN=Иванов/GN=Иван Иванович';

let workDir: string | undefined;

export function tempDir(): string {
	if (!workDir) {
		workDir = mkdtempSync(join(tmpdir(), 'edo-pki-'));
		process.on('exit', () => rmSync(workDir as string, { recursive: true, force: true }));
	}
	return workDir;
}

let counter = 0;
export function tempPath(name: string): string {
	counter += 1;
	return join(tempDir(), `${counter}-${name}`);
}

/** Runs the openssl CLI; throws with its stderr on a non-zero exit. */
export function openssl(args: string[], input?: Buffer | string): Buffer {
	try {
		return execFileSync('openssl', args, {
			input,
			stdio: ['pipe', 'pipe', 'pipe'],
			env: { ...process.env, OPENSSL_CONF: '/dev/null' },
		});
	} catch (error) {
		const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
		throw new Error(`openssl ${args.join(' ')} failed: ${stderr}`);
	}
}

/** Like openssl() but returns exit status and output instead of throwing. */
export function opensslStatus(args: string[], input?: Buffer | string): { ok: boolean; output: string } {
	try {
		const out = execFileSync('openssl', args, {
			input,
			stdio: ['pipe', 'pipe', 'pipe'],
			env: { ...process.env, OPENSSL_CONF: '/dev/null' },
		});
		return { ok: true, output: out.toString() };
	} catch (error) {
		const e = error as { stdout?: Buffer; stderr?: Buffer };
		return { ok: false, output: `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}` };
	}
}

function keyGenArgs(kind: KeyKind, keyPath: string): string[] {
	switch (kind) {
		case 'rsa2048':
			return ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath];
		case 'p256':
			return ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath];
		case 'p384':
			return ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', keyPath];
	}
}

const identityCache = new Map<string, TestIdentity>();

/** A self-signed certificate with its key; cached per kind and options within one test process. */
export function createIdentity(kind: KeyKind, options: IdentityOptions = {}): TestIdentity {
	const cacheKey = `${kind}:${JSON.stringify(options)}`;
	const cached = identityCache.get(cacheKey);
	if (cached) return cached;

	const keyPath = tempPath(`${kind}.key.pem`);
	const certPath = tempPath(`${kind}.cert.pem`);
	openssl(keyGenArgs(kind, keyPath));
	const subject = options.subject ?? `/CN=EDO test ${kind}/O=n8n-nodes-edo tests/C=RU`;
	const days = options.days ?? 365;
	const args = ['req', '-new', '-x509', '-key', keyPath, '-out', certPath, '-subj', subject, '-utf8'];
	args.push('-sha256', '-addext', 'keyUsage=digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment,keyAgreement');
	if (options.startDaysAgo !== undefined) {
		const start = new Date(Date.now() - options.startDaysAgo * 86400_000);
		const end = new Date(start.getTime() + days * 86400_000);
		args.push('-not_before', asn1Time(start), '-not_after', asn1Time(end));
	} else {
		args.push('-days', String(days));
	}
	opensslReqWithDates(args);
	const identity: TestIdentity = {
		kind,
		dir: tempDir(),
		certPath,
		keyPath,
		certPem: readFileSync(certPath, 'utf8'),
		keyPem: readFileSync(keyPath, 'utf8'),
		certDer: openssl(['x509', '-in', certPath, '-outform', 'DER']),
	};
	identityCache.set(cacheKey, identity);
	return identity;
}

/** Plain `openssl req -x509`, or for explicit dates (OpenSSL 3.0 `req` has no -not_before) a self-signed `openssl ca`. */
function opensslReqWithDates(args: string[]): void {
	const notBeforeIndex = args.indexOf('-not_before');
	if (notBeforeIndex < 0) {
		openssl(args);
		return;
	}
	const valueOf = (flag: string) => args[args.indexOf(flag) + 1];
	const keyPath = valueOf('-key');
	const dir = tempPath('ca');
	mkdirSync(`${dir}/newcerts`, { recursive: true });
	writeFileSync(`${dir}/index.txt`, '');
	writeFileSync(`${dir}/serial`, '1000\n');
	const config = [
		'[ca]',
		'default_ca=edo',
		'[edo]',
		`database=${dir}/index.txt`,
		`new_certs_dir=${dir}/newcerts`,
		`serial=${dir}/serial`,
		'default_md=sha256',
		'policy=any',
		'unique_subject=no',
		'[any]',
		'commonName=optional',
		'[ext]',
		'keyUsage=digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment,keyAgreement',
	].join('\n');
	writeFileSync(`${dir}/ca.cnf`, config);
	const csrPath = `${dir}/req.csr`;
	openssl(['req', '-new', '-key', keyPath, '-out', csrPath, '-subj', valueOf('-subj'), '-utf8']);
	openssl([
		'ca', '-batch', '-config', `${dir}/ca.cnf`, '-selfsign', '-keyfile', keyPath, '-in', csrPath,
		'-out', valueOf('-out'), '-startdate', valueOf('-not_before'), '-enddate', valueOf('-not_after'),
		'-extensions', 'ext', '-notext', '-utf8', '-preserveDN',
	]);
}

function asn1Time(date: Date): string {
	const iso = date.toISOString(); // 2026-11-22T12:00:00.000Z
	return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Writes bytes to a fresh temp file and returns its path. */
export function writeTemp(name: string, data: Buffer | string): string {
	const path = tempPath(name);
	writeFileSync(path, data);
	return path;
}

/** `openssl cms -verify` of a detached or attached DER signature; returns whether OpenSSL accepts it. */
export function opensslVerify(signatureDer: Buffer, content: Buffer | undefined, caCertPath: string) {
	const sigPath = writeTemp('sig.der', signatureDer);
	const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-CAfile', caCertPath, '-purpose', 'any'];
	if (content) args.push('-content', writeTemp('content.bin', content));
	args.push('-out', tempPath('verified.out'));
	return opensslStatus(args);
}
