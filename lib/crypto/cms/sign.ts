/**
 * CMS SignedData (RFC 5652) with CAdES-BES signed attributes, built from precomputed DER pieces:
 * everything that depends only on the signer is encoded once, so a signature costs one content hash,
 * two small attribute encodings, one sort, one raw signature and a few Buffer concatenations.
 * GOST R 34.10-2012 (RFC 9215 / RFC 4490 style, as OpenSSL's engine and CryptoPro read it): digest Streebog-256
 * or -512 after the key size, SignerInfo.signatureAlgorithm id-tc26-signwithdigest-gost3410-12-256/512, value
 * s || r; the ESSCertIDv2 then names its Streebog hash algorithm (it is not the default SHA-256).
 */
import crypto from 'node:crypto';

import { Certificate } from '../certificate';
import { decodeBinary } from '../encoding';
import { EdoCryptoError } from '../errors';
import { GostPrivateKey } from '../gost/gostKey';
import * as GOST_OID from '../gost/oids';
import { Streebog } from '../gost/streebog';
import type { PrivateKey } from '../keys';
import type { HashAlgorithm } from '../signer';
import {
	DER_NULL,
	TAG_CONTEXT_CONSTRUCTED,
	TAG_OCTET_STRING,
	TAG_SEQUENCE,
	TAG_SET,
	algorithmIdentifier,
	cmsTime,
	explicit,
	header,
	headerLength,
	integer,
	octetString,
	oid,
	sequence,
	sortDer,
	tlv,
	writeHeader,
} from './der';
import {
	OID_ATTR_CONTENT_TYPE,
	OID_ATTR_MESSAGE_DIGEST,
	OID_ATTR_SIGNING_CERTIFICATE_V2,
	OID_ATTR_SIGNING_TIME,
	OID_DATA,
	OID_ECDSA_WITH_SHA256,
	OID_ECDSA_WITH_SHA384,
	OID_ECDSA_WITH_SHA512,
	OID_RSA_ENCRYPTION,
	OID_SHA256,
	OID_SHA384,
	OID_SHA512,
	OID_SIGNED_DATA,
} from './oids';

export interface SignatureProvider {
	/** AlgorithmIdentifier DER for SignerInfo.signatureAlgorithm, given the digest algorithm. */
	signatureAlgorithmDer(hash: HashAlgorithm): Buffer;
	/** Signs the DER of the signed attributes (SET OF, tag 0x31) and returns the raw signature value. */
	sign(signedAttributesDer: Buffer, hash: HashAlgorithm): Buffer | Promise<Buffer>;
}

export interface CmsSignerOptions {
	/** The signer's certificate, DER (PEM is tolerated). */
	certificateDer: Buffer;
	/** Further certificates to embed (intermediates, root); the signer's own one is skipped if repeated. */
	chainDer?: Buffer[];
	/** Default digest algorithm; SHA-256 when omitted. */
	hashAlgorithm?: HashAlgorithm;
	provider: SignatureProvider;
}

export interface CmsSignOptions {
	/** Detached (the default) leaves the content out; false embeds it. */
	detached?: boolean;
	/** Defaults to now; stored with whole-second precision. */
	signingTime?: Date;
	/** Overrides the builder's digest algorithm for this signature. */
	hashAlgorithm?: HashAlgorithm;
}

export interface CmsSignDigestOptions {
	signingTime?: Date;
	/** The algorithm `contentDigest` was computed with; defaults to the builder's. */
	hashAlgorithm?: HashAlgorithm;
}

interface HashInfo {
	/** node:crypto's name (SHA-2); undefined for Streebog, which is ours. */
	nodeName?: string;
	/** Streebog size, for the GOST digests. */
	streebog?: 256 | 512;
	oid: string;
	length: number;
	ecdsaOid?: string;
}

const HASHES: Record<HashAlgorithm, HashInfo> = {
	'SHA-256': { nodeName: 'sha256', oid: OID_SHA256, length: 32, ecdsaOid: OID_ECDSA_WITH_SHA256 },
	'SHA-384': { nodeName: 'sha384', oid: OID_SHA384, length: 48, ecdsaOid: OID_ECDSA_WITH_SHA384 },
	'SHA-512': { nodeName: 'sha512', oid: OID_SHA512, length: 64, ecdsaOid: OID_ECDSA_WITH_SHA512 },
	'STREEBOG-256': { streebog: 256, oid: GOST_OID.TC26_GOST_3411_12_256, length: 32 },
	'STREEBOG-512': { streebog: 512, oid: GOST_OID.TC26_GOST_3411_12_512, length: 64 },
};

function hashInfo(hash: HashAlgorithm | undefined): HashInfo {
	const info = HASHES[hash ?? 'SHA-256'];
	if (!info) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`Hash algorithm "${String(hash)}" is not supported for CMS signing.`,
			'Use SHA-256, SHA-384 or SHA-512 (RSA, ECDSA), or STREEBOG-256 / STREEBOG-512 (GOST R 34.10-2012).',
		);
	}
	return info;
}

/** node:crypto's digest name for RSA and ECDSA signatures; Streebog is refused (only GOST keys sign it). */
function nodeSignatureHash(hash: HashAlgorithm, keyType: string): string {
	const name = hashInfo(hash).nodeName;
	if (!name) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`${hash} (GOST R 34.11-2012) is the digest of GOST keys; an ${keyType} key signs SHA-256, SHA-384 or SHA-512.`,
			'Choose a SHA-2 digest for this certificate.',
		);
	}
	return name;
}

function hashWith(info: HashInfo, data: Uint8Array): Buffer {
	if (info.nodeName) return crypto.createHash(info.nodeName).update(data).digest();
	return new Streebog(info.streebog as 256 | 512).update(data).digest();
}

// ---------------------------------------------------------------- local key provider

/** RSA: `rsaEncryption` with NULL parameters, as OpenSSL writes it; the digest comes from SignerInfo. */
const RSA_SIGNATURE_ALGORITHM = algorithmIdentifier(OID_RSA_ENCRYPTION, DER_NULL);

/**
 * GOST R 34.10-2012 with a local key: the signed attributes are hashed with Streebog of the key's size and the
 * value is s || r. Any other digest is refused: a GOST key signs nothing else.
 */
export function gostSignatureProvider(key: GostPrivateKey): SignatureProvider {
	const expected: HashAlgorithm = key.digest === 512 ? 'STREEBOG-512' : 'STREEBOG-256';
	const algorithm = algorithmIdentifier(
		key.digest === 512 ? GOST_OID.TC26_SIGNWITHDIGEST_GOST_3410_12_512 : GOST_OID.TC26_SIGNWITHDIGEST_GOST_3410_12_256,
	);
	const check = (hash: HashAlgorithm) => {
		if (hash !== expected) {
			throw new EdoCryptoError(
				'UNSUPPORTED_ALGORITHM',
				`A ${key.description} key signs ${expected} digests, not ${String(hash)}.`,
				`Sign with hashAlgorithm ${expected} (GOST certificates choose it automatically in the nodes).`,
			);
		}
	};
	return {
		signatureAlgorithmDer(hash) {
			check(hash);
			return algorithm;
		},
		sign(data, hash) {
			check(hash);
			return key.sign(data);
		},
	};
}

/** Signs with a local private key: RSA PKCS#1 v1.5, ECDSA (DER signature value) or GOST R 34.10-2012 (s || r). */
export function localKeySignatureProvider(key: PrivateKey): SignatureProvider {
	if (key instanceof GostPrivateKey) return gostSignatureProvider(key);
	if (!key || typeof key !== 'object' || key.type !== 'private') {
		throw new EdoCryptoError(
			'NOT_A_PRIVATE_KEY',
			'CMS signing needs a private key, but a public or secret key was given.',
			'Load the private key that belongs to the signer certificate.',
		);
	}
	const keyType = key.asymmetricKeyType;
	if (keyType === 'rsa') {
		return {
			signatureAlgorithmDer(hash) {
				nodeSignatureHash(hash, 'RSA');
				return RSA_SIGNATURE_ALGORITHM;
			},
			sign: (data, hash) => crypto.sign(nodeSignatureHash(hash, 'RSA'), data, key),
		};
	}
	if (keyType === 'ec') {
		const algorithms = new Map<HashAlgorithm, Buffer>();
		return {
			signatureAlgorithmDer(hash) {
				let der = algorithms.get(hash);
				if (!der) {
					nodeSignatureHash(hash, 'ECDSA');
					der = algorithmIdentifier(hashInfo(hash).ecdsaOid as string);
					algorithms.set(hash, der);
				}
				return der;
			},
			// node's default dsaEncoding is 'der', which is what CMS carries.
			sign: (data, hash) => crypto.sign(nodeSignatureHash(hash, 'ECDSA'), data, key),
		};
	}
	throw new EdoCryptoError(
		'UNSUPPORTED_ALGORITHM',
		`Keys of type "${keyType ?? 'unknown'}" cannot sign CMS here; supported are RSA, ECDSA (P-256, P-384) and GOST R 34.10-2012.`,
		'Use an RSA, ECDSA or GOST key, or a signer that supports this algorithm.',
	);
}

// ---------------------------------------------------------------- certificate

function parseSignerCertificate(input: Buffer, what: string): Certificate {
	if (!((input as unknown) instanceof Uint8Array)) {
		throw new EdoCryptoError('NOT_A_CERTIFICATE', `The ${what} must be given as DER bytes.`, 'Pass the certificate file contents (DER or PEM).');
	}
	try {
		return Certificate.fromDer(decodeBinary(input, what));
	} catch (error) {
		const detail = error instanceof EdoCryptoError ? error.message : 'The data is unreadable';
		throw new EdoCryptoError(
			'NOT_A_CERTIFICATE',
			`The ${what} cannot be read: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}.`,
			'Provide the certificate in DER (.cer/.crt) or PEM form.',
		);
	}
}

// ---------------------------------------------------------------- builder

/** The signer- and hash-dependent DER that never changes between signatures. */
interface Precomputed {
	hash: HashAlgorithm;
	info: HashInfo;
	contentTypeAttribute: Buffer;
	signingCertificateAttribute: Buffer;
	/** Attribute SEQUENCE header + OID + SET header + OCTET STRING header; the digest follows. */
	messageDigestPrefix: Buffer;
	/** SignerInfo content up to signedAttrs: version, IssuerAndSerialNumber, digestAlgorithm. */
	signerInfoPrefix: Buffer;
	signatureAlgorithm: Buffer;
	/** SignedData content before encapContentInfo: version, digestAlgorithms. */
	signedDataPrefix: Buffer;
}

const CONTENT_INFO_OID = oid(OID_SIGNED_DATA);
const DATA_OID = oid(OID_DATA);
const VERSION_1 = integer(1);
const DETACHED_ENCAP = sequence(DATA_OID);
const SIGNING_TIME_OID = oid(OID_ATTR_SIGNING_TIME);

export class CmsSignedDataBuilder {
	private readonly provider: SignatureProvider;
	private readonly defaultHash: HashAlgorithm;
	private readonly signer: Certificate;
	/** [0] IMPLICIT SET OF Certificate, in DER order. */
	private readonly certificatesField: Buffer;
	private readonly precomputed = new Map<HashAlgorithm, Precomputed>();
	private lastTime?: { seconds: number; attribute: Buffer };

	constructor(options: CmsSignerOptions) {
		if (!options || !options.provider || typeof options.provider.sign !== 'function') {
			throw new EdoCryptoError('INVALID_INPUT', 'A CMS signer needs a signature provider.', 'Pass provider: localKeySignatureProvider(key).');
		}
		this.provider = options.provider;
		this.defaultHash = options.hashAlgorithm ?? 'SHA-256';
		hashInfo(this.defaultHash);
		this.signer = parseSignerCertificate(options.certificateDer, 'signer certificate');
		const all = [this.signer.der];
		for (const [index, extra] of (options.chainDer ?? []).entries()) {
			const parsed = parseSignerCertificate(extra, `chain certificate #${index + 1}`);
			if (!all.some((known) => known.equals(parsed.der))) all.push(parsed.der);
		}
		this.certificatesField = tlv(TAG_CONTEXT_CONSTRUCTED | 0, ...sortDer(all));
		this.prepare(this.defaultHash);
	}

	/** DER of the signer certificate this builder signs with. */
	get certificateDer(): Buffer {
		return this.signer.der;
	}

	/** CMS SignedData over `content`, detached unless `detached: false`. */
	async sign(content: Uint8Array, options: CmsSignOptions = {}): Promise<Buffer> {
		const pre = this.prepare(options.hashAlgorithm);
		checkContent(content);
		const digest = digestContent(pre.info, content);
		const signedAttributes = this.signedAttributes(pre, digest, options.signingTime);
		let signature = this.provider.sign(signedAttributes, pre.hash);
		if (!Buffer.isBuffer(signature)) signature = await signature;
		return this.assemble(pre, signedAttributes, checkSignature(signature), options.detached === false ? content : undefined);
	}

	/** Synchronous `sign`, for providers that answer synchronously (a local key). */
	signSync(content: Uint8Array, options: CmsSignOptions = {}): Buffer {
		const pre = this.prepare(options.hashAlgorithm);
		checkContent(content);
		const digest = digestContent(pre.info, content);
		const signedAttributes = this.signedAttributes(pre, digest, options.signingTime);
		const signature = this.provider.sign(signedAttributes, pre.hash);
		if (!Buffer.isBuffer(signature)) {
			throw new EdoCryptoError('INVALID_INPUT', 'This signature provider is asynchronous.', 'Use sign() instead of signSync().');
		}
		return this.assemble(pre, signedAttributes, checkSignature(signature), options.detached === false ? content : undefined);
	}

	/** Detached CMS SignedData for content hashed elsewhere (e.g. streamed); `contentDigest` is its raw hash. */
	async signDigest(contentDigest: Buffer, options: CmsSignDigestOptions = {}): Promise<Buffer> {
		const pre = this.prepare(options.hashAlgorithm);
		if (!(contentDigest instanceof Uint8Array) || contentDigest.length !== pre.info.length) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				`The content digest must be ${pre.info.length} bytes of ${pre.hash}, got ${contentDigest instanceof Uint8Array ? `${contentDigest.length} bytes` : typeof contentDigest}.`,
				'Pass the raw (binary, not hex) digest computed with the signer hash algorithm.',
			);
		}
		const signedAttributes = this.signedAttributes(pre, Buffer.from(contentDigest), options.signingTime);
		let signature = this.provider.sign(signedAttributes, pre.hash);
		if (!Buffer.isBuffer(signature)) signature = await signature;
		return this.assemble(pre, signedAttributes, checkSignature(signature), undefined);
	}

	private prepare(hash: HashAlgorithm | undefined): Precomputed {
		const key = hash ?? this.defaultHash;
		const cached = this.precomputed.get(key);
		if (cached) return cached;
		const info = hashInfo(key);
		const digestAlgorithm = algorithmIdentifier(info.oid);
		const signatureAlgorithm = Buffer.from(this.provider.signatureAlgorithmDer(key));
		const { issuerNameDer, serialNumberDer } = this.signer;
		const pre: Precomputed = {
			hash: key,
			info,
			contentTypeAttribute: sequence(oid(OID_ATTR_CONTENT_TYPE), tlv(TAG_SET, DATA_OID)),
			signingCertificateAttribute: signingCertificateV2Attribute(this.signer, info),
			messageDigestPrefix: messageDigestPrefix(info.length),
			signerInfoPrefix: Buffer.concat([VERSION_1, sequence(issuerNameDer, serialNumberDer), digestAlgorithm]),
			signatureAlgorithm,
			signedDataPrefix: Buffer.concat([VERSION_1, tlv(TAG_SET, digestAlgorithm)]),
		};
		this.precomputed.set(key, pre);
		return pre;
	}

	/** The signed attributes as the DER SET OF that gets signed (tag 0x31), in DER order. */
	private signedAttributes(pre: Precomputed, digest: Buffer, signingTime: Date | undefined): Buffer {
		const attributes = sortDer([
			pre.contentTypeAttribute,
			Buffer.concat([pre.messageDigestPrefix, digest]),
			this.signingTimeAttribute(signingTime ?? new Date()),
			pre.signingCertificateAttribute,
		]);
		let length = 0;
		for (const attribute of attributes) length += attribute.length;
		const set = Buffer.allocUnsafe(headerLength(length) + length);
		let offset = writeHeader(set, 0, TAG_SET, length);
		for (const attribute of attributes) offset += attribute.copy(set, offset);
		return set;
	}

	private signingTimeAttribute(date: Date): Buffer {
		if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
			throw new EdoCryptoError('INVALID_INPUT', 'The signing time is not a valid date.', 'Pass a valid Date or leave it out for the current time.');
		}
		const seconds = Math.floor(date.getTime() / 1000);
		if (this.lastTime?.seconds === seconds) return this.lastTime.attribute;
		let time: Buffer;
		try {
			time = cmsTime(date);
		} catch {
			throw new EdoCryptoError('INVALID_INPUT', 'The signing time is outside years 0000-9999.', 'Pass a realistic signing time.');
		}
		const attribute = sequence(SIGNING_TIME_OID, tlv(TAG_SET, time));
		this.lastTime = { seconds, attribute };
		return attribute;
	}

	/**
	 * Lays out ContentInfo(SignedData) in one allocation: lengths are computed inside-out, then the precomputed
	 * pieces are copied in order. `signedAttributes` is the signed SET; it is embedded as [0] IMPLICIT.
	 */
	private assemble(pre: Precomputed, signedAttributes: Buffer, signature: Buffer, attachedContent: Uint8Array | undefined): Buffer {
		const signatureField = headerLength(signature.length) + signature.length;
		const signerInfoBody = pre.signerInfoPrefix.length + signedAttributes.length + pre.signatureAlgorithm.length + signatureField;
		const signerInfo = headerLength(signerInfoBody) + signerInfoBody;
		const signerInfos = headerLength(signerInfo) + signerInfo;
		let contentOctets = 0;
		let contentExplicit = 0;
		let encapBody = 0;
		let encap = DETACHED_ENCAP.length;
		if (attachedContent) {
			contentOctets = headerLength(attachedContent.length) + attachedContent.length;
			contentExplicit = headerLength(contentOctets) + contentOctets;
			encapBody = DATA_OID.length + contentExplicit;
			encap = headerLength(encapBody) + encapBody;
		}
		const signedDataBody = pre.signedDataPrefix.length + encap + this.certificatesField.length + signerInfos;
		const signedData = headerLength(signedDataBody) + signedDataBody;
		const contentInfoBody = CONTENT_INFO_OID.length + headerLength(signedData) + signedData;
		const out = Buffer.allocUnsafe(headerLength(contentInfoBody) + contentInfoBody);

		let offset = writeHeader(out, 0, TAG_SEQUENCE, contentInfoBody);
		offset += CONTENT_INFO_OID.copy(out, offset);
		offset = writeHeader(out, offset, TAG_CONTEXT_CONSTRUCTED | 0, signedData);
		offset = writeHeader(out, offset, TAG_SEQUENCE, signedDataBody);
		offset += pre.signedDataPrefix.copy(out, offset);
		if (attachedContent) {
			offset = writeHeader(out, offset, TAG_SEQUENCE, encapBody);
			offset += DATA_OID.copy(out, offset);
			offset = writeHeader(out, offset, TAG_CONTEXT_CONSTRUCTED | 0, contentOctets);
			offset = writeHeader(out, offset, TAG_OCTET_STRING, attachedContent.length);
			out.set(attachedContent, offset);
			offset += attachedContent.length;
		} else {
			offset += DETACHED_ENCAP.copy(out, offset);
		}
		offset += this.certificatesField.copy(out, offset);
		offset = writeHeader(out, offset, TAG_SET, signerInfo);
		offset = writeHeader(out, offset, TAG_SEQUENCE, signerInfoBody);
		offset += pre.signerInfoPrefix.copy(out, offset);
		out[offset] = TAG_CONTEXT_CONSTRUCTED | 0; // SET OF -> [0] IMPLICIT
		offset += signedAttributes.copy(out, offset + 1, 1) + 1;
		offset += pre.signatureAlgorithm.copy(out, offset);
		offset = writeHeader(out, offset, TAG_OCTET_STRING, signature.length);
		offset += signature.copy(out, offset);
		if (offset !== out.length) throw new Error(`CMS layout error: wrote ${offset} of ${out.length} bytes`);
		return out;
	}
}

function digestContent(info: HashInfo, content: Uint8Array): Buffer {
	const nodeName = info.nodeName;
	if (!nodeName) return hashWith(info, content);
	if (content.length <= 4 * 1024 * 1024 && typeof crypto.hash === 'function') return crypto.hash(nodeName, content, 'buffer');
	return crypto.createHash(nodeName).update(content).digest();
}

function checkContent(content: Uint8Array): void {
	if (!(content instanceof Uint8Array)) {
		throw new EdoCryptoError('INVALID_INPUT', `The content to sign must be binary data, got ${content === null ? 'null' : typeof content}.`, 'Pass a Buffer or Uint8Array.');
	}
}

function checkSignature(signature: unknown): Buffer {
	if (!(signature instanceof Uint8Array) || signature.length === 0) {
		throw new EdoCryptoError('INVALID_INPUT', 'The signature provider returned no signature value.', 'Check the signer configuration.');
	}
	return Buffer.isBuffer(signature) ? signature : Buffer.from(signature);
}

function messageDigestPrefix(digestLength: number): Buffer {
	const value = header(TAG_OCTET_STRING, digestLength);
	const values = header(TAG_SET, value.length + digestLength);
	const attributeOid = oid(OID_ATTR_MESSAGE_DIGEST);
	const innerLength = attributeOid.length + values.length + value.length + digestLength;
	return Buffer.concat([header(TAG_SEQUENCE, innerLength), attributeOid, values, value]);
}

/**
 * ESS signingCertificateV2 (RFC 5035) naming the signer certificate by hash and issuer/serial. hashAlgorithm
 * is DEFAULT sha256, so DER leaves it out for SHA-256.
 */
function signingCertificateV2Attribute(certificate: Certificate, info: HashInfo): Buffer {
	const certHash = octetString(hashWith(info, certificate.der));
	const issuerSerial = sequence(sequence(explicit(4, certificate.issuerNameDer)), certificate.serialNumberDer);
	const essCertId = info.oid === OID_SHA256 ? sequence(certHash, issuerSerial) : sequence(algorithmIdentifier(info.oid), certHash, issuerSerial);
	const signingCertificate = sequence(sequence(essCertId));
	return sequence(oid(OID_ATTR_SIGNING_CERTIFICATE_V2), tlv(TAG_SET, signingCertificate));
}
