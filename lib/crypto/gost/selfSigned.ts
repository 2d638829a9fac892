/**
 * Self-signed X.509 certificates for GOST R 34.10-2012 keys, for the sandbox and demos (@peculiar/x509 cannot
 * sign with GOST): written with the CMS DER writers and signed with our GOST signature, as OpenSSL's engine
 * lays them out (signature algorithm id-tc26-signwithdigest-gost3410-12-256/512 without parameters, value s || r
 * in the BIT STRING). Names follow the qualified-certificate rules for the Russian identifiers (NumericString for
 * INN, INNLE, OGRN, OGRNIP, SNILS; PrintableString for the country).
 */
import { createHash, randomBytes } from 'node:crypto';

import { readDer } from '../encoding';
import {
	TAG_BIT_STRING,
	TAG_SET,
	algorithmIdentifier,
	cmsTime,
	explicit,
	octetString,
	oid,
	sequence,
	tlv,
} from '../cms/der';
import type { GostPrivateKey, GostPublicKey } from './gostKey';
import * as OID from './oids';

export interface GostCertificateRequest {
	/** Name attributes in order, e.g. [['2.5.4.3', 'Иванов'], ['2.5.4.6', 'RU']]. */
	subject: Array<[string, string]>;
	notBefore: Date;
	notAfter: Date;
	/** Positive serial number bytes; 16 random bytes when omitted. */
	serialNumber?: Buffer;
	/** A CA certificate (basicConstraints cA, keyCertSign), for test chains. */
	isCa?: boolean;
}

/** The CA that signs a certificate issued by `createGostCertificate`. */
export interface GostIssuer {
	key: GostPrivateKey;
	subject: Array<[string, string]>;
}

const TAG_INTEGER = 0x02;
const TAG_UTF8_STRING = 0x0c;
const TAG_NUMERIC_STRING = 0x12;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_BOOLEAN = 0x01;

const NUMERIC_ATTRIBUTES = new Set(['1.2.643.3.131.1.1', '1.2.643.100.4', '1.2.643.100.1', '1.2.643.100.5', '1.2.643.100.3']);
const PRINTABLE_ATTRIBUTES = new Set(['2.5.4.6']);

function attributeValue(type: string, value: string): Buffer {
	if (NUMERIC_ATTRIBUTES.has(type) && /^[0-9 ]*$/.test(value)) return tlv(TAG_NUMERIC_STRING, Buffer.from(value, 'latin1'));
	if (PRINTABLE_ATTRIBUTES.has(type) && /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) return tlv(TAG_PRINTABLE_STRING, Buffer.from(value, 'latin1'));
	return tlv(TAG_UTF8_STRING, Buffer.from(value, 'utf8'));
}

function name(attributes: Array<[string, string]>): Buffer {
	return sequence(...attributes.map(([type, value]) => tlv(TAG_SET, sequence(oid(type), attributeValue(type, value)))));
}

function positiveInteger(bytes: Buffer): Buffer {
	let start = 0;
	while (start < bytes.length - 1 && bytes[start] === 0) start++;
	let value = bytes.subarray(start);
	if (value[0] & 0x80) value = Buffer.concat([Buffer.of(0), value]);
	return tlv(TAG_INTEGER, value);
}

function extension(extensionOid: string, critical: boolean, value: Buffer): Buffer {
	return critical ? sequence(oid(extensionOid), tlv(TAG_BOOLEAN, Buffer.of(0xff)), octetString(value)) : sequence(oid(extensionOid), octetString(value));
}

/** KeyUsage digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement (bits 0-4). */
const KEY_USAGE = tlv(TAG_BIT_STRING, Buffer.of(3, 0xf8));
/** KeyUsage digitalSignature, keyCertSign, cRLSign (bits 0, 5, 6). */
const CA_KEY_USAGE = tlv(TAG_BIT_STRING, Buffer.of(1, 0x86));

function keyIdentifierOf(key: GostPublicKey): Buffer {
	return createHash('sha1').update(readDer(key.toSpki()).child(1).bytes).digest();
}

/** A self-signed certificate (DER) for the key. */
export function createGostSelfSignedCertificate(key: GostPrivateKey, request: GostCertificateRequest): Buffer {
	return createGostCertificate(key.publicKey, request, { key, subject: request.subject });
}

/** A certificate (DER) for a public key, signed by the issuer's key. */
export function createGostCertificate(publicKey: GostPublicKey, request: GostCertificateRequest, issuer: GostIssuer): Buffer {
	const signatureAlgorithm = algorithmIdentifier(
		issuer.key.digest === 512 ? OID.TC26_SIGNWITHDIGEST_GOST_3410_12_512 : OID.TC26_SIGNWITHDIGEST_GOST_3410_12_256,
	);
	const subject = name(request.subject);
	const spki = publicKey.toSpki();
	const keyIdentifier = keyIdentifierOf(publicKey);
	const issuerKeyIdentifier = keyIdentifierOf(issuer.key.publicKey);
	const selfSigned = issuerKeyIdentifier.equals(keyIdentifier);
	const serial = request.serialNumber ?? Buffer.concat([Buffer.of(0x40 | (randomBytes(1)[0] & 0x3f)), randomBytes(15)]);
	const tbs = sequence(
		explicit(0, positiveInteger(Buffer.of(2))),
		positiveInteger(serial),
		signatureAlgorithm,
		name(issuer.subject),
		sequence(cmsTime(request.notBefore), cmsTime(request.notAfter)),
		subject,
		spki,
		explicit(
			3,
			sequence(
				extension('2.5.29.15', true, request.isCa ? CA_KEY_USAGE : KEY_USAGE),
				extension('2.5.29.14', false, octetString(keyIdentifier)),
				...(selfSigned ? [] : [extension('2.5.29.35', false, sequence(tlv(0x80, issuerKeyIdentifier)))]),
				extension('2.5.29.19', true, request.isCa ? sequence(tlv(TAG_BOOLEAN, Buffer.of(0xff))) : sequence()),
			),
		),
	);
	const signature = issuer.key.sign(tbs);
	return sequence(tbs, signatureAlgorithm, tlv(TAG_BIT_STRING, Buffer.of(0), signature));
}
