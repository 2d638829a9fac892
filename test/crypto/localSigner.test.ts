import { createHash } from 'node:crypto';

import { EdoCryptoError } from '../../lib/crypto/errors';
import { createLocalSigner, LocalKeySigner } from '../../lib/crypto/localSigner';
import { loadCertificate } from '../../lib/crypto/certificate';
import { loadPrivateKey } from '../../lib/crypto/privateKey';
import { createPfx, encryptedKeyPem, opensslThumbprint } from '../harness/credentials';
import { createIdentity, openssl, opensslVerify, writeTemp } from '../helpers/pki';

const rsa = createIdentity('rsa2048');
const ec = createIdentity('p384');

function codeOf(action: () => unknown): string | undefined {
	try {
		action();
	} catch (error) {
		return error instanceof EdoCryptoError ? error.code : `not an EdoCryptoError: ${String(error)}`;
	}
	return undefined;
}

describe('createLocalSigner', () => {
	it('loads a PEM pair, an encrypted key and a PFX to the same certificate', async () => {
		const fromPem = createLocalSigner({ certificatePem: rsa.certPem, privateKeyPem: rsa.keyPem });
		const fromEncrypted = createLocalSigner({
			certificatePem: rsa.certPem,
			privateKeyPem: encryptedKeyPem(rsa, 'pass-1'),
			privateKeyPassphrase: 'pass-1',
		});
		const fromPfx = createLocalSigner({ pfxBase64: createPfx(rsa, 'pass-2').toString('base64'), pfxPassword: 'pass-2' });
		for (const signer of [fromPem, fromEncrypted, fromPfx]) {
			expect(signer.thumbprint).toBe(opensslThumbprint(rsa));
			expect((await signer.getCertificate()).equals(rsa.certDer)).toBe(true);
		}
		expect(fromPem.description).toBe(`local key CN=EDO test rsa2048, ${opensslThumbprint(rsa)}`);
		expect((await fromPem.getCertificateInfo()).thumbprint).toBe(opensslThumbprint(rsa));
	});

	it('reports KEY_MISMATCH, missing fields and a wrong PFX password with codes', () => {
		expect(codeOf(() => createLocalSigner({ certificatePem: rsa.certPem, privateKeyPem: ec.keyPem }))).toBe('KEY_MISMATCH');
		expect(codeOf(() => createLocalSigner({ privateKeyPem: rsa.keyPem }))).toBe('INVALID_INPUT');
		expect(codeOf(() => createLocalSigner({ certificatePem: rsa.certPem, privateKeyPem: '  ' }))).toBe('INVALID_INPUT');
		const pfx = createPfx(ec, 'good').toString('base64');
		expect(codeOf(() => createLocalSigner({ pfxBase64: pfx, pfxPassword: 'bad' }))).toBe('WRONG_PASSWORD');
		expect(codeOf(() => new LocalKeySigner({ certificate: loadCertificate(ec.certPem), key: loadPrivateKey(rsa.keyPem) }))).toBe('KEY_MISMATCH');
	});

	it('never exposes the key when serialized or described', () => {
		const signer = createLocalSigner({ certificatePem: rsa.certPem, privateKeyPem: rsa.keyPem });
		const serialized = JSON.stringify(signer);
		expect(serialized).not.toMatch(/PRIVATE KEY|asymmetricKey/);
		expect(Object.keys(signer)).not.toContain('key');
	});

	it('signs (detached and attached, each hash) so that OpenSSL verifies, and embeds the chain', async () => {
		// The certificate field may hold the chain before the signer certificate.
		const signer = createLocalSigner({ certificatePem: ec.certPem + rsa.certPem, privateKeyPem: rsa.keyPem });
		expect(signer.thumbprint).toBe(opensslThumbprint(rsa));
		expect(signer.chain.map((certificate) => certificate.thumbprint)).toEqual([opensslThumbprint(ec)]);
		const content = Buffer.from('документ');
		for (const hashAlgorithm of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
			const detached = await signer.sign(content, { hashAlgorithm });
			expect(opensslVerify(detached, content, rsa.certPath).ok).toBe(true);
			const attached = await signer.sign(content, { hashAlgorithm, detached: false });
			expect(opensslVerify(attached, undefined, rsa.certPath).ok).toBe(true);
		}
		const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('s.der', await signer.sign(content))]).toString();
		expect(printed.match(/-----BEGIN CERTIFICATE-----|cert_info:/g)?.length).toBe(2);
	});

	it('signs a precomputed digest like the content itself', async () => {
		const signer = createLocalSigner({ certificatePem: ec.certPem, privateKeyPem: ec.keyPem });
		const content = Buffer.alloc(100_000, 7);
		const digest = createHash('sha384').update(content).digest();
		const signature = await signer.signDigest(digest, { hashAlgorithm: 'SHA-384' });
		expect(opensslVerify(signature, content, ec.certPath).ok).toBe(true);
		expect(opensslVerify(signature, Buffer.alloc(100_000, 8), ec.certPath).ok).toBe(false);
	});

	it('decrypts what OpenSSL encrypted to its certificate', async () => {
		const signer = createLocalSigner({ certificatePem: rsa.certPem, privateKeyPem: rsa.keyPem });
		const envelope = openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes128', '-recip', rsa.certPath], 'secret text');
		expect((await signer.decrypt(envelope)).toString()).toBe('secret text');
	});
});
