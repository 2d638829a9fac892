import {
	DerElement,
	DerParseError,
	TAG_BIT_STRING,
	TAG_INTEGER,
	TAG_OCTET_STRING,
	TAG_SEQUENCE,
	TAG_SET,
	bytesOf,
	childrenOf,
	contentOf,
	octetStringValue,
	readOid,
	readSingle,
} from './der';
import { AlgorithmId, DerCursor, normalizedInteger, readAlgorithm } from './der-cursor';
import { invalidCms } from './envelope-errors';
import { describeOid } from './envelope-oids';
import { OID_AUTH_ENVELOPED_DATA, OID_ENVELOPED_DATA, OID_SIGNED_DATA } from './oids';

export type RecipientIdentifier =
	| { kind: 'issuerAndSerial'; issuerDer: Buffer; serial: Buffer }
	| { kind: 'subjectKeyIdentifier'; keyIdentifier: Buffer };

export interface KeyTransportRecipient {
	type: 'keyTransport';
	rid: RecipientIdentifier;
	keyEncryption: AlgorithmId;
	encryptedKey: Buffer;
}

export type Originator = { kind: 'publicKey'; algorithm: AlgorithmId; publicKey: Buffer } | { kind: 'certificate' };

export interface KeyAgreementRecipient {
	type: 'keyAgreement';
	originator: Originator;
	ukm?: Buffer;
	/** Its parameters are the key wrap AlgorithmIdentifier. */
	keyEncryption: AlgorithmId;
	recipientKeys: Array<{ rid: RecipientIdentifier; encryptedKey: Buffer }>;
}

/** KEK, password and other recipient kinds: recognised, not supported. */
export interface OtherRecipient {
	type: 'other';
	kind: 'KEKRecipientInfo' | 'PasswordRecipientInfo' | 'OtherRecipientInfo';
}

export type RecipientInfo = KeyTransportRecipient | KeyAgreementRecipient | OtherRecipient;

export interface Envelope {
	contentType: 'EnvelopedData' | 'AuthEnvelopedData';
	recipients: RecipientInfo[];
	contentEncryption: AlgorithmId;
	/** Undefined when the content is detached. */
	encryptedContent?: Buffer;
	/** AuthEnvelopedData: the authAttrs re-tagged as SET OF, the AEAD additional data (RFC 5083 2.1). */
	authenticatedAttributes?: Buffer;
	/** AuthEnvelopedData: the message authentication code (the GCM tag). */
	mac?: Buffer;
}

/** Parses a DER (or BER) ContentInfo carrying EnvelopedData or AuthEnvelopedData. */
export function readEnvelope(input: Uint8Array): Envelope {
	const buffer = Buffer.from(input);
	if (buffer.length === 0) throw invalidCms('the input is empty');
	if (looksLikeText(buffer)) {
		throw invalidCms('the input is text (PEM or base64?), not DER bytes; decode it first');
	}
	try {
		return parseContentInfo(buffer);
	} catch (error) {
		if (error instanceof DerParseError) throw invalidCms(error.message);
		throw error;
	}
}

function parseContentInfo(buffer: Buffer): Envelope {
	const contentInfo = readSingle(buffer);
	if (contentInfo.tag !== TAG_SEQUENCE) throw new DerParseError('the data is not an ASN.1 SEQUENCE (CMS ContentInfo)');
	const fields = new DerCursor(buffer, contentInfo, 'ContentInfo');
	const contentType = readOid(buffer, fields.required('contentType', 0x06), 'ContentInfo');
	if (contentType !== OID_ENVELOPED_DATA && contentType !== OID_AUTH_ENVELOPED_DATA) {
		const found =
			contentType === OID_SIGNED_DATA
				? 'a SignedData (a signature), not an encrypted envelope'
				: `content type ${describeOid(contentType)}, expected EnvelopedData or AuthEnvelopedData`;
		throw new DerParseError(`found ${found}`);
	}
	const wrapper = fields.required('content [0]', 0xa0);
	const authenticated = contentType === OID_AUTH_ENVELOPED_DATA;
	const name = authenticated ? 'AuthEnvelopedData' : 'EnvelopedData';
	const content = new DerCursor(buffer, wrapper, 'ContentInfo content').required(name, TAG_SEQUENCE);
	const body = new DerCursor(buffer, content, name);
	body.required('version', TAG_INTEGER);
	body.optional(0xa0); // originatorInfo: certificates and CRLs, not needed to decrypt
	const recipientSet = body.required('recipientInfos', TAG_SET);
	const recipients = childrenOf(buffer, recipientSet).map((element) => readRecipientInfo(buffer, element));
	if (recipients.length === 0) throw new DerParseError(`${name} has no recipients`);
	const encryptedContentInfo = body.required('encryptedContentInfo', TAG_SEQUENCE);
	const envelope: Envelope = {
		contentType: name,
		recipients,
		...readEncryptedContentInfo(buffer, encryptedContentInfo),
	};
	if (authenticated) {
		const authAttributes = body.optional(0xa1);
		if (authAttributes) {
			const der = Buffer.from(bytesOf(buffer, authAttributes));
			der[0] = TAG_SET;
			envelope.authenticatedAttributes = der;
		}
		envelope.mac = octetStringValue(buffer, body.required('mac', TAG_OCTET_STRING, TAG_OCTET_STRING | 0x20));
	}
	return envelope;
}

function readEncryptedContentInfo(
	buffer: Buffer,
	element: DerElement,
): Pick<Envelope, 'contentEncryption' | 'encryptedContent'> {
	const fields = new DerCursor(buffer, element, 'EncryptedContentInfo');
	readOid(buffer, fields.required('contentType', 0x06), 'EncryptedContentInfo');
	const contentEncryption = readAlgorithm(
		buffer,
		fields.required('contentEncryptionAlgorithm', TAG_SEQUENCE),
		'contentEncryptionAlgorithm',
	);
	const encrypted = fields.optional(0x80, 0xa0);
	return { contentEncryption, encryptedContent: encrypted && implicitOctetString(buffer, encrypted) };
}

/** [n] IMPLICIT OCTET STRING: primitive, or BER constructed from OCTET STRING segments (streamed CMS). */
function implicitOctetString(buffer: Buffer, element: DerElement): Buffer {
	if (!(element.tag & 0x20)) return contentOf(buffer, element);
	return Buffer.concat(childrenOf(buffer, element).map((segment) => octetStringValue(buffer, segment)));
}

function readRecipientInfo(buffer: Buffer, element: DerElement): RecipientInfo {
	switch (element.tag) {
		case TAG_SEQUENCE:
			return readKeyTransport(buffer, element);
		case 0xa1:
			return readKeyAgreement(buffer, element);
		case 0xa2:
			return { type: 'other', kind: 'KEKRecipientInfo' };
		case 0xa3:
			return { type: 'other', kind: 'PasswordRecipientInfo' };
		case 0xa4:
			return { type: 'other', kind: 'OtherRecipientInfo' };
		default:
			throw new DerParseError(`unknown RecipientInfo tag 0x${element.tag.toString(16)}`);
	}
}

function readKeyTransport(buffer: Buffer, element: DerElement): KeyTransportRecipient {
	const fields = new DerCursor(buffer, element, 'KeyTransRecipientInfo');
	fields.required('version', TAG_INTEGER);
	const ridElement = fields.required('rid', TAG_SEQUENCE, 0x80);
	const rid: RecipientIdentifier =
		ridElement.tag === TAG_SEQUENCE
			? readIssuerAndSerial(buffer, ridElement)
			: { kind: 'subjectKeyIdentifier', keyIdentifier: contentOf(buffer, ridElement) };
	const keyEncryption = readAlgorithm(
		buffer,
		fields.required('keyEncryptionAlgorithm', TAG_SEQUENCE),
		'keyEncryptionAlgorithm',
	);
	const encryptedKey = octetStringValue(
		buffer,
		fields.required('encryptedKey', TAG_OCTET_STRING, TAG_OCTET_STRING | 0x20),
	);
	return { type: 'keyTransport', rid, keyEncryption, encryptedKey };
}

function readKeyAgreement(buffer: Buffer, element: DerElement): KeyAgreementRecipient {
	const fields = new DerCursor(buffer, element, 'KeyAgreeRecipientInfo');
	fields.required('version', TAG_INTEGER);
	const originatorWrapper = fields.required('originator [0]', 0xa0);
	const originator = readOriginator(
		buffer,
		new DerCursor(buffer, originatorWrapper, 'originator').required('originator', TAG_SEQUENCE, 0x80, 0xa0, 0xa1),
	);
	const ukmWrapper = fields.optional(0xa1);
	const ukm = ukmWrapper
		? octetStringValue(
				buffer,
				new DerCursor(buffer, ukmWrapper, 'ukm').required('ukm', TAG_OCTET_STRING, TAG_OCTET_STRING | 0x20),
			)
		: undefined;
	const keyEncryption = readAlgorithm(
		buffer,
		fields.required('keyEncryptionAlgorithm', TAG_SEQUENCE),
		'keyEncryptionAlgorithm',
	);
	const keys = fields.required('recipientEncryptedKeys', TAG_SEQUENCE);
	const recipientKeys = childrenOf(buffer, keys).map((entry) => {
		const entryFields = new DerCursor(buffer, entry, 'RecipientEncryptedKey');
		const ridElement = entryFields.required('rid', TAG_SEQUENCE, 0xa0);
		const rid: RecipientIdentifier =
			ridElement.tag === TAG_SEQUENCE
				? readIssuerAndSerial(buffer, ridElement)
				: readRecipientKeyIdentifier(buffer, ridElement);
		const encryptedKey = octetStringValue(
			buffer,
			entryFields.required('encryptedKey', TAG_OCTET_STRING, TAG_OCTET_STRING | 0x20),
		);
		return { rid, encryptedKey };
	});
	return { type: 'keyAgreement', originator, ukm, keyEncryption, recipientKeys };
}

function readOriginator(buffer: Buffer, element: DerElement): Originator {
	if (element.tag !== 0xa1) return { kind: 'certificate' };
	const fields = new DerCursor(buffer, element, 'OriginatorPublicKey');
	const algorithm = readAlgorithm(buffer, fields.required('algorithm', TAG_SEQUENCE), 'OriginatorPublicKey');
	const publicKey = contentOf(buffer, fields.required('publicKey', TAG_BIT_STRING));
	return { kind: 'publicKey', algorithm, publicKey };
}

function readIssuerAndSerial(buffer: Buffer, element: DerElement): RecipientIdentifier {
	const fields = new DerCursor(buffer, element, 'IssuerAndSerialNumber');
	const issuer = fields.required('issuer', TAG_SEQUENCE);
	const serial = fields.required('serialNumber', TAG_INTEGER);
	return {
		kind: 'issuerAndSerial',
		issuerDer: bytesOf(buffer, issuer),
		serial: normalizedInteger(contentOf(buffer, serial)),
	};
}

function readRecipientKeyIdentifier(buffer: Buffer, element: DerElement): RecipientIdentifier {
	const fields = new DerCursor(buffer, element, 'RecipientKeyIdentifier');
	const keyIdentifier = contentOf(buffer, fields.required('subjectKeyIdentifier', TAG_OCTET_STRING));
	return { kind: 'subjectKeyIdentifier', keyIdentifier };
}

/** PEM, base64 or hex text handed in as bytes: all printable ASCII without DER's SEQUENCE start. */
function looksLikeText(buffer: Buffer): boolean {
	if (buffer[0] === TAG_SEQUENCE) return false;
	const sample = buffer.subarray(0, 64);
	return sample.every((byte) => byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f));
}
