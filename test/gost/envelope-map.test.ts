/**
 * The CMS map at the top of lib/crypto/gost/kexp15.ts, proven through the real decryption (decryptCms): every
 * envelope `openssl cms -encrypt` (gost engine) makes to GOST R 34.10-2012 certificates opens, for 256- and
 * 512-bit keys; OpenSSL opens every envelope our encryptCms makes; the key agreement matches
 * `openssl pkeyutl -derive`; the private-key step can run outside (CmsExternalPrivateKey.agreeGost).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

import { decryptCms, type CmsExternalPrivateKey } from '../../lib/crypto/cms/decrypt';
import { explicit, sequence } from '../../lib/crypto/cms/der';
import { encryptCms } from '../../lib/crypto/cms/encrypt';
import type { GostContentCipherName } from '../../lib/crypto/cms/gost-content-ciphers';
import { readDer } from '../../lib/crypto/encoding';
import { GostPrivateKey, GostPublicKey } from '../../lib/crypto/gost/gostKey';
import { kexp15KeysFromVko, vkoUkmFromTransportUkm } from '../../lib/crypto/gost/kexp15';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { createIdentity } from '../helpers/pki';
import { createGostIdentity, gostOpenssl, gostOpensslStatus, gostTempPath, hex, type GostTestIdentity } from '../helpers/gost-openssl';

const CIPHERS: GostContentCipherName[] = ['gost89', 'kuznyechik-ctr-acpkm', 'magma-ctr-acpkm', 'kuznyechik-ctr-acpkm-omac', 'magma-ctr-acpkm-omac'];
const SIZES = ['gost2012_256', 'gost2012_512'] as const;

function opensslEncrypt(cipher: string, recipient: GostTestIdentity, content: Uint8Array): Buffer {
	const input = gostTempPath('content.bin');
	writeFileSync(input, content);
	return gostOpenssl(['cms', '-encrypt', '-binary', `-${cipher}`, '-in', input, '-outform', 'DER', recipient.certPath]);
}

function opensslDecrypt(envelope: Buffer, recipient: GostTestIdentity): { ok: boolean; output: string } {
	const input = gostTempPath('envelope.der');
	writeFileSync(input, envelope);
	const out = gostTempPath('opened.bin');
	const status = gostOpensslStatus(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', input, '-inkey', recipient.keyPath, '-recip', recipient.certPath, '-out', out]);
	return status.ok ? { ok: true, output: readFileSync(out).toString('hex') } : status;
}

function open(envelope: Uint8Array, recipient: GostTestIdentity): Buffer {
	return decryptCms(envelope, { certificateDer: recipient.certDer, key: GostPrivateKey.fromPkcs8(recipient.pkcs8Der) });
}

describe('OpenSSL GOST envelopes open with decryptCms', () => {
	const recipients = {
		gost2012_256: createGostIdentity('gost2012_256', 'A'),
		gost2012_512: createGostIdentity('gost2012_512', 'A'),
	};
	const cases = CIPHERS.flatMap((cipher) => SIZES.map((size) => [cipher, size] as const));

	test.each(cases)('-%s to a %s certificate', (cipher, size) => {
		const content = randomBytes(777);
		expect(hex(open(opensslEncrypt(cipher, recipients[size], content), recipients[size]))).toBe(hex(content));
	});

	// Content longer than the key meshing interval (1 KiB) and the ACPKM sections of the CMS profile (8 KiB, 256 KiB).
	test.each([
		['gost89', 3000],
		['magma-ctr-acpkm', 20000],
		['magma-ctr-acpkm-omac', 20000],
		['kuznyechik-ctr-acpkm-omac', 300000],
	] as const)('-%s with %i bytes of content', (cipher, length) => {
		const content = randomBytes(length);
		const opened = open(opensslEncrypt(cipher, recipients.gost2012_256, content), recipients.gost2012_256);
		expect(Buffer.compare(opened, content)).toBe(0);
	});

	test.each(['gost89', 'magma-ctr-acpkm'])('-%s to another key of the same certificate name: DECRYPTION_FAILED or KEY_MISMATCH', (cipher) => {
		const envelope = opensslEncrypt(cipher, recipients.gost2012_256, randomBytes(64));
		const stranger = GostPrivateKey.generate(GostPublicKey.fromSpki(recipients.gost2012_256.spkiDer).paramSet);
		// The key of another certificate: refused before any decryption.
		expect(() => decryptCms(envelope, { certificateDer: recipients.gost2012_256.certDer, key: stranger })).toThrow(
			expect.objectContaining({ code: 'KEY_MISMATCH' }),
		);
		// The same key behind a token that answers with a wrong agreement: the key unwrap fails.
		const wrongToken: CmsExternalPrivateKey = { agreeGost: (ephemeral, ukm, size) => stranger.agree(ephemeral.point, ukm, size) };
		expect(() => decryptCms(envelope, { certificateDer: recipients.gost2012_256.certDer, key: wrongToken })).toThrow(
			expect.objectContaining({ code: 'DECRYPTION_FAILED' }),
		);
	});

	test('a changed ciphertext byte fails the MAC of the -omac variant', () => {
		const envelope = opensslEncrypt('kuznyechik-ctr-acpkm-omac', recipients.gost2012_256, randomBytes(100));
		const tampered = Buffer.from(envelope);
		// The encrypted content is the 100 bytes just before the unprotected attributes ([1], 33 bytes for Kuznyechik).
		tampered[tampered.length - 33 - 50] ^= 1;
		expect(() => open(tampered, recipients.gost2012_256)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
		// Without the MAC attribute the -omac envelope is malformed, not silently accepted.
		const contentInfo = readDer(envelope);
		const fields = contentInfo.child(1).child(0).children;
		expect(fields[fields.length - 1].isContext(1)).toBe(true);
		const withoutMac = sequence(contentInfo.child(0).raw, explicit(0, sequence(...fields.slice(0, -1).map((field) => field.raw))));
		expect(() => open(withoutMac, recipients.gost2012_256)).toThrow(expect.objectContaining({ code: 'INVALID_CMS' }));
	});

	test('the private-key step can run elsewhere (agreeGost), as a token doing VKO would', () => {
		for (const cipher of ['gost89', 'kuznyechik-ctr-acpkm-omac'] as const) {
			for (const size of SIZES) {
				const content = randomBytes(50);
				const key = GostPrivateKey.fromPkcs8(recipients[size].pkcs8Der);
				const calls: number[] = [];
				const token: CmsExternalPrivateKey = {
					agreeGost(ephemeral, ukm, hashSize) {
						calls.push(hashSize);
						return key.agree(ephemeral.point, ukm, hashSize);
					},
				};
				const opened = decryptCms(opensslEncrypt(cipher, recipients[size], content), { certificateDer: recipients[size].certDer, key: token });
				expect(opened.equals(content)).toBe(true);
				// 28147 transport: VKO with Streebog-256 for every key size; KExp15: the key's own size.
				expect(calls).toEqual([cipher === 'gost89' ? 256 : size === 'gost2012_512' ? 512 : 256]);
			}
		}
		const rsaOnlyToken: CmsExternalPrivateKey = { decryptKeyTransport: () => Buffer.alloc(32) };
		const envelope = opensslEncrypt('gost89', recipients.gost2012_256, randomBytes(10));
		expect(() => decryptCms(envelope, { certificateDer: recipients.gost2012_256.certDer, key: rsaOnlyToken })).toThrow(
			expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }),
		);
	});

	test.each([
		['gost2012_256', 8],
		['gost2012_256', 32],
		['gost2012_512', 8],
		['gost2012_512', 32],
	] as const)('key agreement of a %s key with a %i-byte UKM matches openssl pkeyutl -derive', (size, ukmLength) => {
		const ephemeralKey = gostTempPath('sender.pem');
		const ephemeralSpki = gostTempPath('sender.der');
		const ephemeralPem = gostTempPath('sender.pub.pem');
		gostOpenssl(['genpkey', '-algorithm', size, '-pkeyopt', 'paramset:A', '-out', ephemeralKey]);
		gostOpenssl(['pkey', '-in', ephemeralKey, '-pubout', '-outform', 'DER', '-out', ephemeralSpki]);
		gostOpenssl(['pkey', '-in', ephemeralKey, '-pubout', '-out', ephemeralPem]);
		const peer = GostPublicKey.fromSpki(readFileSync(ephemeralSpki));
		const key = GostPrivateKey.fromPkcs8(recipients[size].pkcs8Der);
		const ukm = randomBytes(ukmLength);
		let ours: Uint8Array;
		if (ukmLength === 8) {
			ours = key.agree(peer.point, ukm, 256);
		} else {
			const { kekMac, kekEnc } = kexp15KeysFromVko(key.agree(peer.point, Buffer.from(vkoUkmFromTransportUkm(ukm)), key.digest), ukm);
			ours = Buffer.concat([kekMac, kekEnc]);
		}
		const theirs = gostOpenssl(['pkeyutl', '-derive', '-inkey', recipients[size].keyPath, '-peerkey', ephemeralPem, '-pkeyopt', `ukmhex:${hex(ukm)}`]);
		expect(hex(ours)).toBe(hex(theirs));
	});
});

describe('encryptCms to GOST certificates opens with openssl cms -decrypt', () => {
	const cases = CIPHERS.flatMap((cipher) => SIZES.map((size) => [cipher, size] as const));

	test.each(cases)('%s to a %s certificate', (cipher, size) => {
		const recipient = createGostIdentity(size, size === 'gost2012_512' ? 'C' : 'TCA');
		// Past the 28147 key meshing interval (1 KiB); within one ACPKM section of what `cms -decrypt` reads: the
		// engine (3.0.1) writes 8 KiB / 256 KiB sections (Magma / Kuznyechik) but reads with its `enc` defaults
		// 1 KiB / 4 KiB, so it cannot open its own longer 2015 envelopes (we open them, above).
		const content = randomBytes(cipher === 'gost89' ? 2100 : cipher.includes('magma') ? 1000 : 4000);
		const envelope = encryptCms(content, recipient.certDer, { gostCipher: cipher });
		const opened = opensslDecrypt(envelope, recipient);
		expect({ ok: opened.ok, same: opened.output === hex(content), error: opened.ok ? '' : opened.output.split(':').pop() }).toEqual({ ok: true, same: true, error: '' });
		expect(open(envelope, recipient).equals(content)).toBe(true);
	});

	test('a GOST certificate gets gost89 by default, a GOST cipher named in `cipher`, never AES', () => {
		const recipient = createGostIdentity('gost2012_256', 'A');
		const contentAlgorithm = (envelope: Buffer) => readDer(envelope).child(1).child(0).child(2).child(1).child(0).oid;
		expect(contentAlgorithm(encryptCms(Buffer.from('x'), recipient.certDer))).toBe('1.2.643.2.2.21');
		expect(contentAlgorithm(encryptCms(Buffer.from('x'), recipient.certDer, { cipher: 'aes-256-cbc' }))).toBe('1.2.643.2.2.21');
		expect(contentAlgorithm(encryptCms(Buffer.from('x'), recipient.certDer, { cipher: 'kuznyechik-ctr-acpkm' }))).toBe('1.2.643.7.1.1.5.2.1');
		const rsa = createIdentity('rsa2048');
		expect(() => encryptCms(Buffer.from('x'), rsa.certDer, { cipher: 'gost89' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
	});

	test('the local signer decrypts both directions and refuses an envelope for another certificate', async () => {
		const recipient = createGostIdentity('gost2012_512', 'A');
		const signer = createLocalSigner({ certificatePem: recipient.certPem, privateKeyPem: recipient.keyPem });
		const fromOpenssl = opensslEncrypt('kuznyechik-ctr-acpkm-omac', recipient, Buffer.from('token 123'));
		expect((await signer.decrypt(fromOpenssl)).toString()).toBe('token 123');
		const other = createGostIdentity('gost2012_512', 'B');
		await expect(signer.decrypt(encryptCms(Buffer.from('x'), other.certDer))).rejects.toMatchObject({ code: 'NO_MATCHING_RECIPIENT' });
	});
});
