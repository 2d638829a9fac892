import { randomBytes } from 'node:crypto';

import { allParamSets, getParamSet, type GostParamSet } from '../../lib/crypto/gost/curves';
import { bytesToBigIntLE } from '../../lib/crypto/gost/field';
import { kdfTreeGostR3411_2012_256 } from '../../lib/crypto/gost/kdf';
import { gostPublicKeyFromSpki, parseGostPrivateKeyInfo } from '../../lib/crypto/gost/keys';
import * as OID from '../../lib/crypto/gost/oids';
import { publicKeyFromPrivate } from '../../lib/crypto/gost/signature';
import { kegGost2012, vko2012_256, vko2012_512, vkoKeyTransport2012 } from '../../lib/crypto/gost/vko';
import { generateGostKey, gostOpenssl } from '../helpers/gost-openssl';

const hex = (text: string) => Buffer.from(text, 'hex');

describe('VKO GOST R 34.10-2012: RFC 7836 test vectors (512-bit keys, id-tc26-gost-3410-12-512-paramSetA)', () => {
	const { curve } = getParamSet(OID.TC26_GOST_3410_12_512_PARAMSET_A);
	// Keys, points and UKM as the RFC lists them: little-endian byte strings.
	const ukm = hex('1d80603c8544c727');
	const x = bytesToBigIntLE(
		hex('c990ecd972fce84ec4db022778f50fcac726f46708384b8d458304962d7147f8c2db41cef22c90b102f2968404f9b9be6d47c79692d81826b32b8daca43cb667'),
	);
	const y = bytesToBigIntLE(
		hex('48c859f7b6f11585887cc05ec6ef1390cfea739b1a18c0d4662293ef63b79e3b8014070b44918590b4b996acfea4edfbbbcccc8c06edd8bf5bda92a51392d0db'),
	);
	const point = (le: string) => ({ x: bytesToBigIntLE(hex(le.slice(0, 128))), y: bytesToBigIntLE(hex(le.slice(128))) });
	const xP = point(
		'aab0eda4abff21208d18799fb9a8556654ba783070eba10cb9abb253ec56dcf5d3ccba6192e464e6e5bcb6dea137792f2431f6c897eb1b3c0cc14327b1adc0a7' +
			'914613a3074e363aedb204d38d3563971bd8758e878c9db11403721b48002d38461f92472d40ea92f9958c0ffa4c93756401b97f89fdbe0b5e46e4a4631cdb5a',
	);
	const yP = point(
		'192fe183b9713a077253c72c8735de2ea42a3dbc66ea317838b65fa32523cd5efca974eda7c863f4954d1147f1f2b25c395fce1c129175e876d132e94ed5a651' +
			'04883b414c9b592ec4dc84826f07d0b6d9006dda176ce48c391e3f97d102e03bb598bf132a228a45f7201aba08fc524a2d77e43a362ab022ad4028f75bde3b79',
	);

	it('derives the public keys', () => {
		expect(publicKeyFromPrivate(curve, x)).toEqual(xP);
		expect(publicKeyFromPrivate(curve, y)).toEqual(yP);
	});

	it('VKO_GOSTR3410_2012_256 from both sides', () => {
		const expected = 'c9a9a77320e2cc559ed72dce6f47e2192ccea95fa648670582c054c0ef36c221';
		expect(vko2012_256(curve, x, yP, ukm).toString('hex')).toBe(expected);
		expect(vko2012_256(curve, y, xP, ukm).toString('hex')).toBe(expected);
	});

	it('VKO_GOSTR3410_2012_512 from both sides', () => {
		const expected =
			'79f002a96940ce7bde3259a52e015297adaad84597a0d205b50e3e1719f97bfa7ee1d2661fa9979a5aa235b558a7e6d9f88f982dd63fc35a8ec0dd5e242d3bdf';
		expect(vko2012_512(curve, x, yP, ukm).toString('hex')).toBe(expected);
		expect(vko2012_512(curve, y, xP, ukm).toString('hex')).toBe(expected);
	});

	it('rejects a peer point that is not on the curve', () => {
		expect(() => vko2012_256(curve, x, { x: yP.x, y: yP.y + 1n }, ukm)).toThrow(/not a point/);
	});
});

describe('KDF_GOSTR3411_2012_256 and KDF_TREE (RFC 7836 appendix B, examples 9 and 10)', () => {
	const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
	const label = hex('26bdb878');
	const seed = hex('af21434145656378');

	it('gives both vectors', () => {
		const tree = (length: number) => Buffer.from(kdfTreeGostR3411_2012_256(key, label, seed, length)).toString('hex');
		expect(tree(32)).toBe('a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9');
		expect(tree(64)).toBe(
			'22b6837845c6bef65ea71672b265831086d3c76aebe6dae91cad51d83f79d16b074c9330599d7f8d712fca54392f4ddde93751206b3584c8f43f9e6dc51531f9',
		);
	});
});

/** VKO-256, VKO-512, the key-transport KEK and KEG against `openssl pkeyutl -derive` with the engine. */
function crossCheck(set: GostParamSet): void {
	const algorithm = set.size === 512 ? 'gost2012_512' : 'gost2012_256';
	const paramset = set.opensslParamset ?? set.oid;
	const alice = generateGostKey(algorithm, paramset);
	const bob = generateGostKey(algorithm, paramset);
	const aliceKey = parseGostPrivateKeyInfo(alice.pkcs8Der);
	const bobPublic = gostPublicKeyFromSpki(bob.spkiDer).Q;
	const bobKey = parseGostPrivateKeyInfo(bob.pkcs8Der);
	const alicePublic = gostPublicKeyFromSpki(alice.spkiDer).Q;
	const derive = (ukm: Buffer, extra: string[] = []) =>
		gostOpenssl(['pkeyutl', '-derive', '-inkey', alice.keyPath, '-peerkey', bob.publicKeyPath, '-pkeyopt', `ukmhex:${ukm.toString('hex')}`, ...extra]).toString('hex');

	const ukm8 = randomBytes(8);
	const kek = vkoKeyTransport2012(set.curve, aliceKey.d, bobPublic, ukm8);
	expect(kek.toString('hex')).toBe(derive(ukm8));
	expect(vkoKeyTransport2012(set.curve, bobKey.d, alicePublic, ukm8).equals(kek)).toBe(true);
	expect(vko2012_256(set.curve, aliceKey.d, bobPublic, ukm8).toString('hex')).toBe(derive(ukm8, ['-pkeyopt', 'vko:256']));
	expect(vko2012_512(set.curve, aliceKey.d, bobPublic, ukm8).toString('hex')).toBe(derive(ukm8, ['-pkeyopt', 'vko:512']));

	const ukm32 = randomBytes(32);
	expect(kegGost2012(set.curve, set.size, aliceKey.d, bobPublic, ukm32).toString('hex')).toBe(derive(ukm32));
}

describe('VKO and KEG cross-checked with the OpenSSL GOST engine on every parameter set', () => {
	it.each(allParamSets().map((set) => [`${set.size} ${set.name}`, set] as const))('%s', (_label, set) => crossCheck(set));
});
