import { randomBytes } from 'node:crypto';
import { isEdoCryptoError } from '../../lib/crypto/errors';
import {
	gost28147SboxByOid,
	gost89Decrypt,
	gost89Encrypt,
	gost89Imit,
	type Gost28147SboxName,
	type Gost89Mode,
} from '../../lib/crypto/gost/gost89';
import { Kuznyechik } from '../../lib/crypto/gost/kuznyechik';
import { Magma } from '../../lib/crypto/gost/magma';
import {
	acpkmNextKey,
	blockCipherFactory,
	cbcDecrypt,
	cbcEncrypt,
	ctrAcpkmCrypt,
	ctrCrypt,
	ecbDecrypt,
	ecbEncrypt,
	kuznyechikCtrAcpkmDecrypt,
	kuznyechikOmac,
	magmaCtrAcpkmDecrypt,
	magmaOmac,
} from '../../lib/crypto/gost/modes2015';
import { fromHex, gostOpenssl, hex } from '../helpers/gost-openssl';

// Keys and messages of the GOST R 34.12-2015 / GOST R 34.13-2015 examples.
const KUZNYECHIK_KEY = fromHex('8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef');
const MAGMA_KEY = fromHex('ffeeddccbbaa99887766554433221100f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
const KUZNYECHIK_TEXT = fromHex(
	'1122334455667700ffeeddccbbaa9988 00112233445566778899aabbcceeff0a 112233445566778899aabbcceeff0a00 2233445566778899aabbcceeff0a0011',
);
const MAGMA_TEXT = fromHex('92def06b3c130a59 db54c704f8189d20 4a98fb2e67a8024c 8912409b17b57e41');

describe('Kuznyechik and Magma: published examples', () => {
	test('Kuznyechik block (GOST R 34.12-2015 A.1, RFC 7801 §5)', () => {
		const cipher = new Kuznyechik(KUZNYECHIK_KEY);
		const out = new Uint8Array(16);
		cipher.encryptBlock(fromHex('1122334455667700ffeeddccbbaa9988'), 0, out, 0);
		expect(hex(out)).toBe('7f679d90bebc24305a468d42b9d4edcd');
		cipher.decryptBlock(fromHex('7f679d90bebc24305a468d42b9d4edcd'), 0, out, 0);
		expect(hex(out)).toBe('1122334455667700ffeeddccbbaa9988');
	});

	test('Magma block (GOST R 34.12-2015 A.2, RFC 8891 §5)', () => {
		const cipher = new Magma(MAGMA_KEY);
		const out = new Uint8Array(8);
		cipher.encryptBlock(fromHex('fedcba9876543210'), 0, out, 0);
		expect(hex(out)).toBe('4ee901e5c2d8ca3d');
		cipher.decryptBlock(fromHex('4ee901e5c2d8ca3d'), 0, out, 0);
		expect(hex(out)).toBe('fedcba9876543210');
	});

	test('ECB (GOST R 34.13-2015 A.1.1, A.2.1)', () => {
		const kuznyechik = new Kuznyechik(KUZNYECHIK_KEY);
		const expected =
			'7f679d90bebc24305a468d42b9d4edcdb429912c6e0032f9285452d76718d08bf0ca33549d247ceef3f5a5313bd4b157d0b09ccde830b9eb3a02c4c5aa8ada98';
		expect(hex(ecbEncrypt(kuznyechik, KUZNYECHIK_TEXT))).toBe(expected);
		expect(hex(ecbDecrypt(kuznyechik, fromHex(expected)))).toBe(hex(KUZNYECHIK_TEXT));
		const magma = new Magma(MAGMA_KEY);
		expect(hex(ecbEncrypt(magma, MAGMA_TEXT))).toBe('2b073f0494f372a0de70e715d3556e4811d8d9e9eacfbc1e7c68260996c67efb');
	});

	test('CTR (GOST R 34.13-2015 A.1.2, A.2.2)', () => {
		const kuznyechikCt =
			'f195d8bec10ed1dbd57b5fa240bda1b885eee733f6a13e5df33ce4b33c45dee4a5eae88be6356ed3d5e877f13564a3a5cb91fab1f20cbab6d1c6d15820bdba73';
		expect(hex(ctrCrypt(new Kuznyechik(KUZNYECHIK_KEY), fromHex('1234567890abcef0'), KUZNYECHIK_TEXT))).toBe(kuznyechikCt);
		expect(hex(ctrCrypt(new Kuznyechik(KUZNYECHIK_KEY), fromHex('1234567890abcef0'), fromHex(kuznyechikCt)))).toBe(hex(KUZNYECHIK_TEXT));
		expect(hex(ctrCrypt(new Magma(MAGMA_KEY), fromHex('12345678'), MAGMA_TEXT))).toBe(
			'4e98110c97b7b93c3e250d93d6e85d69136d868807b2dbef568eb680ab52a12d',
		);
	});

	test('CBC with a multi-block IV register (GOST R 34.13-2015 A.1.4, A.2.4)', () => {
		const kuznyechikIv = fromHex('1234567890abcef0a1b2c3d4e5f0011223344556677889901213141516171819');
		const kuznyechikCt =
			'689972d4a085fa4d90e52e3d6d7dcc272826e661b478eca6af1e8e448d5ea5acfe7babf1e91999e85640e8b0f49d90d0167688065a895c631a2d9a1560b63970';
		expect(hex(cbcEncrypt(new Kuznyechik(KUZNYECHIK_KEY), kuznyechikIv, KUZNYECHIK_TEXT))).toBe(kuznyechikCt);
		expect(hex(cbcDecrypt(new Kuznyechik(KUZNYECHIK_KEY), kuznyechikIv, fromHex(kuznyechikCt)))).toBe(hex(KUZNYECHIK_TEXT));
		const magmaIv = fromHex('1234567890abcdef234567890abcdef134567890abcdef12');
		const magmaCt = '96d1b05eea683919aff76129abb937b95058b4a1c4bc001920b78b1a7cd7e667';
		expect(hex(cbcEncrypt(new Magma(MAGMA_KEY), magmaIv, MAGMA_TEXT))).toBe(magmaCt);
		expect(hex(cbcDecrypt(new Magma(MAGMA_KEY), magmaIv, fromHex(magmaCt)))).toBe(hex(MAGMA_TEXT));
	});

	test('OMAC (GOST R 34.13-2015 A.1.6: s = 64, A.2.6: s = 32)', () => {
		expect(hex(kuznyechikOmac(KUZNYECHIK_KEY, KUZNYECHIK_TEXT, 8))).toBe('336f4d296059fbe3');
		expect(hex(magmaOmac(MAGMA_KEY, MAGMA_TEXT, 4))).toBe('154e7210');
	});

	// R 1323565.1.017-2018 (also RFC 8645 appendix A): key K = the Kuznyechik key above.
	test('ACPKM re-keying, Magma section keys K2..K4 (R 1323565.1.017-2018 A.1)', () => {
		let key = KUZNYECHIK_KEY;
		const chain: string[] = [];
		for (let i = 0; i < 3; i++) {
			key = acpkmNextKey(new Magma(key));
			chain.push(hex(key));
		}
		expect(chain).toEqual([
			'863ea017842c3d372b18a85a28e2317d74befc107720de0c9e8ab974abd00ca0',
			'49a5e2677de555982b8ad5e826652d17eec847bf5b3997a81cf7fe7f1187bd27',
			'3256bf3f97b5667426a9fb1c5eaabe41893ccdd5a868f9b63b0aa90720fa43c4',
		]);
	});

	test('CTR-ACPKM Magma, N = 16 bytes (R 1323565.1.017-2018 A.1)', () => {
		const plain = fromHex('1122334455667700ffeeddccbbaa998800112233445566778899aabbcceeff0a112233445566778899aabbcceeff0a002233445566778899');
		const cipher =
			'2ab81deeeb1e4cab68e104c4bd6b94eac72c67af6c2e5b6b0eafb61770f1b32ea1ae71149eed1382abd467180672ec6f84a2f15b3fca72c1';
		expect(hex(ctrAcpkmCrypt(blockCipherFactory('magma'), KUZNYECHIK_KEY, fromHex('12345678'), plain, 16))).toBe(cipher);
		expect(hex(magmaCtrAcpkmDecrypt(KUZNYECHIK_KEY, fromHex('12345678'), fromHex(cipher), 16))).toBe(hex(plain));
	});

	test('CTR-ACPKM Kuznyechik, N = 32 bytes (R 1323565.1.017-2018 A.2)', () => {
		const plain = fromHex(
			'1122334455667700ffeeddccbbaa9988 00112233445566778899aabbcceeff0a 112233445566778899aabbcceeff0a00' +
				'2233445566778899aabbcceeff0a0011 33445566778899aabbcceeff0a001122 445566778899aabbcceeff0a00112233' +
				'5566778899aabbcceeff0a0011223344',
		);
		const cipher =
			'f195d8bec10ed1dbd57b5fa240bda1b885eee733f6a13e5df33ce4b33c45dee44bceeb8f646f4c55001706275e85e800' +
			'587c4df568d094393e4834afd0805046cf30f57686aeece11cfc6c316b8a896edffd07ec813636460c4f3b743423163e' +
			'6409a9c282fac8d469d221e7fbd6de5d';
		expect(hex(ctrAcpkmCrypt(blockCipherFactory('kuznyechik'), KUZNYECHIK_KEY, fromHex('1234567890abcef0'), plain, 32))).toBe(cipher);
		expect(hex(kuznyechikCtrAcpkmDecrypt(KUZNYECHIK_KEY, fromHex('1234567890abcef0'), fromHex(cipher), 32))).toBe(hex(plain));
	});

	test('ACPKM-Master key material, Kuznyechik, T* = 768 bits (R 1323565.1.017-2018 A.4.2)', () => {
		// ACPKM-Master(K, 768, 3) is CTR-ACPKM with IV = FF..FF and N = 768 bits over zeros.
		const material = ctrAcpkmCrypt(blockCipherFactory('kuznyechik'), KUZNYECHIK_KEY, fromHex('ffffffffffffffff'), new Uint8Array(144), 96);
		expect(hex(material)).toBe(
			'0cabf1f2efbc4ac16048df1a24c605b2c0d1673d7586a8ec0dd42c45a4f95bae0f2e2617e47148680fc3e6178df2c137' +
				'c9dda89cffa491feadd9b3eab703bb31bc7e927f0494729f51b49d3df9c9460800fbbcf5edee610ea02f01093c7bc742' +
				'd7d6271501b177775263c2a3495a8318a81c79a04f29660ea3fda874c630799e142c577914fea90d3bc2502e833685d9',
		);
	});
});

describe('GOST 28147-89 against OpenSSL\'s gost engine', () => {
	const key = randomBytes(32);
	const iv = randomBytes(8);
	const enc = (cipher: string, data: Uint8Array, env: Record<string, string> = {}, extra: string[] = []) =>
		hex(gostOpenssl(['enc', `-${cipher}`, '-K', hex(key), '-iv', hex(iv), ...extra], data, env));

	// Lengths around the 1024-byte key meshing interval and odd tails.
	const lengths = [1, 7, 8, 9, 1023, 1024, 1025, 2500];

	test.each(lengths)('gost89 (CFB, TC26 Z, CryptoPro key meshing), %i bytes', (length) => {
		const data = randomBytes(length);
		const expected = enc('gost89', data);
		expect(hex(gost89Encrypt('cfb', key, iv, data, { sbox: 'TC26-Z', meshing: true }))).toBe(expected);
		expect(hex(gost89Decrypt('cfb', key, iv, fromHex(expected), { sbox: 'TC26-Z', meshing: true }))).toBe(hex(data));
	});

	test.each(lengths)('gost89-cnt (CryptoPro-A) and gost89-cnt-12 (TC26 Z), both with meshing, %i bytes', (length) => {
		const data = randomBytes(length);
		expect(hex(gost89Encrypt('cnt', key, iv, data, { sbox: 'CryptoPro-A', meshing: true }))).toBe(enc('gost89-cnt', data));
		expect(hex(gost89Encrypt('cnt', key, iv, data, { sbox: 'TC26-Z', meshing: true }))).toBe(enc('gost89-cnt-12', data));
		expect(hex(gost89Decrypt('cnt', key, iv, fromHex(enc('gost89-cnt', data)), { meshing: true }))).toBe(hex(data));
	});

	test('gost89-cbc (TC26 Z, no meshing)', () => {
		const data = randomBytes(2048);
		const expected = enc('gost89-cbc', data, {}, ['-nopad']);
		expect(hex(gost89Encrypt('cbc', key, iv, data, { sbox: 'TC26-Z' }))).toBe(expected);
		expect(hex(gost89Decrypt('cbc', key, iv, fromHex(expected), { sbox: 'TC26-Z' }))).toBe(hex(data));
	});

	test('key meshing is what makes CFB agree past 1024 bytes', () => {
		const data = randomBytes(2048);
		const expected = enc('gost89', data);
		const unmeshed = hex(gost89Encrypt('cfb', key, iv, data, { sbox: 'TC26-Z', meshing: false }));
		expect(unmeshed.slice(0, 2048)).toBe(expected.slice(0, 2048));
		expect(unmeshed.slice(2048)).not.toBe(expected.slice(2048));
	});

	test.each([
		['id-Gost28147-89-CryptoPro-A-ParamSet', '1.2.643.2.2.31.1'],
		['id-Gost28147-89-CryptoPro-B-ParamSet', '1.2.643.2.2.31.2'],
		['id-Gost28147-89-CryptoPro-C-ParamSet', '1.2.643.2.2.31.3'],
		['id-Gost28147-89-CryptoPro-D-ParamSet', '1.2.643.2.2.31.4'],
		['id-Gost28147-89-TestParamSet', '1.2.643.2.2.31.0'],
		['id-tc26-gost-28147-param-Z', '1.2.643.7.1.2.5.1.1'],
	])('S-box %s (%s)', (name, oid) => {
		const data = randomBytes(1500);
		const sbox = gost28147SboxByOid(oid);
		expect(hex(gost89Encrypt('cfb', key, iv, data, { sbox, meshing: true }))).toBe(enc('gost89', data, { CRYPT_PARAMS: name }));
	});

	test.each([1, 5, 8, 9, 16, 100, 1024, 1025, 2049])('gost-mac (CryptoPro-A) and gost-mac-12 (TC26 Z), %i bytes', (length) => {
		const data = randomBytes(length);
		const mac = (algorithm: string) =>
			gostOpenssl(['dgst', '-mac', algorithm, '-macopt', `hexkey:${hex(key)}`], data).toString().trim().split('= ')[1];
		expect(hex(gost89Imit(key, data, { sbox: 'CryptoPro-A', meshing: true }))).toBe(mac('gost-mac'));
		expect(hex(gost89Imit(key, data, { sbox: 'TC26-Z', meshing: true }))).toBe(mac('gost-mac-12'));
	});

	test('rejects what it cannot do with a coded error', () => {
		const fails = (run: () => unknown, code: string) => {
			try {
				run();
			} catch (error) {
				expect(isEdoCryptoError(error) && error.code).toBe(code);
				return;
			}
			throw new Error('expected a failure');
		};
		fails(() => gost89Encrypt('cfb', key.subarray(0, 31), iv, new Uint8Array(8)), 'INVALID_INPUT');
		fails(() => gost89Encrypt('ecb', key, undefined, new Uint8Array(9)), 'INVALID_INPUT');
		fails(() => gost89Encrypt('cbc', key, iv, new Uint8Array(16), { meshing: true }), 'INVALID_INPUT');
		fails(() => gost89Encrypt('nope' as Gost89Mode, key, iv, new Uint8Array(8), { sbox: 'Nope' as Gost28147SboxName }), 'UNSUPPORTED_ALGORITHM');
		fails(() => gost28147SboxByOid('1.2.3'), 'UNSUPPORTED_ALGORITHM');
	});
});

describe('Kuznyechik and Magma against OpenSSL\'s gost engine', () => {
	const key = randomBytes(32);
	const enc = (cipher: string, iv: Uint8Array | undefined, data: Uint8Array, nopad = false) =>
		hex(gostOpenssl(['enc', `-${cipher}`, '-K', hex(key), ...(iv ? ['-iv', hex(iv)] : []), ...(nopad ? ['-nopad'] : [])], data));

	test.each([1, 15, 16, 17, 100, 5000, 9000])('CTR and CTR-ACPKM (enc defaults: 4096 / 1024-byte sections), %i bytes', (length) => {
		const data = randomBytes(length);
		const kIv = randomBytes(8);
		const mIv = randomBytes(4);
		expect(hex(ctrCrypt(new Kuznyechik(key), kIv, data))).toBe(enc('kuznyechik-ctr', kIv, data));
		expect(hex(ctrCrypt(new Magma(key), mIv, data))).toBe(enc('magma-ctr', mIv, data));
		expect(hex(kuznyechikCtrAcpkmDecrypt(key, kIv, fromHex(enc('kuznyechik-ctr-acpkm', kIv, data)), 4096))).toBe(hex(data));
		expect(hex(magmaCtrAcpkmDecrypt(key, mIv, fromHex(enc('magma-ctr-acpkm', mIv, data)), 1024))).toBe(hex(data));
	});

	test('CBC and ECB', () => {
		const data = randomBytes(4096);
		const kIv = randomBytes(16);
		const mIv = randomBytes(8);
		expect(hex(cbcEncrypt(new Kuznyechik(key), kIv, data))).toBe(enc('kuznyechik-cbc', kIv, data, true));
		expect(hex(cbcDecrypt(new Kuznyechik(key), kIv, fromHex(enc('kuznyechik-cbc', kIv, data, true))))).toBe(hex(data));
		expect(hex(cbcEncrypt(new Magma(key), mIv, data))).toBe(enc('magma-cbc', mIv, data, true));
		expect(hex(ecbEncrypt(new Kuznyechik(key), data))).toBe(enc('kuznyechik-ecb', undefined, data, true));
	});

	test.each([0, 1, 8, 15, 16, 17, 64, 1000])('kuznyechik-mac and magma-mac (OMAC), %i bytes', (length) => {
		const data = randomBytes(length);
		const mac = (algorithm: string) =>
			gostOpenssl(['dgst', '-mac', algorithm, '-macopt', `hexkey:${hex(key)}`], data).toString().trim().split('= ')[1];
		expect(hex(kuznyechikOmac(key, data))).toBe(mac('kuznyechik-mac'));
		expect(hex(magmaOmac(key, data))).toBe(mac('magma-mac'));
	});
});

describe('throughput', () => {
	// Content decryption of tokens is small; this only guards against an accidental slow path.
	test('each cipher decrypts 1 MiB at more than 1 MB/s', () => {
		const data = randomBytes(1 << 20);
		const key = randomBytes(32);
		const runs: Array<[string, () => unknown]> = [
			['gost89 cfb', () => gost89Decrypt('cfb', key, randomBytes(8), data, { sbox: 'TC26-Z', meshing: true })],
			['kuznyechik ctr-acpkm', () => kuznyechikCtrAcpkmDecrypt(key, randomBytes(8), data, 4096)],
			['magma ctr-acpkm', () => magmaCtrAcpkmDecrypt(key, randomBytes(4), data, 1024)],
			['kuznyechik cbc decrypt', () => cbcDecrypt(new Kuznyechik(key), randomBytes(16), data)],
		];
		for (const [name, run] of runs) {
			const started = process.hrtime.bigint();
			run();
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			expect({ name, fast: 1.048576 / seconds > 1 }).toEqual({ name, fast: true });
		}
	});
});
