/**
 * The pieces under the endpoint, without HTTP: raw-digest ECDSA of the software keystore (checked by openssl
 * pkeyutl on every curve), signHash's algorithm rules, and decryptCms with the private-key step outside
 * (the hook the PKCS#11 keystore uses), exercised here with software keys so it runs without a token.
 */
import { constants, createPrivateKey, diffieHellman, privateDecrypt, type KeyObject } from 'node:crypto';

import { decryptCms, type CmsExternalPrivateKey } from '../../lib/crypto/cms/decrypt';
import { isEdoCryptoError } from '../../lib/crypto/errors';
import { AlgorithmError, digestInfo, resolveSignature } from '../../signer/algorithms';
import { rawEcdsaSigner } from '../../signer/ecdsa';
import { SoftwareKeystore } from '../../signer/softwareKeystore';
import { createIdentity, openssl, opensslStatus, writeTemp, type KeyKind } from '../helpers/pki';
import { digest, OIDS } from './csc-helpers';

function p521Identity(): { keyPem: string; certPath: string } {
	const keyPath = writeTemp('p521.key', '');
	openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', keyPath]);
	const certPath = writeTemp('p521.pem', '');
	openssl(['req', '-new', '-x509', '-key', keyPath, '-out', certPath, '-subj', '/CN=P-521', '-days', '2']);
	return { keyPem: openssl(['pkey', '-in', keyPath]).toString(), certPath };
}

describe('raw-digest ECDSA (software keystore)', () => {
	const cases: Array<[string, () => { keyPem: string; certPath: string }, 'SHA-256' | 'SHA-384' | 'SHA-512']> = [
		['P-256 / SHA-256', () => createIdentity('p256'), 'SHA-256'],
		['P-256 / SHA-512 (digest longer than the order: truncated)', () => createIdentity('p256'), 'SHA-512'],
		['P-384 / SHA-384', () => createIdentity('p384' as KeyKind), 'SHA-384'],
		['P-521 / SHA-512', p521Identity, 'SHA-512'],
	];

	it.each(cases)('%s verifies with openssl pkeyutl, and fails for another digest', (_name, identity, hash) => {
		const { keyPem, certPath } = identity();
		const sign = rawEcdsaSigner(createPrivateKey(keyPem));
		const value = digest(hash, 'message');
		const signatures = [sign(value), sign(value)];
		expect(signatures[0].equals(signatures[1])).toBe(false);
		for (const signature of signatures) {
			const verify = (data: Buffer) =>
				opensslStatus(['pkeyutl', '-verify', '-certin', '-inkey', certPath, '-in', writeTemp('d.bin', data), '-sigfile', writeTemp('s.der', signature)]);
			expect(verify(value).output).toContain('Signature Verified Successfully');
			expect(verify(digest(hash, 'other')).ok).toBe(false);
		}
	});
});

describe('signHash algorithm rules', () => {
	const rsa = { family: 'RSA' as const, bits: 2048 };
	const ec = { family: 'EC' as const, bits: 256 };
	const hash = digest('SHA-256', 'x');

	it('signs the DigestInfo for RSA and the bare digest for ECDSA', () => {
		const resolved = resolveSignature(rsa, OIDS.rsaEncryption, OIDS.sha256, [hash]);
		expect(resolved.operations[0]).toEqual({ scheme: 'rsa-pkcs1', input: digestInfo(OIDS.sha256, hash) });
		// The DigestInfo is what openssl writes for SHA-256 (RFC 8017 9.2, note 1).
		expect(resolved.operations[0].input.subarray(0, 19).toString('hex')).toBe('3031300d060960864801650304020105000420');
		expect(resolveSignature(ec, OIDS.ecPublicKey, undefined, [hash]).operations[0]).toEqual({ scheme: 'ecdsa', input: hash });
		expect(resolveSignature(rsa, OIDS.sha256WithRsa, undefined, [hash]).digest.name).toBe('SHA-256');
	});

	it('refuses GOST OIDs for other keys and names what is wrong', () => {
		expect(() => resolveSignature(rsa, '1.2.643.7.1.1.3.2', undefined, [hash])).toThrow(AlgorithmError);
		expect(resolveSignature({ family: 'GOST', bits: 256 }, '1.2.643.7.1.1.3.2', undefined, [hash]).operations[0].scheme).toBe('gost');
		expect(() => resolveSignature({ family: 'GOST', bits: 256 }, '1.2.643.7.1.1.3.3', undefined, [Buffer.alloc(64)])).toThrow(/does not fit/);
		expect(() => resolveSignature(rsa, '1.2.3.4', undefined, [hash])).toThrow(/1\.2\.3\.4 is not supported/);
	});

	it('the software keystore refuses GOST operations with a pointer to PKCS#11', async () => {
		const identity = createIdentity('p256');
		const keystore = new SoftwareKeystore({ credentials: [{ id: 'k', certificate: identity.certPem, privateKey: identity.keyPem }] });
		await expect(keystore.sign('k', '1234', [{ scheme: 'gost', input: hash }])).rejects.toThrow(/CKM_GOSTR3410/);
		await expect(keystore.checkPin('k', '1235')).rejects.toMatchObject({ kind: 'pin_incorrect' });
	});
});

describe('decryptCms with the private-key step outside (CmsExternalPrivateKey)', () => {
	const encrypt = (certPath: string, options: string[] = []) =>
		openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-128-cbc', '-recip', certPath, ...options], 'external key content');

	/** A "token" that holds the key and only exposes the private-key operations. */
	function token(key: KeyObject): CmsExternalPrivateKey & { calls: string[] } {
		const calls: string[] = [];
		return {
			calls,
			decryptKeyTransport(scheme, encryptedKey, keyLength) {
				calls.push(scheme.padding === 'oaep' ? `oaep-${scheme.hash}` : 'pkcs1');
				if (scheme.padding === 'oaep') return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: scheme.hash }, encryptedKey);
				const encoded = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encryptedKey);
				return encoded.subarray(encoded.length - keyLength);
			},
			deriveSharedSecret(originatorPublicKey) {
				calls.push('ecdh');
				return diffieHellman({ privateKey: key, publicKey: originatorPublicKey });
			},
		};
	}

	it.each([
		['RSA PKCS#1 v1.5', 'rsa2048' as const, [], 'pkcs1'],
		['RSA OAEP SHA-256', 'rsa2048' as const, ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'], 'oaep-sha256'],
		['ECDH P-256', 'p256' as const, [], 'ecdh'],
	])('%s: the envelope opens through the external operation', (_name, kind, options, call) => {
		const identity = createIdentity(kind);
		const external = token(createPrivateKey(identity.keyPem));
		expect(decryptCms(encrypt(identity.certPath, options), { certificateDer: identity.certDer, key: external }).toString()).toBe('external key content');
		expect(external.calls).toEqual([call]);
	});

	it('says UNSUPPORTED_ALGORITHM when the token lacks the operation the envelope needs', () => {
		const identity = createIdentity('p256');
		try {
			decryptCms(encrypt(identity.certPath), { certificateDer: identity.certDer, key: {} });
			throw new Error('decryptCms should have failed');
		} catch (error) {
			expect(isEdoCryptoError(error) && error.code).toBe('UNSUPPORTED_ALGORITHM');
			expect((error as Error).message).toBe("The envelope uses key agreement, which the key's token does not offer for decryption.");
		}
	});

	it('turns a failing token operation into the one generic DECRYPTION_FAILED', () => {
		const identity = createIdentity('p256');
		const failing: CmsExternalPrivateKey = {
			deriveSharedSecret: () => {
				throw new Error('CKR_DEVICE_ERROR');
			},
		};
		expect(() => decryptCms(encrypt(identity.certPath), { certificateDer: identity.certDer, key: failing })).toThrow(/^Decryption failed/);
	});
});
