import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';

import { decryptCms } from '../../lib/crypto/cms/decrypt';
import { encryptCms, type EncryptCmsOptions } from '../../lib/crypto/cms/encrypt';
import type { ContentCipherName } from '../../lib/crypto/cms/content-ciphers';
import {
	TAG_OCTET_STRING,
	algorithmIdentifier,
	explicit,
	integer,
	octetString,
	oid,
	sequence,
	set,
	tlv,
} from '../../lib/crypto/cms/der';
import { OID_AES128_GCM, OID_RSAES_OAEP } from '../../lib/crypto/cms/envelope-oids';
import { ansiX963Kdf, eccCmsSharedInfo } from '../../lib/crypto/cms/kdf';
import { OID_ATTR_CONTENT_TYPE, OID_AUTH_ENVELOPED_DATA, OID_DATA } from '../../lib/crypto/cms/oids';
import { readRecipientCertificate } from '../../lib/crypto/cms/recipient-certificate';
import { rsaPkcs1v15DecryptKey } from '../../lib/crypto/cms/rsa-pkcs1';
import { readDer } from '../../lib/crypto/encoding';
import { EdoCryptoError, type CryptoErrorCode } from '../../lib/crypto/errors';
import { KeyKind, TestIdentity, createIdentity, openssl, opensslStatus, tempPath, writeTemp } from '../helpers/pki';

const PLAINTEXT = Buffer.from('Токен доступа Диадок: 7f3c…\n<xml a="1"/>\n', 'utf8');
const KINDS: KeyKind[] = ['rsa2048', 'p256', 'p384'];
/** OpenSSL cipher flag and the name encryptCms takes. */
const CIPHERS: Array<[string, ContentCipherName]> = [
	['aes128', 'aes-128-cbc'],
	['aes192', 'aes-192-cbc'],
	['aes256', 'aes-256-cbc'],
	['des3', 'des-ede3-cbc'],
	['aes-128-gcm', 'aes-128-gcm'],
	['aes-192-gcm', 'aes-192-gcm'],
	['aes-256-gcm', 'aes-256-gcm'],
];

interface Party {
	certPath: string;
	keyPath: string;
	certDer: Buffer;
	keyPem: string;
}

function recipientOf(party: Party) {
	return { certificateDer: party.certDer, key: crypto.createPrivateKey(party.keyPem) };
}

function opensslEncrypt(party: Party, plaintext: Buffer, cipherFlag: string, extra: string[] = []): Buffer {
	const outPath = tempPath('enveloped.der');
	const args = [
		'cms',
		'-encrypt',
		'-binary',
		'-outform',
		'DER',
		'-in',
		writeTemp('plain.bin', plaintext),
		'-out',
		outPath,
	];
	args.push(`-${cipherFlag}`, '-recip', party.certPath, ...extra);
	openssl(args);
	return readFileSync(outPath);
}

function opensslDecrypt(party: Party, envelope: Buffer): Buffer {
	const outPath = tempPath('decrypted.bin');
	openssl([
		'cms',
		'-decrypt',
		'-binary',
		'-inform',
		'DER',
		'-in',
		writeTemp('envelope.der', envelope),
		'-inkey',
		party.keyPath,
		'-recip',
		party.certPath,
		'-out',
		outPath,
	]);
	return readFileSync(outPath);
}

/** Walks child indices (negative: from the end) down from the outermost element; positions are into `buffer`. */
function elementAt(buffer: Buffer, path: number[]): { tag: number; contentStart: number; contentEnd: number } {
	let node = readDer(buffer);
	for (const index of path) {
		const children = node.children;
		node = children[index < 0 ? children.length + index : index];
	}
	const contentStart = node.content.byteOffset - buffer.byteOffset;
	return { tag: node.raw[0], contentStart, contentEnd: contentStart + node.content.length };
}

function captureError(run: () => unknown): EdoCryptoError {
	let caught: unknown;
	try {
		run();
	} catch (error) {
		caught = error;
	}
	if (caught instanceof EdoCryptoError) return caught;
	throw new Error(`expected an EdoCryptoError, got ${caught === undefined ? 'no error' : String(caught)}`);
}

function expectCode(run: () => unknown, code: CryptoErrorCode): EdoCryptoError {
	const error = captureError(run);
	expect(error.code).toBe(code);
	return error;
}

/** A self-signed identity with extra `openssl req` arguments (fixed serial, subject key identifier …). */
function customIdentity(kind: 'rsa2048' | 'p256', subject: string, extraArgs: string[]): Party {
	const keyPath = tempPath(`${kind}-custom.key.pem`);
	const certPath = tempPath(`${kind}-custom.cert.pem`);
	const keyArgs =
		kind === 'rsa2048'
			? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
			: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
	openssl(['genpkey', ...keyArgs, '-out', keyPath]);
	openssl([
		'req',
		'-new',
		'-x509',
		'-key',
		keyPath,
		'-out',
		certPath,
		'-subj',
		subject,
		'-utf8',
		'-days',
		'30',
		...extraArgs,
	]);
	return {
		certPath,
		keyPath,
		certDer: openssl(['x509', '-in', certPath, '-outform', 'DER']),
		keyPem: openssl(['pkey', '-in', keyPath]).toString(),
	};
}

/** Same subject (= issuer) and serial as `original`, but a new key pair. */
function impostorOf(original: TestIdentity): Party {
	const serial = openssl(['x509', '-in', original.certPath, '-noout', '-serial']).toString().trim().split('=')[1];
	const subject = `/CN=EDO test ${original.kind}/O=n8n-nodes-edo tests/C=RU`;
	return customIdentity(original.kind === 'rsa2048' ? 'rsa2048' : 'p256', subject, ['-set_serial', `0x${serial}`]);
}

describe('decryptCms: envelopes made by openssl cms -encrypt', () => {
	describe.each(KINDS)('%s recipient', (kind) => {
		const identity = createIdentity(kind);

		it.each(CIPHERS)('-%s', (flag) => {
			const envelope = opensslEncrypt(identity, PLAINTEXT, flag);
			expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
		});
	});

	it('GCM produces AuthEnvelopedData, CBC EnvelopedData', () => {
		const identity = createIdentity('p256');
		const gcm = openssl([
			'asn1parse',
			'-inform',
			'DER',
			'-in',
			writeTemp('gcm.der', opensslEncrypt(identity, PLAINTEXT, 'aes-128-gcm')),
		]);
		const cbc = openssl([
			'asn1parse',
			'-inform',
			'DER',
			'-in',
			writeTemp('cbc.der', opensslEncrypt(identity, PLAINTEXT, 'aes128')),
		]);
		expect(gcm.toString()).toContain('id-smime-ct-authEnvelopedData');
		expect(cbc.toString()).toContain('pkcs7-envelopedData');
	});

	it.each([
		['OAEP with SHA-1', ['-keyopt', 'rsa_padding_mode:oaep']],
		['OAEP with SHA-256', ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256']],
		['OAEP with SHA-512', ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha512']],
	])('RSA %s', (_name, keyopts) => {
		const identity = createIdentity('rsa2048');
		for (const flag of ['aes256', 'aes-256-gcm']) {
			const envelope = opensslEncrypt(identity, PLAINTEXT, flag, keyopts);
			expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
		}
	});

	it.each([
		['sha224 KDF', ['-keyopt', 'ecdh_kdf_md:sha224']],
		['sha256 KDF', ['-keyopt', 'ecdh_kdf_md:sha256']],
		['sha512 KDF', ['-keyopt', 'ecdh_kdf_md:sha512']],
		['cofactor DH, sha384 KDF', ['-keyopt', 'ecdh_cofactor_mode:1', '-keyopt', 'ecdh_kdf_md:sha384']],
	])('ECDH with %s', (_name, keyopts) => {
		const identity = createIdentity('p384');
		const envelope = opensslEncrypt(identity, PLAINTEXT, 'aes-256-gcm', keyopts);
		expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
	});

	it.each(['rsa2048', 'p256'] as const)('%s recipient identified by subject key identifier (-keyid)', (kind) => {
		const party = customIdentity(kind, `/CN=EDO keyid ${kind}`, ['-addext', 'subjectKeyIdentifier=hash']);
		const envelope = opensslEncrypt(party, PLAINTEXT, 'aes128', ['-keyid']);
		expect(decryptCms(envelope, recipientOf(party))).toEqual(PLAINTEXT);
	});

	it('streamed BER (indefinite lengths, segmented content)', () => {
		const identity = createIdentity('rsa2048');
		const plaintext = crypto.randomBytes(5000);
		const envelope = opensslEncrypt(identity, plaintext, 'aes256', ['-stream']);
		expect(envelope.subarray(0, 2)).toEqual(Buffer.from([0x30, 0x80]));
		expect(decryptCms(envelope, recipientOf(identity))).toEqual(plaintext);
	});

	it('picks its own RecipientInfo among several', () => {
		const rsa = createIdentity('rsa2048');
		const ec = createIdentity('p256');
		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes256', ['-recip', ec.certPath]);
		expect(decryptCms(envelope, recipientOf(rsa))).toEqual(PLAINTEXT);
		expect(decryptCms(envelope, recipientOf(ec))).toEqual(PLAINTEXT);
	});
});

describe('encryptCms: openssl cms -decrypt reads what we write', () => {
	describe.each(KINDS)('%s recipient', (kind) => {
		const identity = createIdentity(kind);

		it.each(CIPHERS)('%s / %s', (_flag, cipher) => {
			const envelope = encryptCms(PLAINTEXT, identity.certDer, { cipher });
			expect(opensslDecrypt(identity, envelope)).toEqual(PLAINTEXT);
			expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
		});
	});

	it.each<EncryptCmsOptions>([
		{ rsaPadding: 'oaep' },
		{ rsaPadding: 'oaep', oaepHash: 'sha256' },
		{ rsaPadding: 'oaep', oaepHash: 'sha256', cipher: 'aes-256-gcm' },
		{ rsaPadding: 'pkcs1', cipher: 'des-ede3-cbc' },
	])('RSA %j', (options) => {
		const identity = createIdentity('rsa2048');
		const envelope = encryptCms(PLAINTEXT, identity.certDer, options);
		expect(opensslDecrypt(identity, envelope)).toEqual(PLAINTEXT);
		expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
		const dump = openssl([
			'cms',
			'-cmsout',
			'-print',
			'-inform',
			'DER',
			'-in',
			writeTemp('env.der', envelope),
		]).toString();
		expect(dump).toContain(options.rsaPadding === 'oaep' ? 'rsaesOaep' : 'rsaEncryption');
		if (options.oaepHash === 'sha256') expect(dump).toContain('sha256');
	});

	it.each(['p256', 'p384'] as const)('%s with a UKM: openssl agrees on the KEK', (kind) => {
		const identity = createIdentity(kind);
		for (const cipher of ['aes-128-cbc', 'aes-256-gcm', 'des-ede3-cbc'] as const) {
			const envelope = encryptCms(PLAINTEXT, identity.certDer, { cipher, ukm: crypto.randomBytes(64) });
			expect(opensslDecrypt(identity, envelope)).toEqual(PLAINTEXT);
			expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
		}
		const dump = openssl([
			'cms',
			'-cmsout',
			'-print',
			'-inform',
			'DER',
			'-in',
			writeTemp('ukm.der', encryptCms(PLAINTEXT, identity.certDer, { ukm: Buffer.from('0123456789abcdef') })),
		]).toString();
		expect(dump).toMatch(/ukm:\s*\n\s*0000 - 30 31 32 33/);
		expect(dump).toContain('dhSinglePass-stdDH-sha256kdf-scheme');
	});

	it('defaults to AES-256-CBC EnvelopedData', () => {
		const identity = createIdentity('rsa2048');
		const dump = openssl([
			'cms',
			'-cmsout',
			'-print',
			'-inform',
			'DER',
			'-in',
			writeTemp('default.der', encryptCms(PLAINTEXT, identity.certDer)),
		]).toString();
		expect(dump).toContain('aes-256-cbc');
		expect(dump).toContain('version: 0');
	});

	it('writes fresh keys and IVs every time', () => {
		const identity = createIdentity('p256');
		const first = encryptCms(PLAINTEXT, identity.certDer, { cipher: 'aes-256-gcm' });
		const second = encryptCms(PLAINTEXT, identity.certDer, { cipher: 'aes-256-gcm' });
		expect(first.equals(second)).toBe(false);
	});

	it('refuses an unknown cipher and a certificate that is not one', () => {
		const identity = createIdentity('rsa2048');
		expectCode(
			() => encryptCms(PLAINTEXT, identity.certDer, { cipher: 'rc2-cbc' as ContentCipherName }),
			'UNSUPPORTED_ALGORITHM',
		);
		expectCode(() => encryptCms(PLAINTEXT, crypto.randomBytes(300)), 'NOT_A_CERTIFICATE');
	});
});

describe('payload sizes', () => {
	const sizes = [0, 1, 16, 100 * 1024];

	it.each([
		['rsa2048', 'aes256', 'aes-256-cbc'],
		['p256', 'aes-256-gcm', 'aes-256-gcm'],
		['p384', 'des3', 'des-ede3-cbc'],
	] as const)('%s %s', (kind, flag, cipher) => {
		const identity = createIdentity(kind);
		for (const size of sizes) {
			const plaintext = crypto.randomBytes(size);
			expect(decryptCms(opensslEncrypt(identity, plaintext, flag), recipientOf(identity))).toEqual(plaintext);
			expect(opensslDecrypt(identity, encryptCms(plaintext, identity.certDer, { cipher }))).toEqual(plaintext);
		}
	});
});

describe('AuthEnvelopedData with authenticated attributes', () => {
	const identity = createIdentity('rsa2048');
	const attribute = sequence(oid(OID_ATTR_CONTENT_TYPE), set(oid(OID_DATA)));

	/** RSA-OAEP + AES-128-GCM with authAttrs; the GCM AAD is `aad(attributesContent)`. */
	function build(aad: (attributesContent: Buffer) => Buffer): Buffer {
		const certificate = readRecipientCertificate(identity.certDer);
		const contentKey = crypto.randomBytes(16);
		const nonce = crypto.randomBytes(12);
		const encryptedKey = crypto.publicEncrypt(
			{ key: certificate.publicKey as crypto.KeyObject, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING },
			contentKey,
		);
		const recipientInfo = sequence(
			integer(0),
			sequence(certificate.issuerDer, certificate.serialDer),
			algorithmIdentifier(OID_RSAES_OAEP, sequence()),
			octetString(encryptedKey),
		);
		const cipher = crypto.createCipheriv('aes-128-gcm', contentKey, nonce);
		cipher.setAAD(aad(attribute));
		const ciphertext = Buffer.concat([cipher.update(PLAINTEXT), cipher.final()]);
		const contentInfo = sequence(
			oid(OID_DATA),
			algorithmIdentifier(OID_AES128_GCM, sequence(octetString(nonce), integer(16))),
			tlv(0x80, ciphertext),
		);
		const body = sequence(
			integer(0),
			set(recipientInfo),
			contentInfo,
			tlv(0xa1, attribute),
			octetString(cipher.getAuthTag()),
		);
		return sequence(oid(OID_AUTH_ENVELOPED_DATA), explicit(0, body));
	}

	// No openssl cross-check here: OpenSSL 3.0 reads authAttrs with the wrong tags and ignores them as AAD
	// (openssl/openssl#26101, fixed by #31695), so it cannot parse a compliant envelope that has them.
	it('authenticates them as a DER SET OF (RFC 5083 2.1)', () => {
		const envelope = build((content) => set(content));
		expect(decryptCms(envelope, recipientOf(identity))).toEqual(PLAINTEXT);
	});

	it('fails when the AAD was computed over the [1] IMPLICIT encoding', () => {
		expectCode(
			() =>
				decryptCms(
					build((content) => tlv(0xa1, content)),
					recipientOf(identity),
				),
			'DECRYPTION_FAILED',
		);
	});

	it('fails when an authenticated attribute was altered', () => {
		const envelope = build((content) => set(content));
		const tampered = Buffer.from(envelope);
		const position = tampered.indexOf(attribute) + attribute.length - 1;
		tampered[position] ^= 0x01;
		expectCode(() => decryptCms(tampered, recipientOf(identity)), 'DECRYPTION_FAILED');
	});
});

describe('ECC-CMS-SharedInfo and the X9.63 KDF', () => {
	const aes256WrapDer = Buffer.from('300b060960864801650304012d', 'hex');

	it('leaves entityUInfo out without a UKM, and writes it with one', () => {
		expect(eccCmsSharedInfo(aes256WrapDer, undefined, 32).toString('hex')).toBe(
			'3015' + aes256WrapDer.toString('hex') + 'a2060404' + '00000100',
		);
		expect(eccCmsSharedInfo(aes256WrapDer, Buffer.from('abcd', 'hex'), 16).toString('hex')).toBe(
			'301b' + aes256WrapDer.toString('hex') + 'a0040402abcd' + 'a2060404' + '00000080',
		);
	});

	it('matches the SEC 1 construction for output longer than one hash block', () => {
		const secret = Buffer.from('00112233', 'hex');
		const info = Buffer.from('cafe', 'hex');
		const block = (counter: number) =>
			crypto
				.createHash('sha1')
				.update(secret)
				.update(Buffer.from([0, 0, 0, counter]))
				.update(info)
				.digest();
		const expected = Buffer.concat([block(1), block(2)]).subarray(0, 32);
		expect(ansiX963Kdf('sha1', secret, info, 32)).toEqual(expected);
	});
});

describe('RSA PKCS#1 v1.5 implicit rejection', () => {
	const identity = createIdentity('rsa2048');
	const privateKey = crypto.createPrivateKey(identity.keyPem);
	const publicKey = crypto.createPublicKey(privateKey);
	const contentKey = crypto.randomBytes(32);

	function rawEncrypt(encoded: Buffer): Buffer {
		return crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_NO_PADDING }, encoded);
	}

	function encodedMessage(mutate?: (encoded: Buffer) => void): Buffer {
		const encoded = Buffer.alloc(256);
		encoded[1] = 0x02;
		for (let i = 2; i < 256 - 33; i++) encoded[i] = 1 + crypto.randomInt(255);
		contentKey.copy(encoded, 256 - 32);
		mutate?.(encoded);
		return encoded;
	}

	it('recovers a correctly padded key (cross-checked with openssl pkeyutl)', () => {
		const ciphertext = crypto.publicEncrypt(
			{ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
			contentKey,
		);
		expect(rsaPkcs1v15DecryptKey(privateKey, ciphertext, 32)).toEqual(contentKey);
		const viaOpenssl = openssl([
			'pkeyutl',
			'-decrypt',
			'-inkey',
			identity.keyPath,
			'-in',
			writeTemp('ek.bin', ciphertext),
		]);
		expect(viaOpenssl).toEqual(contentKey);
		expect(rsaPkcs1v15DecryptKey(privateKey, rawEncrypt(encodedMessage()), 32)).toEqual(contentKey);
	});

	it.each<[string, (encoded: Buffer) => void]>([
		['a non-zero first byte', (encoded) => (encoded[0] = 0x01)],
		['block type 1', (encoded) => (encoded[1] = 0x01)],
		['a zero inside the padding string', (encoded) => (encoded[100] = 0x00)],
		['a missing separator', (encoded) => (encoded[256 - 33] = 0x07)],
	])('returns a stable substitute key, without throwing, for %s', (_name, mutate) => {
		const ciphertext = rawEncrypt(encodedMessage(mutate));
		const first = rsaPkcs1v15DecryptKey(privateKey, ciphertext, 32);
		expect(first).toHaveLength(32);
		expect(first.equals(contentKey)).toBe(false);
		expect(rsaPkcs1v15DecryptKey(privateKey, ciphertext, 32)).toEqual(first);
	});

	it('substitutes when the key length differs from what the cipher needs', () => {
		const ciphertext = crypto.publicEncrypt(
			{ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
			contentKey,
		);
		const result = rsaPkcs1v15DecryptKey(privateKey, ciphertext, 16);
		expect(result).toHaveLength(16);
		expect(result.equals(contentKey.subarray(16))).toBe(false);
	});
});

describe('errors', () => {
	const rsa = createIdentity('rsa2048');
	const ec = createIdentity('p256');
	const failures: EdoCryptoError[] = [];

	function expectFailure(run: () => unknown, code: CryptoErrorCode): EdoCryptoError {
		const error = expectCode(run, code);
		failures.push(error);
		return error;
	}

	it('NO_MATCHING_RECIPIENT names the recipients found and this certificate', () => {
		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes256');
		const error = expectFailure(() => decryptCms(envelope, recipientOf(ec)), 'NO_MATCHING_RECIPIENT');
		const rsaSerial = openssl(['x509', '-in', rsa.certPath, '-noout', '-serial']).toString().trim().split('=')[1];
		expect(error.message).toContain('issuer CN=EDO test rsa2048');
		expect(error.message.replace(/^.*addressed to: /, '')).toContain(rsaSerial.replace(/^0+/, ''));
		expect(error.message).toContain('CN=EDO test p256');
		expect(error.hint).toBeTruthy();
	});

	it.each([
		['rsa2048', 'aes-256-gcm', []],
		['rsa2048', 'aes-128-gcm', ['-keyopt', 'rsa_padding_mode:oaep']],
		['p256', 'aes256', []],
		['p256', 'aes-128-gcm', []],
	] as const)('DECRYPTION_FAILED: %s %s envelope, right identifiers, different key', (kind, flag, extra) => {
		const original = createIdentity(kind);
		const impostor = impostorOf(original);
		expect(readRecipientCertificate(impostor.certDer).description).toBe(
			readRecipientCertificate(original.certDer).description,
		);
		const envelope = opensslEncrypt(original, PLAINTEXT, flag, [...extra]);
		expectFailure(() => decryptCms(envelope, recipientOf(impostor)), 'DECRYPTION_FAILED');
	});

	it('KEY_MISMATCH when the key type does not fit the recipient kind', () => {
		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes256');
		expectFailure(
			() => decryptCms(envelope, { certificateDer: rsa.certDer, key: crypto.createPrivateKey(ec.keyPem) }),
			'KEY_MISMATCH',
		);
	});

	it('DECRYPTION_FAILED for a tampered GCM tag or ciphertext', () => {
		for (const party of [rsa, ec]) {
			const envelope = opensslEncrypt(party, PLAINTEXT, 'aes-256-gcm');
			const badTag = Buffer.from(envelope);
			badTag[badTag.length - 1] ^= 0x80; // the mac is the last field
			expectFailure(() => decryptCms(badTag, recipientOf(party)), 'DECRYPTION_FAILED');
			const badContent = Buffer.from(envelope);
			badContent[badContent.length - 16 - 2 - 3] ^= 0x01; // inside the encrypted content, before the mac
			expectFailure(() => decryptCms(badContent, recipientOf(party)), 'DECRYPTION_FAILED');
		}
	});

	it('DECRYPTION_FAILED for a tampered wrapped key (ECDH)', () => {
		const envelope = opensslEncrypt(ec, PLAINTEXT, 'aes128');
		// ContentInfo > [0] > EnvelopedData > recipientInfos > kari > recipientEncryptedKeys > first > encryptedKey
		const encryptedKey = elementAt(envelope, [1, 0, 1, 0, -1, 0, 1]);
		expect(encryptedKey.tag).toBe(TAG_OCTET_STRING);
		expect(encryptedKey.contentEnd - encryptedKey.contentStart).toBe(24);
		const tampered = Buffer.from(envelope);
		tampered[encryptedKey.contentStart + 5] ^= 0x01;
		expectFailure(() => decryptCms(tampered, recipientOf(ec)), 'DECRYPTION_FAILED');
	});

	it('all DECRYPTION_FAILED errors look the same', () => {
		const decryptionFailures = failures.filter((error) => error.code === 'DECRYPTION_FAILED');
		expect(decryptionFailures.length).toBeGreaterThanOrEqual(8);
		expect(new Set(decryptionFailures.map((error) => `${error.message}|${error.hint}`)).size).toBe(1);
		expect(decryptionFailures[0].message).toMatch(/not encrypted for this key, or it was altered/);
	});

	it('INVALID_CMS for truncated input', () => {
		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes256');
		for (const length of [1, 10, envelope.length / 2, envelope.length - 1]) {
			const error = expectFailure(
				() => decryptCms(envelope.subarray(0, Math.floor(length)), recipientOf(rsa)),
				'INVALID_CMS',
			);
			expect(error.message).toMatch(/truncated|ends before/);
		}
	});

	it('INVALID_CMS for garbage, empty input and text', () => {
		expectFailure(() => decryptCms(Buffer.from([0x04, 0x03, 1, 2, 3]), recipientOf(rsa)), 'INVALID_CMS');
		expectFailure(() => decryptCms(crypto.randomBytes(200).fill(0xa5, 0, 1), recipientOf(rsa)), 'INVALID_CMS');
		expectFailure(() => decryptCms(Buffer.alloc(0), recipientOf(rsa)), 'INVALID_CMS');
		const base64 = Buffer.from(opensslEncrypt(rsa, PLAINTEXT, 'aes256').toString('base64'));
		const error = expectFailure(() => decryptCms(base64, recipientOf(rsa)), 'INVALID_CMS');
		expect(error.message).toMatch(/text/);
	});

	it('INVALID_CMS naming a SignedData', () => {
		const signedPath = tempPath('signed.der');
		openssl([
			'cms',
			'-sign',
			'-binary',
			'-outform',
			'DER',
			'-in',
			writeTemp('plain.bin', PLAINTEXT),
			'-signer',
			rsa.certPath,
			'-inkey',
			rsa.keyPath,
			'-out',
			signedPath,
		]);
		const error = expectFailure(() => decryptCms(readFileSync(signedPath), recipientOf(rsa)), 'INVALID_CMS');
		expect(error.message).toContain('SignedData');
	});

	it('UNSUPPORTED_ALGORITHM for password recipients and unknown ciphers', () => {
		const passwordPath = tempPath('pwri.der');
		openssl([
			'cms',
			'-encrypt',
			'-binary',
			'-outform',
			'DER',
			'-aes128',
			'-pwri_password',
			'secret',
			'-in',
			writeTemp('plain.bin', PLAINTEXT),
			'-out',
			passwordPath,
		]);
		const password = expectFailure(
			() => decryptCms(readFileSync(passwordPath), recipientOf(rsa)),
			'UNSUPPORTED_ALGORITHM',
		);
		expect(password.message).toContain('PasswordRecipientInfo');

		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes128');
		const aes128CbcOid = Buffer.from('0609608648016503040102', 'hex');
		const patched = Buffer.from(envelope);
		patched[patched.indexOf(aes128CbcOid) + aes128CbcOid.length - 1] = 0x03; // aes-128-ofb
		const cipher = expectFailure(() => decryptCms(patched, recipientOf(rsa)), 'UNSUPPORTED_ALGORITHM');
		expect(cipher.message).toContain('2.16.840.1.101.3.4.1.3');

		patched[patched.indexOf(aes128CbcOid.subarray(0, -1)) + aes128CbcOid.length - 1] = 0x06; // aes-128-gcm
		const gcmInEnveloped = expectFailure(() => decryptCms(patched, recipientOf(rsa)), 'UNSUPPORTED_ALGORITHM');
		expect(gcmInEnveloped.message).toContain('AuthEnvelopedData');
	});

	it('NOT_A_PRIVATE_KEY for a public key, NOT_A_CERTIFICATE for a broken certificate', () => {
		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes128');
		const publicKey = crypto.createPublicKey(rsa.keyPem);
		expectFailure(() => decryptCms(envelope, { certificateDer: rsa.certDer, key: publicKey }), 'NOT_A_PRIVATE_KEY');
		const broken = rsa.certDer.subarray(0, 100);
		expectFailure(() => decryptCms(envelope, { ...recipientOf(rsa), certificateDer: broken }), 'NOT_A_CERTIFICATE');
	});

	it('never puts key material into messages', () => {
		expect(failures.length).toBeGreaterThan(10);
		const secrets = [rsa, ec].flatMap((party) => {
			const der = crypto.createPrivateKey(party.keyPem).export({ format: 'der', type: 'pkcs8' });
			return [der.toString('hex').slice(-64), der.toString('base64').slice(-40, -8)];
		});
		for (const error of failures) {
			const text = `${error.message} ${error.hint ?? ''}`;
			for (const secret of secrets) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
			expect(text).not.toMatch(/[0-9a-f]{80}/i);
			expect(error.stack ?? '').not.toContain('ERR_OSSL');
		}
	});

	it('openssl agrees that the impostor cannot decrypt (sanity of the fixture)', () => {
		const impostor = impostorOf(rsa);
		const envelope = opensslEncrypt(rsa, PLAINTEXT, 'aes-256-gcm');
		const result = opensslStatus([
			'cms',
			'-decrypt',
			'-binary',
			'-inform',
			'DER',
			'-in',
			writeTemp('env.der', envelope),
			'-inkey',
			impostor.keyPath,
			'-recip',
			impostor.certPath,
			'-out',
			tempPath('out.bin'),
		]);
		expect(result.ok).toBe(false);
	});
});
