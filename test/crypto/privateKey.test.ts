import crypto from 'node:crypto';

import { loadCertificate } from '../../lib/crypto/certificate';
import { pemBlocks } from '../../lib/crypto/encoding';
import { EdoCryptoError } from '../../lib/crypto/errors';
import { assertKeyMatchesCertificate, GostPrivateKey, loadPrivateKey, type PrivateKey } from '../../lib/crypto/privateKey';
import { KeyKind, createIdentity, openssl } from '../helpers/pki';

const PASSPHRASE = 'Correct-Horse-42!';

function errorOf(action: () => unknown): EdoCryptoError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(EdoCryptoError);
		return error as EdoCryptoError;
	}
	throw new Error('expected an EdoCryptoError, nothing was thrown');
}

/** The key as openssl sees it, to compare with what we loaded. */
function opensslPkcs8Der(keyPath: string): Buffer {
	return openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPath, '-outform', 'DER']);
}

function pkcs8Der(key: PrivateKey): Buffer {
	if (!(key instanceof crypto.KeyObject)) throw new Error('expected a Node KeyObject');
	return key.export({ type: 'pkcs8', format: 'der' });
}

function expectNoSecret(error: EdoCryptoError, secret: string): void {
	expect(`${error.message} ${error.hint ?? ''}`).not.toContain(secret);
}

describe('loadPrivateKey formats', () => {
	for (const kind of ['rsa2048', 'p256', 'p384'] as KeyKind[]) {
		describe(kind, () => {
			const identity = createIdentity(kind);
			const expected = opensslPkcs8Der(identity.keyPath);
			const certificate = loadCertificate(identity.certPem);

			it('reads PKCS#8 PEM, DER and base64', () => {
				for (const input of [identity.keyPem, expected, expected.toString('base64'), Buffer.from(identity.keyPem)]) {
					const key = loadPrivateKey(input);
					expect(pkcs8Der(key).equals(expected)).toBe(true);
					assertKeyMatchesCertificate(key, certificate);
				}
			});

			it('reads encrypted PKCS#8 (PBES2 AES-256-CBC), PEM and DER', () => {
				const pem = openssl(['pkcs8', '-topk8', '-in', identity.keyPath, '-v2', 'aes-256-cbc', '-passout', `pass:${PASSPHRASE}`]).toString();
				expect(pem).toContain('ENCRYPTED PRIVATE KEY');
				expect(pkcs8Der(loadPrivateKey(pem, PASSPHRASE)).equals(expected)).toBe(true);
				expect(pkcs8Der(loadPrivateKey(pemBlocks(pem)[0].der, PASSPHRASE)).equals(expected)).toBe(true);
			});

			it('reads the traditional form (PKCS#1 for RSA, SEC1 for EC)', () => {
				const traditional =
					kind === 'rsa2048'
						? openssl(['rsa', '-in', identity.keyPath, '-traditional']).toString()
						: openssl(['ec', '-in', identity.keyPath]).toString();
				expect(traditional).toContain(kind === 'rsa2048' ? 'BEGIN RSA PRIVATE KEY' : 'BEGIN EC PRIVATE KEY');
				expect(pkcs8Der(loadPrivateKey(traditional)).equals(expected)).toBe(true);
				const der = pemBlocks(traditional)[0].der;
				expect(pkcs8Der(loadPrivateKey(der)).equals(expected)).toBe(true);
			});
		});
	}

	it.each([
		['PBES2 DES-EDE3-CBC with HMAC-SHA512', ['-v2', 'des3', '-v2prf', 'hmacWithSHA512']],
		['PBES2 AES-128-CBC with the default PRF', ['-v2', 'aes-128-cbc']],
		['PBES2 RC2-CBC (legacy provider in the CLI)', ['-v2', 'rc2-cbc', '-provider', 'legacy', '-provider', 'default']],
		['PKCS#12 PBE SHA1-3DES', ['-v1', 'PBE-SHA1-3DES']],
		['PKCS#12 PBE SHA1-RC2-40 (legacy provider in the CLI)', ['-v1', 'PBE-SHA1-RC2-40', '-provider', 'legacy', '-provider', 'default']],
	])('reads encrypted PKCS#8 with %s', (_name, options) => {
		const identity = createIdentity('p256');
		const pem = openssl(['pkcs8', '-topk8', '-in', identity.keyPath, ...options, '-passout', `pass:${PASSPHRASE}`]).toString();
		expect(pkcs8Der(loadPrivateKey(pem, PASSPHRASE)).equals(opensslPkcs8Der(identity.keyPath))).toBe(true);
		expect(errorOf(() => loadPrivateKey(pem, 'wrong')).code).toBe('WRONG_PASSWORD');
	});

	it('reads a non-ASCII passphrase the way openssl writes it', () => {
		const identity = createIdentity('p256');
		const passphrase = 'пароль-ключа';
		for (const options of [['-v2', 'aes-256-cbc'], ['-v1', 'PBE-SHA1-3DES']]) {
			const pem = openssl(['pkcs8', '-topk8', '-in', identity.keyPath, ...options, '-passout', `pass:${passphrase}`]).toString();
			expect(pkcs8Der(loadPrivateKey(pem, passphrase)).equals(opensslPkcs8Der(identity.keyPath))).toBe(true);
		}
	});

	it('reads a legacy-encrypted PEM (Proc-Type: 4,ENCRYPTED)', () => {
		const identity = createIdentity('rsa2048');
		const pem = openssl(['rsa', '-in', identity.keyPath, '-traditional', '-aes256', '-passout', `pass:${PASSPHRASE}`]).toString();
		expect(pem).toContain('Proc-Type: 4,ENCRYPTED');
		expect(pkcs8Der(loadPrivateKey(pem, PASSPHRASE)).equals(opensslPkcs8Der(identity.keyPath))).toBe(true);
		const wrong = errorOf(() => loadPrivateKey(pem, 'nope-nope'));
		expect(wrong.code).toBe('WRONG_PASSWORD');
		expectNoSecret(wrong, 'nope-nope');
		expect(errorOf(() => loadPrivateKey(pem)).message).toContain('needs a passphrase');
	});

	it('finds the key in a PEM file that also holds the certificate', () => {
		const identity = createIdentity('p384');
		const key = loadPrivateKey(`${identity.certPem}\n${identity.keyPem}`);
		expect(pkcs8Der(key).equals(opensslPkcs8Der(identity.keyPath))).toBe(true);
	});
});

describe('passphrase errors', () => {
	const identity = createIdentity('rsa2048');
	const encrypted = openssl(['pkcs8', '-topk8', '-in', identity.keyPath, '-v2', 'aes-256-cbc', '-passout', `pass:${PASSPHRASE}`]).toString();

	it('says a passphrase is needed when none is given', () => {
		for (const missing of [undefined, '']) {
			const error = errorOf(() => loadPrivateKey(encrypted, missing));
			expect(error.code).toBe('WRONG_PASSWORD');
			expect(error.message).toContain('needs a passphrase');
		}
	});

	it('says the passphrase is wrong without repeating it', () => {
		const attempt = 'Correct-Horse-43!';
		const error = errorOf(() => loadPrivateKey(encrypted, attempt));
		expect(error.code).toBe('WRONG_PASSWORD');
		expect(error.message).toBe('The passphrase does not decrypt the private key');
		expectNoSecret(error, attempt);
		expectNoSecret(error, PASSPHRASE);
	});
});

describe('not a private key', () => {
	const identity = createIdentity('p256');

	it('says a certificate was pasted (PEM, DER, base64)', () => {
		for (const input of [identity.certPem, identity.certDer, identity.certDer.toString('base64')]) {
			const error = errorOf(() => loadPrivateKey(input));
			expect(error.code).toBe('NOT_A_PRIVATE_KEY');
			expect(error.message).toBe('This is a certificate, not a private key');
		}
	});

	it('says a public key was pasted', () => {
		const publicPem = openssl(['pkey', '-in', identity.keyPath, '-pubout']).toString();
		const error = errorOf(() => loadPrivateKey(publicPem));
		expect(error.code).toBe('NOT_A_PRIVATE_KEY');
		expect(error.message).toContain('public key');
	});

	it('says a PFX was given', () => {
		const pfx = openssl(['pkcs12', '-export', '-in', identity.certPath, '-inkey', identity.keyPath, '-passout', 'pass:x']);
		const error = errorOf(() => loadPrivateKey(pfx));
		expect(error.code).toBe('NOT_A_PRIVATE_KEY');
		expect(error.message).toContain('PKCS#12');
	});

	it('rejects garbage, empty input and a cut-off key', () => {
		expect(errorOf(() => loadPrivateKey('hello, world')).code).toBe('INVALID_INPUT');
		expect(errorOf(() => loadPrivateKey('')).code).toBe('INVALID_INPUT');
		expect(errorOf(() => loadPrivateKey(crypto.randomBytes(64).toString('base64'))).code).toBe('NOT_A_PRIVATE_KEY');
		const der = opensslPkcs8Der(identity.keyPath);
		const cut = errorOf(() => loadPrivateKey(der.subarray(0, der.length - 10)));
		expect(cut.code).toBe('NOT_A_PRIVATE_KEY');
		expect(cut.message).toContain('damaged');
	});

	it('names the algorithm of a PKCS#8 key it cannot use, and loads GOST keys as GostPrivateKey', () => {
		// PrivateKeyInfo with id-tc26-gost3410-12-256 (CryptoPro-A) and a made-up secret.
		const pkcs8 = (algorithmOid: string) => {
			const algorithm = Buffer.from(`301f0608${algorithmOid}301306072a85030202230106082a85030701010202`, 'hex');
			const secret = Buffer.concat([Buffer.from('04220420', 'hex'), crypto.randomBytes(32)]);
			const body = Buffer.concat([Buffer.from('020100', 'hex'), algorithm, secret]);
			return Buffer.concat([Buffer.from([0x30, body.length]), body]);
		};
		const gost = loadPrivateKey(pkcs8('2a85030701010101'));
		expect(gost).toBeInstanceOf(GostPrivateKey);
		expect((gost as GostPrivateKey).description).toBe('GOST R 34.10-2012 256 (CryptoPro-A)');
		// 1.2.643.7.1.1.1.9 is no key algorithm anyone knows.
		const error = errorOf(() => loadPrivateKey(pkcs8('2a85030701010109')));
		expect(error.code).toBe('UNSUPPORTED_ALGORITHM');
		expect(error.message).toContain('1.2.643.7.1.1.1.9');
	});
});

describe('assertKeyMatchesCertificate', () => {
	it('rejects the key of another certificate, naming the certificate', () => {
		const one = createIdentity('p256');
		const other = createIdentity('p256', { subject: '/CN=Someone else' });
		const certificate = loadCertificate(one.certPem);
		const error = errorOf(() => assertKeyMatchesCertificate(loadPrivateKey(other.keyPem), certificate));
		expect(error.code).toBe('KEY_MISMATCH');
		expect(error.message).toContain(certificate.thumbprint);
		expect(error.message).toContain('another certificate');
	});

	it('mentions different key types', () => {
		const certificate = loadCertificate(createIdentity('rsa2048').certPem);
		const error = errorOf(() => assertKeyMatchesCertificate(loadPrivateKey(createIdentity('p384').keyPem), certificate));
		expect(error.code).toBe('KEY_MISMATCH');
		expect(error.message).toContain('ECDSA P-384');
		expect(error.message).toContain('RSA-2048');
	});
});
