import { randomBytes } from 'node:crypto';

import { HmacStreebog, hmacStreebog256, hmacStreebog512, pbkdf2Streebog512 } from '../../lib/crypto/gost/hmac';
import { Streebog, streebog256, streebog512, streebogBackend, useStreebogBackend, type StreebogBackend } from '../../lib/crypto/gost/streebog';
import { gostOpenssl, opensslStreebog } from '../helpers/gost-openssl';

/** Windows-1251 encoding (RFC 6986's M2 is a Cyrillic text in CP1251), from the platform's decoder. */
function cp1251(text: string): Buffer {
	const decoder = new TextDecoder('windows-1251');
	const table = new Map<string, number>();
	for (let byte = 0; byte < 256; byte++) table.set(decoder.decode(Uint8Array.of(byte)), byte);
	return Buffer.from([...text].map((char) => table.get(char) as number));
}

const M1 = Buffer.from('012345678901234567890123456789012345678901234567890123456789012', 'ascii');
const M2 = cp1251('Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя плъкы Игоревы');

describe.each(['wasm', 'js'] as StreebogBackend[])('Streebog (GOST R 34.11-2012), %s implementation', (backend) => {
	beforeAll(() => useStreebogBackend(backend));
	afterAll(() => useStreebogBackend('wasm'));

	it('runs the implementation asked for (WebAssembly is available in Node)', () => {
		expect(streebogBackend()).toBe(backend);
	});

	it('gives the RFC 6986 §10 test vectors (M1, M2; 512 and 256 bit)', () => {
		// RFC 6986 prints messages and digests byte-reversed; these are the bytes as hashed and as output.
		expect(M2).toHaveLength(72);
		expect(streebog512(M1).toString('hex')).toBe(
			'1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48',
		);
		expect(streebog256(M1).toString('hex')).toBe('9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500');
		expect(streebog512(M2).toString('hex')).toBe(
			'1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28',
		);
		expect(streebog256(M2).toString('hex')).toBe('9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50');
	});

	it('matches openssl dgst -md_gost12_256/512 on the vectors, edge lengths and random lengths', () => {
		// 32 KiB + 64 + 5 crosses the WebAssembly input window.
		const lengths = [0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 4096 + 17, 32 * 1024 + 69];
		for (let i = 0; i < 5; i++) lengths.push(Math.floor(Math.random() * 3000));
		const inputs = [M1, M2, ...lengths.map((length) => randomBytes(length))];
		// The N counter carries into its second 32-bit half only beyond 2^32 bits; a long run of 0xff bytes
		// exercises the Sigma additions' carries.
		inputs.push(Buffer.alloc(64 * 40, 0xff));
		for (const data of inputs) {
			expect(streebog256(data).toString('hex')).toBe(opensslStreebog(256, data).toString('hex'));
			expect(streebog512(data).toString('hex')).toBe(opensslStreebog(512, data).toString('hex'));
		}
	});

	it('gives the same digest streamed in any chunks, from unaligned buffers, and from strings', () => {
		const data = randomBytes(5000);
		const expected = streebog256(data);
		for (const chunk of [1, 3, 63, 64, 65, 1000]) {
			const hash = new Streebog(256);
			for (let offset = 0; offset < data.length; offset += chunk) hash.update(data.subarray(offset, offset + chunk));
			expect(hash.digest().equals(expected)).toBe(true);
		}
		const unaligned = Buffer.concat([Buffer.of(0), data]).subarray(1);
		expect(streebog256(unaligned).equals(expected)).toBe(true);
		expect(streebog512(new Uint8Array(data)).equals(streebog512(data))).toBe(true);
		expect(streebog256('привет').equals(streebog256(Buffer.from('привет', 'utf8')))).toBe(true);
	});

	it('copies the running state (for HMAC) and refuses use after digest()', () => {
		const hash = new Streebog(512).update(randomBytes(100));
		const twin = hash.copy();
		const tail = randomBytes(50);
		expect(hash.update(tail).digest().equals(twin.update(tail).digest())).toBe(true);
		expect(() => hash.update(tail)).toThrow();
		expect(() => hash.digest()).toThrow();
		expect(() => new Streebog(384 as 256)).toThrow(RangeError);
	});
});

describe('HMAC-Streebog and PBKDF2', () => {
	const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
	const text = Buffer.from('0126bdb87800af214341456563780100', 'hex');

	it('gives the RFC 7836 (R 50.1.113-2016) HMAC_GOSTR3411_2012_256/512 vectors', () => {
		expect(hmacStreebog256(key, text).toString('hex')).toBe('a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9');
		expect(hmacStreebog512(key, text).toString('hex')).toBe(
			'a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a773d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6',
		);
	});

	it('matches openssl dgst -mac hmac with the engine, for short and long (hashed) keys', () => {
		for (const keyLength of [1, 32, 64, 65, 200]) {
			const macKey = randomBytes(keyLength);
			const data = randomBytes(Math.floor(Math.random() * 500));
			for (const size of [256, 512] as const) {
				const out = gostOpenssl(['dgst', `-md_gost12_${size}`, '-mac', 'hmac', '-macopt', `hexkey:${macKey.toString('hex')}`], data)
					.toString()
					.trim();
				const ours = new HmacStreebog(size, macKey).mac(data).toString('hex');
				expect(out.endsWith(`= ${ours}`)).toBe(true);
			}
		}
	});

	it('reuses a keyed HMAC over split input', () => {
		const hmac = new HmacStreebog(256, key);
		expect(hmac.mac(text.subarray(0, 5), text.subarray(5)).equals(hmac.mac(text))).toBe(true);
		expect(hmac.mac(text).equals(hmacStreebog256(key, text))).toBe(true);
	});

	it('gives the R 50.1.111-2016 PBKDF2-HMAC-Streebog-512 vector and matches openssl kdf PBKDF2', () => {
		expect(pbkdf2Streebog512('password', Buffer.from('salt'), 1, 64).toString('hex')).toBe(
			'64770af7f748c3b1c9ac831dbcfd85c26111b30a8a657ddc3056b80ca73e040d2854fd36811f6d825cc4ab66ec0a68a490a9e5cf5156b3a2b7eecddbf9a16b47',
		);
		for (const [iterations, length] of [
			[2, 64],
			[100, 100],
			[2000, 32],
		]) {
			const salt = randomBytes(16);
			const expected = gostOpenssl([
				'kdf',
				'-keylen',
				String(length),
				'-kdfopt',
				'digest:md_gost12_512',
				'-kdfopt',
				'pass:pass word',
				'-kdfopt',
				`hexsalt:${salt.toString('hex')}`,
				'-kdfopt',
				`iter:${iterations}`,
				'PBKDF2',
			])
				.toString()
				.trim()
				.replace(/:/g, '')
				.toLowerCase();
			expect(pbkdf2Streebog512('pass word', salt, iterations, length).toString('hex')).toBe(expected);
		}
	});
});
