import { randomBytes } from 'node:crypto';

import { isEdoCryptoError } from '../../lib/crypto/errors';
import { allParamSets, findParamSet, getParamSet, type GostParamSet } from '../../lib/crypto/gost/curves';
import { bigIntToBytesLE } from '../../lib/crypto/gost/field';
import {
	encodeGostPrivateKeyInfo,
	encodeGostSpki,
	gostPublicKeyFromSpki,
	parseGostPrivateKeyInfo,
} from '../../lib/crypto/gost/keys';
import * as OID from '../../lib/crypto/gost/oids';
import {
	generateKeyPair,
	publicKeyFromPrivate,
	signData,
	signDigest,
	signScalar,
	verifyData,
	verifyDigest,
	verifyScalar,
} from '../../lib/crypto/gost/signature';
import { streebog } from '../../lib/crypto/gost/streebog';
import { generateGostKey, gostOpenssl, gostOpensslStatus, writeGostKeyPem } from '../helpers/gost-openssl';
import { writeTemp } from '../helpers/pki';

function hexBig(hex: string): bigint {
	return BigInt(`0x${hex}`);
}

describe('GOST R 34.10-2012 test vectors (RFC 7091 appendix A)', () => {
	it('256 bit (A.1): public key, signature with the fixed k, verification', () => {
		const set = getParamSet(OID.GOST_R3410_2001_TEST_PARAMSET);
		const d = hexBig('7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28');
		const Q = publicKeyFromPrivate(set.curve, d);
		expect(Q.x).toBe(hexBig('7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B'));
		expect(Q.y).toBe(hexBig('26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA'));
		const e = hexBig('2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5');
		const k = hexBig('77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3');
		const r = '41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493';
		const s = '01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40';
		expect(signScalar(set.curve, d, e, { k }).toString('hex').toUpperCase()).toBe(s + r);
		expect(verifyScalar(set.curve, Q, e, hexBig(r), hexBig(s))).toBe(true);
		expect(verifyScalar(set.curve, Q, e + 1n, hexBig(r), hexBig(s))).toBe(false);
	});

	it('512 bit (A.2): public key, signature with the fixed k, verification', () => {
		const set = getParamSet(OID.TC26_GOST_3410_12_512_PARAMSET_TEST);
		const d = hexBig(
			'BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4',
		);
		const Q = publicKeyFromPrivate(set.curve, d);
		expect(Q.x).toBe(
			hexBig('115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1'),
		);
		expect(Q.y).toBe(
			hexBig('37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC'),
		);
		const e = hexBig(
			'3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C',
		);
		const k = hexBig(
			'0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1',
		);
		const r =
			'2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36';
		const s =
			'1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A';
		expect(signScalar(set.curve, d, e, { k }).toString('hex').toUpperCase()).toBe(s + r);
		expect(verifyScalar(set.curve, Q, e, hexBig(r), hexBig(s))).toBe(true);
		expect(verifyScalar(set.curve, Q, e, hexBig(r), hexBig(s) ^ 1n)).toBe(false);
	});
});

describe('curve arithmetic', () => {
	it('keeps the generator on the curve with order q on every parameter set', () => {
		for (const set of allParamSets()) {
			const { curve } = set;
			expect(curve.isOnCurve(curve.generator)).toBe(true);
			expect(curve.isIdentity(curve.multiplyPublic(curve.generator, curve.q))).toBe(true);
		}
	});

	it('agrees between the constant-time comb, the fixed window, the public ladder and the double-scalar path', () => {
		for (const oid of [OID.GOST_R3410_2001_CRYPTOPRO_C_PARAMSET, OID.TC26_GOST_3410_12_256_PARAMSET_A, OID.TC26_GOST_3410_12_512_PARAMSET_C]) {
			const { curve } = getParamSet(oid);
			const G = curve.generator;
			for (const k of [1n, 2n, 15n, 16n, 17n, curve.q - 1n, curve.q - 16n, generateKeyPair(curve).d]) {
				const comb = curve.toAffine(curve.multiplyBase(k));
				expect(comb).toEqual(curve.toAffine(curve.multiply(G, k)));
				expect(comb).toEqual(curve.toAffine(curve.multiplyPublic(G, k), false));
				expect(comb).toEqual(curve.toAffine(curve.multiplyTwoPublic(k - 1n, 1n, G), false));
			}
			// Complete formulas: P + (-P) is the identity, P + O = P, 2P = P + P.
			const P = curve.multiplyBase(12345n);
			expect(curve.isIdentity(curve.add(P, curve.negate(P)))).toBe(true);
			expect(curve.toAffine(curve.add(P, { X: 0n, Y: 1n, Z: 0n }))).toEqual(curve.toAffine(P));
			expect(curve.toAffine(curve.double(P))).toEqual(curve.toAffine(curve.add(P, P)));
			expect(curve.toAffine(curve.multiplyBase(curve.q))).toBeUndefined();
		}
	});
});

/** Signs with OpenSSL (raw digest, through pkeyutl) and verifies with OpenSSL (pkeyutl and dgst). */
function crossCheck(set: GostParamSet): void {
	const algorithm = set.size === 512 ? 'gost2012_512' : 'gost2012_256';
	const key = generateGostKey(algorithm, set.opensslParamset ?? set.oid);
	const privateKey = parseGostPrivateKeyInfo(key.pkcs8Der);
	const publicKey = gostPublicKeyFromSpki(key.spkiDer);
	expect(privateKey.paramSet.oid).toBe(set.oid);
	expect(publicKey.paramSet.oid).toBe(set.oid);
	expect(privateKey.digest).toBe(set.size);
	// The scalar and the point decode consistently: Q = dG (which also checks the curve's constants).
	expect(publicKeyFromPrivate(set.curve, privateKey.d)).toEqual(publicKey.Q);
	// Our encoders write what the engine writes.
	expect(encodeGostPrivateKeyInfo(privateKey.d, set).equals(key.pkcs8Der)).toBe(true);
	expect(encodeGostSpki(publicKey.Q, set).equals(key.spkiDer)).toBe(true);

	const data = randomBytes(200 + Math.floor(Math.random() * 300));
	const dataPath = writeTemp('data.bin', data);
	const digest = streebog(set.size, data);
	const digestPath = writeTemp('digest.bin', digest);

	// Ours -> OpenSSL, over the data (dgst) and over the raw digest (pkeyutl).
	const ours = signData(set, privateKey.d, data);
	expect(ours).toHaveLength(set.size / 4);
	const oursPath = writeTemp('ours.sig', ours);
	const md = `-md_gost12_${set.size}`;
	expect(gostOpenssl(['dgst', md, '-verify', key.publicKeyPath, '-signature', oursPath, dataPath]).toString()).toContain('Verified OK');
	expect(gostOpensslStatus(['pkeyutl', '-verify', '-pubin', '-inkey', key.publicKeyPath, '-in', digestPath, '-sigfile', oursPath]).output).toContain(
		'Signature Verified Successfully',
	);
	const tampered = Buffer.from(ours);
	tampered[tampered.length - 1] ^= 1;
	const tamperedPath = writeTemp('tampered.sig', tampered);
	expect(gostOpensslStatus(['dgst', md, '-verify', key.publicKeyPath, '-signature', tamperedPath, dataPath]).ok).toBe(false);

	// OpenSSL -> ours.
	const theirs = gostOpenssl(['dgst', md, '-sign', key.keyPath, dataPath]);
	expect(verifyData(set, publicKey.Q, data, theirs)).toBe(true);
	const theirsRaw = gostOpenssl(['pkeyutl', '-sign', '-inkey', key.keyPath, '-in', digestPath]);
	expect(verifyDigest(set.curve, publicKey.Q, digest, theirsRaw)).toBe(true);
	expect(verifyData(set, publicKey.Q, Buffer.concat([data, Buffer.of(0)]), theirs)).toBe(false);
	// The classic trap: reading the digest big-endian would not verify.
	expect(verifyDigest(set.curve, publicKey.Q, Buffer.from(digest).reverse(), theirsRaw)).toBe(false);
}

describe('signatures cross-checked with the OpenSSL GOST engine on every parameter set', () => {
	const sets = allParamSets();
	it('covers every parameter set', () => {
		expect(sets.map((set) => set.oid).sort()).toEqual(
			[
				'1.2.643.2.2.35.0',
				'1.2.643.2.2.35.1',
				'1.2.643.2.2.35.2',
				'1.2.643.2.2.35.3',
				'1.2.643.2.2.36.0',
				'1.2.643.2.2.36.1',
				'1.2.643.7.1.2.1.1.1',
				'1.2.643.7.1.2.1.1.2',
				'1.2.643.7.1.2.1.1.3',
				'1.2.643.7.1.2.1.1.4',
				'1.2.643.7.1.2.1.2.0',
				'1.2.643.7.1.2.1.2.1',
				'1.2.643.7.1.2.1.2.2',
				'1.2.643.7.1.2.1.2.3',
			].sort(),
		);
	});
	it.each(sets.map((set) => [`${set.size} ${set.name}`, set] as const))('%s', (_label, set) => crossCheck(set));
});

/** DER INTEGER content of a positive value: minimal, with a 00 octet when the top bit is set. */
function minimalInteger(value: bigint): Buffer {
	const hex = value.toString(16);
	const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
	return bytes[0] & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
}

function tlv(tag: number, content: Buffer): Buffer {
	const length = content.length < 0x80 ? Buffer.of(content.length) : Buffer.of(0x81, content.length);
	return Buffer.concat([Buffer.of(tag), length, content]);
}

describe('GOST keys', () => {
	const set = getParamSet(OID.GOST_R3410_2001_CRYPTOPRO_A_PARAMSET);

	/** PKCS#8 with the given privateKey OCTET STRING content and the engine's algorithm identifier. */
	function pkcs8With(reference: Buffer, content: Buffer): Buffer {
		// The engine's PKCS#8 for a 256-bit CryptoPro-A key is 30 46 | 02 01 00 | 30 1f ... | 04 20 <32 bytes>.
		const prefix = reference.subarray(2, 2 + 3 + 33);
		const body = Buffer.concat([prefix, tlv(0x04, content)]);
		return tlv(0x30, body);
	}

	it('reads the masked, INTEGER and nested OCTET STRING forms the same way the engine does', () => {
		const key = generateGostKey('gost2012_256', 'A');
		const { d } = parseGostPrivateKeyInfo(key.pkcs8Der);
		const { Q } = gostPublicKeyFromSpki(key.spkiDer);
		const q = set.curve.q;
		const mask1 = generateKeyPair(set.curve).d;
		const mask2 = generateKeyPair(set.curve).d;
		const invert = (x: bigint) => {
			let result = 1n;
			let base = x;
			for (let e = q - 2n; e > 0n; e >>= 1n) {
				if (e & 1n) result = (result * base) % q;
				base = (base * base) % q;
			}
			return result;
		};
		const masked = (d * invert((mask1 * mask2) % q)) % q;
		const forms: Record<string, Buffer> = {
			masked: Buffer.concat([bigIntToBytesLE(masked, 32), bigIntToBytesLE(mask1, 32), bigIntToBytesLE(mask2, 32)]),
			octetString: Buffer.concat([Buffer.from([0x04, 0x20]), bigIntToBytesLE(d, 32)]),
			integer: tlv(0x02, minimalInteger(d)),
			maskedSequence: tlv(
				0x30,
				Buffer.concat([
					tlv(0x04, Buffer.concat([bigIntToBytesLE(masked, 32), bigIntToBytesLE(mask1, 32), bigIntToBytesLE(mask2, 32)])),
					tlv(0x04, Buffer.concat([bigIntToBytesLE(Q.x, 32), bigIntToBytesLE(Q.y, 32)])),
				]),
			),
		};
		for (const [form, content] of Object.entries(forms)) {
			const der = pkcs8With(key.pkcs8Der, content);
			expect([form, parseGostPrivateKeyInfo(der).d]).toEqual([form, d]);
			const printed = gostOpenssl(['pkey', '-in', writeGostKeyPem(`${form}.pem`, der, 'PRIVATE KEY'), '-text', '-noout']).toString();
			const printedKey = /Privatekey:([0-9A-F]+)/.exec(printed.replace(/\s+/g, ''))?.[1] ?? '';
			expect([form, hexBig(printedKey)]).toEqual([form, d]);
		}
	});

	it('rejects keys that are not GOST or are damaged, with EdoCryptoError', () => {
		const key = generateGostKey('gost2012_512', 'B');
		const damaged = Buffer.from(key.pkcs8Der.subarray(0, key.pkcs8Der.length - 3));
		for (const bad of [damaged, Buffer.from('not a key'), Buffer.alloc(0)]) {
			let caught: unknown;
			try {
				parseGostPrivateKeyInfo(bad);
			} catch (error) {
				caught = error;
			}
			expect(isEdoCryptoError(caught)).toBe(true);
		}
		const spki = Buffer.from(key.spkiDer);
		spki[spki.length - 1] ^= 1; // Y moves off the curve
		expect(() => gostPublicKeyFromSpki(spki)).toThrow(/not a point/);
		expect(findParamSet('1.2.3.4')).toBeUndefined();
		expect(() => getParamSet('1.2.3.4')).toThrow(/not supported/);
	});

	it('signs digests of the wrong shape or with out-of-range keys only with clear errors', () => {
		const { d, Q } = generateKeyPair(set.curve);
		const digest = randomBytes(32);
		const signature = signDigest(set.curve, d, digest);
		expect(verifyDigest(set.curve, Q, digest, signature.subarray(1))).toBe(false);
		expect(verifyDigest(set.curve, Q, digest, Buffer.alloc(64))).toBe(false);
		expect(() => signDigest(set.curve, 0n, digest)).toThrow(/out of range/);
		expect(() => signDigest(set.curve, set.curve.q, digest)).toThrow(/out of range/);
	});
});
