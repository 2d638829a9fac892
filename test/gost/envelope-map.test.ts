/**
 * Proves the CMS map at the top of lib/crypto/gost/kexp15.ts: envelopes that `openssl cms -encrypt`
 * (gost engine) makes to GOST R 34.10-2012 certificates are opened with our key unwrap and content
 * decryption, with VKO from lib/crypto/gost/vko.ts: OpenSSL only makes the envelopes. The
 * EnvelopedData is taken apart here with asn1js (a test-only assembly; the real one belongs to the
 * CMS layer). One test also checks the key agreement against `openssl pkeyutl -derive`.
 */
import * as asn1js from 'asn1js';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isEdoCryptoError } from '../../lib/crypto/errors';
import { cryptoProKeyUnwrap, gost28147SboxByOid, gost89Decrypt } from '../../lib/crypto/gost/gost89';
import {
	CMS_MAC_ATTRIBUTE_OID,
	GOST2015_CONTENT_OIDS,
	KEXP15_KEY_EXPORT_OIDS,
	decryptCmsGost2015Content,
	kexp15KeysFromVko,
	unwrapKExp15Transport,
	vkoUkmFromTransportUkm,
} from '../../lib/crypto/gost/kexp15';
import { gostPublicKeyFromSpki, parseGostPrivateKeyInfo } from '../../lib/crypto/gost/keys';
import { vko2012, vkoKeyTransport2012 } from '../../lib/crypto/gost/vko';
import { gostOpenssl, gostTempPath, hex } from './cipher-openssl';

type Node = asn1js.AsnType;
const children = (node: Node): Node[] => (node as asn1js.Sequence).valueBlock.value;
const oidOf = (node: Node): string => (node as asn1js.ObjectIdentifier).valueBlock.toString();
function octets(node: Node): Uint8Array {
	const block = (node as asn1js.OctetString).valueBlock;
	if (node.idBlock.isConstructed) return Buffer.concat(block.value.map((part) => Buffer.from(octets(part))));
	return new Uint8Array(block.valueHexView);
}

interface Recipient {
	keyPath: string;
	certPath: string;
}

function makeRecipient(algorithm: 'gost2012_256' | 'gost2012_512'): Recipient {
	const keyPath = gostTempPath(`${algorithm}.key.pem`);
	const certPath = gostTempPath(`${algorithm}.cert.pem`);
	const digest = algorithm === 'gost2012_256' ? '-md_gost12_256' : '-md_gost12_512';
	gostOpenssl([
		'req', '-x509', '-newkey', algorithm, '-pkeyopt', 'paramset:A', digest, '-nodes',
		'-keyout', keyPath, '-out', certPath, '-subj', '/CN=GOST envelope test', '-days', '2',
	]);
	return { keyPath, certPath };
}

function privateKeyOf(recipient: Recipient) {
	const pem = readFileSync(recipient.keyPath, 'utf8');
	return parseGostPrivateKeyInfo(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
}

/**
 * Key agreement of the recipient key with the sender's ephemeral key (SubjectPublicKeyInfo DER).
 * 8-byte UKM (28147 transport): VKO with Streebog-256 → the 32-byte KEK.
 * 32-byte UKM (KExp15): the engine's KEG → K_Exp_MAC || K_Exp_ENC (64 bytes).
 */
function agree(recipient: Recipient, ephemeralSpki: Uint8Array, ukm: Uint8Array): Uint8Array {
	const key = privateKeyOf(recipient);
	const peer = gostPublicKeyFromSpki(ephemeralSpki).Q;
	if (ukm.length === 8) return vkoKeyTransport2012(key.paramSet.curve, key.d, peer, ukm);
	const vko = vko2012(key.paramSet.curve, key.d, peer, vkoUkmFromTransportUkm(ukm), key.paramSet.size);
	const { kekMac, kekEnc } = kexp15KeysFromVko(vko, ukm);
	return new Uint8Array([...kekMac, ...kekEnc]);
}

/** The same agreement done by OpenSSL (`pkeyutl -derive` with the UKM), for the cross-check. */
function opensslAgree(recipient: Recipient, ephemeralSpki: Uint8Array, ukm: Uint8Array): Uint8Array {
	const der = gostTempPath('ephemeral.der');
	const pem = gostTempPath('ephemeral.pem');
	writeFileSync(der, ephemeralSpki);
	gostOpenssl(['pkey', '-pubin', '-inform', 'DER', '-in', der, '-out', pem]);
	return new Uint8Array(gostOpenssl(['pkeyutl', '-derive', '-inkey', recipient.keyPath, '-peerkey', pem, '-pkeyopt', `ukmhex:${hex(ukm)}`]));
}

function openEnvelope(der: Uint8Array, recipient: Recipient): Uint8Array {
	const contentInfo = children(asn1js.fromBER(der).result);
	expect(oidOf(contentInfo[0])).toBe('1.2.840.113549.1.7.3');
	const envelopedData = children(children(contentInfo[1])[0]);
	const [recipientInfo] = children(envelopedData[1]);
	const [, , keyEncryptionAlgorithm, encryptedKey] = children(recipientInfo);
	const keyAlgorithm = oidOf(children(keyEncryptionAlgorithm)[0]);
	const [, contentAlgorithm, encryptedContent] = children(envelopedData[2]);
	const [contentOid, contentParams] = children(contentAlgorithm);
	const ciphertext = octets(encryptedContent);
	const transport = children(asn1js.fromBER(octets(encryptedKey)).result);

	if (oidOf(contentOid) === '1.2.643.2.2.21') {
		// Map §1: GostR3410-KeyTransport + GOST 28147-89 CFB.
		expect(['1.2.643.7.1.1.1.1', '1.2.643.7.1.1.1.2']).toContain(keyAlgorithm);
		const [sessionKey, parameters] = transport;
		const [encrypted, mac] = children(sessionKey).map(octets);
		const [wrapParamSet, ephemeral, ukmNode] = children(parameters);
		const ukm = octets(ukmNode);
		const spki = new Uint8Array(ephemeral.toBER());
		spki[0] = 0x30; // [0] IMPLICIT SubjectPublicKeyInfo
		const kek = agree(recipient, spki, ukm);
		const cek = cryptoProKeyUnwrap(kek, new Uint8Array([...encrypted, ...mac]), ukm, gost28147SboxByOid(oidOf(wrapParamSet)));
		const [iv, contentParamSet] = children(contentParams);
		return gost89Decrypt('cfb', cek, octets(iv), ciphertext, { sbox: gost28147SboxByOid(oidOf(contentParamSet)), meshing: true });
	}

	// Map §2/§3: GostR3410-2012-KeyTransport (KExp15) + CTR-ACPKM(-OMAC).
	const cipher = KEXP15_KEY_EXPORT_OIDS[keyAlgorithm];
	const algorithm = GOST2015_CONTENT_OIDS[oidOf(contentOid)];
	expect(cipher).toBe(algorithm.cipher);
	const [psexp, ephemeral, ukmNode] = transport;
	const ukm = octets(ukmNode);
	expect(ukm.length).toBe(32);
	const keys = agree(recipient, new Uint8Array(ephemeral.toBER()), ukm);
	const cek = unwrapKExp15Transport(cipher, { kekMac: keys.slice(0, 32), kekEnc: keys.slice(32) }, ukm, octets(psexp));
	let encryptedMac: Uint8Array | undefined;
	if (algorithm.withMac) {
		expect(Number((envelopedData[0] as asn1js.Integer).valueBlock.valueDec)).toBe(2);
		const attributes = children(envelopedData[3]);
		const macAttribute = attributes.find((attribute) => oidOf(children(attribute)[0]) === CMS_MAC_ATTRIBUTE_OID);
		if (macAttribute) encryptedMac = octets(children(children(macAttribute)[1])[0]);
	}
	return decryptCmsGost2015Content({ algorithm, cek, contentUkm: octets(children(contentParams)[0]), ciphertext, encryptedMac });
}

function encrypt(cipher: string, recipient: Recipient, content: Uint8Array): Uint8Array {
	const input = gostTempPath('content.bin');
	writeFileSync(input, content);
	return new Uint8Array(gostOpenssl(['cms', '-encrypt', '-binary', `-${cipher}`, '-in', input, '-outform', 'DER', recipient.certPath]));
}

describe('OpenSSL GOST envelopes open with our unwrap and content decryption', () => {
	const recipients = {
		gost2012_256: makeRecipient('gost2012_256'),
		gost2012_512: makeRecipient('gost2012_512'),
	};
	const ciphers = ['gost89', 'kuznyechik-ctr-acpkm', 'magma-ctr-acpkm', 'kuznyechik-ctr-acpkm-omac', 'magma-ctr-acpkm-omac'];
	const cases = ciphers.flatMap((cipher) => (['gost2012_256', 'gost2012_512'] as const).map((key) => [cipher, key] as const));

	test.each(cases)('-%s to a %s certificate', (cipher, key) => {
		const content = randomBytes(777);
		expect(hex(openEnvelope(encrypt(cipher, recipients[key], content), recipients[key]))).toBe(hex(content));
	});

	// Content longer than the key meshing interval (1 KiB) and the ACPKM sections of the CMS profile (8 KiB, 256 KiB).
	test.each([
		['gost89', 3000],
		['magma-ctr-acpkm', 20000],
		['magma-ctr-acpkm-omac', 20000],
		['kuznyechik-ctr-acpkm-omac', 300000],
	] as const)('-%s with %i bytes of content', (cipher, length) => {
		const content = randomBytes(length);
		const opened = openEnvelope(encrypt(cipher, recipients.gost2012_256, content), recipients.gost2012_256);
		expect(Buffer.compare(Buffer.from(opened), content)).toBe(0);
	});

	test.each([
		['gost2012_256', 8],
		['gost2012_256', 32],
		['gost2012_512', 8],
		['gost2012_512', 32],
	] as const)('key agreement of a %s key with a %i-byte UKM matches openssl pkeyutl -derive', (key, ukmLength) => {
		const ephemeralKey = gostTempPath('sender.pem');
		const ephemeralSpki = gostTempPath('sender.der');
		gostOpenssl(['genpkey', '-algorithm', key, '-pkeyopt', 'paramset:A', '-out', ephemeralKey]);
		gostOpenssl(['pkey', '-in', ephemeralKey, '-pubout', '-outform', 'DER', '-out', ephemeralSpki]);
		const spki = new Uint8Array(readFileSync(ephemeralSpki));
		const ukm = randomBytes(ukmLength);
		expect(hex(agree(recipients[key], spki, ukm))).toBe(hex(opensslAgree(recipients[key], spki, ukm)));
	});

	test.each(['gost89', 'magma-ctr-acpkm'])('-%s to another key: the key unwrap reports DECRYPTION_FAILED', (cipher) => {
		const envelope = encrypt(cipher, recipients.gost2012_256, randomBytes(64));
		const stranger = makeRecipient('gost2012_256');
		expect(() => openEnvelope(envelope, stranger)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
	});

	test('a changed ciphertext byte fails the MAC of the -omac variant', () => {
		const content = randomBytes(100);
		const envelope = encrypt('kuznyechik-ctr-acpkm-omac', recipients.gost2012_256, content);
		const tampered = envelope.slice();
		// The encrypted content is the 100 bytes just before the unprotected attributes ([1], 33 bytes for Kuznyechik).
		tampered[tampered.length - 33 - 50] ^= 1;
		try {
			openEnvelope(tampered, recipients.gost2012_256);
		} catch (error) {
			expect(isEdoCryptoError(error) && error.code).toBe('DECRYPTION_FAILED');
			return;
		}
		throw new Error('the tampered envelope opened');
	});
});
