/**
 * Revocation by CRL: a CA run by `openssl ca` (RSA, and GOST with the engine) issues certificates that name a
 * CRL distribution point on a local HTTP server, revokes one, and publishes CRLs; checkRevocation reads them
 * over HTTP and its verdicts are compared with `openssl verify -crl_check`.
 */
import { checkRevocation, clearCrlCache, httpCrlFetcher } from '../../lib/crypto/revocation';
import { CrlServer, OpensslCa, type CaKind as Kind, type IssuedCertificate } from '../helpers/crl';

const HOUR = 3_600_000;

describe.each<Kind>(['rsa', 'gost256'])('CRL revocation, %s, CA run by openssl', (kind) => {
	const server = new CrlServer();
	let base: string;
	let ca: OpensslCa;
	let good: IssuedCertificate;
	let revoked: IssuedCertificate;
	let crl: { der: Buffer; pemPath: string };
	const sources = { crl: httpCrlFetcher({ connectMs: 2000, headersMs: 2000, bodyMs: 2000 }) };

	beforeAll(async () => {
		base = await server.start();
		ca = new OpensslCa(kind, `${kind} CRL CA`, `${base}/${kind}/ca.crl`);
		good = ca.issue('good');
		revoked = ca.issue('revoked');
		ca.revoke(revoked.certPath);
		crl = ca.crl();
		server.files.set(`/${kind}/ca.crl`, crl.der);
	});
	afterAll(async () => {
		await server.stop();
	});
	beforeEach(() => {
		clearCrlCache();
		server.requests.length = 0;
	});

	it('a certificate not on the CRL is good, as openssl verify -crl_check says', async () => {
		const [report] = await checkRevocation([good.certificate, ca.certificate], new Date(), sources);
		expect(report).toMatchObject({ status: 'good', crl: `${base}/${kind}/ca.crl`, thumbprint: good.certificate.thumbprint });
		expect(ca.opensslAccepts(good.certPath, crl.pemPath)).toBe(true);
	});

	it('a revoked certificate is revoked, with date and reason, as openssl says', async () => {
		const [report] = await checkRevocation([revoked.certificate, ca.certificate], new Date(), sources);
		expect(report).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
		expect(Date.parse(report.revokedAt!)).toBeLessThanOrEqual(Date.now());
		expect(ca.opensslAccepts(revoked.certPath, crl.pemPath)).toBe(false);
	});

	it('revoked after the moment that counts (a signature made before): good, with the date', async () => {
		const before = new Date(Date.now() - HOUR);
		const [report] = await checkRevocation([revoked.certificate, ca.certificate], before, sources);
		expect(report.status).toBe('good');
		expect(report.revokedAt).toBeDefined();
	});

	it('fetches a CRL once and keeps it until its next update', async () => {
		await checkRevocation([good.certificate, ca.certificate], new Date(), sources);
		await checkRevocation([revoked.certificate, ca.certificate], new Date(), sources);
		expect(server.requests).toEqual([`/${kind}/ca.crl`]);
		// Past nextUpdate (24 h), it is fetched again and found stale.
		const [stale] = await checkRevocation([good.certificate, ca.certificate], new Date(), sources, new Date(Date.now() + 25 * HOUR));
		expect(server.requests).toHaveLength(2);
		expect(stale).toMatchObject({ status: 'unknown' });
		expect(stale.error).toContain('out of date');
	});

	it('a CRL of another CA, a missing CRL and garbage are "unknown", each with its reason', async () => {
		const other = new OpensslCa(kind, `${kind} Other CA`, `${base}/${kind}/other.crl`);
		server.files.set(`/${kind}/ca.crl`, other.crl().der);
		const [foreign] = await checkRevocation([good.certificate, ca.certificate], new Date(), sources);
		expect(foreign.status).toBe('unknown');
		expect(foreign.error).toContain('not by the certificate\'s issuer');

		clearCrlCache();
		server.files.delete(`/${kind}/ca.crl`);
		const [missing] = await checkRevocation([good.certificate, ca.certificate], new Date(), sources);
		expect(missing.status).toBe('unknown');
		expect(missing.error).toContain('404');

		clearCrlCache();
		server.files.set(`/${kind}/ca.crl`, Buffer.from('<html>maintenance</html>'));
		const [garbage] = await checkRevocation([good.certificate, ca.certificate], new Date(), sources);
		expect(garbage.status).toBe('unknown');
		expect(garbage.error).toContain('the answer is not a CRL (24 bytes');
		server.files.set(`/${kind}/ca.crl`, crl.der);
	});

	it('a CRL signed with another key under the CA\'s name is refused', async () => {
		// Same subject name, another key: its CRL names the right issuer, but the signature is not the CA's.
		const impostor = new OpensslCa(kind, `${kind} CRL CA`, `${base}/${kind}/ca.crl`);
		server.files.set(`/${kind}/ca.crl`, impostor.crl().der);
		const [report] = await checkRevocation([good.certificate, ca.certificate], new Date(), sources);
		expect(report.status).toBe('unknown');
		expect(report.error).toContain('signature does not verify');
		server.files.set(`/${kind}/ca.crl`, crl.der);
	});

	it('a certificate without a distribution point is "unknown"', async () => {
		const [report] = await checkRevocation([ca.certificate, ca.certificate], new Date(), sources);
		expect(report).toMatchObject({ status: 'unknown', error: 'the certificate names no http(s) CRL distribution point' });
	});
});
