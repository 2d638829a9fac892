import * as asn1js from 'asn1js';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { isEdoCryptoError } from '../../lib/crypto/errors';
import {
	cryptoProKeyDiversify,
	cryptoProKeyUnwrap,
	cryptoProKeyWrap,
	gost28147KeyUnwrap,
	gost28147KeyWrap,
	gost28147SboxByOid,
} from '../../lib/crypto/gost/gost89';
import { KDF_TREE_LABEL, kdfGostR3411_2012_256, kdfTreeGostR3411_2012_256 } from '../../lib/crypto/gost/kdf';
import {
	kexp15,
	kexp15IvFromTransportUkm,
	kexp15KeysFromVko,
	kimp15,
	vkoUkmFromTransportUkm,
} from '../../lib/crypto/gost/kexp15';
import { fromHex, gostOpenssl, gostTempPath, hex } from '../helpers/gost-openssl';

function expectCode(run: () => unknown, code: string): void {
	try {
		run();
	} catch (error) {
		expect(isEdoCryptoError(error) && error.code).toBe(code);
		return;
	}
	throw new Error(`expected ${code}`);
}

describe('KDF over HMAC-Streebog-256 (R 50.1.113-2016; RFC 7836 Appendix B examples)', () => {
	const key = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
	const label = fromHex('26bdb878');
	const seed = fromHex('af21434145656378');

	test('KDF_GOSTR3411_2012_256', () => {
		expect(hex(kdfGostR3411_2012_256(key, label, seed))).toBe('a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9');
	});

	test('KDF_TREE_GOSTR3411_2012_256, L = 512, R = 1', () => {
		expect(hex(kdfTreeGostR3411_2012_256(key, label, seed, 64, 1))).toBe(
			'22b6837845c6bef65ea71672b265831086d3c76aebe6dae91cad51d83f79d16b' +
				'074c9330599d7f8d712fca54392f4ddde93751206b3584c8f43f9e6dc51531f9',
		);
	});

	test('KDF_TREE rejects impossible lengths', () => {
		expectCode(() => kdfTreeGostR3411_2012_256(key, label, seed, 0), 'INVALID_INPUT');
		expectCode(() => kdfTreeGostR3411_2012_256(key, label, seed, 32 * 256, 1), 'INVALID_INPUT');
		expectCode(() => kdfTreeGostR3411_2012_256(key, label, seed, 32, 5), 'INVALID_INPUT');
	});
});

describe('KExp15 / KImp15', () => {
	// The Magma known-answer vector of the gost engine's test suite (test_keyexpimp.c).
	const key = fromHex('8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef');
	const kekEnc = fromHex('202122232425262728292a2b2c2d2e2f38393a3b3c3d3e3f3031323334353637');
	const kekMac = fromHex('08090a0b0c0d0e0f0001020304050607101112131415161718191a1b1c1d1e1f');
	const iv = fromHex('67bed654');
	const exported = 'cfd5a12d5b81b6e1e99c916d07900c6ac12703fb3abded55567bf3742c899c755dafe7b42e3a8bd9';

	test('Magma export and import', () => {
		expect(hex(kexp15('magma', key, kekEnc, kekMac, iv))).toBe(exported);
		expect(hex(kimp15('magma', kekEnc, kekMac, fromHex(exported), iv))).toBe(hex(key));
	});

	test('a changed byte, a wrong IV or a wrong key fails the MAC', () => {
		const damaged = fromHex(exported);
		damaged[5] ^= 1;
		expectCode(() => kimp15('magma', kekEnc, kekMac, damaged, iv), 'DECRYPTION_FAILED');
		expectCode(() => kimp15('magma', kekEnc, kekMac, fromHex(exported), fromHex('67bed655')), 'DECRYPTION_FAILED');
		expectCode(() => kimp15('magma', kekMac, kekEnc, fromHex(exported), iv), 'DECRYPTION_FAILED');
		expectCode(() => kimp15('magma', kekEnc, kekMac, fromHex(exported), fromHex('67bed6')), 'INVALID_INPUT');
	});

	test('Kuznyechik round trip (48 bytes out)', () => {
		const cek = randomBytes(32);
		const ivK = fromHex('0102030405060708');
		const out = kexp15('kuznyechik', cek, kekEnc, kekMac, ivK);
		expect(out.length).toBe(48);
		expect(hex(kimp15('kuznyechik', kekEnc, kekMac, out, ivK))).toBe(hex(cek));
	});

	test('transport UKM slicing and the KEG of 512-bit keys', () => {
		const ukm = fromHex('00112233445566778899aabbccddeeff' + '0123456789abcdef' + 'fedcba9876543210');
		// Big-endian in the transport, handed to VKO in its little-endian order; a Buffer argument stays as it was.
		const asBuffer = Buffer.from(ukm);
		expect(hex(vkoUkmFromTransportUkm(asBuffer))).toBe('ffeeddccbbaa99887766554433221100');
		expect(hex(asBuffer)).toBe(hex(ukm));
		expect(hex(vkoUkmFromTransportUkm(new Uint8Array(32)))).toBe('01000000000000000000000000000000');
		expect(hex(kexp15IvFromTransportUkm('kuznyechik', ukm))).toBe('fedcba9876543210');
		expect(hex(kexp15IvFromTransportUkm('magma', ukm))).toBe('fedcba98');
		const vko512 = randomBytes(64);
		const keys512 = kexp15KeysFromVko(vko512, ukm);
		expect([hex(keys512.kekMac), hex(keys512.kekEnc)]).toEqual([hex(vko512.subarray(0, 32)), hex(vko512.subarray(32))]);
		const vko256 = randomBytes(32);
		const keys256 = kexp15KeysFromVko(vko256, ukm);
		const tree = kdfTreeGostR3411_2012_256(vko256, KDF_TREE_LABEL, fromHex('0123456789abcdef'), 64, 1);
		expect([hex(keys256.kekMac), hex(keys256.kekEnc)]).toEqual([hex(tree.subarray(0, 32)), hex(tree.subarray(32))]);
	});
});

describe('GOST 28147-89 key wrap (RFC 4357 §6.1-6.2)', () => {
	const kek = randomBytes(32);
	const cek = randomBytes(32);
	const ukm = randomBytes(8);

	test('wraps to UKM | ECB(CEK) | MAC and unwraps', () => {
		const wrapped = gost28147KeyWrap(kek, cek, ukm, 'TC26-Z');
		expect(wrapped.length).toBe(44);
		expect(hex(wrapped.subarray(0, 8))).toBe(hex(ukm));
		expect(hex(gost28147KeyUnwrap(kek, wrapped.subarray(8), ukm, 'TC26-Z'))).toBe(hex(cek));
	});

	test('a changed key byte, another UKM or another S-box fails the MAC', () => {
		const wrapped = gost28147KeyWrap(kek, cek, ukm, 'CryptoPro-A').slice(8);
		const damaged = wrapped.slice();
		damaged[3] ^= 0x80;
		expectCode(() => gost28147KeyUnwrap(kek, damaged, ukm, 'CryptoPro-A'), 'DECRYPTION_FAILED');
		expectCode(() => gost28147KeyUnwrap(kek, wrapped, randomBytes(8), 'CryptoPro-A'), 'DECRYPTION_FAILED');
		expectCode(() => gost28147KeyUnwrap(kek, wrapped, ukm, 'TC26-Z'), 'DECRYPTION_FAILED');
		expectCode(() => gost28147KeyUnwrap(kek, wrapped.subarray(0, 35), ukm, 'CryptoPro-A'), 'INVALID_INPUT');
	});

	test('CryptoPro wrap is the 28147 wrap under the diversified KEK (RFC 4357 §6.3, §6.5)', () => {
		const diversified = cryptoProKeyDiversify(kek, ukm, 'TC26-Z');
		expect(hex(diversified)).not.toBe(hex(kek));
		expect(hex(cryptoProKeyDiversify(kek, randomBytes(8), 'TC26-Z'))).not.toBe(hex(diversified));
		expect(hex(cryptoProKeyWrap(kek, cek, ukm, 'TC26-Z'))).toBe(hex(gost28147KeyWrap(diversified, cek, ukm, 'TC26-Z')));
	});
});

describe('CryptoPro key wrap against OpenSSL\'s GOST R 34.10-2012 key transport', () => {
	function firstChildren(node: asn1js.AsnType): asn1js.AsnType[] {
		return (node as asn1js.Sequence).valueBlock.value;
	}

	/** Runs `openssl pkeyutl -encrypt` of a known key, then re-derives its KEK with `pkeyutl -derive`. */
	function opensslTransport(algorithm: 'gost2012_256' | 'gost2012_512', cek: Uint8Array, ukmHex?: string) {
		const keyPath = gostTempPath(`${algorithm}.key.pem`);
		const pubPath = gostTempPath(`${algorithm}.pub.pem`);
		gostOpenssl(['genpkey', '-algorithm', algorithm, '-pkeyopt', 'paramset:A', '-out', keyPath]);
		gostOpenssl(['pkey', '-in', keyPath, '-pubout', '-out', pubPath]);
		const cekPath = gostTempPath('cek.bin');
		writeFileSync(cekPath, cek);
		const transport = gostOpenssl([
			'pkeyutl', '-encrypt', '-pubin', '-inkey', pubPath, '-in', cekPath,
			...(ukmHex ? ['-pkeyopt', `ukmhex:${ukmHex}`] : []),
		]);
		const [sessionKey, parameters] = firstChildren(asn1js.fromBER(new Uint8Array(transport)).result);
		const [encryptedKey, mac] = firstChildren(sessionKey).map((n) => (n as asn1js.OctetString).valueBlock.valueHexView);
		const [paramSet, ephemeral, ukmNode] = firstChildren(parameters);
		const ukm = (ukmNode as asn1js.OctetString).valueBlock.valueHexView;
		const spki = new Uint8Array(ephemeral.toBER());
		spki[0] = 0x30; // [0] IMPLICIT SubjectPublicKeyInfo → SEQUENCE
		const ephemeralDer = gostTempPath('ephemeral.der');
		const ephemeralPem = gostTempPath('ephemeral.pem');
		writeFileSync(ephemeralDer, spki);
		gostOpenssl(['pkey', '-pubin', '-inform', 'DER', '-in', ephemeralDer, '-out', ephemeralPem]);
		const kek = gostOpenssl(['pkeyutl', '-derive', '-inkey', keyPath, '-peerkey', ephemeralPem, '-pkeyopt', `ukmhex:${hex(ukm)}`]);
		const sbox = gost28147SboxByOid((paramSet as asn1js.ObjectIdentifier).valueBlock.toString());
		return { kek: new Uint8Array(kek), encryptedKey, mac, ukm, sbox };
	}

	test.each([
		['gost2012_256', undefined],
		['gost2012_256', '0102030405060708'],
		['gost2012_512', undefined],
	] as const)('%s key, UKM %s: our unwrap opens OpenSSL\'s wrap, our wrap gives the same bytes', (algorithm, ukmHex) => {
		const cek = randomBytes(32);
		const t = opensslTransport(algorithm, cek, ukmHex);
		expect(t.sbox).toBe('TC26-Z');
		if (ukmHex) expect(hex(t.ukm)).toBe(ukmHex);
		const wrapped = new Uint8Array([...t.encryptedKey, ...t.mac]);
		expect(hex(cryptoProKeyUnwrap(t.kek, wrapped, t.ukm, t.sbox))).toBe(hex(cek));
		expect(hex(cryptoProKeyWrap(t.kek, cek, t.ukm, t.sbox))).toBe(hex(t.ukm) + hex(wrapped));
		// The plain 28147 unwrap (no diversification) must not accept it.
		expectCode(() => gost28147KeyUnwrap(t.kek, wrapped, t.ukm, t.sbox), 'DECRYPTION_FAILED');
	});
});
