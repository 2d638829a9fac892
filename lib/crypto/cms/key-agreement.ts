import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyAgreeRecipientInfo, OriginatorPublicKey } from 'pkijs';
import { Asn1Error, Asn1Node, Tag, octets, readDer } from '../encoding';
import { EdoCryptoError } from '../errors';
import { TAG_BIT_STRING, TAG_SEQUENCE, algorithmIdentifier, tlv } from './der';
import { decryptionFailed, invalidCms, keyTypeMismatch, unsupportedAlgorithm } from './envelope-errors';
import {
	OID_ECDH_COFACTOR_SHA1KDF,
	OID_ECDH_COFACTOR_SHA224KDF,
	OID_ECDH_COFACTOR_SHA256KDF,
	OID_ECDH_COFACTOR_SHA384KDF,
	OID_ECDH_COFACTOR_SHA512KDF,
	OID_ECDH_STD_SHA1KDF,
	OID_ECDH_STD_SHA224KDF,
	OID_ECDH_STD_SHA256KDF,
	OID_ECDH_STD_SHA384KDF,
	OID_ECDH_STD_SHA512KDF,
} from './envelope-oids';
import { ansiX963Kdf, eccCmsSharedInfo, type KdfHash } from './kdf';
import { SUPPORTED_KEY_WRAPS, keyWrapByOid, type KeyWrapAlgorithm } from './key-wrap';
import { OID_EC_PUBLIC_KEY } from './oids';

/**
 * ECDH key agreement schemes (RFC 5753), by OID. The cofactor variants compute the same secret as the
 * standard ones on every curve node offers for ECDH in CMS (NIST P-curves, brainpool: cofactor 1).
 */
const ECDH_SCHEMES: Record<string, KdfHash> = {
	[OID_ECDH_STD_SHA1KDF]: 'sha1',
	[OID_ECDH_STD_SHA224KDF]: 'sha224',
	[OID_ECDH_STD_SHA256KDF]: 'sha256',
	[OID_ECDH_STD_SHA384KDF]: 'sha384',
	[OID_ECDH_STD_SHA512KDF]: 'sha512',
	[OID_ECDH_COFACTOR_SHA1KDF]: 'sha1',
	[OID_ECDH_COFACTOR_SHA224KDF]: 'sha224',
	[OID_ECDH_COFACTOR_SHA256KDF]: 'sha256',
	[OID_ECDH_COFACTOR_SHA384KDF]: 'sha384',
	[OID_ECDH_COFACTOR_SHA512KDF]: 'sha512',
};

export const SUPPORTED_KEY_AGREEMENTS =
	'ephemeral-static ECDH, dhSinglePass stdDH/cofactorDH with SHA-1/224/256/384/512 KDF';

/**
 * Recovers the content-encryption key from one RecipientEncryptedKey of a KeyAgreeRecipientInfo.
 * `deriveSharedSecret` does the private-key step elsewhere (a token); `privateKey` may then be the public key.
 */
export function decryptKeyAgreement(
	privateKey: KeyObject,
	recipient: KeyAgreeRecipientInfo,
	encryptedKey: Buffer,
	deriveSharedSecret: (originatorKey: KeyObject) => Buffer = (publicKey) => diffieHellman({ privateKey, publicKey }),
): Buffer {
	const { algorithmId: oid, algorithmParams } = recipient.keyEncryptionAlgorithm;
	const hash = ECDH_SCHEMES[oid];
	if (!hash) throw unsupportedAlgorithm('key agreement algorithm', oid, SUPPORTED_KEY_AGREEMENTS);
	if (privateKey.asymmetricKeyType !== 'ec') throw keyTypeMismatch('elliptic-curve key agreement (ECDH)', privateKey);
	if (!algorithmParams) throw invalidCms('the key agreement algorithm has no key wrap algorithm parameter');
	const wrapAlgorithm = readWrapAlgorithm(new Asn1Node(algorithmParams));
	const wrap = keyWrapByOid(wrapAlgorithm.oid);
	if (!wrap) throw unsupportedAlgorithm('key wrap algorithm', wrapAlgorithm.oid, SUPPORTED_KEY_WRAPS);

	// OriginatorIdentifierOrKey: 1 issuerAndSerialNumber, 2 subjectKeyIdentifier, 3 originatorKey.
	if (recipient.originator.variant !== 3) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			'The envelope uses key agreement with a static originator certificate; only ephemeral-static ECDH is supported.',
			'Ask the sender to encrypt with an ephemeral key (what OpenSSL and most CMS libraries do).',
		);
	}
	const originator = recipient.originator.value as OriginatorPublicKey;
	if (originator.algorithm.algorithmId !== OID_EC_PUBLIC_KEY) {
		throw unsupportedAlgorithm('originator public key algorithm', originator.algorithm.algorithmId, 'id-ecPublicKey');
	}
	const originatorKey = originatorPublicKey(privateKey, new Asn1Node(originator.publicKey).content);
	let sharedSecret: Buffer;
	try {
		sharedSecret = deriveSharedSecret(originatorKey);
	} catch {
		throw decryptionFailed();
	}
	// The KDF input names the wrap algorithm exactly as the sender encoded it.
	const sharedInfo = eccCmsSharedInfo(wrapAlgorithm.der, recipient.ukm && octets(recipient.ukm), wrap.kekLength);
	const kek = ansiX963Kdf(hash, sharedSecret, sharedInfo, wrap.kekLength);
	sharedSecret.fill(0);
	try {
		return wrap.unwrap(kek, encryptedKey);
	} catch {
		throw decryptionFailed();
	} finally {
		kek.fill(0);
	}
}

export interface KeyAgreementOutput {
	/** The OriginatorPublicKey encoded as the [1] IMPLICIT choice of OriginatorIdentifierOrKey. */
	originatorKey: Buffer;
	keyEncryptionAlgorithm: Buffer;
	encryptedKey: Buffer;
}

/** Ephemeral-static ECDH with dhSinglePass-stdDH-sha256kdf and the given key wrap. */
export function encryptKeyAgreement(
	recipientKey: KeyObject,
	contentKey: Buffer,
	wrap: KeyWrapAlgorithm,
	ukm?: Buffer,
): KeyAgreementOutput {
	const namedCurve = recipientKey.asymmetricKeyDetails?.namedCurve;
	if (!namedCurve) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			'The recipient certificate has an elliptic-curve key without a named curve.',
			'Use a certificate on a named curve such as P-256 or P-384.',
		);
	}
	const ephemeral = generateKeyPairSync('ec', { namedCurve });
	const sharedSecret = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipientKey });
	const sharedInfo = eccCmsSharedInfo(wrap.algorithmIdentifier, ukm, wrap.kekLength);
	const kek = ansiX963Kdf('sha256', sharedSecret, sharedInfo, wrap.kekLength);
	sharedSecret.fill(0);
	const encryptedKey = wrap.wrap(kek, contentKey);
	kek.fill(0);
	// RFC 5753 3.1.1: the originator key's algorithm is id-ecPublicKey; OpenSSL omits the curve, so do we.
	const originatorKey = tlv(
		0xa1,
		algorithmIdentifier(OID_EC_PUBLIC_KEY),
		tlv(TAG_BIT_STRING, publicKeyBits(ephemeral.publicKey)),
	);
	return {
		originatorKey,
		keyEncryptionAlgorithm: algorithmIdentifier(OID_ECDH_STD_SHA256KDF, wrap.algorithmIdentifier),
		encryptedKey,
	};
}

/** The wrap AlgorithmIdentifier: its OID, and its exact bytes, which enter the KDF. */
function readWrapAlgorithm(algorithm: Asn1Node): { oid: string; der: Buffer } {
	try {
		return { oid: algorithm.expect(Tag.sequence).child(0).oid, der: algorithm.raw };
	} catch (error) {
		if (!(error instanceof Asn1Error)) throw error;
		throw invalidCms('the key wrap algorithm parameter of the key agreement algorithm is malformed');
	}
}

/** The originator's point as a key on the recipient's curve (the originator usually omits the curve). */
function originatorPublicKey(recipientKey: KeyObject, bitString: Buffer): KeyObject {
	const recipientPublic = recipientKey.type === 'public' ? recipientKey : createPublicKey(recipientKey);
	const recipientSpki = recipientPublic.export({ format: 'der', type: 'spki' });
	const spki = tlv(TAG_SEQUENCE, readDer(recipientSpki).child(0).raw, tlv(TAG_BIT_STRING, bitString));
	try {
		return createPublicKey({ key: spki, format: 'der', type: 'spki' });
	} catch {
		const curve = recipientKey.asymmetricKeyDetails?.namedCurve ?? 'the recipient curve';
		throw invalidCms(`the originator's ephemeral public key is not a valid point on ${curve}`);
	}
}

/** BIT STRING content (unused-bits octet and point) of a public key. */
function publicKeyBits(publicKey: KeyObject): Buffer {
	return Buffer.from(readDer(publicKey.export({ format: 'der', type: 'spki' })).child(1).content);
}
