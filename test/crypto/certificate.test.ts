import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

import { Certificate, loadCertificate, loadCertificates, normalizeThumbprint } from '../../lib/crypto/certificate';
import { decodeBinary, looksLikeDer, pemBlocks, toPem } from '../../lib/crypto/encoding';
import { EdoCryptoError } from '../../lib/crypto/errors';
import { KeyKind, RUSSIAN_SUBJECT, createIdentity, openssl, tempPath, writeTemp } from '../helpers/pki';

function errorOf(action: () => unknown): EdoCryptoError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(EdoCryptoError);
		return error as EdoCryptoError;
	}
	throw new Error('expected an EdoCryptoError, nothing was thrown');
}

function opensslField(certPath: string, flag: string): string {
	return openssl(['x509', '-in', certPath, '-noout', flag, '-nameopt', 'RFC2253,-esc_msb']).toString().trim();
}

/** Offsets of the top-level tbsCertificate fields, as `openssl asn1parse` reports them (independent parser). */
function tbsFieldsByOpenssl(der: Buffer): Buffer[] {
	const listing = openssl(['asn1parse', '-inform', 'DER', '-in', writeTemp('cert.der', der)]).toString();
	return listing
		.split('\n')
		.filter((line) => line.includes('d=2'))
		.map((line) => {
			const match = line.match(/^\s*(\d+):d=2\s+hl=(\d+)\s+l=\s*(\d+)/);
			if (!match) throw new Error(`unexpected asn1parse line ${line}`);
			const [offset, header, length] = match.slice(1).map(Number);
			return der.subarray(offset, offset + header + length);
		});
}

function opensslDate(certPath: string, flag: '-startdate' | '-enddate'): string {
	const text = opensslField(certPath, flag).split('=')[1];
	return new Date(text).toISOString();
}

describe('loadCertificate against openssl x509', () => {
	const expectations: Record<KeyKind, { name: string; curve?: string; bits: number; description: string }> = {
		rsa2048: { name: 'RSA', bits: 2048, description: 'RSA-2048' },
		p256: { name: 'EC', curve: 'P-256', bits: 256, description: 'ECDSA P-256' },
		p384: { name: 'EC', curve: 'P-384', bits: 384, description: 'ECDSA P-384' },
	};

	for (const kind of Object.keys(expectations) as KeyKind[]) {
		describe(kind, () => {
			const identity = createIdentity(kind);
			const certificate = loadCertificate(identity.certPem);

			it('reads PEM, DER, base64 and base64url to the same certificate', () => {
				const base64 = identity.certDer.toString('base64');
				const wrapped = base64.replace(/.{1,60}/g, '$&\r\n');
				expect(certificate.der.equals(identity.certDer)).toBe(true);
				expect(loadCertificate(identity.certDer).der.equals(identity.certDer)).toBe(true);
				expect(loadCertificate(new Uint8Array(identity.certDer)).der.equals(identity.certDer)).toBe(true);
				expect(loadCertificate(wrapped).der.equals(identity.certDer)).toBe(true);
				expect(loadCertificate(identity.certDer.toString('base64url')).der.equals(identity.certDer)).toBe(true);
				expect(loadCertificate(Buffer.from(identity.certPem)).der.equals(identity.certDer)).toBe(true);
				expect(loadCertificate(readFileSync(identity.certPath)).thumbprint).toBe(certificate.thumbprint);
			});

			it('has the thumbprint, serial, names and dates openssl reports', () => {
				const fingerprint = openssl(['x509', '-in', identity.certPath, '-noout', '-fingerprint', '-sha1']).toString();
				expect(certificate.thumbprint).toBe(fingerprint.trim().split('=')[1].replace(/:/g, ''));
				const info = certificate.info();
				expect(info.thumbprint).toBe(certificate.thumbprint);
				expect(info.serialNumber).toBe(opensslField(identity.certPath, '-serial').replace('serial=', ''));
				expect(info.subject.replace(/, /g, ',')).toBe(opensslField(identity.certPath, '-subject').replace('subject=', ''));
				expect(info.issuer.replace(/, /g, ',')).toBe(opensslField(identity.certPath, '-issuer').replace('issuer=', ''));
				expect(info.commonName).toBe(`EDO test ${kind}`);
				expect(info.organization).toBe('n8n-nodes-edo tests');
				expect(info.notBefore).toBe(opensslDate(identity.certPath, '-startdate'));
				expect(info.notAfter).toBe(opensslDate(identity.certPath, '-enddate'));
				expect(info.validity).toBe('valid');
				expect(info.warnings).toEqual([]);
			});

			it('describes the key algorithm and exposes the public key', () => {
				const expected = expectations[kind];
				expect(certificate.keyAlgorithm).toMatchObject({ name: expected.name, bits: expected.bits });
				expect(certificate.keyAlgorithm.curve).toBe(expected.curve);
				expect(certificate.info().keyAlgorithm).toBe(expected.description);
				const opensslSpki = pemBlocks(openssl(['x509', '-in', identity.certPath, '-noout', '-pubkey']).toString())[0].der;
				expect(certificate.spkiDer.equals(opensslSpki)).toBe(true);
				const fromKey = crypto.createPublicKey(crypto.createPrivateKey(identity.keyPem));
				expect(certificate.publicKey.equals(fromKey)).toBe(true);
			});

			it('keeps the exact bytes of serial, issuer and subject (as asn1parse cuts them)', () => {
				const [version, serial, , issuer, , subject, spki] = tbsFieldsByOpenssl(identity.certDer);
				expect(version[0]).toBe(0xa0);
				expect(certificate.serialNumberDer.equals(serial)).toBe(true);
				expect(certificate.issuerNameDer.equals(issuer)).toBe(true);
				expect(certificate.subjectNameDer.equals(subject)).toBe(true);
				expect(certificate.spkiDer.equals(spki)).toBe(true);
			});

			it('converts back to the PEM openssl writes', () => {
				expect(certificate.pem).toBe(openssl(['x509', '-in', identity.certPath]).toString());
			});
		});
	}

	it('reads the subject key identifier extension like openssl', () => {
		const keyPath = tempPath('ski.key');
		const certPath = tempPath('ski.pem');
		openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
		openssl(['req', '-new', '-x509', '-key', keyPath, '-out', certPath, '-subj', '/CN=ski', '-addext', 'subjectKeyIdentifier=hash']);
		const text = openssl(['x509', '-in', certPath, '-noout', '-ext', 'subjectKeyIdentifier']).toString();
		const expected = text.split('\n')[1].trim().replace(/:/g, '');
		const certificate = loadCertificate(readFileSync(certPath, 'utf8'));
		expect(certificate.subjectKeyIdentifier?.toString('hex').toUpperCase()).toBe(expected);
	});
});

describe('certificate bundles', () => {
	it('loads every certificate of concatenated PEMs, in order', () => {
		const kinds: KeyKind[] = ['rsa2048', 'p256', 'p384'];
		const identities = kinds.map((kind) => createIdentity(kind));
		const bundle = `Bag Attributes\n    friendlyName: x\n${identities.map((identity) => identity.certPem).join('\n')}`;
		const certificates = loadCertificates(bundle);
		expect(certificates.map((certificate) => certificate.der.toString('hex'))).toEqual(identities.map((identity) => identity.certDer.toString('hex')));
		expect(loadCertificate(bundle).thumbprint).toBe(certificates[0].thumbprint);
	});

	it('loads concatenated DER certificates', () => {
		const identities = [createIdentity('p256'), createIdentity('rsa2048')];
		const certificates = loadCertificates(Buffer.concat(identities.map((identity) => identity.certDer)));
		expect(certificates.map((certificate) => certificate.thumbprint)).toEqual(
			identities.map((identity) => crypto.createHash('sha1').update(identity.certDer).digest('hex').toUpperCase()),
		);
	});

	it('loads a PKCS#7 certs-only bundle (.p7b) in PEM and DER', () => {
		const identities = [createIdentity('p256'), createIdentity('p384')];
		const args = ['crl2pkcs7', '-nocrl', ...identities.flatMap((identity) => ['-certfile', identity.certPath])];
		const pem = openssl(args).toString();
		const der = openssl([...args, '-outform', 'DER']);
		for (const input of [pem, der, der.toString('base64')]) {
			const thumbprints = loadCertificates(input).map((certificate) => certificate.der);
			expect(thumbprints).toHaveLength(2);
			expect(thumbprints.some((certDer) => certDer.equals(identities[0].certDer))).toBe(true);
			expect(thumbprints.some((certDer) => certDer.equals(identities[1].certDer))).toBe(true);
		}
	});
});

describe('Russian qualified certificate fields', () => {
	it('reads INN, OGRN, SNILS and keeps Cyrillic readable', () => {
		const identity = createIdentity('p256', { subject: RUSSIAN_SUBJECT });
		const info = loadCertificate(identity.certPem).info();
		expect(info.commonName).toBe('Иванов Иван Иванович');
		expect(info.organization).toBe('ООО Ромашка');
		expect(info.inn).toBe('007701234567');
		expect(info.ogrn).toBe('1027700132195');
		expect(info.snils).toBe('11223344595');
		expect(info.subject).toContain('CN=Иванов Иван Иванович');
		expect(info.subject).toContain('INN=007701234567');
		expect(info.subject).not.toMatch(/\\[0-9A-F]{2}/i);
		expect(info.subject.replace(/, /g, ',')).toBe(opensslField(identity.certPath, '-subject').replace('subject=', ''));
	});

	it('reads INN of a legal entity and OGRNIP (OpenSSL 3.0 needs them declared in a config)', () => {
		const keyPath = tempPath('le.key');
		const certPath = tempPath('le.pem');
		const configPath = tempPath('le.cnf');
		writeFileSync(
			configPath,
			[
				'oid_section = oids',
				'[oids]',
				'innle = 1.2.643.100.4',
				'[req]',
				'prompt = no',
				'distinguished_name = dn',
				'string_mask = default',
				'[dn]',
				'CN = ИП Петров',
				'innle = 7701234567',
				'OGRNIP = 304500116000157',
				'INN = 500100732259',
			].join('\n'),
		);
		openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
		openssl(['req', '-new', '-x509', '-config', configPath, '-key', keyPath, '-out', certPath, '-utf8']);
		const info = loadCertificate(readFileSync(certPath)).info();
		expect(info).toMatchObject({ commonName: 'ИП Петров', innLe: '7701234567', ogrnip: '304500116000157', inn: '500100732259' });
		expect(info.subject).toContain('INNLE=7701234567');
	});
});

describe('validity', () => {
	it('warns about an expired certificate without throwing', () => {
		const identity = createIdentity('p256', { startDaysAgo: 400, days: 30 });
		const info = loadCertificate(identity.certPem).info();
		expect(info.validity).toBe('expired');
		expect(info.warnings).toHaveLength(1);
		expect(info.warnings[0]).toContain(`expired on ${opensslDate(identity.certPath, '-enddate').slice(0, 10)}`);
		expect(info.notAfter).toBe(opensslDate(identity.certPath, '-enddate'));
	});

	it('warns about a certificate that is not valid yet', () => {
		const identity = createIdentity('p256', { startDaysAgo: -10, days: 30 });
		const info = loadCertificate(identity.certPem).info();
		expect(info.validity).toBe('notYetValid');
		expect(info.warnings[0]).toContain('not valid until');
		expect(info.notBefore).toBe(opensslDate(identity.certPath, '-startdate'));
	});

	it('judges validity at the moment asked for', () => {
		const certificate = loadCertificate(createIdentity('rsa2048').certPem);
		expect(certificate.info(new Date(certificate.notBefore.getTime() - 1000)).validity).toBe('notYetValid');
		expect(certificate.info(new Date(certificate.notAfter.getTime() + 1000)).validity).toBe('expired');
		expect(certificate.info(new Date(certificate.notBefore.getTime() + 1000)).validity).toBe('valid');
	});
});

describe('key types signing does not support', () => {
	it('parses an Ed25519 certificate and names the algorithm', () => {
		const keyPath = tempPath('ed.key');
		const certPath = tempPath('ed.pem');
		openssl(['genpkey', '-algorithm', 'ED25519', '-out', keyPath]);
		openssl(['req', '-new', '-x509', '-key', keyPath, '-out', certPath, '-subj', '/CN=ed']);
		const certificate = loadCertificate(readFileSync(certPath, 'utf8'));
		expect(certificate.keyAlgorithm.name).toBe('UNKNOWN');
		expect(certificate.info().keyAlgorithm).toContain('Ed25519');
		expect(certificate.info().warnings.join(' ')).toContain('not supported');
	});

	it('parses a certificate whose key OID Node does not know, failing only on publicKey', () => {
		const der = Buffer.from(createIdentity('p256').certDer);
		const ecPublicKey = Buffer.from('06072a8648ce3d0201', 'hex');
		const at = der.indexOf(ecPublicKey);
		expect(at).toBeGreaterThan(0);
		der[at + ecPublicKey.length - 1] = 0x09; // 1.2.840.10045.2.9: not a key type anyone knows
		const certificate = Certificate.fromDer(der);
		expect(certificate.keyAlgorithm).toMatchObject({ name: 'UNKNOWN', oid: '1.2.840.10045.2.9' });
		expect(certificate.info().subject).toContain('CN=EDO test p256');
		const error = errorOf(() => certificate.publicKey);
		expect(error.code).toBe('UNSUPPORTED_ALGORITHM');
		expect(error.message).toContain('1.2.840.10045.2.9');
	});
});

describe('bad certificate input', () => {
	it('rejects an empty string and whitespace', () => {
		for (const input of ['', '   \n', Buffer.alloc(0)]) {
			const error = errorOf(() => loadCertificate(input));
			expect(error.code).toBe('INVALID_INPUT');
			expect(error.message).toContain('certificate is empty');
		}
	});

	it('rejects text that is neither PEM nor base64', () => {
		const error = errorOf(() => loadCertificate('this is not a certificate!'));
		expect(error.code).toBe('INVALID_INPUT');
		expect(error.message).toBe('The certificate is neither PEM, base64 nor binary DER');
		expect(error.hint).toBeTruthy();
	});

	it('rejects random bytes and base64 of random bytes', () => {
		const random = crypto.randomBytes(200);
		random[0] = 0x04;
		expect(errorOf(() => loadCertificate(random)).code).toBe('NOT_A_CERTIFICATE');
		expect(errorOf(() => loadCertificate(random.toString('base64'))).code).toBe('NOT_A_CERTIFICATE');
	});

	it('says so when a private key is pasted instead, without echoing it', () => {
		const identity = createIdentity('p256');
		const keyDer = pemBlocks(identity.keyPem)[0].der;
		for (const input of [identity.keyPem, keyDer, keyDer.toString('base64')]) {
			const error = errorOf(() => loadCertificate(input));
			expect(error.code).toBe('NOT_A_CERTIFICATE');
			expect(error.message).toContain('private key');
			expect(`${error.message} ${error.hint}`).not.toContain(keyDer.toString('base64').slice(20, 40));
		}
	});

	it('says so when a PFX is given as certificate', () => {
		const identity = createIdentity('p256');
		const pfx = openssl(['pkcs12', '-export', '-in', identity.certPath, '-inkey', identity.keyPath, '-passout', 'pass:x']);
		const error = errorOf(() => loadCertificate(pfx));
		expect(error.code).toBe('NOT_A_CERTIFICATE');
		expect(error.message).toContain('PKCS#12');
	});

	it('reports a truncated certificate', () => {
		const der = createIdentity('rsa2048').certDer;
		const error = errorOf(() => loadCertificate(der.subarray(0, der.length - 30)));
		expect(error.code).toBe('NOT_A_CERTIFICATE');
		expect(error.message).toContain('truncated');
		const pem = createIdentity('rsa2048').certPem;
		const cut = errorOf(() => loadCertificate(pem.slice(0, pem.length - 40)));
		expect(cut.code).toBe('INVALID_INPUT');
		expect(cut.message).toContain('END');
	});

	it('names the PEM type when there is no certificate block', () => {
		const error = errorOf(() => loadCertificate(toPem(Buffer.from('3003020101', 'hex'), 'X509 CRL')));
		expect(error.code).toBe('NOT_A_CERTIFICATE');
		expect(error.message).toContain('X509 CRL');
	});
});

describe('normalizeThumbprint', () => {
	const thumbprint = '3F2A5C0011223344556677889900AABBCCDDEEFF';

	it.each([
		['plain uppercase', thumbprint],
		['lowercase', thumbprint.toLowerCase()],
		['colons', thumbprint.replace(/(..)(?!$)/g, '$1:')],
		['spaces (Windows dialog)', thumbprint.toLowerCase().replace(/(..)(?!$)/g, '$1 ')],
		['hyphens', thumbprint.replace(/(....)(?!$)/g, '$1-')],
		['left-to-right mark from Windows copy', `\u200e${thumbprint}\u200f`],
		['newlines and tabs around', `\n\t${thumbprint} \r\n`],
		['openssl output', `sha1 Fingerprint=${thumbprint.replace(/(..)(?!$)/g, '$1:')}`],
	])('accepts %s', (_name, input) => {
		expect(normalizeThumbprint(input)).toBe(thumbprint);
	});

	it('rejects a wrong length, saying the length found', () => {
		const error = errorOf(() => normalizeThumbprint(thumbprint.slice(0, 38)));
		expect(error.code).toBe('INVALID_THUMBPRINT');
		expect(error.message).toContain('found 38');
		expect(error.message).not.toContain(thumbprint.slice(0, 38));
	});

	it('explains a SHA-256 fingerprint', () => {
		const sha256 = crypto.createHash('sha256').update('x').digest('hex');
		expect(errorOf(() => normalizeThumbprint(sha256)).message).toContain('SHA-256');
	});

	it('names a bad character and its position', () => {
		const error = errorOf(() => normalizeThumbprint(`3F2G${thumbprint.slice(4)}`));
		expect(error.code).toBe('INVALID_THUMBPRINT');
		expect(error.message).toContain("'G' at position 4");
		const cyrillic = errorOf(() => normalizeThumbprint(`3F2А${thumbprint.slice(4)}`)); // Cyrillic А
		expect(cyrillic.message).toContain('U+0410');
	});

	it('rejects empty input', () => {
		expect(errorOf(() => normalizeThumbprint('  ')).code).toBe('INVALID_THUMBPRINT');
	});
});

describe('encoding helpers', () => {
	it('decodes PEM of any label, base64 with whitespace, base64url, hex and raw bytes', () => {
		const der = createIdentity('p256').certDer;
		expect(decodeBinary(toPem(der, 'CMS'), 'signature').equals(der)).toBe(true);
		expect(decodeBinary(` ${der.toString('base64').replace(/(.{10})/g, '$1 \n')}`, 'signature').equals(der)).toBe(true);
		expect(decodeBinary(der.toString('base64url'), 'signature').equals(der)).toBe(true);
		expect(decodeBinary(der.toString('hex'), 'signature').equals(der)).toBe(true);
		expect(decodeBinary(der, 'signature').equals(der)).toBe(true);
	});

	it('names the thing in its error', () => {
		const error = errorOf(() => decodeBinary('not base64 at all!', 'signature'));
		expect(error).toMatchObject({ code: 'INVALID_INPUT', message: 'The signature is neither PEM, base64 nor binary DER' });
	});

	it('writes PEM with 64-character lines', () => {
		const pem = toPem(Buffer.alloc(100, 1), 'TEST');
		const lines = pem.trimEnd().split('\n');
		expect(lines[0]).toBe('-----BEGIN TEST-----');
		expect(lines[1]).toHaveLength(64);
		expect(pem.endsWith('-----END TEST-----\n')).toBe(true);
		expect(pemBlocks(pem)[0].der.equals(Buffer.alloc(100, 1))).toBe(true);
	});

	it('recognizes DER by its outer SEQUENCE', () => {
		const der = createIdentity('p256').certDer;
		expect(looksLikeDer(der)).toBe(true);
		expect(looksLikeDer(der.subarray(0, 100))).toBe(false);
		expect(looksLikeDer(Buffer.from('MIIB'))).toBe(false);
	});
});
