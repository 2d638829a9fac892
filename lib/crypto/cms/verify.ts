/**
 * Verification of CMS SignedData (RFC 5652): recomputes the content digest, checks it against messageDigest,
 * checks each signature over the signed attributes (or the content when there are none) and the ESS
 * signing-certificate binding. It does NOT build or check a certificate trust chain.
 */
import crypto from 'node:crypto';

import { EdoCryptoError } from '../errors';
import {
	DerElement,
	DerParseError,
	TAG_CONTEXT_CONSTRUCTED,
	TAG_CONTEXT_PRIMITIVE,
	TAG_INTEGER,
	TAG_OCTET_STRING,
	TAG_SEQUENCE,
	TAG_SET,
	bytesOf,
	childrenOf,
	contentOf,
	decodeTime,
	octetStringValue,
	readElement,
	readOid,
	readSingle,
} from './der';
import * as OID from './oids';
import { CertificateIdentifiers, pemToDer, readCertificateIdentifiers } from './sign';

export interface CmsSignerReport {
	certificateDer?: Buffer;
	subject?: string;
	/** Upper-case hex of the serial number (as OpenSSL prints it). */
	serialNumber: string;
	digestAlgorithm: string;
	signatureAlgorithm: string;
	/** ISO 8601, from the signingTime attribute. */
	signingTime?: string;
	signatureValid: boolean;
	/** messageDigest equals the recomputed content digest (without signed attributes: same as signatureValid). */
	digestMatches: boolean;
	/** The ESS signingCertificate(V2) attribute names the signer certificate; undefined when absent. */
	signingCertificateV2Matches?: boolean;
	error?: string;
}

export interface CmsVerification {
	/** Every signer's signature and digest check out (and there is at least one signer). */
	valid: boolean;
	detached: boolean;
	/** The encapsulated content of an attached signature. */
	content?: Buffer;
	signers: CmsSignerReport[];
	/** Always false: certificates are not chained to a trusted root or checked for revocation here. */
	trustChainChecked: false;
}

export interface CmsVerifyOptions {
	/** Certificates to look the signer up in when the CMS does not carry its certificate (DER or PEM). */
	certificates?: Uint8Array[];
}

const CONTENT_TYPE_NAMES: Record<string, string> = {
	[OID.OID_DATA]: 'Data',
	[OID.OID_SIGNED_DATA]: 'SignedData',
	[OID.OID_ENVELOPED_DATA]: 'EnvelopedData',
	[OID.OID_SIGNED_AND_ENVELOPED_DATA]: 'SignedAndEnvelopedData',
	[OID.OID_DIGESTED_DATA]: 'DigestedData',
	[OID.OID_ENCRYPTED_DATA]: 'EncryptedData',
	[OID.OID_AUTHENTICATED_DATA]: 'AuthenticatedData',
	[OID.OID_COMPRESSED_DATA]: 'CompressedData',
	[OID.OID_AUTH_ENVELOPED_DATA]: 'AuthEnvelopedData',
};

const DIGESTS: Record<string, { name: string; node: string }> = {
	[OID.OID_SHA1]: { name: 'SHA-1', node: 'sha1' },
	[OID.OID_SHA224]: { name: 'SHA-224', node: 'sha224' },
	[OID.OID_SHA256]: { name: 'SHA-256', node: 'sha256' },
	[OID.OID_SHA384]: { name: 'SHA-384', node: 'sha384' },
	[OID.OID_SHA512]: { name: 'SHA-512', node: 'sha512' },
};

/** Signature algorithms: the key type they need and the hash they imply (undefined: the SignerInfo digest). */
const SIGNATURES: Record<string, { name: string; keyType: 'rsa' | 'ec'; hash?: string }> = {
	[OID.OID_RSA_ENCRYPTION]: { name: 'rsaEncryption', keyType: 'rsa' },
	[OID.OID_SHA1_WITH_RSA]: { name: 'sha1WithRSAEncryption', keyType: 'rsa', hash: 'sha1' },
	[OID.OID_SHA224_WITH_RSA]: { name: 'sha224WithRSAEncryption', keyType: 'rsa', hash: 'sha224' },
	[OID.OID_SHA256_WITH_RSA]: { name: 'sha256WithRSAEncryption', keyType: 'rsa', hash: 'sha256' },
	[OID.OID_SHA384_WITH_RSA]: { name: 'sha384WithRSAEncryption', keyType: 'rsa', hash: 'sha384' },
	[OID.OID_SHA512_WITH_RSA]: { name: 'sha512WithRSAEncryption', keyType: 'rsa', hash: 'sha512' },
	[OID.OID_EC_PUBLIC_KEY]: { name: 'ecPublicKey', keyType: 'ec' },
	[OID.OID_ECDSA_WITH_SHA1]: { name: 'ecdsa-with-SHA1', keyType: 'ec', hash: 'sha1' },
	[OID.OID_ECDSA_WITH_SHA224]: { name: 'ecdsa-with-SHA224', keyType: 'ec', hash: 'sha224' },
	[OID.OID_ECDSA_WITH_SHA256]: { name: 'ecdsa-with-SHA256', keyType: 'ec', hash: 'sha256' },
	[OID.OID_ECDSA_WITH_SHA384]: { name: 'ecdsa-with-SHA384', keyType: 'ec', hash: 'sha384' },
	[OID.OID_ECDSA_WITH_SHA512]: { name: 'ecdsa-with-SHA512', keyType: 'ec', hash: 'sha512' },
};

interface KnownCertificate {
	der: Buffer;
	ids: CertificateIdentifiers;
}

function invalid(message: string, hint = 'Provide a DER-encoded CMS SignedData (.p7s / .sig) file.'): EdoCryptoError {
	return new EdoCryptoError('INVALID_CMS', message, hint);
}

/** Verifies a CMS SignedData (DER; PEM is tolerated). `detachedContent` is required for detached signatures. */
export function verifyCms(signature: Uint8Array, detachedContent?: Uint8Array, options: CmsVerifyOptions = {}): CmsVerification {
	if (!(signature instanceof Uint8Array)) {
		throw new EdoCryptoError('INVALID_INPUT', 'The signature must be binary data.', 'Pass the signature file contents as a Buffer.');
	}
	if (detachedContent !== undefined && detachedContent !== null && !(detachedContent instanceof Uint8Array)) {
		throw new EdoCryptoError('INVALID_INPUT', 'The signed data must be binary data.', 'Pass the signed file contents as a Buffer.');
	}
	const der = pemToDer(Buffer.from(signature.buffer, signature.byteOffset, signature.length), 'CMS|PKCS7');
	const parsed = parseSignedData(der);

	let content: Buffer;
	if (parsed.content) {
		if (detachedContent && !parsed.content.equals(Buffer.from(detachedContent))) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				'The signature carries its own signed content, and the separately supplied data differs from it.',
				'Verify the attached signature on its own, or supply the same data.',
			);
		}
		content = parsed.content;
	} else {
		if (!detachedContent) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				'This is a detached signature: it does not contain the signed data, so the signed data must be supplied.',
				'Pass the original signed file together with the signature.',
			);
		}
		content = Buffer.from(detachedContent.buffer, detachedContent.byteOffset, detachedContent.length);
	}

	const certificates = [...parsed.certificates];
	for (const extra of options.certificates ?? []) {
		const known = tryReadCertificate(pemToDer(Buffer.from(extra), 'CERTIFICATE'));
		if (known) certificates.push(known);
	}

	const digests = new Map<string, Buffer>();
	const digestOf = (nodeName: string) => {
		let digest = digests.get(nodeName);
		if (!digest) {
			digest = crypto.createHash(nodeName).update(content).digest();
			digests.set(nodeName, digest);
		}
		return digest;
	};
	const signers = parsed.signerInfos.map((signerInfo) =>
		verifySigner(der, signerInfo, parsed.eContentType, certificates, { content, digestOf }),
	);
	return {
		valid: signers.length > 0 && signers.every((s) => !s.error && s.signatureValid && s.digestMatches && s.signingCertificateV2Matches !== false),
		detached: !parsed.content,
		content: parsed.content,
		signers,
		trustChainChecked: false,
	};
}

// ---------------------------------------------------------------- structure

interface ParsedSignedData {
	eContentType: string;
	content?: Buffer;
	certificates: KnownCertificate[];
	signerInfos: DerElement[];
}

function parseSignedData(der: Buffer): ParsedSignedData {
	if (der.length === 0) throw invalid('The signature is empty (0 bytes).');
	const what = describeNonDer(der);
	if (what) throw invalid(`The signature is not a DER CMS structure: ${what}.`, hintFor(what));
	try {
		const contentInfo = readSingle(der);
		const top = expectTag(der, contentInfo, TAG_SEQUENCE, 'ContentInfo');
		if (top[0]?.tag === TAG_SEQUENCE) {
			throw invalid('Found an X.509 certificate or another structure, not a CMS ContentInfo.', 'Pass the signature file, not the certificate.');
		}
		if (top.length < 1) throw new DerParseError('ContentInfo is empty');
		const contentType = readOid(der, top[0], 'ContentInfo.contentType');
		if (contentType !== OID.OID_SIGNED_DATA) {
			const name = CONTENT_TYPE_NAMES[contentType] ?? `content type ${contentType}`;
			throw invalid(`Found CMS ${name}, not SignedData.`, 'Pass a signature (SignedData); encrypted messages are decrypted, not verified.');
		}
		if (top.length < 2 || top[1].tag !== (TAG_CONTEXT_CONSTRUCTED | 0)) throw new DerParseError('ContentInfo has no content');
		const [signedDataElement] = childrenOf(der, top[1]);
		if (!signedDataElement) throw new DerParseError('ContentInfo content is empty');
		const fields = expectTag(der, signedDataElement, TAG_SEQUENCE, 'SignedData');
		let index = 0;
		expectTag(der, fields[index++], TAG_INTEGER, 'SignedData.version');
		expectTag(der, fields[index++], TAG_SET, 'SignedData.digestAlgorithms');
		const encap = expectTag(der, fields[index++], TAG_SEQUENCE, 'SignedData.encapContentInfo');
		if (encap.length < 1) throw new DerParseError('encapContentInfo is empty');
		const eContentType = readOid(der, encap[0], 'eContentType');
		let content: Buffer | undefined;
		if (encap[1]) {
			if (encap[1].tag !== (TAG_CONTEXT_CONSTRUCTED | 0)) throw new DerParseError('eContent is not [0]');
			const [octets] = childrenOf(der, encap[1]);
			content = octets ? Buffer.from(octetStringValue(der, octets)) : Buffer.alloc(0);
		}
		const certificates: KnownCertificate[] = [];
		if (fields[index]?.tag === (TAG_CONTEXT_CONSTRUCTED | 0)) {
			for (const choice of childrenOf(der, fields[index++])) {
				if (choice.tag !== TAG_SEQUENCE) continue; // attribute / other certificate formats
				const known = tryReadCertificate(Buffer.from(bytesOf(der, choice)));
				if (known) certificates.push(known);
			}
		}
		if (fields[index]?.tag === (TAG_CONTEXT_CONSTRUCTED | 1)) index++; // crls
		const signerInfos = expectTag(der, fields[index], TAG_SET, 'SignedData.signerInfos');
		return { eContentType, content, certificates, signerInfos };
	} catch (error) {
		if (error instanceof DerParseError) throw invalid(`The signature is not a valid CMS SignedData: ${error.message}.`);
		throw error;
	}
}

function expectTag(der: Buffer, element: DerElement | undefined, tag: number, what: string): DerElement[] {
	if (!element) throw new DerParseError(`${what} is missing`);
	if (element.tag !== tag) {
		throw new DerParseError(`${what} has tag 0x${element.tag.toString(16)} where 0x${tag.toString(16)} was expected`);
	}
	return element.tag & 0x20 ? childrenOf(der, element) : [];
}

/** Names obviously non-DER input, so the message can say what was found instead. */
function describeNonDer(der: Buffer): string | undefined {
	const head = der.subarray(0, 64).toString('latin1');
	if (head.startsWith('-----BEGIN')) return `PEM text "${head.split('\n')[0].trim()}" that is not a CMS/PKCS7 block`;
	if (/^\s*<\?xml|^\s*</.test(head)) return 'the data looks like XML/HTML text';
	if (/^%PDF/.test(head)) return 'the data is a PDF document';
	if (/^[A-Za-z0-9+/=\r\n]+$/.test(der.subarray(0, 256).toString('latin1')) && der[0] === 0x4d) return 'the data looks like Base64 text';
	if (der[0] !== TAG_SEQUENCE) return `it starts with byte 0x${der[0].toString(16).padStart(2, '0')}, not an ASN.1 SEQUENCE`;
	return undefined;
}

function hintFor(what: string): string {
	if (what.includes('Base64')) return 'Decode the Base64 text to bytes first.';
	if (what.includes('XML') || what.includes('PDF')) return 'This looks like the signed document itself; pass the signature file instead.';
	return 'Provide a DER-encoded CMS SignedData (.p7s / .sig) file.';
}

function tryReadCertificate(der: Buffer): KnownCertificate | undefined {
	try {
		return { der, ids: readCertificateIdentifiers(der) };
	} catch {
		return undefined;
	}
}

// ---------------------------------------------------------------- one signer

function verifySigner(
	der: Buffer,
	signerInfo: DerElement,
	eContentType: string,
	certificates: KnownCertificate[],
	context: { content: Buffer; digestOf: (nodeName: string) => Buffer },
): CmsSignerReport {
	const { digestOf } = context;
	let fields: DerElement[];
	try {
		fields = expectTag(der, signerInfo, TAG_SEQUENCE, 'SignerInfo');
	} catch (error) {
		throw invalid(`The signature is not a valid CMS SignedData: ${(error as Error).message}.`);
	}
	const report: CmsSignerReport = {
		serialNumber: '',
		digestAlgorithm: 'unknown',
		signatureAlgorithm: 'unknown',
		signatureValid: false,
		digestMatches: false,
	};
	try {
		let index = 1; // version
		const sid = fields[index++];
		const digestAlgorithm = algorithmOid(der, fields[index++], 'SignerInfo.digestAlgorithm');
		let signedAttributes: DerElement | undefined;
		if (fields[index]?.tag === (TAG_CONTEXT_CONSTRUCTED | 0)) signedAttributes = fields[index++];
		const signatureAlgorithmElement = fields[index++];
		const signatureAlgorithm = algorithmOid(der, signatureAlgorithmElement, 'SignerInfo.signatureAlgorithm');
		if (!fields[index] || fields[index].tag !== TAG_OCTET_STRING) throw new DerParseError('SignerInfo.signature is missing');
		const signatureValue = contentOf(der, fields[index]);

		const digest = DIGESTS[digestAlgorithm];
		const signatureInfo = SIGNATURES[signatureAlgorithm];
		report.digestAlgorithm = digest?.name ?? digestAlgorithm;
		report.signatureAlgorithm = signatureInfo?.name ?? signatureAlgorithm;

		const certificate = findCertificate(der, sid, certificates, report);
		let x509: crypto.X509Certificate | undefined;
		if (certificate) {
			report.certificateDer = certificate.der;
			try {
				x509 = new crypto.X509Certificate(certificate.der);
				report.subject = x509.subject.split('\n').join(', ');
			} catch {
				// Reported below, where the key is needed.
			}
		}

		const attributes = signedAttributes ? readAttributes(der, signedAttributes) : undefined;
		const signingTime = attributes?.get(OID.OID_ATTR_SIGNING_TIME);
		if (signingTime) report.signingTime = decodeTime(der, signingTime).toISOString();

		if (!digest) return fail(report, `digest algorithm ${digestAlgorithm} is not supported`);
		if (!signatureInfo) return fail(report, `signature algorithm ${signatureAlgorithm} is not supported`);
		let signedBytes: Buffer;
		if (attributes && signedAttributes) {
			const messageDigest = attributes.get(OID.OID_ATTR_MESSAGE_DIGEST);
			const contentType = attributes.get(OID.OID_ATTR_CONTENT_TYPE);
			report.digestMatches = !!messageDigest && messageDigest.tag === TAG_OCTET_STRING && contentOf(der, messageDigest).equals(digestOf(digest.node));
			if (!messageDigest) report.error = 'the signed attributes have no messageDigest';
			else if (!contentType || readOid(der, contentType, 'contentType attribute') !== eContentType) {
				report.error = 'the contentType attribute does not match the encapsulated content type';
			}
			// The signature covers the attributes as a SET OF (tag 0x31), not as the [0] IMPLICIT field.
			signedBytes = Buffer.from(bytesOf(der, signedAttributes));
			signedBytes[0] = TAG_SET;
			const ess = attributes.get(OID.OID_ATTR_SIGNING_CERTIFICATE_V2) ?? attributes.get(OID.OID_ATTR_SIGNING_CERTIFICATE);
			if (ess && certificate) {
				report.signingCertificateV2Matches = essMatches(der, ess, certificate, attributes.has(OID.OID_ATTR_SIGNING_CERTIFICATE_V2));
				if (!report.signingCertificateV2Matches && !report.error) {
					report.error = 'the signing certificate attribute names a different certificate';
				}
			}
		} else {
			// Without signed attributes the signature is over the content itself.
			signedBytes = context.content;
		}

		if (!certificate) return fail(report, 'the signer certificate is not included in the signature');
		if (!x509) return fail(report, 'the signer certificate cannot be read');
		const publicKey = x509.publicKey;
		if (publicKey.asymmetricKeyType !== signatureInfo.keyType) {
			return fail(report, `the certificate key (${publicKey.asymmetricKeyType}) does not match the signature algorithm ${signatureInfo.name}`);
		}
		const hash = signatureInfo.hash ?? digest.node;
		report.signatureValid = crypto.verify(hash, signedBytes, publicKey, signatureValue);
		if (!attributes) report.digestMatches = report.signatureValid;
		if (!report.signatureValid && !report.error) report.error = 'the signature value does not match';
		if (!report.digestMatches && !report.error) report.error = 'the content digest does not match messageDigest: the data was changed';
		return report;
	} catch (error) {
		if (error instanceof DerParseError) return fail(report, `malformed SignerInfo: ${error.message}`);
		if (error instanceof EdoCryptoError) throw error;
		return fail(report, 'the signature could not be checked with the signer key');
	}
}

function fail(report: CmsSignerReport, message: string): CmsSignerReport {
	report.signatureValid = false;
	report.error = message;
	return report;
}

function algorithmOid(der: Buffer, element: DerElement | undefined, what: string): string {
	if (!element || element.tag !== TAG_SEQUENCE) throw new DerParseError(`${what} is missing`);
	const [identifier] = childrenOf(der, element);
	if (!identifier) throw new DerParseError(`${what} is empty`);
	return readOid(der, identifier, what);
}

/** Upper-case hex of an INTEGER TLV's value, without the sign padding byte. */
function serialHex(serialTlv: Buffer): string {
	const element = readElement(serialTlv);
	let value = contentOf(serialTlv, element);
	if (value.length > 1 && value[0] === 0 && value[1] & 0x80) value = value.subarray(1);
	return value.toString('hex').toUpperCase();
}

/** Resolves the SignerIdentifier: IssuerAndSerialNumber or [0] SubjectKeyIdentifier. */
function findCertificate(
	der: Buffer,
	sid: DerElement | undefined,
	certificates: KnownCertificate[],
	report: CmsSignerReport,
): KnownCertificate | undefined {
	if (!sid) throw new DerParseError('SignerInfo.sid is missing');
	if (sid.tag === TAG_SEQUENCE) {
		const [issuer, serial] = childrenOf(der, sid);
		if (!issuer || !serial || serial.tag !== TAG_INTEGER) throw new DerParseError('malformed IssuerAndSerialNumber');
		const issuerBytes = bytesOf(der, issuer);
		const serialBytes = bytesOf(der, serial);
		report.serialNumber = serialHex(serialBytes);
		return certificates.find((c) => c.ids.serial.equals(serialBytes) && c.ids.issuer.equals(issuerBytes));
	}
	if (sid.tag === (TAG_CONTEXT_PRIMITIVE | 0)) {
		const keyId = contentOf(der, sid);
		const certificate = certificates.find((c) => c.ids.subjectKeyIdentifier?.equals(keyId));
		if (certificate) report.serialNumber = serialHex(certificate.ids.serial);
		return certificate;
	}
	throw new DerParseError(`unknown SignerIdentifier tag 0x${sid.tag.toString(16)}`);
}

/** Signed attributes by type OID, each mapped to its first value. */
function readAttributes(der: Buffer, field: DerElement): Map<string, DerElement> {
	const attributes = new Map<string, DerElement>();
	for (const attribute of childrenOf(der, field)) {
		if (attribute.tag !== TAG_SEQUENCE) throw new DerParseError('a signed attribute is not a SEQUENCE');
		const [type, values] = childrenOf(der, attribute);
		if (!type || !values || values.tag !== TAG_SET) throw new DerParseError('malformed signed attribute');
		const typeOid = readOid(der, type, 'attribute type');
		if (attributes.has(typeOid)) throw new DerParseError(`signed attribute ${typeOid} appears twice`);
		const [first] = childrenOf(der, values);
		if (!first) throw new DerParseError(`signed attribute ${typeOid} has no value`);
		attributes.set(typeOid, first);
	}
	return attributes;
}

/**
 * Checks the first ESSCertID(v2) of signingCertificate(V2) against the signer certificate: its hash and,
 * when present, the issuer serial number.
 */
function essMatches(der: Buffer, value: DerElement, certificate: KnownCertificate, v2: boolean): boolean {
	const [certs] = expectTag(der, value, TAG_SEQUENCE, 'SigningCertificate');
	if (!certs) return false;
	const [first] = expectTag(der, certs, TAG_SEQUENCE, 'SigningCertificate.certs');
	if (!first) return false;
	const parts = expectTag(der, first, TAG_SEQUENCE, 'ESSCertID');
	let index = 0;
	let hashName = v2 ? 'sha256' : 'sha1';
	if (v2 && parts[0]?.tag === TAG_SEQUENCE) {
		const digest = DIGESTS[algorithmOid(der, parts[index++], 'ESSCertIDv2.hashAlgorithm')];
		if (!digest) return false;
		hashName = digest.node;
	}
	const certHash = parts[index++];
	if (!certHash || certHash.tag !== TAG_OCTET_STRING) return false;
	if (!contentOf(der, certHash).equals(crypto.createHash(hashName).update(certificate.der).digest())) return false;
	const issuerSerial = parts[index];
	if (issuerSerial?.tag === TAG_SEQUENCE) {
		const [, serial] = childrenOf(der, issuerSerial);
		if (serial && !bytesOf(der, serial).equals(certificate.ids.serial)) return false;
	}
	return true;
}
