import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import forge from 'node-forge';

import { loadCertificate } from '../../lib/crypto/certificate';
import { readDer } from '../../lib/crypto/encoding';
import { EdoCryptoError } from '../../lib/crypto/errors';
import { loadPfx, pkcs12Kdf, bmpPassword, PbeDigest } from '../../lib/crypto/pkcs12';
import { assertKeyMatchesCertificate } from '../../lib/crypto/privateKey';
import { explicit, integer, octetString, oid, sequence } from '../../lib/crypto/cms/der';
import { KeyKind, createIdentity, openssl, tempPath, writeTemp } from '../helpers/pki';

const PASSWORD = 'Pfx-Secret-2024';

function errorOf(action: () => unknown): EdoCryptoError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(EdoCryptoError);
		return error as EdoCryptoError;
	}
	throw new Error('expected an EdoCryptoError, nothing was thrown');
}

function pkcs8Der(keyPath: string): Buffer {
	return openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPath, '-outform', 'DER']);
}

interface Chain {
	leafKeyPath: string;
	leafCertPath: string;
	intermediateCertPath: string;
	rootCertPath: string;
}

const chains = new Map<KeyKind, Chain>();

/** Root (P-384) → intermediate (P-256) → leaf of the given kind, all signed by openssl. */
function createChain(leafKind: KeyKind): Chain {
	const cached = chains.get(leafKind);
	if (cached) return cached;
	const root = createIdentity('p384', { subject: '/CN=EDO Test Root/O=n8n-nodes-edo tests' });
	const extensions = tempPath('ext.cnf');
	writeFileSync(extensions, ['[ca]', 'basicConstraints=critical,CA:TRUE', '[leaf]', 'keyUsage=digitalSignature,nonRepudiation'].join('\n'));
	const issue = (keyPath: string, subject: string, caCert: string, caKey: string, section: string): string => {
		const csr = tempPath('req.csr');
		const cert = tempPath('cert.pem');
		openssl(['req', '-new', '-key', keyPath, '-subj', subject, '-out', csr]);
		openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', String(Date.now()), '-days', '30', '-extfile', extensions, '-extensions', section, '-out', cert]);
		return cert;
	};
	const intermediateKey = tempPath('intermediate.key');
	openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', intermediateKey]);
	const intermediateCert = issue(intermediateKey, '/CN=EDO Test Intermediate', root.certPath, root.keyPath, 'ca');
	const leafKey = createIdentity(leafKind).keyPath;
	const leafCert = issue(leafKey, `/CN=EDO Test Leaf ${leafKind}`, intermediateCert, intermediateKey, 'leaf');
	const chain = { leafKeyPath: leafKey, leafCertPath: leafCert, intermediateCertPath: intermediateCert, rootCertPath: root.certPath };
	chains.set(leafKind, chain);
	return chain;
}

function exportPfx(chain: Chain, options: string[], password = PASSWORD, withChain = true): Buffer {
	const args = ['pkcs12', '-export', '-in', chain.leafCertPath, '-inkey', chain.leafKeyPath, '-passout', `pass:${password}`];
	if (withChain) {
		// Root before intermediate on purpose: the loader orders the chain itself.
		const bundle = tempPath('chain.pem');
		writeFileSync(bundle, readFileSync(chain.rootCertPath, 'utf8') + readFileSync(chain.intermediateCertPath, 'utf8'));
		args.push('-certfile', bundle);
	}
	return openssl([...args, ...options]);
}

/** DER TLV with a definite length. */
function tlv(tag: number, content: Buffer): Buffer {
	const length = content.length;
	const header = length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
	return Buffer.concat([Buffer.from([tag, ...header]), content]);
}

function derOf(certPath: string): Buffer {
	return openssl(['x509', '-in', certPath, '-outform', 'DER']);
}

const VARIANTS: Array<[string, string[]]> = [
	['OpenSSL 3 default (PBES2 AES-256, HMAC-SHA256)', []],
	['-legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)', ['-legacy']],
	['PBE-SHA1-3DES for key and certificates', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
	['PBES2 AES-128 key, DES-EDE3 certificates, SHA-512 MAC', ['-keypbe', 'AES-128-CBC', '-certpbe', 'DES-EDE3-CBC', '-macalg', 'sha512']],
	['RC2-128 certificates (legacy provider)', ['-legacy', '-certpbe', 'PBE-SHA1-RC2-128']],
	['no MAC', ['-nomac']],
	['no MAC, legacy', ['-nomac', '-legacy']],
	['unencrypted bags (keyBag)', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
];

describe.each(['rsa2048', 'p256'] as KeyKind[])('loadPfx with a %s key', (kind) => {
	const chain = createChain(kind);
	const expectedKey = pkcs8Der(chain.leafKeyPath);
	const leafDer = derOf(chain.leafCertPath);

	it.each(VARIANTS)('opens %s', (_name, options) => {
		const pfx = exportPfx(chain, options);
		const contents = loadPfx(pfx, PASSWORD);
		expect((contents.key as crypto.KeyObject).export({ type: 'pkcs8', format: 'der' }).equals(expectedKey)).toBe(true);
		expect(contents.certificate.der.equals(leafDer)).toBe(true);
		expect(contents.chain.map((certificate) => certificate.der.toString('hex'))).toEqual([
			derOf(chain.intermediateCertPath).toString('hex'),
			derOf(chain.rootCertPath).toString('hex'),
		]);
		assertKeyMatchesCertificate(contents.key, contents.certificate);
	});

	it('rejects a wrong password without echoing either password', () => {
		for (const options of [[], ['-legacy'], ['-nomac'], ['-nomac', '-legacy']]) {
			const attempt = 'Pfx-Secret-2025';
			const error = errorOf(() => loadPfx(exportPfx(chain, options, PASSWORD, false), attempt));
			expect(error.code).toBe('WRONG_PASSWORD');
			for (const secret of [attempt, PASSWORD]) expect(`${error.message} ${error.hint}`).not.toContain(secret);
		}
	});

	it('opens a PFX with an empty password', () => {
		for (const options of [[], ['-legacy']]) {
			const contents = loadPfx(exportPfx(chain, options, '', false), '');
			expect(contents.certificate.der.equals(leafDer)).toBe(true);
			expect(contents.chain).toEqual([]);
		}
	});
});

describe('loadPfx input forms and damage', () => {
	const chain = createChain('p256');

	it('accepts base64 text', () => {
		const pfx = exportPfx(chain, []);
		expect(loadPfx(pfx.toString('base64'), PASSWORD).certificate.der.equals(derOf(chain.leafCertPath))).toBe(true);
		expect(loadPfx(pfx.toString('base64').replace(/.{76}/g, '$&\n'), PASSWORD).chain).toHaveLength(2);
	});

	it('opens BER with indefinite lengths and a chunked OCTET STRING, as Windows and Java write', () => {
		const der = exportPfx(chain, []);
		const [version, authSafe, macData] = readDer(der).children;
		const content = authSafe.child(1).child(0).bytes;
		const chunks: Buffer[] = [];
		for (let offset = 0; offset < content.length; offset += 300) chunks.push(tlv(0x04, content.subarray(offset, offset + 300)));
		const indefinite = (tag: number, ...parts: Buffer[]) => Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0, 0])]);
		const ber = indefinite(0x30, version.raw, indefinite(0x30, authSafe.child(0).raw, indefinite(0xa0, indefinite(0x24, ...chunks))), macData.raw);
		expect(ber.equals(der)).toBe(false);
		// openssl accepts the same bytes, so the BER is well-formed
		expect(openssl(['pkcs12', '-in', writeTemp('ber.p12', ber), '-passin', `pass:${PASSWORD}`, '-nokeys', '-clcerts']).toString()).toContain('BEGIN CERTIFICATE');
		const contents = loadPfx(ber, PASSWORD);
		expect(contents.certificate.der.equals(derOf(chain.leafCertPath))).toBe(true);
		expect(contents.chain).toHaveLength(2);
	});

	it('opens a PFX whose password has Cyrillic letters', () => {
		const password = 'Пароль-ЭП №1';
		const contents = loadPfx(exportPfx(chain, ['-legacy'], password, false), password);
		expect(contents.certificate.der.equals(derOf(chain.leafCertPath))).toBe(true);
		expect(loadPfx(exportPfx(chain, [], password, false), password).certificate.der.equals(derOf(chain.leafCertPath))).toBe(true);
	});

	it('reports a truncated file as damaged', () => {
		const pfx = exportPfx(chain, []);
		const error = errorOf(() => loadPfx(pfx.subarray(0, Math.floor(pfx.length / 2)), PASSWORD));
		expect(error.code).toBe('PFX_INTEGRITY');
		expect(error.message).toContain('damaged or truncated');
	});

	it('reports a PFX without a private key', () => {
		const pfx = openssl(['pkcs12', '-export', '-nokeys', '-in', chain.leafCertPath, '-passout', `pass:${PASSWORD}`]);
		const error = errorOf(() => loadPfx(pfx, PASSWORD));
		expect(error.code).toBe('PFX_NO_KEY');
		expect(error.message).toContain('no private key');
	});

	it('reports a PFX with a key but no certificate', () => {
		const pfx = openssl(['pkcs12', '-export', '-nocerts', '-inkey', chain.leafKeyPath, '-passout', `pass:${PASSWORD}`]);
		expect(errorOf(() => loadPfx(pfx, PASSWORD)).code).toBe('PFX_NO_CERTIFICATE');
	});

	it('reports a key that belongs to none of the certificates', () => {
		const other = createIdentity('p256', { subject: '/CN=Not the key owner' });
		const pfx = openssl(['pkcs12', '-export', '-nocerts', '-inkey', chain.leafKeyPath, '-certfile', other.certPath, '-passout', `pass:${PASSWORD}`]);
		const error = errorOf(() => loadPfx(pfx, PASSWORD));
		expect(error.code).toBe('KEY_MISMATCH');
		expect(error.message).toContain('belongs to none');
	});

	it('finds the leaf by its public key when certificates carry no localKeyId', () => {
		const bundle = tempPath('root-then-leaf.pem');
		writeFileSync(bundle, readFileSync(chain.rootCertPath, 'utf8') + readFileSync(chain.leafCertPath, 'utf8'));
		const pfx = openssl(['pkcs12', '-export', '-nocerts', '-inkey', chain.leafKeyPath, '-certfile', bundle, '-passout', `pass:${PASSWORD}`]);
		const contents = loadPfx(pfx, PASSWORD);
		expect(contents.certificate.der.equals(derOf(chain.leafCertPath))).toBe(true);
		expect(contents.chain.map((certificate) => certificate.der.toString('hex'))).toEqual([derOf(chain.rootCertPath).toString('hex')]);
	});

	it('says when the data is not a PFX at all', () => {
		const identity = createIdentity('p256');
		const asCertificate = errorOf(() => loadPfx(identity.certDer, PASSWORD));
		expect(asCertificate.code).toBe('INVALID_INPUT');
		expect(asCertificate.message).toContain('not a PKCS#12');
		expect(asCertificate.message).toContain('certificate');
		expect(errorOf(() => loadPfx('definitely not base64 ***', PASSWORD)).code).toBe('INVALID_INPUT');
		expect(errorOf(() => loadPfx(crypto.randomBytes(100).fill(0x41, 0, 1), PASSWORD)).code).toBe('INVALID_INPUT');
		expect(errorOf(() => loadPfx(Buffer.alloc(0), PASSWORD)).code).toBe('INVALID_INPUT');
	});

	it('names the OID of an encryption algorithm it does not know', () => {
		// Without a MAC nothing notices the edit: the key bag's pbeWithSHAAnd3-KeyTripleDES-CBC becomes ...1.12.1.7.
		const pfx = Buffer.from(exportPfx(chain, ['-legacy', '-nomac'], PASSWORD, false));
		const tripleDesPbe = Buffer.from('2a864886f70d010c0103', 'hex');
		const at = pfx.indexOf(tripleDesPbe);
		expect(at).toBeGreaterThan(0);
		pfx[at + tripleDesPbe.length - 1] = 0x07;
		const error = errorOf(() => loadPfx(pfx, PASSWORD));
		expect(error.code).toBe('UNSUPPORTED_ALGORITHM');
		expect(error.message).toContain('1.2.840.113549.1.12.1.7');
	});

	it('treats a modified file as a wrong password or damage, never as success', () => {
		const pfx = Buffer.from(exportPfx(chain, [], PASSWORD, false));
		pfx[Math.floor(pfx.length / 2)] ^= 0x01;
		expect(['WRONG_PASSWORD', 'PFX_INTEGRITY']).toContain(errorOf(() => loadPfx(pfx, PASSWORD)).code);
	});
});

describe('PKCS#12 key derivation', () => {
	const sha1: PbeDigest = {
		name: 'SHA1',
		outputLength: 20,
		blockLength: 64,
		hash: (data) => crypto.createHash('sha1').update(data).digest(),
		hmac: (key, data) => crypto.createHmac('sha1', key).update(data).digest(),
		pbkdf2: (password, salt, iterations, length) => crypto.pbkdf2Sync(password, salt, iterations, length, 'sha1'),
	};

	it.each([
		['key, two output blocks', 1, 24, 'smeg'],
		['IV', 2, 8, 'queeg'],
		['MAC key', 3, 20, 'Пароль'],
	] as const)('matches node-forge for the %s', (_name, id, length, password) => {
		const salt = Buffer.from('0a58cf64530d823f', 'hex');
		const ours = pkcs12Kdf(sha1, bmpPassword(password), salt, id, 1000, length);
		// forge widens each UTF-16 code unit to two bytes and appends the terminator itself.
		const theirs = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString('binary')), id, 1000, length);
		expect(ours.toString('hex')).toBe(Buffer.from(theirs.getBytes(), 'binary').toString('hex'));
	});

	it('encodes passwords as BMPString with a terminator', () => {
		expect(bmpPassword('ab').toString('hex')).toBe('006100620000');
		expect(bmpPassword('').toString('hex')).toBe('0000');
		expect(bmpPassword('Я').toString('hex')).toBe('042f0000');
	});

	it('keeps a loaded certificate usable as the certificate API', () => {
		const contents = loadPfx(exportPfx(createChain('rsa2048'), [], PASSWORD, false), PASSWORD);
		expect(loadCertificate(contents.certificate.pem).thumbprint).toBe(contents.certificate.thumbprint);
		expect(contents.certificate.info().commonName).toBe('EDO Test Leaf rsa2048');
	});
});

describe('loadPfx: BER forms that Windows and Java exports write', () => {
	it('reads a certificate bag whose value is a constructed (chunked) OCTET STRING, and an unencrypted key bag', () => {
		const identity = createIdentity('p256');
		const certificate = identity.certDer;
		// [0] EXPLICIT OCTET STRING in BER constructed form: 0x24 with two primitive segments.
		const half = Math.floor(certificate.length / 2);
		const chunked = tlv(0x24, Buffer.concat([octetString(certificate.subarray(0, half)), octetString(certificate.subarray(half))]));
		const certBag = sequence(oid('1.2.840.113549.1.12.10.1.3'), explicit(0, sequence(oid('1.2.840.113549.1.9.22.1'), explicit(0, chunked))));
		const keyBag = sequence(oid('1.2.840.113549.1.12.10.1.1'), explicit(0, pkcs8Der(identity.keyPath)));
		const safeContents = sequence(certBag, keyBag);
		const authenticatedSafe = sequence(sequence(oid('1.2.840.113549.1.7.1'), explicit(0, octetString(safeContents))));
		const pfx = sequence(integer(3), sequence(oid('1.2.840.113549.1.7.1'), explicit(0, octetString(authenticatedSafe))));

		const contents = loadPfx(pfx, '');
		expect(contents.certificate.der.equals(certificate)).toBe(true);
		assertKeyMatchesCertificate(contents.key, contents.certificate);
		// OpenSSL reads the same bytes (the independent check that the structure is a valid PFX).
		const out = openssl(['pkcs12', '-in', writeTemp('chunked.pfx', pfx), '-nokeys', '-passin', 'pass:', '-nomacver']);
		expect(out.toString()).toContain('BEGIN CERTIFICATE');
	});
});
