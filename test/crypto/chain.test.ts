/**
 * Trust chains: built by the openssl CLI (RSA, P-256, and GOST with the engine), checked by checkTrustChain and
 * verifyCms, and the verdicts compared with `openssl verify` on the same files.
 */
import { readFileSync } from 'node:fs';

import { Certificate, loadCertificate } from '../../lib/crypto/certificate';
import { checkTrustChain, isSignedBy } from '../../lib/crypto/chain';
import { verifyCms } from '../../lib/crypto/cms/verify';
import { getParamSet } from '../../lib/crypto/gost/curves';
import { GostPrivateKey } from '../../lib/crypto/gost/gostKey';
import * as GOST_OID from '../../lib/crypto/gost/oids';
import { createGostCertificate, createGostSelfSignedCertificate } from '../../lib/crypto/gost/selfSigned';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { toPem } from '../../lib/crypto/encoding';
import { gostOpenssl, gostOpensslStatus } from '../helpers/gost-openssl';
import { openssl, opensslStatus, tempPath, writeTemp } from '../helpers/pki';

type Kind = 'rsa' | 'p256' | 'gost256' | 'gost512';

interface Issued {
	name: string;
	keyPath: string;
	certPath: string;
	certificate: Certificate;
}

const DAY = 86_400_000;
const run = (kind: Kind, args: string[]) => (kind.startsWith('gost') ? gostOpenssl(args) : openssl(args));

function newKey(kind: Kind, keyPath: string): void {
	if (kind === 'rsa') openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath]);
	else if (kind === 'p256') openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
	else gostOpenssl(['genpkey', '-algorithm', kind === 'gost256' ? 'gost2012_256' : 'gost2012_512', '-pkeyopt', 'paramset:A', '-out', keyPath]);
}

function digestFlag(kind: Kind): string {
	if (kind === 'gost256') return '-md_gost12_256';
	if (kind === 'gost512') return '-md_gost12_512';
	return '-sha256';
}

let serial = 1000;

/** A certificate made by openssl: self-signed when no issuer is given; a CA (basicConstraints cA) when asked. */
function issue(kind: Kind, name: string, options: { issuer?: Issued; issuerKind?: Kind; ca?: boolean; days?: number; noKeyId?: boolean } = {}): Issued {
	const keyPath = tempPath(`${name}.key.pem`);
	const certPath = tempPath(`${name}.cert.pem`);
	newKey(kind, keyPath);
	const extensions =
		(options.ca
			? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n'
			: 'basicConstraints=critical,CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation,keyEncipherment\n') +
		(options.noKeyId ? 'subjectKeyIdentifier=none\n' : 'subjectKeyIdentifier=hash\n');
	const extFile = writeTemp(`${name}.ext`, options.issuer ? `${extensions}authorityKeyIdentifier=keyid\n` : extensions);
	const subject = `/CN=${name}/O=n8n-nodes-edo chain tests/C=RU`;
	const days = String(options.days ?? 365);
	if (options.issuer) {
		const csrPath = tempPath(`${name}.csr`);
		run(kind, ['req', '-new', '-key', keyPath, '-subj', subject, '-out', csrPath]);
		const signingKind = options.issuerKind ?? kind;
		run(signingKind, [
			'x509', '-req', '-in', csrPath, '-CA', options.issuer.certPath, '-CAkey', options.issuer.keyPath, '-set_serial', String(serial++),
			'-days', days, digestFlag(signingKind), '-extfile', extFile, '-out', certPath,
		]);
	} else {
		run(kind, ['req', '-new', '-x509', '-key', keyPath, '-subj', subject, '-days', days, digestFlag(kind), '-config', writeTemp(`${name}.cnf`, `[req]\ndistinguished_name=dn\nx509_extensions=ext\n[dn]\n[ext]\n${extensions}`), '-out', certPath]);
	}
	return { name, keyPath, certPath, certificate: loadCertificate(readFileSync(certPath, 'utf8')) };
}

/** `openssl verify` of the leaf against the root, with intermediates as untrusted helpers. */
function opensslAccepts(kind: Kind, leaf: Issued, root: Issued, intermediates: Issued[] = [], atSeconds?: number): boolean {
	const args = ['verify', '-CAfile', root.certPath];
	if (intermediates.length > 0) {
		args.push('-untrusted', writeTemp('untrusted.pem', intermediates.map((i) => readFileSync(i.certPath, 'utf8')).join('')));
	}
	if (atSeconds !== undefined) args.push('-attime', String(atSeconds));
	args.push(leaf.certPath);
	return (kind.startsWith('gost') ? gostOpensslStatus(args) : opensslStatus(args)).ok;
}

describe.each<Kind>(['rsa', 'p256', 'gost256', 'gost512'])('trust chain, %s, made by openssl', (kind) => {
	let root: Issued;
	let intermediate: Issued;
	let leaf: Issued;
	let otherRoot: Issued;

	beforeAll(() => {
		root = issue(kind, `${kind} Root CA`, { ca: true, days: 3650 });
		intermediate = issue(kind, `${kind} Issuing CA`, { issuer: root, ca: true, days: 30 });
		leaf = issue(kind, `${kind} Signer`, { issuer: intermediate, days: 365 });
		otherRoot = issue(kind, `${kind} Other Root`, { ca: true });
	});

	it('leaf → issuing CA → root is trusted, as openssl verify says', () => {
		const report = checkTrustChain(leaf.certificate, [intermediate.certificate], [root.certificate], new Date());
		expect(report).toMatchObject({ trusted: true });
		expect(report.path.map((link) => link.thumbprint)).toEqual([leaf, intermediate, root].map((i) => i.certificate.thumbprint));
		expect(opensslAccepts(kind, leaf, root, [intermediate])).toBe(true);
	});

	it('another root is not trusted, as openssl verify says', () => {
		const report = checkTrustChain(leaf.certificate, [intermediate.certificate], [otherRoot.certificate], new Date());
		expect(report.trusted).toBe(false);
		expect(report.error).toContain(`no trusted certificate issued "${intermediate.certificate.issuer}"`);
		expect(opensslAccepts(kind, leaf, otherRoot, [intermediate])).toBe(false);
	});

	it('without the issuing CA the path breaks at the leaf', () => {
		const report = checkTrustChain(leaf.certificate, [], [root.certificate], new Date());
		expect(report.trusted).toBe(false);
		expect(report.path).toHaveLength(1);
		expect(opensslAccepts(kind, leaf, root)).toBe(false);
	});

	it('after the issuing CA expired, the chain fails (openssl -attime agrees)', () => {
		const later = new Date(Date.now() + 60 * DAY);
		const report = checkTrustChain(leaf.certificate, [intermediate.certificate], [root.certificate], later);
		expect(report.trusted).toBe(false);
		expect(report.error).toContain(`"${intermediate.certificate.subject}" had expired`);
		expect(opensslAccepts(kind, leaf, root, [intermediate], Math.floor(later.getTime() / 1000))).toBe(false);
	});

	it('a root of the same name but another key does not verify the issuing CA', () => {
		const impostor = issue(kind, `${kind} Root CA`, { ca: true });
		expect(isSignedBy(intermediate.certificate, impostor.certificate)).toBe(false);
		expect(isSignedBy(intermediate.certificate, root.certificate)).toBe(true);
		// Its key identifier differs from the authority key identifier, so it is not even a candidate...
		const alone = checkTrustChain(leaf.certificate, [intermediate.certificate], [impostor.certificate], new Date());
		expect(alone.trusted).toBe(false);
		expect(alone.error).toContain('no trusted certificate issued');
		// ...and without one, the signature check turns it down.
		const unmarked = issue(kind, `${kind} Root CA`, { ca: true, noKeyId: true });
		expect(unmarked.certificate.subjectKeyIdentifier).toBeUndefined();
		const bySignature = checkTrustChain(leaf.certificate, [intermediate.certificate], [unmarked.certificate], new Date());
		expect(bySignature.trusted).toBe(false);
		expect(bySignature.error).toContain(`the signature on "${intermediate.certificate.subject}" does not verify with the key of`);
		expect(opensslAccepts(kind, leaf, unmarked, [intermediate])).toBe(false);
		// With both, the real root is found past the impostor.
		const both = checkTrustChain(leaf.certificate, [intermediate.certificate], [impostor.certificate, root.certificate], new Date());
		expect(both.trusted).toBe(true);
	});

	it('a certificate that is not a CA cannot issue', () => {
		const notCa = issue(kind, `${kind} Not A CA`, { issuer: root });
		const below = issue(kind, `${kind} Below Not A CA`, { issuer: notCa });
		const report = checkTrustChain(below.certificate, [notCa.certificate], [root.certificate], new Date());
		expect(report.trusted).toBe(false);
		expect(report.error).toContain('is not a certification authority');
		expect(opensslAccepts(kind, below, root, [notCa])).toBe(false);
	});

	it('a pinned certificate is trusted as it is', () => {
		expect(checkTrustChain(leaf.certificate, [], [leaf.certificate], new Date())).toMatchObject({ trusted: true, path: [{ thumbprint: leaf.certificate.thumbprint }] });
	});

	it('verifyCms: the chain carried in the signature leads to the root; "valid" needs it', async () => {
		const signer = createLocalSigner({
			certificatePem: readFileSync(leaf.certPath, 'utf8') + readFileSync(intermediate.certPath, 'utf8'),
			privateKeyPem: readFileSync(leaf.keyPath, 'utf8'),
		});
		const data = Buffer.from('счёт-фактура №1');
		const signature = await signer.sign(data);

		const plain = verifyCms(signature, data);
		expect(plain).toMatchObject({ valid: true, trustChainChecked: false });
		expect(plain.signers[0].trustChain).toBeUndefined();

		const trusted = verifyCms(signature, data, { trustedCertificates: [root.certificate] });
		expect(trusted).toMatchObject({ valid: true, trustChainChecked: true });
		expect(trusted.signers[0].trustChain?.path).toHaveLength(3);

		const untrusted = verifyCms(signature, data, { trustedCertificates: [otherRoot.certificate] });
		expect(untrusted.valid).toBe(false);
		expect(untrusted.signers[0].signatureValid).toBe(true);
		expect(untrusted.signers[0].trustChain?.trusted).toBe(false);

		// Validity at the signing time (default) or now: 60 days on, the issuing CA has expired.
		const later = new Date(Date.now() + 60 * DAY);
		expect(verifyCms(signature, data, { trustedCertificates: [root.certificate], now: later }).valid).toBe(true);
		const atNow = verifyCms(signature, data, { trustedCertificates: [root.certificate], now: later, validityAt: 'now' });
		expect(atNow.valid).toBe(false);
		expect(atNow.signers[0].trustChain?.error).toContain('had expired');
	});
});

describe('a mixed chain: a GOST-512 root issues a GOST-256 CA (openssl agrees)', () => {
	it('is trusted', () => {
		const root = issue('gost512', 'Mixed Root 512', { ca: true });
		const ca = issue('gost256', 'Mixed CA 256', { issuer: root, issuerKind: 'gost512', ca: true });
		const leaf = issue('gost256', 'Mixed Leaf 256', { issuer: ca });
		expect(checkTrustChain(leaf.certificate, [ca.certificate], [root.certificate], new Date()).trusted).toBe(true);
		expect(opensslAccepts('gost256', leaf, root, [ca])).toBe(true);
	});
});

describe('GOST certificates issued by our own code', () => {
	it('chain to our CA, and openssl verify accepts the same chain', () => {
		const caKey = GostPrivateKey.generate(getParamSet(GOST_OID.TC26_GOST_3410_12_256_PARAMSET_A));
		const leafKey = GostPrivateKey.generate(getParamSet(GOST_OID.TC26_GOST_3410_12_256_PARAMSET_B));
		const now = Date.now();
		const caSubject: Array<[string, string]> = [['2.5.4.3', 'Тестовый УЦ'], ['2.5.4.6', 'RU']];
		const caDer = createGostSelfSignedCertificate(caKey, { subject: caSubject, notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY), isCa: true });
		const leafDer = createGostCertificate(
			leafKey.publicKey,
			{ subject: [['2.5.4.3', 'Иванов Иван'], ['2.5.4.6', 'RU']], notBefore: new Date(now - DAY), notAfter: new Date(now + 30 * DAY) },
			{ key: caKey, subject: caSubject },
		);
		const ca = Certificate.fromDer(caDer);
		const leaf = Certificate.fromDer(leafDer);
		expect(leaf.issuerNameDer.equals(ca.subjectNameDer)).toBe(true);
		expect(checkTrustChain(leaf, [], [ca], new Date()).trusted).toBe(true);

		const caPath = writeTemp('our-gost-ca.pem', toPem(caDer, 'CERTIFICATE'));
		const leafPath = writeTemp('our-gost-leaf.pem', toPem(leafDer, 'CERTIFICATE'));
		const verdict = gostOpensslStatus(['verify', '-CAfile', caPath, leafPath]);
		expect(verdict.output).toContain('OK');
		expect(verdict.ok).toBe(true);
	});
});
