/**
 * GOST key transport in KeyTransRecipientInfo, both profiles OpenSSL's engine writes (the map in
 * ../gost/kexp15.ts):
 * - GostR3410-KeyTransport (RFC 4490): keyEncryptionAlgorithm = the recipient's key algorithm; an ephemeral key,
 *   an 8-byte UKM, VKO GOST R 34.10-2012 with Streebog-256 as the KEK and the CryptoPro key wrap;
 * - GostR3410-2012-KeyTransport (KExp15, R 1323565.1.025): keyEncryptionAlgorithm = kuznyechik/magma-kexp15; an
 *   ephemeral key, a 32-byte UKM, the engine's KEG and KImp15.
 * The only private-key step is VKO (`GostAgreement`), so a token that can do VKO can decrypt too.
 */
import { randomBytes } from 'node:crypto';

import { Asn1Error, Asn1Node, Tag, TagClass, readDer } from '../encoding';
import { EdoCryptoError } from '../errors';
import { cryptoProKeyUnwrap, cryptoProKeyWrap, gost28147SboxByOid } from '../gost/gost89';
import { GostPrivateKey, GostPublicKey } from '../gost/gostKey';
import {
	KEXP15_KEY_EXPORT_OIDS,
	kexp15,
	kexp15IvFromTransportUkm,
	kexp15KeysFromVko,
	unwrapKExp15Transport,
	vkoUkmFromTransportUkm,
} from '../gost/kexp15';
import type { Gost2015CipherName } from '../gost/modes2015';
import * as GOST_OID from '../gost/oids';
import { algorithmIdentifier, octetString, oid, sequence, tlv } from './der';
import { decryptionFailed, invalidCms } from './envelope-errors';
import { OID_GOST28147_PARAMSET_Z, type GostContentCipherName } from './gost-content-ciphers';

/**
 * VKO GOST R 34.10-2012 of the recipient's private key with the sender's ephemeral public key: Streebog-
 * `hashSize` of the shared point; `ukm` is read as a little-endian integer.
 */
export type GostAgreement = (ephemeralPublicKey: GostPublicKey, ukm: Buffer, hashSize: 256 | 512) => Buffer;

const GOST_2012_KEYS = [GOST_OID.TC26_GOST_3410_12_256, GOST_OID.TC26_GOST_3410_12_512];

export function isGostKeyTransport(oid: string): boolean {
	return GOST_2012_KEYS.includes(oid) || oid in KEXP15_KEY_EXPORT_OIDS || oid === GOST_OID.GOST_R3410_2001;
}

/** VKO with a local GOST key. */
export function localGostAgreement(key: GostPrivateKey): GostAgreement {
	return (ephemeral, ukm, hashSize) => key.agree(ephemeral.point, ukm, hashSize);
}

/** UNSUPPORTED_ALGORITHM for the GOST R 34.10-2001 transport (VKO with GOST R 34.11-94, not implemented). */
export function rejectGost2001Transport(keyEncryptionOid: string): void {
	if (keyEncryptionOid === GOST_OID.GOST_R3410_2001) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			'The envelope uses GOST R 34.10-2001 key transport, which is not supported.',
			'Ask the sender to encrypt for a GOST R 34.10-2012 certificate.',
		);
	}
}

/** The 32-byte content-encryption key of a GOST KeyTransRecipientInfo addressed to `recipient`. */
export function decryptGostKeyTransport(
	agree: GostAgreement,
	recipient: GostPublicKey,
	keyEncryptionOid: string,
	encryptedKey: Buffer,
): Buffer {
	rejectGost2001Transport(keyEncryptionOid);
	const cipher = KEXP15_KEY_EXPORT_OIDS[keyEncryptionOid];
	if (cipher) return decryptKExp15Transport(agree, recipient, cipher, encryptedKey);
	if (keyEncryptionOid !== recipient.algorithm && !GOST_2012_KEYS.includes(keyEncryptionOid)) throw decryptionFailed();
	return decrypt28147Transport(agree, recipient, encryptedKey);
}

function readTransport(encryptedKey: Buffer, what: string): Asn1Node[] {
	try {
		return readDer(encryptedKey).expect(Tag.sequence).children;
	} catch {
		throw invalidCms(`the ${what} in the recipient info is malformed`);
	}
}

/** The sender's ephemeral key, which must lie on the recipient key's curve. */
function ephemeralKey(spkiDer: Buffer, recipient: GostPublicKey): GostPublicKey {
	let key: GostPublicKey;
	try {
		key = GostPublicKey.fromSpki(spkiDer);
	} catch {
		throw invalidCms('the sender\'s ephemeral GOST public key is malformed');
	}
	if (key.paramSet.curve !== recipient.paramSet.curve) throw decryptionFailed();
	return key;
}

/** RFC 4490 GostR3410-KeyTransport with the CryptoPro key wrap. */
function decrypt28147Transport(agree: GostAgreement, recipient: GostPublicKey, encryptedKey: Buffer): Buffer {
	const [sessionKey, parameters] = readTransport(encryptedKey, 'GostR3410-KeyTransport');
	let wrapped: Buffer;
	let sboxOid: string;
	let ephemeralSpki: Buffer | undefined;
	let ukm: Buffer;
	try {
		// Gost28147-89-EncryptedKey ::= SEQUENCE { encryptedKey OCTET STRING, maskKey [0] IMPLICIT OPTIONAL, macKey OCTET STRING }
		const keyParts = sessionKey.expect(Tag.sequence).children.filter((part) => part.is(Tag.octetString));
		wrapped = Buffer.concat([keyParts[0].bytes, keyParts[keyParts.length - 1].bytes]);
		if (keyParts.length !== 2 || wrapped.length !== 36) throw new Asn1Error('the session key is not 32 + 4 bytes');
		// transportParameters [0] IMPLICIT GostR3410-TransportParameters { encryptionParamSet, ephemeralPublicKey [0] OPTIONAL, ukm }
		const fields = parameters.expect(0, TagClass.context).children;
		sboxOid = fields[0].oid;
		const ephemeral = fields.find((field) => field.isContext(0));
		if (ephemeral) {
			ephemeralSpki = Buffer.from(ephemeral.raw);
			ephemeralSpki[0] = 0x30; // [0] IMPLICIT SubjectPublicKeyInfo
		}
		ukm = fields[fields.length - 1].expect(Tag.octetString).bytes;
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw invalidCms('the GostR3410-KeyTransport in the recipient info is malformed');
	}
	if (!ephemeralSpki) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			'The envelope uses GOST key transport with the sender\'s static key (no ephemeral key), which is not supported.',
			'Ask the sender to encrypt with an ephemeral key (what OpenSSL and CryptoPro do by default).',
		);
	}
	if (ukm.length !== 8) throw invalidCms('the GOST key transport UKM is not 8 bytes');
	const sbox = gost28147SboxByOid(sboxOid);
	const kek = agree(ephemeralKey(ephemeralSpki, recipient), ukm, 256);
	try {
		return Buffer.from(cryptoProKeyUnwrap(kek, wrapped, ukm, sbox));
	} catch {
		throw decryptionFailed();
	} finally {
		kek.fill(0);
	}
}

/** GostR3410-2012-KeyTransport with KExp15 (Kuznyechik or Magma). */
function decryptKExp15Transport(agree: GostAgreement, recipient: GostPublicKey, cipher: Gost2015CipherName, encryptedKey: Buffer): Buffer {
	const [psexpNode, ephemeralNode, ukmNode] = readTransport(encryptedKey, 'GostR3410-2012-KeyTransport');
	let psexp: Buffer;
	let ukm: Buffer;
	let ephemeralSpki: Buffer;
	try {
		psexp = psexpNode.expect(Tag.octetString).bytes;
		ephemeralSpki = Buffer.from(ephemeralNode.expect(Tag.sequence).raw);
		ukm = ukmNode.expect(Tag.octetString).bytes;
	} catch {
		throw invalidCms('the GostR3410-2012-KeyTransport in the recipient info is malformed');
	}
	if (ukm.length !== 32) throw invalidCms('the KExp15 key transport UKM is not 32 bytes');
	const vko = agree(ephemeralKey(ephemeralSpki, recipient), Buffer.from(vkoUkmFromTransportUkm(ukm)), recipient.digest);
	const keys = kexp15KeysFromVko(vko, ukm);
	vko.fill(0);
	try {
		return Buffer.from(unwrapKExp15Transport(cipher, keys, ukm, psexp));
	} catch {
		throw decryptionFailed();
	} finally {
		keys.kekEnc.fill(0);
		keys.kekMac.fill(0);
	}
}

// ---------------------------------------------------------------- encryption (the sandbox's side)

export interface GostKeyTransportOutput {
	keyEncryptionAlgorithm: Buffer;
	encryptedKey: Buffer;
}

/** Wraps `contentKey` for a GOST recipient the way `openssl cms -encrypt -<cipher>` does. */
export function encryptGostKeyTransport(
	recipient: GostPublicKey,
	recipientAlgorithmIdentifier: Buffer,
	contentKey: Buffer,
	cipher: GostContentCipherName,
): GostKeyTransportOutput {
	const ephemeral = GostPrivateKey.generate(recipient.paramSet);
	const ephemeralSpki = ephemeral.publicKey.toSpki();
	if (cipher === 'gost89') {
		const ukm = randomBytes(8);
		const kek = ephemeral.agree(recipient.point, ukm, 256);
		const wrapped = cryptoProKeyWrap(kek, contentKey, ukm, 'TC26-Z');
		kek.fill(0);
		const transportParameters = tlv(0xa0, oid(OID_GOST28147_PARAMSET_Z), tlv(0xa0, ephemeralSpki.subarray(headerSize(ephemeralSpki))), octetString(ukm));
		const sessionKey = sequence(octetString(wrapped.subarray(8, 40)), octetString(wrapped.subarray(40, 44)));
		return { keyEncryptionAlgorithm: recipientAlgorithmIdentifier, encryptedKey: sequence(sessionKey, transportParameters) };
	}
	const blockCipher: Gost2015CipherName = cipher.startsWith('kuznyechik') ? 'kuznyechik' : 'magma';
	const ukm = randomBytes(32);
	const vko = ephemeral.agree(recipient.point, Buffer.from(vkoUkmFromTransportUkm(ukm)), recipient.digest);
	const keys = kexp15KeysFromVko(vko, ukm);
	vko.fill(0);
	const psexp = kexp15(blockCipher, contentKey, keys.kekEnc, keys.kekMac, kexp15IvFromTransportUkm(blockCipher, ukm));
	keys.kekEnc.fill(0);
	keys.kekMac.fill(0);
	const exportOid = Object.keys(KEXP15_KEY_EXPORT_OIDS).find((candidate) => KEXP15_KEY_EXPORT_OIDS[candidate] === blockCipher) as string;
	const agreementOid = recipient.digest === 512 ? GOST_OID.TC26_AGREEMENT_GOST_3410_12_512 : GOST_OID.TC26_AGREEMENT_GOST_3410_12_256;
	return {
		keyEncryptionAlgorithm: algorithmIdentifier(exportOid, sequence(oid(agreementOid))),
		encryptedKey: sequence(octetString(psexp), ephemeralSpki, octetString(ukm)),
	};
}

/** Length of the tag and length octets of a DER element. */
function headerSize(der: Buffer): number {
	return der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7f);
}
