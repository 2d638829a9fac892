/**
 * GOST keys, encrypted PKCS#8 and PFX files as OpenSSL's GOST engine exports them, loaded by the ordinary
 * loaders (loadPrivateKey, loadPfx, createLocalSigner); certificates with GOST keys report the Russian
 * identifiers like any other.
 */
import crypto from 'node:crypto';
import { inspect } from 'node:util';

import { loadCertificate } from '../../lib/crypto/certificate';
import { GostPrivateKey } from '../../lib/crypto/gost/gostKey';
import { keyMatchesCertificate } from '../../lib/crypto/keys';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { loadPfx } from '../../lib/crypto/pkcs12';
import { assertKeyMatchesCertificate, loadPrivateKey } from '../../lib/crypto/privateKey';
import { createGostIdentity, exportGostPfx, gostOpenssl, gostOpensslStatus, gostTempPath } from '../helpers/gost-openssl';
import { createIdentity, RUSSIAN_SUBJECT, writeTemp } from '../helpers/pki';

const PASSWORD = 'Пароль-42 secret';

function codeOf(action: () => unknown): string | undefined {
	try {
		action();
	} catch (error) {
		return (error as { code?: string }).code;
	}
	return undefined;
}

describe('GOST private keys in PEM', () => {
	it.each([
		['gost2012_256', 'A', 'GOST R 34.10-2012 256 (CryptoPro-A)'],
		['gost2012_256', 'XB', 'GOST R 34.10-2012 256 (CryptoPro-XchB)'],
		['gost2012_256', 'TCA', 'GOST R 34.10-2012 256 (TC26-256-A)'],
		['gost2012_512', 'A', 'GOST R 34.10-2012 512 (TC26-512-A)'],
		['gost2012_512', 'C', 'GOST R 34.10-2012 512 (TC26-512-C)'],
	] as const)('loads the engine\'s %s %s key as PEM, DER and base64, and it matches the certificate', (algorithm, paramset, description) => {
		const identity = createGostIdentity(algorithm, paramset);
		const certificate = loadCertificate(identity.certPem);
		for (const input of [identity.keyPem, identity.pkcs8Der, identity.pkcs8Der.toString('base64')]) {
			const key = loadPrivateKey(input);
			expect(key).toBeInstanceOf(GostPrivateKey);
			expect((key as GostPrivateKey).description).toBe(description);
			// Byte-identical to the engine's own encoding: the key round-trips.
			expect((key as GostPrivateKey).toPkcs8().equals(identity.pkcs8Der)).toBe(true);
			assertKeyMatchesCertificate(key, certificate);
		}
		expect(certificate.keyAlgorithm).toMatchObject({ name: 'GOST', bits: algorithm === 'gost2012_512' ? 512 : 256, description });
		expect(certificate.gostPublicKey.toSpki().equals(identity.spkiDer)).toBe(true);
		// Logging or serializing a key never shows the scalar.
		const key = loadPrivateKey(identity.keyPem) as GostPrivateKey;
		const scalarHex = key.d.toString(16);
		expect(JSON.stringify(key)).not.toContain(scalarHex);
		expect(inspect(key)).not.toContain(scalarHex);
	});

	it.each(['gost89', 'kuznyechik-ctr-acpkm', 'magma-ctr-acpkm'])('loads a PKCS#8 key encrypted with -v2 %s (PBKDF2 with HMAC-Streebog-512)', (cipher) => {
		const identity = createGostIdentity('gost2012_512', 'B');
		const encrypted = gostOpenssl(['pkcs8', '-topk8', '-v2', cipher, '-in', identity.keyPath, '-passout', `pass:${PASSWORD}`]).toString();
		expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');
		const key = loadPrivateKey(encrypted, PASSWORD) as GostPrivateKey;
		expect(key.toPkcs8().equals(identity.pkcs8Der)).toBe(true);
		expect(codeOf(() => loadPrivateKey(encrypted, 'wrong password'))).toBe('WRONG_PASSWORD');
		expect(codeOf(() => loadPrivateKey(encrypted))).toBe('WRONG_PASSWORD');
	});

	it('tells a GOST key of another certificate apart, and refuses GOST R 34.10-2001 keys clearly', () => {
		const identity = createGostIdentity('gost2012_256', 'A');
		const other = createGostIdentity('gost2012_256', 'B');
		const key = loadPrivateKey(identity.keyPem);
		expect(keyMatchesCertificate(key, loadCertificate(other.certPem))).toBe(false);
		const mismatch = (() => {
			try {
				assertKeyMatchesCertificate(key, loadCertificate(other.certPem));
			} catch (error) {
				return error as Error & { code: string };
			}
			throw new Error('no mismatch reported');
		})();
		expect(mismatch.code).toBe('KEY_MISMATCH');
		expect(mismatch.message).toContain('CryptoPro-A');
		expect(keyMatchesCertificate(key, loadCertificate(createIdentity('p256').certPem))).toBe(false);
		const legacyPath = gostTempPath('gost2001.pem');
		gostOpenssl(['genpkey', '-algorithm', 'gost2001', '-pkeyopt', 'paramset:A', '-out', legacyPath]);
		const legacy = gostOpenssl(['pkcs8', '-topk8', '-nocrypt', '-in', legacyPath]).toString();
		expect(codeOf(() => loadPrivateKey(legacy))).toBe('UNSUPPORTED_ALGORITHM');
	});
});

describe('certificates with GOST keys', () => {
	it('report INN, OGRN, SNILS and the GOST key like any other certificate', () => {
		const identity = createGostIdentity('gost2012_256', 'XA', { subject: RUSSIAN_SUBJECT });
		const certificate = loadCertificate(identity.certDer);
		const info = certificate.info();
		expect(info).toMatchObject({
			commonName: 'Иванов Иван Иванович',
			inn: '007701234567',
			ogrn: '1027700132195',
			snils: '11223344595',
			keyAlgorithm: 'GOST R 34.10-2012 256 (CryptoPro-XchA)',
			warnings: [],
		});
		expect(certificate.isGost).toBe(true);
		expect(codeOf(() => certificate.publicKey)).toBe('UNSUPPORTED_ALGORITHM');
		expect(codeOf(() => loadCertificate(createIdentity('p256').certPem).gostPublicKey)).toBe('UNSUPPORTED_ALGORITHM');
	});
});

describe('PFX files with GOST keys, as the engine exports them', () => {
	const identity = createGostIdentity('gost2012_256', 'A', { subject: RUSSIAN_SUBJECT });
	const identity512 = createGostIdentity('gost2012_512', 'A');
	const extras = ['B', 'C', 'TCA', 'TCB', 'TCC', 'TCD', 'XA', 'XB', '0'].map((set) => createGostIdentity('gost2012_256', set).certPath);

	it.each([
		['the Russian profile: gost89 PBE, HMAC-Streebog-256 MAC', ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_256']],
		['gost89 PBE, HMAC-Streebog-512 MAC', ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_512']],
		['kuznyechik-ctr-acpkm PBE', ['-keypbe', 'kuznyechik-ctr-acpkm', '-certpbe', 'kuznyechik-ctr-acpkm', '-macalg', 'md_gost12_512']],
		['magma-ctr-acpkm PBE', ['-keypbe', 'magma-ctr-acpkm', '-certpbe', 'magma-ctr-acpkm', '-macalg', 'md_gost12_256']],
		['an ordinary PFX (AES-256, SHA-256 MAC)', []],
		['a legacy PFX (3DES, SHA-1 MAC)', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
	])('%s', (_label, args) => {
		for (const source of [identity, identity512]) {
			const pfx = exportGostPfx(source, PASSWORD, args as string[]);
			// The file is what OpenSSL itself reads back.
			expect(gostOpensslStatus(['pkcs12', '-in', writeTemp('gost.p12', pfx), '-passin', `pass:${PASSWORD}`, '-nodes', '-noout']).ok).toBe(true);
			const contents = loadPfx(pfx, PASSWORD);
			expect(contents.certificate.der.equals(source.certDer)).toBe(true);
			expect((contents.key as GostPrivateKey).toPkcs8().equals(source.pkcs8Der)).toBe(true);
			expect(codeOf(() => loadPfx(pfx, 'not the password'))).toBe('WRONG_PASSWORD');
		}
	});

	it.each(['gost89', 'kuznyechik-ctr-acpkm', 'magma-ctr-acpkm'])('%s over a long chain (key meshing, several ACPKM sections)', (cipher) => {
		const pfx = exportGostPfx(identity, PASSWORD, ['-keypbe', cipher, '-certpbe', cipher, '-macalg', 'md_gost12_512'], extras);
		const contents = loadPfx(pfx, PASSWORD);
		expect(contents.chain).toHaveLength(extras.length);
		expect(contents.certificate.der.equals(identity.certDer)).toBe(true);
	});

	it('names the -omac PBE variants the engine writes but cannot read back', () => {
		const pfx = exportGostPfx(identity, PASSWORD, ['-keypbe', 'kuznyechik-ctr-acpkm-omac', '-certpbe', 'kuznyechik-ctr-acpkm-omac', '-macalg', 'md_gost12_256']);
		try {
			loadPfx(pfx, PASSWORD);
			throw new Error('loaded');
		} catch (error) {
			expect((error as { code?: string }).code).toBe('UNSUPPORTED_ALGORITHM');
			expect((error as Error).message).toContain('Kuznyechik CTR-ACPKM-OMAC');
		}
	});

	it('a GOST PFX signs and decrypts through createLocalSigner; OpenSSL checks the results', async () => {
		const pfx = exportGostPfx(identity, PASSWORD, ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_256']);
		const signer = createLocalSigner({ pfxBase64: pfx.toString('base64'), pfxPassword: PASSWORD });
		expect(signer.description).toBe(`local key CN=Иванов Иван Иванович, ${signer.thumbprint}`);
		const content = crypto.randomBytes(300);
		const signature = await signer.sign(content);
		const verified = gostOpensslStatus([
			'cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('pfx-sig.der', signature), '-content', writeTemp('pfx-content.bin', content),
			'-CAfile', identity.certPath, '-purpose', 'any', '-out', gostTempPath('pfx-verified.out'),
		]);
		expect(verified.ok).toBe(true);
		const envelope = gostOpenssl(['cms', '-encrypt', '-binary', '-gost89', '-in', writeTemp('pfx-plain.bin', content), '-outform', 'DER', identity.certPath]);
		expect((await signer.decrypt(envelope)).equals(content)).toBe(true);
		// A GOST key and its certificate pasted as PEM work the same.
		const fromPem = createLocalSigner({ certificatePem: identity.certPem, privateKeyPem: identity.keyPem });
		expect(fromPem.thumbprint).toBe(signer.thumbprint);
	});
});
