/**
 * Revocation test fixtures: a local HTTP server for CRLs and OCSP, and a small CA run by `openssl ca` (RSA, or
 * GOST with the engine) whose certificates name a CRL distribution point and, when asked, an OCSP responder on
 * that server. OCSP answers come from `openssl ocsp` over the CA's database: an independent implementation.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { loadCertificate, type Certificate } from '../../lib/crypto/certificate';
import { gostOpenssl, gostOpensslStatus } from './gost-openssl';
import { openssl, opensslStatus, tempPath } from './pki';

export type CaKind = 'rsa' | 'gost256';

export interface IssuedCertificate {
	certPath: string;
	keyPath: string;
	certificate: Certificate;
}

/** The server: GET serves what the test put under a path (CRLs); POST goes to a handler (OCSP). Counts requests. */
export class CrlServer {
	readonly files = new Map<string, Buffer>();
	readonly handlers = new Map<string, (body: Buffer) => Buffer>();
	readonly requests: string[] = [];
	private server = http.createServer((request, response) => {
		const url = request.url ?? '';
		this.requests.push(request.method === 'POST' ? `POST ${url}` : url);
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const handler = request.method === 'POST' ? this.handlers.get(url) : undefined;
			const body = handler ? handler(Buffer.concat(chunks)) : this.files.get(url);
			response.writeHead(body ? 200 : 404, { 'content-type': handler ? 'application/ocsp-response' : 'application/pkix-crl' });
			response.end(body ?? 'not found');
		});
	});

	async start(): Promise<string> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		await new Promise((resolve) => this.server.close(resolve));
	}
}

/** A small CA kept by `openssl ca`: its database records revocations, -gencrl publishes them. */
export class OpensslCa {
	readonly dir: string;
	readonly certPath: string;
	readonly keyPath: string;
	readonly certificate: Certificate;

	constructor(
		readonly kind: CaKind,
		readonly name: string,
		readonly crlUrl: string,
		readonly ocspUrl?: string,
	) {
		this.dir = tempPath(`ca-${kind}-${name.replace(/\W+/g, '-')}`);
		mkdirSync(`${this.dir}/newcerts`, { recursive: true });
		writeFileSync(`${this.dir}/index.txt`, '');
		writeFileSync(`${this.dir}/crlnumber`, '01\n');
		writeFileSync(`${this.dir}/serial`, '1000\n');
		writeFileSync(`${this.dir}/ca.cnf`, this.config());
		this.keyPath = `${this.dir}/ca.key`;
		this.certPath = `${this.dir}/ca.pem`;
		this.newKey(this.keyPath);
		this.run(['req', '-new', '-x509', '-key', this.keyPath, '-subj', `/CN=${name}/O=n8n-nodes-edo CRL tests/C=RU`, '-days', '365', this.md(), '-config', `${this.dir}/ca.cnf`, '-extensions', 'ca_ext', '-out', this.certPath]);
		this.certificate = loadCertificate(readFileSync(this.certPath, 'utf8'));
	}

	private config(): string {
		return [
			'[req]', 'distinguished_name=dn', '[dn]',
			'[ca]', 'default_ca=edo',
			'[edo]', `database=${this.dir}/index.txt`, `new_certs_dir=${this.dir}/newcerts`, `crlnumber=${this.dir}/crlnumber`, `serial=${this.dir}/serial`,
			'policy=any', 'unique_subject=no', 'copy_extensions=none', 'default_days=365', 'default_crl_hours=24',
			'[any]', 'commonName=supplied',
			'[ca_ext]', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', 'subjectKeyIdentifier=hash',
			'[leaf_ext]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=digitalSignature,nonRepudiation', 'subjectKeyIdentifier=hash',
			'authorityKeyIdentifier=keyid', `crlDistributionPoints=URI:${this.crlUrl}`,
			...(this.ocspUrl ? [`authorityInfoAccess=OCSP;URI:${this.ocspUrl}`] : []),
			'[ocsp_ext]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=OCSPSigning',
			'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid',
			'',
		].join('\n');
	}

	private md(): string {
		return this.kind === 'gost256' ? '-md_gost12_256' : '-sha256';
	}

	private run(args: string[]): Buffer {
		return this.kind === 'gost256' ? gostOpenssl(args) : openssl(args);
	}

	private newKey(path: string): void {
		if (this.kind === 'rsa') openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path]);
		else gostOpenssl(['genpkey', '-algorithm', 'gost2012_256', '-pkeyopt', 'paramset:A', '-out', path]);
	}

	issue(commonName: string, extensions = 'leaf_ext'): IssuedCertificate {
		const keyPath = `${this.dir}/${commonName}.key`;
		const csrPath = `${this.dir}/${commonName}.csr`;
		const certPath = `${this.dir}/${commonName}.pem`;
		this.newKey(keyPath);
		this.run(['req', '-new', '-key', keyPath, '-subj', `/CN=${commonName}`, '-config', `${this.dir}/ca.cnf`, '-out', csrPath]);
		const md = this.kind === 'gost256' ? 'md_gost12_256' : 'sha256';
		this.run(['ca', '-batch', '-config', `${this.dir}/ca.cnf`, '-cert', this.certPath, '-keyfile', this.keyPath, '-md', md, '-extensions', extensions, '-notext', '-in', csrPath, '-out', certPath]);
		return { certPath, keyPath, certificate: loadCertificate(readFileSync(certPath, 'utf8')) };
	}

	revoke(certPath: string, reason = 'keyCompromise'): void {
		const md = this.kind === 'gost256' ? 'md_gost12_256' : 'sha256';
		this.run(['ca', '-config', `${this.dir}/ca.cnf`, '-cert', this.certPath, '-keyfile', this.keyPath, '-md', md, '-revoke', certPath, '-crl_reason', reason]);
	}

	/** A CRL (DER) of what the database holds now, valid for `hours`. */
	crl(hours = 24): { der: Buffer; pemPath: string } {
		const md = this.kind === 'gost256' ? 'md_gost12_256' : 'sha256';
		const pemPath = `${this.dir}/crl-${Date.now()}-${Math.random().toString(16).slice(2)}.pem`;
		this.run(['ca', '-gencrl', '-config', `${this.dir}/ca.cnf`, '-cert', this.certPath, '-keyfile', this.keyPath, '-md', md, '-crlhours', String(hours), '-out', pemPath]);
		return { der: openssl(['crl', '-in', pemPath, '-outform', 'DER']), pemPath };
	}

	/** `openssl verify -crl_check` of a certificate issued here, with a CRL. */
	opensslAccepts(certPath: string, crlPemPath: string): boolean {
		const args = ['verify', '-crl_check', '-CAfile', this.certPath, '-CRLfile', crlPemPath, certPath];
		return (this.kind === 'gost256' ? gostOpensslStatus(args) : opensslStatus(args)).ok;
	}

	/**
	 * `openssl ocsp` answering a DER request from this CA's database, signed by the CA or by `signer` (a
	 * delegated responder); each answer is valid for a day.
	 */
	ocspRespond(request: Buffer, signer?: { certPath: string; keyPath: string }): Buffer {
		const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
		const requestPath = `${this.dir}/ocsp-${stamp}.req`;
		const responsePath = `${this.dir}/ocsp-${stamp}.resp`;
		writeFileSync(requestPath, request);
		const args = [
			'ocsp', '-index', `${this.dir}/index.txt`, '-CA', this.certPath, '-rsigner', signer?.certPath ?? this.certPath,
			'-rkey', signer?.keyPath ?? this.keyPath, '-reqin', requestPath, '-respout', responsePath, '-ndays', '1',
		];
		if (this.kind === 'gost256') args.push('-rmd', 'md_gost12_256');
		this.run(args);
		return readFileSync(responsePath);
	}
}
