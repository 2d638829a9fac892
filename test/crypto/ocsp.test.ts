/**
 * OCSP: our requests go over HTTP to a responder that is `openssl ocsp` over the CA's database (RSA, and GOST
 * with the engine), answering as the CA itself or as a delegated responder. Our reading of its answers is the
 * check, and openssl's parsing of our requests is the cross-check.
 */
import { buildOcspRequest, ocspUrlsOf, readOcspResponse } from '../../lib/crypto/ocsp';
import { checkRevocation, clearCrlCache, httpCrlFetcher, httpOcspTransport } from '../../lib/crypto/revocation';
import { CrlServer, OpensslCa, type CaKind, type IssuedCertificate } from '../helpers/crl';
import { openssl, writeTemp } from '../helpers/pki';

describe.each<CaKind>(['rsa', 'gost256'])('OCSP, %s, answered by openssl ocsp', (kind) => {
	const server = new CrlServer();
	let base: string;
	let ca: OpensslCa;
	let good: IssuedCertificate;
	let revoked: IssuedCertificate;
	let delegated: IssuedCertificate;
	let answerAs: { certPath: string; keyPath: string } | undefined;
	const ocsp = httpOcspTransport({ connectMs: 2000, headersMs: 5000, bodyMs: 2000 });
	const crl = httpCrlFetcher({ connectMs: 2000, headersMs: 2000, bodyMs: 2000 });

	beforeAll(async () => {
		base = await server.start();
		ca = new OpensslCa(kind, `${kind} OCSP CA`, `${base}/${kind}/ca.crl`, `${base}/${kind}/ocsp`);
		good = ca.issue('ocsp-good');
		revoked = ca.issue('ocsp-revoked');
		delegated = ca.issue('ocsp-responder', 'ocsp_ext');
		ca.revoke(revoked.certPath, 'keyCompromise');
		server.files.set(`/${kind}/ca.crl`, ca.crl().der);
		server.handlers.set(`/${kind}/ocsp`, (request) => ca.ocspRespond(request, answerAs));
	});
	afterAll(async () => {
		await server.stop();
	});
	beforeEach(() => {
		answerAs = undefined;
		clearCrlCache();
		server.requests.length = 0;
	});

	it('names the responder of the certificate, and openssl reads our request', () => {
		expect(ocspUrlsOf(good.certificate)).toEqual([`${base}/${kind}/ocsp`]);
		const request = buildOcspRequest(good.certificate, ca.certificate, Buffer.alloc(16, 7));
		const text = openssl(['ocsp', '-reqin', writeTemp('our-request.der', request), '-req_text']).toString();
		expect(text).toContain(`Serial Number: ${good.certificate.serialNumber}`);
		expect(text).toContain('OCSP Nonce');
	});

	it('good, from the CA itself', async () => {
		const [report] = await checkRevocation([good.certificate, ca.certificate], new Date(), { ocsp });
		expect(report).toMatchObject({ status: 'good', source: 'ocsp', responder: `${base}/${kind}/ocsp` });
		expect(server.requests).toEqual([`POST /${kind}/ocsp`]);
	});

	it('revoked, with date and reason', async () => {
		const [report] = await checkRevocation([revoked.certificate, ca.certificate], new Date(), { ocsp });
		expect(report).toMatchObject({ status: 'revoked', source: 'ocsp', reason: 'keyCompromise' });
		expect(Date.parse(report.revokedAt!)).toBeLessThanOrEqual(Date.now());
	});

	it('good, from a responder the CA authorised (id-kp-OCSPSigning)', async () => {
		answerAs = delegated;
		const [report] = await checkRevocation([good.certificate, ca.certificate], new Date(), { ocsp });
		expect(report).toMatchObject({ status: 'good', source: 'ocsp' });
	});

	it('refuses a responder the CA did not authorise; "OCSP, then CRL" falls back to the CRL', async () => {
		const stranger = new OpensslCa(kind, `${kind} Stranger`, `${base}/none.crl`);
		answerAs = { certPath: stranger.certPath, keyPath: stranger.keyPath };
		const [alone] = await checkRevocation([good.certificate, ca.certificate], new Date(), { ocsp });
		expect(alone.status).toBe('unknown');
		expect(alone.error).toContain(`not signed by "${ca.certificate.subject}" or by a responder it authorised`);

		const [fallback] = await checkRevocation([revoked.certificate, ca.certificate], new Date(), { ocsp, crl });
		expect(fallback).toMatchObject({ status: 'revoked', source: 'crl' });
		expect(server.requests).toEqual([`POST /${kind}/ocsp`, `POST /${kind}/ocsp`, `/${kind}/ca.crl`]);
	});

	it('refuses an answer to another request (a replayed nonce)', () => {
		const nonce = Buffer.alloc(16, 1);
		const answer = ca.ocspRespond(buildOcspRequest(good.certificate, ca.certificate, nonce));
		expect(readOcspResponse(answer, good.certificate, ca.certificate, nonce, new Date()).status).toBe('good');
		expect(() => readOcspResponse(answer, good.certificate, ca.certificate, Buffer.alloc(16, 2), new Date())).toThrow('its nonce differs');
	});

	it('refuses an answer about another certificate, and a stale one', () => {
		const nonce = Buffer.alloc(16, 3);
		const aboutGood = ca.ocspRespond(buildOcspRequest(good.certificate, ca.certificate, nonce));
		expect(() => readOcspResponse(aboutGood, revoked.certificate, ca.certificate, nonce, new Date())).toThrow('does not name the certificate');
		const later = new Date(Date.now() + 2 * 86_400_000);
		expect(() => readOcspResponse(aboutGood, good.certificate, ca.certificate, nonce, later)).toThrow('out of date');
	});

	it('a responder that is down: "unknown" with OCSP only, the CRL otherwise', async () => {
		server.handlers.delete(`/${kind}/ocsp`);
		try {
			const [alone] = await checkRevocation([good.certificate, ca.certificate], new Date(), { ocsp });
			expect(alone.status).toBe('unknown');
			expect(alone.error).toMatch(/^OCSP: .*404/);
			const [fallback] = await checkRevocation([good.certificate, ca.certificate], new Date(), { ocsp, crl });
			expect(fallback).toMatchObject({ status: 'good', source: 'crl' });
		} finally {
			server.handlers.set(`/${kind}/ocsp`, (request) => ca.ocspRespond(request, answerAs));
		}
	});

	it('garbage instead of a response is an error, not a verdict', () => {
		expect(() => readOcspResponse(Buffer.from('<html/>'), good.certificate, ca.certificate, undefined, new Date())).toThrow(
			'the answer is not a valid OCSP response (7 bytes',
		);
	});
});
