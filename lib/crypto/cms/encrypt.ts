import { readDer } from '../encoding';
import { EdoCryptoError } from '../errors';
import {
	contentCipherByName,
	SUPPORTED_CONTENT_CIPHERS,
	type ContentCipher,
	type ContentCipherName,
} from './content-ciphers';
import { explicit, integer, octetString, oid, sequence, set, sortDer, tlv } from './der';
import { describeOid, OID_AES128_WRAP, OID_AES192_WRAP, OID_AES256_WRAP, OID_CMS3DES_WRAP } from './envelope-oids';
import { isGostContentCipherName, type GostContentCipherName } from './gost-content-ciphers';
import { encryptGostKeyTransport } from './gost-key-transport';
import { encryptKeyAgreement } from './key-agreement';
import { encryptKeyTransport, type OaepHash, type RsaPadding } from './key-transport';
import { keyWrapByOid, type KeyWrapAlgorithm } from './key-wrap';
import { OID_AUTH_ENVELOPED_DATA, OID_DATA, OID_ENVELOPED_DATA } from './oids';
import { readRecipientCertificate, type RecipientCertificate } from './recipient-certificate';

export interface EncryptCmsOptions {
	/**
	 * Default aes-256-cbc. The GCM ciphers produce AuthEnvelopedData (RFC 5083), the others EnvelopedData.
	 * A GOST recipient takes a GOST cipher only: a non-GOST `cipher` is then replaced by `gostCipher`.
	 */
	cipher?: ContentCipherName;
	/**
	 * GOST R 34.10-2012 recipients: gost89 (default; GOST 28147-89 CFB, CryptoPro key transport), or
	 * kuznyechik/magma-ctr-acpkm(-omac) with KExp15 key transport, as `openssl cms -encrypt -<cipher>` makes them.
	 */
	gostCipher?: GostContentCipherName;
	/** RSA recipients: PKCS#1 v1.5 (default, what OpenSSL writes) or OAEP. */
	rsaPadding?: RsaPadding;
	/** RSA-OAEP hash (and MGF1 hash); default sha1. */
	oaepHash?: OaepHash;
	/** EC recipients: user keying material, sent in the clear and mixed into the key derivation. */
	ukm?: Buffer;
}

/**
 * CMS EnvelopedData (or AuthEnvelopedData for GCM) for one recipient certificate, as DER ContentInfo:
 * RSA keys get key transport, EC keys ephemeral-static ECDH (dhSinglePass-stdDH-sha256kdf) with the AES key
 * wrap of the content key's size (3DES wrap for 3DES), like OpenSSL; GOST R 34.10-2012 keys get the GOST key
 * transport and cipher of `gostCipher`, laid out as OpenSSL's GOST engine does (see ../gost/kexp15.ts).
 */
export function encryptCms(
	content: Uint8Array,
	recipientCertificateDer: Buffer,
	options: EncryptCmsOptions = {},
): Buffer {
	const certificate = readRecipientCertificate(recipientCertificateDer);
	const isGost = certificate.certificate.isGost;
	const cipherName = isGost
		? isGostContentCipherName(options.cipher)
			? options.cipher
			: (options.gostCipher ?? 'gost89')
		: (options.cipher ?? 'aes-256-cbc');
	const cipher = contentCipherByName(cipherName);
	if (!cipher || (!isGost && isGostContentCipherName(cipherName)) || (isGost && !isGostContentCipherName(cipherName))) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`Unsupported content cipher "${String(cipherName)}" for a ${certificate.certificate.keyAlgorithm.description} recipient.`,
			`Use one of: ${SUPPORTED_CONTENT_CIPHERS} (the GOST ciphers for GOST certificates only).`,
		);
	}
	const contentKey = cipher.generateKey();
	try {
		const recipientInfo = recipientInfoFor(certificate, contentKey, cipher, options);
		const encrypted = cipher.encrypt(contentKey, content);
		const encryptedContentInfo = sequence(
			oid(OID_DATA),
			encrypted.algorithmIdentifier,
			tlv(0x80, encrypted.ciphertext),
		);
		if (cipher.authenticated) {
			const authEnveloped = sequence(
				integer(0),
				set(recipientInfo.der),
				encryptedContentInfo,
				octetString(encrypted.mac as Buffer),
			);
			return sequence(oid(OID_AUTH_ENVELOPED_DATA), explicit(0, authEnveloped));
		}
		// The GOST -omac MAC goes into an unprotected attribute: [1] IMPLICIT SET OF Attribute.
		const unprotected =
			cipher.macAttribute && encrypted.mac
				? [tlv(0xa1, ...sortDer([sequence(oid(cipher.macAttribute), set(octetString(encrypted.mac)))]))]
				: [];
		// RFC 5652 6.1: version 0 only when every RecipientInfo is version 0 (key transport) and there are no
		// unprotected attributes, else 2.
		const version = recipientInfo.version === 0 && unprotected.length === 0 ? 0 : 2;
		const enveloped = sequence(integer(version), set(recipientInfo.der), encryptedContentInfo, ...unprotected);
		return sequence(oid(OID_ENVELOPED_DATA), explicit(0, enveloped));
	} finally {
		contentKey.fill(0);
	}
}

function recipientInfoFor(
	certificate: RecipientCertificate,
	contentKey: Buffer,
	cipher: ContentCipher,
	options: EncryptCmsOptions,
): { der: Buffer; version: number } {
	const issuerAndSerial = sequence(certificate.issuerDer, certificate.serialDer);
	if (certificate.certificate.isGost) {
		const recipientAlgorithm = Buffer.from(readDer(certificate.certificate.spkiDer).child(0).raw);
		const transport = encryptGostKeyTransport(
			certificate.certificate.gostPublicKey,
			recipientAlgorithm,
			contentKey,
			cipher.name as GostContentCipherName,
		);
		const der = sequence(integer(0), issuerAndSerial, transport.keyEncryptionAlgorithm, octetString(transport.encryptedKey));
		return { der, version: 0 };
	}
	const publicKey = certificate.publicKey;
	switch (publicKey?.asymmetricKeyType) {
		case 'rsa': {
			const { algorithmIdentifier, encryptedKey } = encryptKeyTransport(
				publicKey,
				contentKey,
				options.rsaPadding ?? 'pkcs1',
				options.oaepHash ?? 'sha1',
			);
			return { der: sequence(integer(0), issuerAndSerial, algorithmIdentifier, octetString(encryptedKey)), version: 0 };
		}
		case 'ec': {
			const agreement = encryptKeyAgreement(publicKey, contentKey, keyWrapFor(cipher), options.ukm);
			const ukm = options.ukm ? [explicit(1, octetString(options.ukm))] : [];
			const recipientEncryptedKeys = sequence(sequence(issuerAndSerial, octetString(agreement.encryptedKey)));
			const der = tlv(
				0xa1,
				integer(3),
				explicit(0, agreement.originatorKey),
				...ukm,
				agreement.keyEncryptionAlgorithm,
				recipientEncryptedKeys,
			);
			return { der, version: 3 };
		}
		default:
			throw new EdoCryptoError(
				'UNSUPPORTED_ALGORITHM',
				`Cannot encrypt for a certificate with a ${describeOid(certificate.certificate.keyAlgorithm.oid)} public key.`,
				'Encryption supports RSA (key transport), elliptic-curve (ECDH) and GOST R 34.10-2012 recipient certificates.',
			);
	}
}

/** As OpenSSL: a key wrap as strong as the content key (3DES wrap for 3DES). */
function keyWrapFor(cipher: ContentCipher): KeyWrapAlgorithm {
	const wrapOid =
		cipher.name === 'des-ede3-cbc'
			? OID_CMS3DES_WRAP
			: cipher.keyLength === 16
				? OID_AES128_WRAP
				: cipher.keyLength === 24
					? OID_AES192_WRAP
					: OID_AES256_WRAP;
	return keyWrapByOid(wrapOid) as KeyWrapAlgorithm;
}
