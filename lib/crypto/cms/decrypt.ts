import { KeyObject } from 'node:crypto';
import type { OctetString } from 'asn1js';
import {
	IssuerAndSerialNumber,
	KeyAgreeRecipientInfo,
	KeyTransRecipientInfo,
	RecipientKeyIdentifier,
	type RecipientInfo,
} from 'pkijs';
import { Asn1Node, integerHex, octets, parametersOf } from '../encoding';
import { EdoCryptoError } from '../errors';
import { GostPrivateKey, type GostPublicKey } from '../gost/gostKey';
import type { PrivateKey } from '../keys';
import { contentCipherByOid, SUPPORTED_CONTENT_CIPHERS, type ContentCipher } from './content-ciphers';
import { decryptionFailed, invalidCms, keyTypeMismatch, unsupportedAlgorithm } from './envelope-errors';
import {
	decryptGostKeyTransport,
	isGostKeyTransport,
	localGostAgreement,
	rejectGost2001Transport,
	type GostAgreement,
} from './gost-key-transport';
import { OID_COMMON_NAME } from './envelope-oids';
import { readEnvelope, type Envelope } from './envelope-reader';
import { decryptKeyAgreement } from './key-agreement';
import { decryptKeyTransport, keyTransportScheme, type KeyTransportScheme } from './key-transport';
import { describeIssuerAndSerial, readRecipientCertificate, type RecipientCertificate } from './recipient-certificate';

export interface CmsRecipient {
	/** DER of the recipient's certificate: selects the RecipientInfo addressed to it. */
	certificateDer: Buffer;
	/** The private key (a KeyObject or a GOST key), or the private-key step done elsewhere (a PKCS#11 token, an HSM). */
	key: PrivateKey | CmsExternalPrivateKey;
}

/**
 * A private key that never leaves its token: only the private-key operation runs there, the rest (recipient
 * matching, KDF, key unwrap, content decryption) stays here. A missing operation means "not supported".
 */
export interface CmsExternalPrivateKey {
	/** Key transport: returns the content-encryption key (`keyLength` bytes) decrypted from `encryptedKey`. */
	decryptKeyTransport?(scheme: KeyTransportScheme, encryptedKey: Buffer, keyLength: number): Buffer;
	/** Key agreement: the raw ECDH shared secret (the x coordinate) with the originator's public key. */
	deriveSharedSecret?(originatorPublicKey: KeyObject): Buffer;
	/**
	 * GOST key transport (both the 28147-89 and the KExp15 profile): VKO GOST R 34.10-2012 of the key with the
	 * sender's ephemeral public key, i.e. Streebog-`hashSize` of LE(x) || LE(y) of (UKM * d) * ephemeral point,
	 * `ukm` read as a little-endian integer (PKCS#11 CKM_GOSTR3410_12_DERIVE with the matching KDF).
	 */
	agreeGost?(ephemeralPublicKey: GostPublicKey, ukm: Buffer, hashSize: 256 | 512): Buffer;
}

/** The RecipientInfo (and, for key agreement, the encrypted key) addressed to our certificate. */
type MatchedRecipient =
	| { type: 'keyTransport'; info: KeyTransRecipientInfo }
	| { type: 'keyAgreement'; info: KeyAgreeRecipientInfo; encryptedKey: Buffer };

/** How a RecipientInfo names a certificate: issuer and serial, or subject key identifier. */
type RecipientIdentifier = IssuerAndSerialNumber | RecipientKeyIdentifier | OctetString;

/** pkijs RecipientInfo variants that name no certificate. */
const OTHER_RECIPIENT_KINDS: Record<number, string> = { 3: 'KEKRecipientInfo', 4: 'PasswordRecipientInfo', 5: 'OtherRecipientInfo' };

/**
 * Decrypts a DER ContentInfo holding CMS EnvelopedData or AuthEnvelopedData for the given recipient.
 * Throws EdoCryptoError: INVALID_CMS, NO_MATCHING_RECIPIENT, UNSUPPORTED_ALGORITHM, KEY_MISMATCH,
 * DECRYPTION_FAILED (one generic message for every cryptographic failure).
 */
export function decryptCms(envelope: Uint8Array, recipient: CmsRecipient): Buffer {
	if (recipient.key instanceof KeyObject && recipient.key.type !== 'private') {
		throw new EdoCryptoError(
			'NOT_A_PRIVATE_KEY',
			'Decryption needs a private key, but a public or secret key was given.',
			'Pass the private key of the recipient certificate.',
		);
	}
	const parsed = readEnvelope(envelope);
	const certificate = readRecipientCertificate(recipient.certificateDer);
	const match = findRecipient(parsed.recipients, certificate);
	const cipher = contentCipherFor(parsed);
	if (parsed.encryptedContent === undefined) {
		throw invalidCms('the encrypted content is detached (not inside the envelope), which is not supported');
	}
	const contentKey = decryptContentKey(match, recipient.key, cipher.keyLength, certificate);
	try {
		const macAttribute = cipher.macAttribute ? parsed.unprotectedAttributes?.get(cipher.macAttribute) : undefined;
		const authentication = parsed.mac
			? { mac: parsed.mac, additionalData: parsed.authenticatedAttributes }
			: macAttribute
				? { mac: macAttribute }
				: undefined;
		return cipher.decrypt(contentKey, parametersOf(parsed.contentEncryption), parsed.encryptedContent, authentication);
	} finally {
		contentKey.fill(0);
	}
}

/** `keyLength` is what the content cipher needs; RSA PKCS#1 v1.5 relies on it for implicit rejection. */
function decryptContentKey(
	match: MatchedRecipient,
	key: PrivateKey | CmsExternalPrivateKey,
	keyLength: number,
	certificate: RecipientCertificate,
): Buffer {
	let contentKey: Buffer;
	try {
		switch (match.type) {
			case 'keyTransport': {
				const { keyEncryptionAlgorithm, encryptedKey } = match.info;
				const { algorithmId } = keyEncryptionAlgorithm;
				const parameters = parametersOf(keyEncryptionAlgorithm);
				if (isGostKeyTransport(algorithmId)) {
					rejectGost2001Transport(algorithmId);
					const recipientKey = recipientGostKey(certificate);
					contentKey = decryptGostKeyTransport(gostAgreement(key, recipientKey), recipientKey, algorithmId, octets(encryptedKey));
					break;
				}
				if (key instanceof GostPrivateKey) throw keyTypeMismatch('RSA key transport', key);
				if (key instanceof KeyObject) {
					contentKey = decryptKeyTransport(key, algorithmId, parameters, octets(encryptedKey), keyLength);
				} else {
					const decrypt = externalOperation(key.decryptKeyTransport, 'key transport');
					contentKey = decrypt(keyTransportScheme(algorithmId, parameters), octets(encryptedKey), keyLength);
				}
				break;
			}
			case 'keyAgreement':
				if (key instanceof GostPrivateKey) throw keyTypeMismatch('elliptic-curve key agreement (ECDH)', key);
				if (key instanceof KeyObject) {
					contentKey = decryptKeyAgreement(key, match.info, match.encryptedKey);
				} else {
					const derive = externalOperation(key.deriveSharedSecret, 'key agreement');
					contentKey = decryptKeyAgreement(recipientPublicKey(certificate), match.info, match.encryptedKey, derive);
				}
				break;
		}
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw decryptionFailed();
	}
	if (contentKey.length !== keyLength) {
		contentKey.fill(0);
		throw decryptionFailed();
	}
	return contentKey;
}

function externalOperation<T extends (...args: never[]) => Buffer>(operation: T | undefined, scheme: string): T {
	if (!operation) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The envelope uses ${scheme}, which the key's token does not offer for decryption.`,
			'Ask the sender to encrypt for a certificate whose key the token can use, or decrypt with a local key.',
		);
	}
	return operation;
}

/** The certificate's GOST key: the envelope's GOST key transport is for it. */
function recipientGostKey(certificate: RecipientCertificate): GostPublicKey {
	if (!certificate.certificate.isGost) {
		throw new EdoCryptoError(
			'KEY_MISMATCH',
			`The envelope uses GOST key transport, but the certificate has a ${certificate.certificate.keyAlgorithm.description} key.`,
			'Decrypt with the GOST certificate (and key) the envelope was made for.',
		);
	}
	return certificate.certificate.gostPublicKey;
}

function gostAgreement(key: PrivateKey | CmsExternalPrivateKey, recipient: GostPublicKey): GostAgreement {
	if (key instanceof GostPrivateKey) {
		if (!key.publicKey.equals(recipient)) {
			throw new EdoCryptoError(
				'KEY_MISMATCH',
				'The GOST private key does not belong to the recipient certificate.',
				'Use the private key of the certificate the envelope was made for.',
			);
		}
		return localGostAgreement(key);
	}
	if (key instanceof KeyObject) throw keyTypeMismatch('GOST key transport (VKO GOST R 34.10-2012)', key);
	const agree = externalOperation(key.agreeGost, 'GOST key transport (VKO GOST R 34.10-2012)');
	return (ephemeral, ukm, hashSize) => agree.call(key, ephemeral, ukm, hashSize);
}

function recipientPublicKey(certificate: RecipientCertificate): KeyObject {
	if (!certificate.publicKey) {
		throw unsupportedAlgorithm('recipient public key algorithm', certificate.certificate.keyAlgorithm.oid, 'EC keys for key agreement');
	}
	return certificate.publicKey;
}

function contentCipherFor(envelope: Envelope): ContentCipher {
	const oid = envelope.contentEncryption.algorithmId;
	const cipher = contentCipherByOid(oid);
	if (!cipher) throw unsupportedAlgorithm('content encryption algorithm', oid, SUPPORTED_CONTENT_CIPHERS);
	if (envelope.contentType === 'AuthEnvelopedData' && !cipher.authenticated) {
		throw invalidCms(`AuthEnvelopedData must use an authenticated cipher, but it uses ${cipher.name}`);
	}
	if (envelope.contentType === 'EnvelopedData' && cipher.authenticated) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The envelope carries ${cipher.name} content in EnvelopedData; authenticated ciphers belong in AuthEnvelopedData (RFC 5083/5084).`,
			'Ask the sender to use AuthEnvelopedData for AES-GCM (as OpenSSL does) or a CBC cipher.',
		);
	}
	return cipher;
}

function findRecipient(recipients: RecipientInfo[], certificate: RecipientCertificate): MatchedRecipient {
	for (const { value: info } of recipients) {
		if (info instanceof KeyTransRecipientInfo && identifies(info.rid, certificate)) return { type: 'keyTransport', info };
		if (info instanceof KeyAgreeRecipientInfo) {
			const entry = info.recipientEncryptedKeys.encryptedKeys.find((candidate) => identifies(candidate.rid.value, certificate));
			if (entry) return { type: 'keyAgreement', info, encryptedKey: octets(entry.encryptedKey) };
		}
	}
	const unsupportedKinds = recipients.flatMap(({ variant }) => OTHER_RECIPIENT_KINDS[variant] ?? []);
	if (unsupportedKinds.length === recipients.length) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The envelope has only ${[...new Set(unsupportedKinds)].join(', ')} recipients (shared key or password); ` +
				'only certificate recipients (key transport, key agreement) are supported.',
			'Ask the sender to encrypt the envelope for your certificate.',
		);
	}
	throw new EdoCryptoError(
		'NO_MATCHING_RECIPIENT',
		`The envelope is not addressed to this certificate (${certificate.description}). ` +
			`It is addressed to: ${describeRecipients(recipients)}.`,
		'Decrypt with the certificate and private key of one of those recipients, or ask the sender to encrypt for this certificate.',
	);
}

function identifies(rid: RecipientIdentifier, certificate: RecipientCertificate): boolean {
	if (rid instanceof IssuerAndSerialNumber) {
		return serialHex(rid) === certificate.certificate.serialNumber && Buffer.from(rid.issuer.valueBeforeDecode).equals(certificate.issuerDer);
	}
	const keyIdentifier = keyIdentifierOf(rid);
	return certificate.subjectKeyIdentifiers.some((identifier) => identifier.equals(keyIdentifier));
}

const MAX_LISTED_RECIPIENTS = 10;

function describeRecipients(recipients: RecipientInfo[]): string {
	const descriptions = recipients.flatMap(({ variant, value: info }) => {
		if (info instanceof KeyTransRecipientInfo) return [describeRid(info.rid)];
		if (info instanceof KeyAgreeRecipientInfo) return info.recipientEncryptedKeys.encryptedKeys.map((entry) => describeRid(entry.rid.value));
		return [`a ${OTHER_RECIPIENT_KINDS[variant] ?? 'recipient of an unknown kind'}`];
	});
	const listed = descriptions.slice(0, MAX_LISTED_RECIPIENTS).join('; ');
	const more = descriptions.length - MAX_LISTED_RECIPIENTS;
	return more > 0 ? `${listed}; and ${more} more` : listed;
}

function describeRid(rid: RecipientIdentifier): string {
	if (rid instanceof IssuerAndSerialNumber) {
		const commonName = rid.issuer.typesAndValues.find((attribute) => attribute.type === OID_COMMON_NAME)?.value.valueBlock.value;
		return describeIssuerAndSerial(typeof commonName === 'string' ? commonName : undefined, serialHex(rid));
	}
	return `subject key identifier ${keyIdentifierOf(rid).toString('hex').toUpperCase()}`;
}

function serialHex(rid: IssuerAndSerialNumber): string {
	return integerHex(new Asn1Node(rid.serialNumber).bytes);
}

function keyIdentifierOf(rid: RecipientKeyIdentifier | OctetString): Buffer {
	return octets(rid instanceof RecipientKeyIdentifier ? rid.subjectKeyIdentifier : rid);
}
