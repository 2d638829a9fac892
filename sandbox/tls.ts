/**
 * Self-signed certificates for the HTTPS sandbox and for client certificates in mTLS tests, made with the
 * openssl CLI on the fly (nothing is committed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemPair {
	certPem: string;
	keyPem: string;
}

export interface SelfSignedOptions {
	commonName?: string;
	/** DNS names and IP addresses for subjectAltName; default localhost, 127.0.0.1 and ::1. */
	altNames?: string[];
	days?: number;
}

function sanEntry(name: string): string {
	return /^[\d.]+$/.test(name) || name.includes(':') ? `IP:${name}` : `DNS:${name}`;
}

/** A P-256 key and a self-signed certificate that is its own trust anchor (pass certPem as `ca`). */
export function generateSelfSignedCert(options: SelfSignedOptions = {}): PemPair {
	const dir = mkdtempSync(join(tmpdir(), 'edo-sandbox-tls-'));
	try {
		const keyPath = join(dir, 'key.pem');
		const certPath = join(dir, 'cert.pem');
		const altNames = options.altNames ?? ['localhost', '127.0.0.1', '::1'];
		execFileSync(
			'openssl',
			[
				'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
				'-keyout', keyPath, '-out', certPath, '-days', String(options.days ?? 30), '-sha256',
				'-subj', `/CN=${options.commonName ?? 'n8n-nodes-edo sandbox'}`,
				'-addext', `subjectAltName=${altNames.map(sanEntry).join(',')}`,
				'-addext', 'basicConstraints=critical,CA:TRUE',
				'-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
				'-addext', 'extendedKeyUsage=serverAuth,clientAuth',
			],
			{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENSSL_CONF: '/dev/null' } },
		);
		return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
