import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { EdoCryptoError } from '../errors';
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
	readElement,
	readOid,
	readSingle,
} from './der';
import { DerCursor, normalizedInteger, readAlgorithm } from './der-cursor';
import { OID_COMMON_NAME } from './envelope-oids';
import { OID_SUBJECT_KEY_IDENTIFIER } from './oids';

/** What recipient matching and key encryption need from an X.509 certificate. */
export interface RecipientCertificate {
	/** The issuer Name TLV as in the certificate. */
	issuerDer: Buffer;
	/** The serialNumber INTEGER TLV as in the certificate. */
	serialDer: Buffer;
	/** The serial number's content octets without leading zeros. */
	serial: Buffer;
	/** The subjectKeyIdentifier extension, or else the SHA-1 of the public key (RFC 5280 method 1). */
	subjectKeyIdentifiers: Buffer[];
	/** Undefined when node:crypto cannot import the key type. */
	publicKey?: KeyObject;
	publicKeyAlgorithm: string;
	/** "issuer CN=…, serial …" for messages. */
	description: string;
}

export function readRecipientCertificate(der: Uint8Array): RecipientCertificate {
	try {
		return parseCertificate(Buffer.from(der));
	} catch (error) {
		if (!(error instanceof DerParseError)) throw error;
		throw new EdoCryptoError(
			'NOT_A_CERTIFICATE',
			'The recipient certificate could not be read as a DER X.509 certificate.',
			'Pass the DER bytes of the certificate the envelope was encrypted for (convert PEM or base64 first).',
		);
	}
}

function parseCertificate(der: Buffer): RecipientCertificate {
	const certificate = readSingle(der);
	if (certificate.tag !== TAG_SEQUENCE) throw new DerParseError('certificate: expected a SEQUENCE');
	const tbsElement = new DerCursor(der, certificate, 'Certificate').required('TBSCertificate', TAG_SEQUENCE);
	const tbs = new DerCursor(der, tbsElement, 'TBSCertificate');
	tbs.optional(0xa0);
	const serialElement = tbs.required('serialNumber', TAG_INTEGER);
	tbs.required('signature algorithm', TAG_SEQUENCE);
	const issuer = tbs.required('issuer', TAG_SEQUENCE);
	tbs.required('validity', TAG_SEQUENCE);
	tbs.required('subject', TAG_SEQUENCE);
	const spki = tbs.required('subjectPublicKeyInfo', TAG_SEQUENCE);
	tbs.optional(0x81);
	tbs.optional(0x82);
	const extensions = tbs.optional(0xa3);

	const serial = normalizedInteger(contentOf(der, serialElement));
	const spkiFields = new DerCursor(der, spki, 'SubjectPublicKeyInfo');
	const algorithm = readAlgorithm(der, spkiFields.required('algorithm', TAG_SEQUENCE), 'SubjectPublicKeyInfo');
	const keyBits = contentOf(der, spkiFields.required('subjectPublicKey', TAG_BIT_STRING));
	const keyIdentifiers: Buffer[] = [];
	const fromExtension = extensions && findSubjectKeyIdentifier(der, extensions);
	if (fromExtension) keyIdentifiers.push(fromExtension);
	keyIdentifiers.push(createHash('sha1').update(keyBits.subarray(1)).digest());
	const issuerDer = bytesOf(der, issuer);
	return {
		issuerDer,
		serialDer: bytesOf(der, serialElement),
		serial,
		subjectKeyIdentifiers: keyIdentifiers,
		publicKey: importPublicKey(bytesOf(der, spki)),
		publicKeyAlgorithm: algorithm.oid,
		description: describeIssuerAndSerial(issuerDer, serial),
	};
}

function findSubjectKeyIdentifier(der: Buffer, extensionsWrapper: DerElement): Buffer | undefined {
	const list = new DerCursor(der, extensionsWrapper, 'extensions').required('Extensions', TAG_SEQUENCE);
	for (const extension of childrenOf(der, list)) {
		const fields = new DerCursor(der, extension, 'Extension');
		if (readOid(der, fields.required('extnID', 0x06), 'Extension') !== OID_SUBJECT_KEY_IDENTIFIER) continue;
		fields.optional(0x01);
		const value = contentOf(der, fields.required('extnValue', TAG_OCTET_STRING));
		const inner = readSingle(value);
		if (inner.tag !== TAG_OCTET_STRING) throw new DerParseError('subjectKeyIdentifier: expected an OCTET STRING');
		return Buffer.from(contentOf(value, inner));
	}
	return undefined;
}

/** "issuer CN=Some CA, serial 01AB…" for messages. */
export function describeIssuerAndSerial(issuerDer: Buffer, serial: Buffer): string {
	const commonName = commonNameOf(issuerDer);
	const issuer = commonName !== undefined ? `issuer CN=${commonName}` : 'issuer without CN';
	return `${issuer}, serial ${serial.toString('hex').toUpperCase()}`;
}

/** The first commonName of a DER Name, or undefined. Never throws. */
export function commonNameOf(nameDer: Buffer): string | undefined {
	try {
		const name = readElement(nameDer);
		for (const rdn of childrenOf(nameDer, name)) {
			if (rdn.tag !== TAG_SET) continue;
			for (const attribute of childrenOf(nameDer, rdn)) {
				const [type, value] = childrenOf(nameDer, attribute);
				if (type && value && readOid(nameDer, type, 'Name') === OID_COMMON_NAME) {
					return decodeDirectoryString(value.tag, contentOf(nameDer, value));
				}
			}
		}
	} catch {
		return undefined;
	}
	return undefined;
}

function decodeDirectoryString(tag: number, content: Buffer): string {
	switch (tag) {
		case 0x1e: // BMPString
			return Buffer.from(content).swap16().toString('utf16le');
		case 0x14: // TeletexString, treated as Latin-1 like most tools do
			return content.toString('latin1');
		default: // UTF8String, PrintableString, IA5String
			return content.toString('utf8');
	}
}

/** Undefined for key types node cannot import (e.g. GOST): matching still works, encryption reports it. */
function importPublicKey(spkiDer: Buffer): KeyObject | undefined {
	try {
		return createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
	} catch {
		return undefined;
	}
}
