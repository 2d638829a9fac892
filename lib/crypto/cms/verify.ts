/**
 * Verification of CMS SignedData (RFC 5652): recomputes the content digest, checks it against messageDigest,
 * checks each signature over the signed attributes (or the content when there are none) and the ESS
 * signing-certificate binding. Given trust anchors, it also checks each signer certificate's path to them (see
 * chain.ts); revocation is never checked.
 */
import crypto from 'node:crypto';
import { UTCTime } from 'asn1js';
import { ContentInfo, IssuerAndSerialNumber, SignedData, type Attribute, type SignerInfo } from 'pkijs';

import { Certificate, loadCertificate, signedDataCertificates } from '../certificate';
import { checkTrustChain, type TrustChainReport } from '../chain';
import { Asn1Error, Asn1Node, Tag, decodeBinary, integerHex, octets, readDer } from '../encoding';
import { EdoCryptoError } from '../errors';
import { DIGESTS, SIGNATURES, hashBytes } from './algorithms';
import * as OID from './oids';

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
	/** The signer certificate's path to the trust anchors; present only when anchors were given. */
	trustChain?: TrustChainReport;
}

export interface CmsVerification {
	/**
	 * Every signer's signature and digest check out (and there is at least one signer); with trust anchors, every
	 * signer certificate also chains to one of them.
	 */
	valid: boolean;
	detached: boolean;
	/** The encapsulated content of an attached signature. */
	content?: Buffer;
	signers: CmsSignerReport[];
	/** Every certificate at hand: those the signature carries, the extra ones given, and the trust anchors. */
	certificates: Certificate[];
	/** Trust anchors were given and every signer's path was checked (revocation never is). */
	trustChainChecked: boolean;
}

export interface CmsVerifyOptions {
	/** Certificates to look the signer up in when the CMS does not carry its certificate (DER or PEM). */
	certificates?: Uint8Array[];
	/** Trust anchors (roots, or any certificate the user trusts as is): when given, signer paths are checked. */
	trustedCertificates?: Certificate[];
	/** When validity periods are checked: at the signingTime attribute when there is one (default), or now. */
	validityAt?: 'signingTime' | 'now';
	/** "Now", for tests. */
	now?: Date;
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
	const parsed = parseSignedData(signatureBytes(signature));

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
		const known = tryReadCertificate(() => loadCertificate(extra));
		if (known) certificates.push(known);
	}

	const digests = new Map<string, Buffer>();
	const digestOf = (nodeName: string) => {
		let digest = digests.get(nodeName);
		if (!digest) {
			digest = hashBytes(nodeName, content);
			digests.set(nodeName, digest);
		}
		return digest;
	};
	const signers = parsed.signerInfos.map((signerInfo) =>
		verifySigner(signerInfo, parsed.eContentType, certificates, { content, digestOf }),
	);
	const anchors = options.trustedCertificates;
	if (anchors) {
		const now = options.now ?? new Date();
		for (const signer of signers) {
			const certificate = signer.certificateDer && certificates.find((known) => known.der.equals(signer.certificateDer!));
			if (!certificate) continue;
			const at = options.validityAt !== 'now' && signer.signingTime ? new Date(signer.signingTime) : now;
			signer.trustChain = checkTrustChain(certificate, certificates, anchors, at);
		}
	}
	return {
		valid:
			signers.length > 0 &&
			signers.every(
				(s) => !s.error && s.signatureValid && s.digestMatches && s.signingCertificateV2Matches !== false && (!anchors || s.trustChain?.trusted === true),
			),
		detached: !parsed.content,
		content: parsed.content,
		signers,
		certificates: [...certificates, ...(anchors ?? [])],
		trustChainChecked: anchors !== undefined,
	};
}

// ---------------------------------------------------------------- structure

interface ParsedSignedData {
	eContentType: string;
	content?: Buffer;
	certificates: Certificate[];
	signerInfos: SignerInfo[];
}

/** DER from DER, PEM or base64; anything else as it is, so that parseSignedData can say what it is. */
function signatureBytes(signature: Uint8Array): Buffer {
	try {
		return decodeBinary(signature, 'signature');
	} catch {
		return Buffer.from(signature.buffer, signature.byteOffset, signature.length);
	}
}

function parseSignedData(der: Buffer): ParsedSignedData {
	if (der.length === 0) throw invalid('The signature is empty (0 bytes).');
	const what = describeNonDer(der);
	if (what) throw invalid(`The signature is not a DER CMS structure: ${what}.`, hintFor(what));
	try {
		const contentInfo = readDer(der).expect(Tag.sequence);
		if (contentInfo.children[0]?.is(Tag.sequence)) {
			throw invalid('Found an X.509 certificate or another structure, not a CMS ContentInfo.', 'Pass the signature file, not the certificate.');
		}
		const { contentType, content } = new ContentInfo({ schema: contentInfo.block });
		if (contentType !== OID.OID_SIGNED_DATA) {
			const name = CONTENT_TYPE_NAMES[contentType] ?? `content type ${contentType}`;
			throw invalid(`Found CMS ${name}, not SignedData.`, 'Pass a signature (SignedData); encrypted messages are decrypted, not verified.');
		}
		const signedData = new SignedData({ schema: content });
		const { eContentType, eContent } = signedData.encapContentInfo;
		return {
			eContentType,
			content: eContent && Buffer.from(octets(eContent)),
			certificates: signedDataCertificates(new Asn1Node(content)).flatMap((node) => tryReadCertificate(() => Certificate.fromDer(node.raw)) ?? []),
			signerInfos: signedData.signerInfos,
		};
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		const detail = error instanceof Asn1Error ? (error.truncated ? 'the data is truncated' : error.message) : 'its structure does not match';
		throw invalid(`The signature is not a valid CMS SignedData: ${detail}.`);
	}
}

/** Names obviously non-DER input, so the message can say what was found instead. */
function describeNonDer(der: Buffer): string | undefined {
	const head = der.subarray(0, 64).toString('latin1');
	if (head.startsWith('-----BEGIN')) return `PEM text "${head.split('\n')[0].trim()}" that is not a CMS/PKCS7 block`;
	if (/^\s*<\?xml|^\s*</.test(head)) return 'the data looks like XML/HTML text';
	if (/^%PDF/.test(head)) return 'the data is a PDF document';
	if (der[0] !== 0x30) return `it starts with byte 0x${der[0].toString(16).padStart(2, '0')}, not an ASN.1 SEQUENCE`;
	return undefined;
}

function hintFor(what: string): string {
	if (what.includes('XML') || what.includes('PDF')) return 'This looks like the signed document itself; pass the signature file instead.';
	return 'Provide a DER-encoded CMS SignedData (.p7s / .sig) file.';
}

function tryReadCertificate(read: () => Certificate): Certificate | undefined {
	try {
		return read();
	} catch {
		return undefined;
	}
}

// ---------------------------------------------------------------- one signer

function verifySigner(
	signerInfo: SignerInfo,
	eContentType: string,
	certificates: Certificate[],
	context: { content: Buffer; digestOf: (nodeName: string) => Buffer },
): CmsSignerReport {
	const { digestOf } = context;
	const report: CmsSignerReport = {
		serialNumber: '',
		digestAlgorithm: 'unknown',
		signatureAlgorithm: 'unknown',
		signatureValid: false,
		digestMatches: false,
	};
	try {
		const digestAlgorithm = signerInfo.digestAlgorithm.algorithmId;
		const signatureAlgorithm = signerInfo.signatureAlgorithm.algorithmId;
		const signatureValue = octets(signerInfo.signature);
		const digest = DIGESTS[digestAlgorithm];
		const signatureInfo = SIGNATURES[signatureAlgorithm];
		report.digestAlgorithm = digest?.name ?? digestAlgorithm;
		report.signatureAlgorithm = signatureInfo?.name ?? signatureAlgorithm;

		const certificate = findCertificate(signerInfo.sid, certificates, report);
		if (certificate) {
			report.certificateDer = certificate.der;
			report.subject = certificate.subject;
		}

		const signedAttributes = signerInfo.signedAttrs;
		const attributes = signedAttributes ? readAttributes(signedAttributes.attributes) : undefined;
		const signingTime = attributes?.get(OID.OID_ATTR_SIGNING_TIME)?.block;
		if (signingTime) {
			if (!(signingTime instanceof UTCTime)) throw new Asn1Error('signingTime is not a time'); // GeneralizedTime extends UTCTime
			report.signingTime = signingTime.toDate().toISOString();
		}

		if (!digest) return fail(report, `digest algorithm ${digestAlgorithm} is not supported`);
		if (!signatureInfo) return fail(report, `signature algorithm ${signatureAlgorithm} is not supported`);
		let signedBytes: Buffer;
		if (attributes && signedAttributes) {
			const messageDigest = attributes.get(OID.OID_ATTR_MESSAGE_DIGEST);
			const contentType = attributes.get(OID.OID_ATTR_CONTENT_TYPE);
			report.digestMatches = !!messageDigest && messageDigest.is(Tag.octetString) && messageDigest.bytes.equals(digestOf(digest.node));
			if (!messageDigest) report.error = 'the signed attributes have no messageDigest';
			else if (!contentType || contentType.oid !== eContentType) {
				report.error = 'the contentType attribute does not match the encapsulated content type';
			}
			// The signature covers the attributes as a SET OF (tag 0x31): pkijs keeps their bytes, re-tagged so.
			signedBytes = Buffer.from(signedAttributes.encodedValue);
			const ess = attributes.get(OID.OID_ATTR_SIGNING_CERTIFICATE_V2) ?? attributes.get(OID.OID_ATTR_SIGNING_CERTIFICATE);
			if (ess && certificate) {
				report.signingCertificateV2Matches = essMatches(ess, certificate, attributes.has(OID.OID_ATTR_SIGNING_CERTIFICATE_V2));
				if (!report.signingCertificateV2Matches && !report.error) {
					report.error = 'the signing certificate attribute names a different certificate';
				}
			}
		} else {
			// Without signed attributes the signature is over the content itself.
			signedBytes = context.content;
		}

		if (!certificate) return fail(report, 'the signer certificate is not included in the signature');
		if (signatureInfo.keyType === 'gost' || certificate.isGost) {
			return verifyGost(report, certificate, signatureInfo, signatureInfo.hash ?? digest.node, signedBytes, signatureValue, !attributes);
		}
		let publicKey: crypto.KeyObject;
		try {
			publicKey = certificate.publicKey;
		} catch {
			return fail(report, `the signer certificate's key (${certificate.keyAlgorithm.description}) is not supported`);
		}
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
		if (error instanceof Asn1Error) return fail(report, `malformed SignerInfo: ${error.message}`);
		if (error instanceof EdoCryptoError) throw error;
		return fail(report, 'the signature could not be checked with the signer key');
	}
}

/** GOST R 34.10-2012 over the Streebog digest of the signed bytes (s || r, the digest read little-endian). */
function verifyGost(
	report: CmsSignerReport,
	certificate: Certificate,
	signatureInfo: (typeof SIGNATURES)[string],
	hash: string,
	signedBytes: Buffer,
	signatureValue: Buffer,
	withoutAttributes: boolean,
): CmsSignerReport {
	if (!certificate.isGost) {
		return fail(report, `the certificate key (${certificate.keyAlgorithm.description}) does not match the signature algorithm ${signatureInfo.name}`);
	}
	const key = certificate.gostPublicKey;
	if (signatureInfo.keyType !== 'gost' || signatureInfo.gostBits !== key.digest) {
		return fail(report, `the certificate key (${key.description}) does not match the signature algorithm ${signatureInfo.name}`);
	}
	if (hash !== `streebog${key.digest}`) {
		return fail(report, `a ${key.description} key signs Streebog-${key.digest} digests, but the signature names ${report.digestAlgorithm}`);
	}
	report.signatureValid = key.verifyDigest(hashBytes(hash, signedBytes), signatureValue);
	if (withoutAttributes) report.digestMatches = report.signatureValid;
	if (!report.signatureValid && !report.error) report.error = 'the signature value does not match';
	if (!report.digestMatches && !report.error) report.error = 'the content digest does not match messageDigest: the data was changed';
	return report;
}

function fail(report: CmsSignerReport, message: string): CmsSignerReport {
	report.signatureValid = false;
	report.error = message;
	return report;
}

/** Resolves the SignerIdentifier: IssuerAndSerialNumber or [0] SubjectKeyIdentifier. */
function findCertificate(sid: SignerInfo['sid'], certificates: Certificate[], report: CmsSignerReport): Certificate | undefined {
	if (sid instanceof IssuerAndSerialNumber) {
		const issuer = Buffer.from(sid.issuer.valueBeforeDecode);
		const serial = new Asn1Node(sid.serialNumber);
		report.serialNumber = integerHex(serial.content);
		return certificates.find((c) => c.serialNumberDer.equals(serial.raw) && c.issuerNameDer.equals(issuer));
	}
	const keyId = octets(sid);
	const certificate = certificates.find((c) => c.subjectKeyIdentifier?.equals(keyId));
	if (certificate) report.serialNumber = certificate.serialNumber;
	return certificate;
}

/** Signed attributes by type OID, each mapped to its first value. */
function readAttributes(attributes: Attribute[]): Map<string, Asn1Node> {
	const byType = new Map<string, Asn1Node>();
	for (const { type, values } of attributes) {
		if (byType.has(type)) throw new Asn1Error(`signed attribute ${type} appears twice`);
		if (!values[0]) throw new Asn1Error(`signed attribute ${type} has no value`);
		byType.set(type, new Asn1Node(values[0]));
	}
	return byType;
}

/**
 * Checks the first ESSCertID(v2) of signingCertificate(V2) (no pkijs class) against the signer certificate:
 * its hash and, when present, the issuer serial number.
 */
function essMatches(value: Asn1Node, certificate: Certificate, v2: boolean): boolean {
	const first = value.expect(Tag.sequence).children[0]?.expect(Tag.sequence).children[0];
	if (!first) return false;
	const parts = first.expect(Tag.sequence).children;
	let index = 0;
	let hashName = v2 ? 'sha256' : 'sha1';
	if (v2 && parts[0]?.is(Tag.sequence)) {
		const digest = DIGESTS[parts[index++].child(0).oid];
		if (!digest) return false;
		hashName = digest.node;
	}
	const certHash = parts[index++];
	if (!certHash?.is(Tag.octetString)) return false;
	if (!certHash.bytes.equals(hashBytes(hashName, certificate.der))) return false;
	const serial = parts[index]?.is(Tag.sequence) ? parts[index].children[1] : undefined;
	return !serial || serial.raw.equals(certificate.serialNumberDer);
}
