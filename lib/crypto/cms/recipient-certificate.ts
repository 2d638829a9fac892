import { createHash, type KeyObject } from 'node:crypto';
import { Certificate } from '../certificate';
import { readDer } from '../encoding';
import { EdoCryptoError } from '../errors';
import { OID_COMMON_NAME } from './envelope-oids';

/** What recipient matching and key encryption need from an X.509 certificate. */
export interface RecipientCertificate {
	certificate: Certificate;
	/** The issuer Name TLV as in the certificate. */
	issuerDer: Buffer;
	/** The serialNumber INTEGER TLV as in the certificate. */
	serialDer: Buffer;
	/** The subjectKeyIdentifier extension, or else the SHA-1 of the public key (RFC 5280 method 1). */
	subjectKeyIdentifiers: Buffer[];
	/** Undefined when node:crypto cannot import the key type. */
	publicKey?: KeyObject;
	/** "issuer CN=…, serial …" for messages. */
	description: string;
}

export function readRecipientCertificate(der: Uint8Array): RecipientCertificate {
	let certificate: Certificate;
	try {
		certificate = Certificate.fromDer(Buffer.from(der));
	} catch {
		throw new EdoCryptoError(
			'NOT_A_CERTIFICATE',
			'The recipient certificate could not be read as a DER X.509 certificate.',
			'Pass the DER bytes of the certificate the envelope was encrypted for (convert PEM or base64 first).',
		);
	}
	const keyBits = readDer(certificate.spkiDer).child(1).bytes;
	const keyIdentifiers: Buffer[] = [createHash('sha1').update(keyBits).digest()];
	if (certificate.subjectKeyIdentifier) keyIdentifiers.unshift(certificate.subjectKeyIdentifier);
	const issuerCommonName = certificate.issuerRdns.flat().find((attribute) => attribute.oid === OID_COMMON_NAME)?.value;
	return {
		certificate,
		issuerDer: certificate.issuerNameDer,
		serialDer: certificate.serialNumberDer,
		subjectKeyIdentifiers: keyIdentifiers,
		publicKey: importPublicKey(certificate),
		description: describeIssuerAndSerial(issuerCommonName, certificate.serialNumber),
	};
}

/** "issuer CN=Some CA, serial 01AB…" for messages. */
export function describeIssuerAndSerial(issuerCommonName: string | undefined, serialHex: string): string {
	const issuer = issuerCommonName !== undefined ? `issuer CN=${issuerCommonName}` : 'issuer without CN';
	return `${issuer}, serial ${serialHex}`;
}

/** Undefined for key types node cannot import (e.g. GOST): matching still works, encryption reports it. */
function importPublicKey(certificate: Certificate): KeyObject | undefined {
	try {
		return certificate.publicKey;
	} catch {
		return undefined;
	}
}
