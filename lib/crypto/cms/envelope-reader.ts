import { ContentInfo, EncryptedContentInfo, EnvelopedData, RecipientInfo, type AlgorithmIdentifier } from 'pkijs';
import { Asn1Error, Asn1Node, Tag, octets, readDer } from '../encoding';
import { EdoCryptoError } from '../errors';
import { invalidCms } from './envelope-errors';
import { describeOid } from './envelope-oids';
import { OID_AUTH_ENVELOPED_DATA, OID_ENVELOPED_DATA, OID_SIGNED_DATA } from './oids';

export interface Envelope {
	contentType: 'EnvelopedData' | 'AuthEnvelopedData';
	recipients: RecipientInfo[];
	contentEncryption: AlgorithmIdentifier;
	/** Undefined when the content is detached. */
	encryptedContent?: Buffer;
	/** AuthEnvelopedData: the authAttrs re-tagged as SET OF, the AEAD additional data (RFC 5083 2.1). */
	authenticatedAttributes?: Buffer;
	/** AuthEnvelopedData: the message authentication code (the GCM tag). */
	mac?: Buffer;
	/** EnvelopedData: first values of the unprotected attributes by type OID (the GOST -omac MAC lives there). */
	unprotectedAttributes?: Map<string, Buffer>;
}

/** Parses a DER (or BER) ContentInfo carrying EnvelopedData or AuthEnvelopedData. */
export function readEnvelope(input: Uint8Array): Envelope {
	const buffer = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
	if (buffer.length === 0) throw invalidCms('the input is empty');
	if (looksLikeText(buffer)) {
		throw invalidCms('the input is text (PEM or base64?), not DER bytes; decode it first');
	}
	try {
		return parseContentInfo(readDer(buffer));
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		if (error instanceof Asn1Error) throw invalidCms(error.truncated ? 'the data is truncated' : error.message);
		throw invalidCms('its structure does not match CMS EnvelopedData or AuthEnvelopedData');
	}
}

function parseContentInfo(contentInfo: Asn1Node): Envelope {
	if (!contentInfo.is(Tag.sequence)) throw new Asn1Error('the data is not an ASN.1 SEQUENCE (CMS ContentInfo)');
	const { contentType, content } = new ContentInfo({ schema: contentInfo.block });
	if (contentType === OID_ENVELOPED_DATA) {
		const enveloped = new EnvelopedData({ schema: content });
		const envelope = withContent({ contentType: 'EnvelopedData', recipients: enveloped.recipientInfos }, enveloped.encryptedContentInfo);
		if (enveloped.unprotectedAttrs?.length) {
			envelope.unprotectedAttributes = new Map();
			for (const attribute of enveloped.unprotectedAttrs) {
				const first = attribute.values[0];
				if (first && !envelope.unprotectedAttributes.has(attribute.type)) envelope.unprotectedAttributes.set(attribute.type, octets(first));
			}
		}
		return envelope;
	}
	if (contentType !== OID_AUTH_ENVELOPED_DATA) {
		const found =
			contentType === OID_SIGNED_DATA
				? 'a SignedData (a signature), not an encrypted envelope'
				: `content type ${describeOid(contentType)}, expected EnvelopedData or AuthEnvelopedData`;
		throw new Asn1Error(`found ${found}`);
	}
	// pkijs has no AuthEnvelopedData (RFC 5083): its own fields are read here, its standard parts by pkijs.
	const fields = new Asn1Node(content).expect(Tag.sequence).children;
	let index = fields[1]?.isContext(0) ? 2 : 1; // after the version and the optional originatorInfo
	const recipients = fields[index++]?.expect(Tag.set).children.map((node) => new RecipientInfo({ schema: node.block }));
	const encryptedContentInfo = new EncryptedContentInfo({ schema: fields[index++]?.block });
	const envelope = withContent({ contentType: 'AuthEnvelopedData', recipients: recipients ?? [] }, encryptedContentInfo);
	if (fields[index]?.isContext(1)) {
		const attributes = Buffer.from(fields[index++].raw);
		attributes[0] = 0x31; // [1] IMPLICIT -> SET OF
		envelope.authenticatedAttributes = attributes;
	}
	if (!fields[index]) throw new Asn1Error('AuthEnvelopedData ends before its mac');
	envelope.mac = octets(fields[index].block);
	return envelope;
}

function withContent(envelope: Pick<Envelope, 'contentType' | 'recipients'>, info: EncryptedContentInfo): Envelope {
	if (envelope.recipients.length === 0) throw new Asn1Error(`${envelope.contentType} has no recipients`);
	const { contentEncryptionAlgorithm, encryptedContent } = info;
	return { ...envelope, contentEncryption: contentEncryptionAlgorithm, encryptedContent: encryptedContent && octets(encryptedContent) };
}

/** PEM, base64 or hex text handed in as bytes: all printable ASCII without DER's SEQUENCE start. */
function looksLikeText(buffer: Buffer): boolean {
	if (buffer[0] === 0x30) return false;
	const sample = buffer.subarray(0, 64);
	return sample.every((byte) => byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f));
}
