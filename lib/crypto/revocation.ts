/**
 * Revocation of the certificates of a trusted path: by OCSP (ocsp.ts) and/or from the CRLs their distribution
 * points name (RFC 5280 §6.3, full CRLs only). Each CRL must be issued and signed by the certificate's issuer
 * (RSA, ECDSA or GOST, checked with our own code as for certificates) and be current. Delta and indirect CRLs
 * are not used. The caller supplies the transports (HTTP in the nodes); CRLs are kept until their nextUpdate.
 */
import 'reflect-metadata';
import { CRLDistributionPointsExtension, X509Crl } from '@peculiar/x509';

import { BoundedMap } from '../boundedMap';
import { getHttpClient, type HttpClient, type HttpTimeouts } from '../http/client';
import type { Certificate } from './certificate';
import { isSignatureBy } from './chain';
import { decodeBinary } from './encoding';
import { crlReasonName, queryOcsp, type OcspTransport } from './ocsp';

export type RevocationState = 'good' | 'revoked' | 'unknown';

export interface RevocationReport {
	subject: string;
	thumbprint: string;
	status: RevocationState;
	/** Where the status comes from. */
	source?: 'ocsp' | 'crl';
	/** The CRL the status comes from. */
	crl?: string;
	/** The OCSP responder the status comes from. */
	responder?: string;
	/** When it was revoked (ISO 8601): before the checked moment for "revoked", after it for "good". */
	revokedAt?: string;
	reason?: string;
	/** Why the status is "unknown". */
	error?: string;
}

/** Gets the bytes of a CRL by URL (DER or PEM); throws with a message that names what failed. */
export type CrlFetcher = (url: string) => Promise<Uint8Array>;

/** Where revocation is asked, in this order: OCSP first when given, then CRLs. */
export interface RevocationSources {
	ocsp?: OcspTransport;
	crl?: CrlFetcher;
}

interface LoadedCrl {
	der: Buffer;
	crl: X509Crl;
}

/** Parsed CRLs by URL, kept until their nextUpdate (bounded: CRLs of large CAs run to megabytes). */
const crlCache = new BoundedMap<string, LoadedCrl>(32);

export function clearCrlCache(): void {
	crlCache.clear();
}

/** http(s) URLs of the certificate's CRL distribution points (LDAP points are skipped). */
export function crlUrlsOf(certificate: Certificate): string[] {
	const extension = certificate.x509.getExtension(CRLDistributionPointsExtension);
	const urls: string[] = [];
	for (const point of extension?.distributionPoints ?? []) {
		for (const name of point.distributionPoint?.fullName ?? []) {
			const uri = name.uniformResourceIdentifier;
			if (uri && /^https?:\/\//i.test(uri)) urls.push(uri);
		}
	}
	return urls;
}

async function loadCrl(url: string, fetchCrl: CrlFetcher, now: Date): Promise<LoadedCrl> {
	const cached = crlCache.get(url);
	const nextUpdate = cached?.crl.nextUpdate;
	if (cached && (nextUpdate === undefined || nextUpdate.getTime() > now.getTime())) return cached;
	const fetched = Buffer.from(await fetchCrl(url));
	let der: Buffer;
	let crl: X509Crl;
	try {
		der = decodeBinary(fetched, 'CRL');
		crl = new X509Crl(der);
	} catch (error) {
		throw new Error(`the answer is not a CRL (${fetched.length} bytes: ${error instanceof Error ? error.message : 'unreadable'})`);
	}
	const loaded = { der, crl };
	crlCache.set(url, loaded);
	return loaded;
}

/** Why this CRL cannot speak for `certificate`, or undefined when it can. */
function crlProblem(crl: X509Crl, der: Buffer, certificate: Certificate, issuer: Certificate, now: Date): string | undefined {
	if (!Buffer.from(crl.issuerName.toArrayBuffer()).equals(certificate.issuerNameDer)) {
		return `it was issued by "${crl.issuer}", not by the certificate's issuer`;
	}
	if (!isSignatureBy(der, issuer)) return `its signature does not verify with the key of "${issuer.subject}"`;
	if (crl.thisUpdate.getTime() > now.getTime()) return `it is dated in the future (${crl.thisUpdate.toISOString()})`;
	if (crl.nextUpdate && crl.nextUpdate.getTime() < now.getTime()) {
		return `it is out of date: its next update was due ${crl.nextUpdate.toISOString()}`;
	}
	return undefined;
}

/** "revoked" only when revoked before the moment that counts; a later revocation is reported on a "good". */
function revokedAt(revocation: Date, at: Date): RevocationState {
	return revocation.getTime() <= at.getTime() ? 'revoked' : 'good';
}

async function byOcsp(certificate: Certificate, issuer: Certificate, at: Date, now: Date, transport: OcspTransport): Promise<RevocationReport | string> {
	const result = await queryOcsp(certificate, issuer, transport, now);
	if ('error' in result) return `OCSP: ${result.error}`;
	const { url, answer } = result;
	const report: RevocationReport = { subject: certificate.subject, thumbprint: certificate.thumbprint, status: answer.status, source: 'ocsp', responder: url };
	if (answer.status === 'unknown') return `OCSP: ${url} does not know the certificate`;
	if (answer.revokedAt) {
		report.status = revokedAt(new Date(answer.revokedAt), at);
		report.revokedAt = answer.revokedAt;
		if (answer.reason) report.reason = answer.reason;
	}
	return report;
}

async function revocationOf(certificate: Certificate, issuer: Certificate, at: Date, now: Date, sources: RevocationSources): Promise<RevocationReport> {
	const report: RevocationReport = { subject: certificate.subject, thumbprint: certificate.thumbprint, status: 'unknown' };
	const problems: string[] = [];
	if (sources.ocsp) {
		const answer = await byOcsp(certificate, issuer, at, now, sources.ocsp);
		if (typeof answer !== 'string') return answer;
		problems.push(answer);
	}
	if (!sources.crl) return { ...report, error: problems.join('; ') };
	const crl = await byCrl(certificate, issuer, at, now, sources.crl);
	if (typeof crl !== 'string') return crl;
	return { ...report, error: [...problems, crl].join('; ') };
}

async function byCrl(certificate: Certificate, issuer: Certificate, at: Date, now: Date, fetchCrl: CrlFetcher): Promise<RevocationReport | string> {
	const report: RevocationReport = { subject: certificate.subject, thumbprint: certificate.thumbprint, status: 'unknown', source: 'crl' };
	const urls = crlUrlsOf(certificate);
	if (urls.length === 0) return 'the certificate names no http(s) CRL distribution point';
	const problems: string[] = [];
	for (const url of urls) {
		let loaded: LoadedCrl;
		try {
			loaded = await loadCrl(url, fetchCrl, now);
		} catch (error) {
			problems.push(`${url}: ${error instanceof Error ? error.message : 'could not be read'}`);
			continue;
		}
		const { crl, der } = loaded;
		const problem = crlProblem(crl, der, certificate, issuer, now);
		if (problem) {
			problems.push(`${url}: ${problem}`);
			continue;
		}
		const entry = crl.entries.find((candidate) => candidate.serialNumber.toUpperCase() === certificate.serialNumber);
		if (!entry) return { ...report, status: 'good', crl: url };
		return {
			...report,
			status: revokedAt(entry.revocationDate, at),
			crl: url,
			revokedAt: entry.revocationDate.toISOString(),
			...(entry.reason !== undefined ? { reason: crlReasonName(entry.reason) } : {}),
		};
	}
	return `no usable CRL: ${problems.join('; ')}`;
}

/**
 * The revocation status of every certificate of a path (signer first, trust anchor last; the anchor itself is
 * not asked about). `at` is the moment that counts (the signing time, usually); `now` judges CRL freshness.
 */
export async function checkRevocation(path: Certificate[], at: Date, sources: RevocationSources, now = new Date()): Promise<RevocationReport[]> {
	const reports: RevocationReport[] = [];
	for (let index = 0; index + 1 < path.length; index++) {
		reports.push(await revocationOf(path[index], path[index + 1], at, now, sources));
	}
	return reports;
}

/** The package's transport (proxy settings, timeouts, retries) for an absolute URL: its client and its path. */
function clientFor(url: string, service: string, timeouts: HttpTimeouts): { client: HttpClient; path: string } {
	const target = new URL(url);
	return {
		client: getHttpClient({ baseUrl: `${target.origin}/`, serviceName: `the ${service} ${target.host}`, timeouts }),
		path: `${target.pathname}${target.search}`,
	};
}

/** Fetches CRLs over HTTP(S). */
export function httpCrlFetcher(timeouts: HttpTimeouts = {}): CrlFetcher {
	return async (url: string) => {
		const { client, path } = clientFor(url, 'CRL server', timeouts);
		return (await client.request<Buffer>({ method: 'GET', path, responseType: 'buffer' })).body;
	};
}

/** Posts OCSP requests over HTTP(S). */
export function httpOcspTransport(timeouts: HttpTimeouts = {}): OcspTransport {
	return async (url: string, request: Buffer) => {
		const { client, path } = clientFor(url, 'OCSP responder', timeouts);
		const response = await client.request<Buffer>({
			method: 'POST',
			path,
			headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
			body: request,
			idempotent: true,
			responseType: 'buffer',
		});
		return response.body;
	};
}
