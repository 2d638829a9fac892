/**
 * X.509 certificates: the facts from @peculiar/x509, the exact TLVs CMS needs (issuer, serial, SPKI) from the
 * asn1js tree, a readable summary with the Russian identifiers (INN, OGRN, SNILS), and loading from whatever a
 * user pastes.
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import { ContentInfo } from 'pkijs';
import { SubjectKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';

import { BoundedMap } from '../boundedMap';
import { Asn1Error, Asn1Node, Tag, TagClass, decodeAsn1String, decodeBinary, pemBlocks, readFirst, toPem } from './encoding';
import { EdoCryptoError } from './errors';
import { GostPublicKey } from './gost/gostKey';
import { isGostKeyAlgorithm } from './gost/keys';

export interface CertificateInfo {
	/** RFC 4514 order (most specific first), values as readable UTF-8. */
	subject: string;
	issuer: string;
	commonName?: string;
	organization?: string;
	/** Uppercase hex, no separators. */
	serialNumber: string;
	/** ISO 8601. */
	notBefore: string;
	notAfter: string;
	/** SHA-1 of the DER, uppercase hex, no separators (the form Diadoc uses). */
	thumbprint: string;
	/** e.g. 'RSA-2048', 'ECDSA P-256', 'GOST R 34.10-2012 256 (CryptoPro-A)'. */
	keyAlgorithm: string;
	inn?: string;
	innLe?: string;
	ogrn?: string;
	ogrnip?: string;
	snils?: string;
	validity: 'valid' | 'expired' | 'notYetValid';
	warnings: string[];
}

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

export interface KeyAlgorithm {
	/** 'GOST' is GOST R 34.10-2012; 'UNKNOWN' covers everything signing does not support (DSA, Ed25519, GOST R 34.10-2001, other curves). */
	name: 'RSA' | 'EC' | 'GOST' | 'UNKNOWN';
	curve?: EcCurve;
	/** Modulus size for RSA, field size for EC and GOST, 0 when unknown. */
	bits: number;
	/** GOST: the OID of the parameter set (curve). */
	gostParamSet?: string;
	/** The SubjectPublicKeyInfo algorithm OID. */
	oid: string;
	/** Readable, e.g. 'RSA-2048', 'ECDSA P-256', 'Ed25519', 'GOST R 34.10-2012 256-bit'. */
	description: string;
}

export interface DistinguishedNameAttribute {
	oid: string;
	/** Short name (CN, O, INN, ...) or the dotted OID when the type is not known. */
	name: string;
	/** The text; for a value that is not a string type, '#' and the hex of its DER (RFC 4514). */
	value: string;
	hexEncoded?: boolean;
}

const OID = {
	rsaEncryption: '1.2.840.113549.1.1.1',
	rsassaPss: '1.2.840.113549.1.1.10',
	ecPublicKey: '1.2.840.10045.2.1',
	signedData: '1.2.840.113549.1.7.2',
};

const CURVES: Record<string, { curve: EcCurve; bits: number }> = {
	'1.2.840.10045.3.1.7': { curve: 'P-256', bits: 256 },
	'1.3.132.0.34': { curve: 'P-384', bits: 384 },
	'1.3.132.0.35': { curve: 'P-521', bits: 521 },
};

/** Key types we can name in messages even though signing does not support them. */
const OTHER_KEY_TYPES: Record<string, string> = {
	'1.2.840.10040.4.1': 'DSA',
	'1.3.101.112': 'Ed25519',
	'1.3.101.113': 'Ed448',
	'1.2.643.7.1.1.1.1': 'GOST R 34.10-2012 256-bit',
	'1.2.643.7.1.1.1.2': 'GOST R 34.10-2012 512-bit',
	'1.2.643.2.2.19': 'GOST R 34.10-2001',
};

const NAME_ATTRIBUTES: Record<string, string> = {
	'2.5.4.3': 'CN',
	'2.5.4.4': 'SN',
	'2.5.4.5': 'serialNumber',
	'2.5.4.6': 'C',
	'2.5.4.7': 'L',
	'2.5.4.8': 'ST',
	'2.5.4.9': 'street',
	'2.5.4.10': 'O',
	'2.5.4.11': 'OU',
	'2.5.4.12': 'title',
	'2.5.4.42': 'GN',
	'2.5.4.43': 'initials',
	'2.5.4.46': 'dnQualifier',
	'2.5.4.65': 'pseudonym',
	'1.2.840.113549.1.9.1': 'emailAddress',
	'0.9.2342.19200300.100.1.1': 'UID',
	'0.9.2342.19200300.100.1.25': 'DC',
	'1.2.643.3.131.1.1': 'INN',
	'1.2.643.100.4': 'INNLE',
	'1.2.643.100.1': 'OGRN',
	'1.2.643.100.5': 'OGRNIP',
	'1.2.643.100.3': 'SNILS',
};

const RUSSIAN_IDENTIFIERS = {
	inn: '1.2.643.3.131.1.1',
	innLe: '1.2.643.100.4',
	ogrn: '1.2.643.100.1',
	ogrnip: '1.2.643.100.5',
	snils: '1.2.643.100.3',
} as const;

const parsedCertificates = new BoundedMap<string, Certificate>(512);

export class Certificate {
	readonly der: Buffer;
	/** SHA-1 of the DER, uppercase hex. */
	readonly thumbprint: string;
	readonly keyAlgorithm: KeyAlgorithm;
	/** Full TLV of tbsCertificate.issuer, for IssuerAndSerialNumber. */
	readonly issuerNameDer: Buffer;
	/** Full TLV of tbsCertificate.subject. */
	readonly subjectNameDer: Buffer;
	/** Full TLV of the serialNumber INTEGER. */
	readonly serialNumberDer: Buffer;
	/** Full TLV of the SubjectPublicKeyInfo. */
	readonly spkiDer: Buffer;
	/** The key identifier of the subjectKeyIdentifier extension, if present. */
	readonly subjectKeyIdentifier?: Buffer;
	/** Relative distinguished names in DER order; each usually holds one attribute. */
	readonly subjectRdns: DistinguishedNameAttribute[][];
	readonly issuerRdns: DistinguishedNameAttribute[][];
	readonly notBefore: Date;
	readonly notAfter: Date;
	/** Uppercase hex of the serial number, without the DER sign byte. */
	readonly serialNumber: string;
	/** The @peculiar/x509 reading of the certificate, for its extensions (kept: parsing costs about a millisecond). */
	readonly x509: X509Certificate;

	private cachedPublicKey?: crypto.KeyObject;
	private cachedGostPublicKey?: GostPublicKey;

	private constructor(certificate: Asn1Node) {
		this.der = Buffer.from(certificate.raw);
		this.thumbprint = crypto.createHash('sha1').update(this.der).digest('hex').toUpperCase();
		const tbs = certificate.expect(Tag.sequence).child(0).expect(Tag.sequence).children;
		const [serial, , issuer, , subject, spki] = tbs.slice(tbs[0]?.isContext(0) ? 1 : 0);
		if (!spki) throw new Asn1Error('tbsCertificate is incomplete');
		const x509 = new X509Certificate(this.der);
		this.x509 = x509;

		this.serialNumberDer = Buffer.from(serial.expect(Tag.integer).raw);
		this.serialNumber = x509.serialNumber.toUpperCase();
		this.issuerNameDer = Buffer.from(issuer.expect(Tag.sequence).raw);
		this.subjectNameDer = Buffer.from(subject.expect(Tag.sequence).raw);
		this.issuerRdns = parseName(issuer);
		this.subjectRdns = parseName(subject);
		this.notBefore = x509.notBefore;
		this.notAfter = x509.notAfter;
		this.spkiDer = Buffer.from(spki.expect(Tag.sequence).raw);
		this.keyAlgorithm = describeKey(spki);
		const keyIdentifier = x509.getExtension(SubjectKeyIdentifierExtension)?.keyId;
		if (keyIdentifier !== undefined) this.subjectKeyIdentifier = Buffer.from(keyIdentifier, 'hex');
	}

	/**
	 * Parses a DER certificate; garbage gives NOT_A_CERTIFICATE with a clear message. Parsing costs about a
	 * millisecond, and the same certificates come back with every signature of a counterparty, so parsed ones
	 * are kept (immutable, by the SHA-256 of their bytes).
	 */
	static fromDer(der: Buffer): Certificate {
		if (!Buffer.isBuffer(der) || der.length === 0) {
			throw new EdoCryptoError('NOT_A_CERTIFICATE', 'The certificate is empty', 'Provide an X.509 certificate (PEM, base64 or DER).');
		}
		const cacheKey = crypto.createHash('sha256').update(der).digest('base64');
		const cached = parsedCertificates.get(cacheKey);
		if (cached) return cached;
		try {
			const top = readFirst(der);
			const shape = recognizeNonCertificate(top);
			if (shape) throw shape;
			const certificate = new Certificate(top);
			parsedCertificates.set(cacheKey, certificate);
			return certificate;
		} catch (error) {
			if (error instanceof EdoCryptoError) throw error;
			const truncated = error instanceof Asn1Error && error.truncated;
			throw new EdoCryptoError(
				'NOT_A_CERTIFICATE',
				truncated ? 'The certificate data is truncated' : 'The data is not an X.509 certificate',
				truncated
					? 'Copy the whole certificate, including the -----END CERTIFICATE----- line, or the whole .cer file.'
					: 'Provide an X.509 certificate as PEM (-----BEGIN CERTIFICATE-----), base64 or a binary .cer/.crt file.',
			);
		}
	}

	get pem(): string {
		return toPem(this.der, 'CERTIFICATE');
	}

	/**
	 * Node KeyObject of the subject public key; UNSUPPORTED_ALGORITHM for key types Node cannot load. GOST keys
	 * have no KeyObject: use `gostPublicKey` (`isGost` tells which applies).
	 */
	get publicKey(): crypto.KeyObject {
		if (!this.cachedPublicKey) {
			try {
				this.cachedPublicKey = crypto.createPublicKey({ key: this.spkiDer, format: 'der', type: 'spki' });
			} catch {
				if (this.isGost) {
					throw new EdoCryptoError(
						'UNSUPPORTED_ALGORITHM',
						`The certificate's ${this.keyAlgorithm.description} key has no Node.js KeyObject form`,
						'GOST certificates are handled through their GOST public key (certificate.gostPublicKey).',
					);
				}
				throw new EdoCryptoError(
					'UNSUPPORTED_ALGORITHM',
					`The certificate's public key algorithm (${this.keyAlgorithm.description}) is not supported`,
					'Use a certificate with an RSA, ECDSA (P-256, P-384, P-521) or GOST R 34.10-2012 key.',
				);
			}
		}
		return this.cachedPublicKey;
	}

	/** True when the subject key is a GOST R 34.10-2012 key (256 or 512 bit). */
	get isGost(): boolean {
		return this.keyAlgorithm.name === 'GOST';
	}

	/** The GOST R 34.10-2012 public key; UNSUPPORTED_ALGORITHM for any other key type. */
	get gostPublicKey(): GostPublicKey {
		if (!this.cachedGostPublicKey) {
			if (!this.isGost) {
				throw new EdoCryptoError(
					'UNSUPPORTED_ALGORITHM',
					`The certificate's key (${this.keyAlgorithm.description}) is not a GOST R 34.10-2012 key`,
					'Use the certificate of a GOST R 34.10-2012 key here.',
				);
			}
			this.cachedGostPublicKey = GostPublicKey.fromSpki(this.spkiDer);
		}
		return this.cachedGostPublicKey;
	}

	get subject(): string {
		return formatName(this.subjectRdns);
	}

	get issuer(): string {
		return formatName(this.issuerRdns);
	}

	/** True when the issuer name equals the subject name (byte-wise). */
	get isSelfIssued(): boolean {
		return this.issuerNameDer.equals(this.subjectNameDer);
	}

	info(now: Date = new Date()): CertificateInfo {
		const subjectValue = (oid: string) => this.subjectRdns.flat().find((attribute) => attribute.oid === oid)?.value.trim();
		const warnings: string[] = [];
		let validity: CertificateInfo['validity'] = 'valid';
		if (now.getTime() > this.notAfter.getTime()) {
			validity = 'expired';
			warnings.push(
				`The certificate expired on ${isoDate(this.notAfter)} (${daysBetween(this.notAfter, now)} days ago); ` +
					'signatures made with it will be rejected by the operator.',
			);
		} else if (now.getTime() < this.notBefore.getTime()) {
			validity = 'notYetValid';
			warnings.push(`The certificate is not valid until ${this.notBefore.toISOString()}; check the computer clock or wait.`);
		}
		if (this.keyAlgorithm.name === 'UNKNOWN') {
			warnings.push(`The certificate's key algorithm (${this.keyAlgorithm.description}) is not supported for signing.`);
		}
		const identifiers: Partial<Record<keyof typeof RUSSIAN_IDENTIFIERS, string>> = {};
		for (const [field, oid] of Object.entries(RUSSIAN_IDENTIFIERS)) {
			const value = subjectValue(oid);
			if (value) identifiers[field as keyof typeof RUSSIAN_IDENTIFIERS] = value;
		}
		const info: CertificateInfo = {
			subject: this.subject,
			issuer: this.issuer,
			commonName: subjectValue('2.5.4.3'),
			organization: subjectValue('2.5.4.10'),
			...identifiers,
			serialNumber: this.serialNumber,
			notBefore: this.notBefore.toISOString(),
			notAfter: this.notAfter.toISOString(),
			thumbprint: this.thumbprint,
			keyAlgorithm: this.keyAlgorithm.description,
			validity,
			warnings,
		};
		if (info.commonName === undefined) delete info.commonName;
		if (info.organization === undefined) delete info.organization;
		return info;
	}
}

/** Loads every certificate from PEM (one or many blocks), DER, base64, or a PKCS#7 certs-only bundle (.p7b). */
export function loadCertificates(input: string | Buffer | Uint8Array): Certificate[] {
	const text = asPemText(input);
	if (text !== undefined) return loadFromPem(text);
	const der = decodeBinary(input, 'certificate');
	const certificates: Certificate[] = [];
	let rest = der;
	while (rest.length > 0) {
		const signedDataCertificates = certificatesFromPkcs7(rest);
		const length = elementLength(rest);
		if (signedDataCertificates) certificates.push(...signedDataCertificates);
		else certificates.push(Certificate.fromDer(rest));
		if (length === undefined) break;
		rest = rest.subarray(length);
		// Only further SEQUENCEs count as more certificates; a trailing newline or padding is ignored.
		if (rest[0] !== 0x30) break;
	}
	return certificates;
}

/** The first certificate of the input. */
export function loadCertificate(input: string | Buffer | Uint8Array): Certificate {
	return loadCertificates(input)[0];
}

const INVISIBLE_OR_SEPARATOR = /[\s:\-\u200B-\u200F\u202A-\u202E\u2060\uFEFF\u00A0]/g;

/** Normalizes a pasted SHA-1 thumbprint to 40 uppercase hex digits, or throws INVALID_THUMBPRINT. */
export function normalizeThumbprint(input: string): string {
	const text = typeof input === 'string' ? input : '';
	const withoutLabel = text.replace(/^.*fingerprint\s*=\s*/i, '');
	const compact = withoutLabel.replace(INVISIBLE_OR_SEPARATOR, '').toUpperCase();
	const hint = 'Copy the SHA-1 thumbprint (40 hexadecimal digits, e.g. from the certificate\'s Details tab or `openssl x509 -fingerprint -sha1`).';
	if (compact.length === 0) {
		throw new EdoCryptoError('INVALID_THUMBPRINT', 'The certificate thumbprint is empty', hint);
	}
	const bad = compact.search(/[^0-9A-F]/);
	if (bad >= 0) {
		const character = [...compact.slice(bad)][0];
		const shown = /^[\x21-\x7e]$/.test(character) ? `'${character}'` : `U+${character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
		throw new EdoCryptoError(
			'INVALID_THUMBPRINT',
			`The certificate thumbprint contains a character that is not a hexadecimal digit: ${shown} at position ${bad + 1}`,
			hint,
		);
	}
	if (compact.length !== 40) {
		const sha256 = compact.length === 64 ? ' (that is the length of a SHA-256 fingerprint; the SHA-1 thumbprint is needed)' : '';
		throw new EdoCryptoError(
			'INVALID_THUMBPRINT',
			`The certificate thumbprint must be 40 hexadecimal digits, found ${compact.length} starting with ${compact.slice(0, 4)}…${sha256}`,
			hint,
		);
	}
	return compact;
}

// ---------------------------------------------------------------------------------------------------------

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);

function asPemText(input: string | Buffer | Uint8Array): string | undefined {
	if (typeof input === 'string') return input.includes('-----BEGIN ') ? input : undefined;
	const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
	if (bytes[0] === 0x30) return undefined;
	const text = bytes.toString('utf8');
	return text.includes('-----BEGIN ') ? text : undefined;
}

function loadFromPem(text: string): Certificate[] {
	const blocks = pemBlocks(text);
	const certificates: Certificate[] = [];
	for (const block of blocks) {
		if (CERTIFICATE_LABELS.has(block.label)) certificates.push(Certificate.fromDer(block.der));
		else if (PKCS7_LABELS.has(block.label)) certificates.push(...(certificatesFromPkcs7(block.der) ?? []));
	}
	if (certificates.length > 0) return certificates;
	if (blocks.length === 0) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'The certificate is neither PEM, base64 nor binary DER. The PEM block is incomplete: its END line is missing.',
			'Paste the whole certificate including the -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines.',
		);
	}
	const labels = blocks.map((block) => block.label);
	if (labels.some((label) => label.includes('PRIVATE KEY'))) {
		throw new EdoCryptoError(
			'NOT_A_CERTIFICATE',
			'This is a private key, not a certificate',
			'Put the private key into the private key field and the certificate (-----BEGIN CERTIFICATE-----) into the certificate field.',
		);
	}
	throw new EdoCryptoError(
		'NOT_A_CERTIFICATE',
		`The PEM text holds ${labels.map((label) => `"${label}"`).join(', ')} but no certificate`,
		'Provide an X.509 certificate: a PEM block starting with -----BEGIN CERTIFICATE-----.',
	);
}

function elementLength(der: Buffer): number | undefined {
	try {
		return readFirst(der).raw.length;
	} catch {
		return undefined;
	}
}

/** Certificates of a PKCS#7/CMS SignedData, or undefined when the bytes are not one. */
function certificatesFromPkcs7(der: Buffer): Certificate[] | undefined {
	let signedData: Asn1Node;
	try {
		const contentInfo = new ContentInfo({ schema: readFirst(der).block });
		if (contentInfo.contentType !== OID.signedData) return undefined;
		signedData = new Asn1Node(contentInfo.content).expect(Tag.sequence);
	} catch {
		return undefined;
	}
	try {
		const certificates = signedDataCertificates(signedData).map((node) => Certificate.fromDer(node.raw));
		if (certificates.length === 0) {
			throw new EdoCryptoError('NOT_A_CERTIFICATE', 'The PKCS#7 bundle contains no certificates', 'Export the certificate itself (.cer) or a .p7b that includes it.');
		}
		return certificates;
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw new EdoCryptoError('NOT_A_CERTIFICATE', 'The PKCS#7 bundle is damaged', 'Export the certificate again.');
	}
}

/**
 * The certificates field of a SignedData, each as parsed: pkijs would re-encode certificates, while thumbprints
 * and ESS hashes need their exact bytes.
 */
export function signedDataCertificates(signedData: Asn1Node): Asn1Node[] {
	const certificateSet = signedData.children.find((node) => node.isContext(0));
	return (certificateSet?.children ?? []).filter((node) => node.is(Tag.sequence));
}

/** Recognizes common wrong inputs (a key, a PFX, a CMS signature) to say what they are instead. */
function recognizeNonCertificate(top: Asn1Node): EdoCryptoError | undefined {
	try {
		if (!top.is(Tag.sequence)) return undefined;
		const first = top.child(0);
		if (!first.is(Tag.integer)) return undefined;
		const version = first.content.length === 1 ? first.content[0] : -1;
		const second = top.children[1];
		if (version === 3 && second?.is(Tag.sequence) && second.children[0]?.is(Tag.oid)) {
			return new EdoCryptoError(
				'NOT_A_CERTIFICATE',
				'This is a PKCS#12 (.pfx/.p12) container, not a certificate',
				'Load it as a PFX with its password; the certificate is taken from it.',
			);
		}
	} catch {
		return undefined;
	}
	// SEQUENCE starting with an INTEGER: PKCS#8, PKCS#1 or SEC1 private keys have this shape, certificates never.
	return new EdoCryptoError(
		'NOT_A_CERTIFICATE',
		'This looks like a private key, not a certificate',
		'Put the private key into the private key field and the certificate into the certificate field.',
	);
}

function parseName(name: Asn1Node): DistinguishedNameAttribute[][] {
	return name.children.map((rdn) =>
		rdn.expect(Tag.set).children.map((attribute) => {
			const oid = attribute.child(0).oid;
			const valueNode = attribute.child(1);
			const isString = valueNode.tagClass === TagClass.universal && !valueNode.constructed && valueNode.tagNumber >= Tag.utf8String;
			const name = NAME_ATTRIBUTES[oid] ?? oid;
			if (!isString) return { oid, name, value: `#${valueNode.raw.toString('hex')}`, hexEncoded: true };
			return { oid, name, value: decodeAsn1String(valueNode) };
		}),
	);
}

/** RFC 4514: the last RDN first, multi-valued RDNs joined with '+', special characters escaped. */
function formatName(rdns: DistinguishedNameAttribute[][]): string {
	return [...rdns]
		.reverse()
		.map((rdn) => rdn.map((attribute) => `${attribute.name}=${attribute.hexEncoded ? attribute.value : escapeValue(attribute.value)}`).join('+'))
		.join(', ');
}

function escapeValue(value: string): string {
	return value
		.replace(/[\\,+"<>;=]/g, (character) => `\\${character}`)
		.replace(/^([ #])/, '\\$1')
		.replace(/ $/, '\\ ')
		.replace(/\p{Cc}/gu, (character) => `\\${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function describeKey(spki: Asn1Node): KeyAlgorithm {
	const algorithm = spki.child(0).expect(Tag.sequence);
	const oid = algorithm.child(0).oid;
	if (oid === OID.rsaEncryption || oid === OID.rsassaPss) {
		let bits = 0;
		try {
			bits = crypto.createPublicKey({ key: spki.raw, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength ?? 0;
		} catch {
			bits = 0;
		}
		const description = oid === OID.rsassaPss ? `RSA-PSS-${bits}` : `RSA-${bits}`;
		return { name: oid === OID.rsassaPss ? 'UNKNOWN' : 'RSA', bits, oid, description };
	}
	if (oid === OID.ecPublicKey) {
		const parameters = algorithm.children[1];
		const curveOid = parameters?.is(Tag.oid) ? parameters.oid : undefined;
		const known = curveOid ? CURVES[curveOid] : undefined;
		if (known) return { name: 'EC', curve: known.curve, bits: known.bits, oid, description: `ECDSA ${known.curve}` };
		return { name: 'UNKNOWN', bits: 0, oid, description: `ECDSA on curve ${curveOid ?? '(explicit parameters)'}` };
	}
	if (isGostKeyAlgorithm(oid)) {
		try {
			const key = GostPublicKey.fromSpki(spki.raw);
			const name = key.description.startsWith('GOST R 34.10-2012') ? 'GOST' : 'UNKNOWN';
			return { name, bits: key.paramSet.size, oid, description: key.description, gostParamSet: key.paramSet.oid };
		} catch {
			// an unknown parameter set or a damaged key: named below like any other unusable key
		}
	}
	const known = OTHER_KEY_TYPES[oid];
	return { name: 'UNKNOWN', bits: 0, oid, description: known ? `${known} (${oid})` : `unknown algorithm ${oid}` };
}

function isoDate(date: Date): string {
	return date.toISOString().slice(0, 10);
}

function daysBetween(earlier: Date, later: Date): number {
	return Math.floor((later.getTime() - earlier.getTime()) / 86400_000);
}
