/**
 * The sandbox's "DSS" signer: a P-256 key and a self-signed certificate made once per emulator instance,
 * synchronously and without the openssl CLI (the certificate DER is assembled here). DssSign answers carry
 * detached CMS SignedData by this key; verify them with this certificate (it is its own trust anchor).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { CmsSignedDataBuilder, localKeySignatureProvider } from '../../../lib/crypto/cms/sign';
import { algorithmIdentifier, explicit, integer, octetString, oid, sequence, set, tlv, cmsTime } from '../../../lib/crypto/cms/der';

const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';
const OID_COUNTRY = '2.5.4.6';
const OID_SNILS = '1.2.643.100.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';

const TAG_UTF8_STRING = 0x0c;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_NUMERIC_STRING = 0x12;
const TAG_BIT_STRING = 0x03;
const DER_TRUE = Buffer.from([0x01, 0x01, 0xff]);

export interface DssIdentity {
	certificateDer: Buffer;
	certificatePem: string;
	/** SHA-1 of the certificate DER, upper-case hex: the user's DSS certificate thumbprint. */
	thumbprint: string;
	/** Detached CMS SignedData over content given as one or more chunks (hashed, never joined). */
	signDetached(chunks: readonly Uint8Array[], signingTime: Date): Promise<Buffer>;
}

function attribute(type: string, tag: number, value: string): Buffer {
	return set(sequence(oid(type), tlv(tag, Buffer.from(value, tag === TAG_UTF8_STRING ? 'utf8' : 'latin1'))));
}

function extension(type: string, critical: boolean, value: Buffer): Buffer {
	return critical ? sequence(oid(type), DER_TRUE, octetString(value)) : sequence(oid(type), octetString(value));
}

function positiveSerial(): Buffer {
	const bytes = randomBytes(16);
	bytes[0] &= 0x7f;
	bytes[0] |= 0x01;
	return tlv(0x02, bytes);
}

/** A self-signed P-256 certificate for `subject`, valid from a day ago for two years. */
function selfSignedCertificate(key: KeyObject, publicKey: KeyObject, subject: { commonName: string; snils: string }, now: Date): Buffer {
	const name = sequence(
		attribute(OID_COUNTRY, TAG_PRINTABLE_STRING, 'RU'),
		attribute(OID_ORGANIZATION, TAG_UTF8_STRING, 'n8n-nodes-edo sandbox DSS'),
		attribute(OID_COMMON_NAME, TAG_UTF8_STRING, subject.commonName),
		attribute(OID_SNILS, TAG_NUMERIC_STRING, subject.snils),
	);
	const spki = publicKey.export({ type: 'spki', format: 'der' });
	// The BIT STRING of the SPKI is its last element; for P-256 uncompressed points it is the last 65 bytes.
	const publicKeyBits = spki.subarray(spki.length - 65);
	const signatureAlgorithm = algorithmIdentifier(OID_ECDSA_WITH_SHA256);
	const notBefore = new Date(now.getTime() - 24 * 3600_000);
	const notAfter = new Date(now.getTime() + 2 * 365 * 24 * 3600_000);
	const extensions = sequence(
		extension(OID_BASIC_CONSTRAINTS, true, sequence()),
		// digitalSignature + nonRepudiation: bits 0 and 1, six unused bits.
		extension(OID_KEY_USAGE, true, tlv(TAG_BIT_STRING, Buffer.from([0x06, 0xc0]))),
		extension(OID_SUBJECT_KEY_IDENTIFIER, false, octetString(createHash('sha1').update(publicKeyBits).digest())),
	);
	const tbs = sequence(
		explicit(0, integer(2)),
		positiveSerial(),
		signatureAlgorithm,
		name,
		sequence(cmsTime(notBefore), cmsTime(notAfter)),
		name,
		spki,
		explicit(3, extensions),
	);
	const signature = sign('sha256', tbs, key);
	return sequence(tbs, signatureAlgorithm, tlv(TAG_BIT_STRING, Buffer.from([0x00]), signature));
}

export function createDssIdentity(subject: { commonName: string; snils: string }, now = new Date()): DssIdentity {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const certificateDer = selfSignedCertificate(privateKey, publicKey, subject, now);
	const builder = new CmsSignedDataBuilder({ certificateDer, provider: localKeySignatureProvider(privateKey) });
	const base64 = certificateDer.toString('base64').replace(/.{1,64}/g, '$&\n');
	return {
		certificateDer,
		certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
		thumbprint: createHash('sha1').update(certificateDer).digest('hex').toUpperCase(),
		signDetached(chunks, signingTime) {
			const hash = createHash('sha256');
			for (const chunk of chunks) hash.update(chunk);
			return builder.signDigest(hash.digest(), { signingTime, hashAlgorithm: 'SHA-256' });
		},
	};
}
