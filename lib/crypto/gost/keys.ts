/**
 * GOST R 34.10 keys in the encodings OpenSSL's GOST engine and CryptoPro use (RFC 4491, RFC 9215):
 * - AlgorithmIdentifier: id-tc26-gost3410-12-256/512 (or a 2001 / agreement OID) with parameters
 *   SEQUENCE { publicKeyParamSet OID, digestParamSet OID OPTIONAL, encryptionParamSet OID OPTIONAL };
 * - public key: the SubjectPublicKeyInfo BIT STRING holds an OCTET STRING of X || Y, each little-endian;
 * - private key (PKCS#8 privateKey OCTET STRING): what the engine writes is the scalar as raw little-endian
 *   bytes; it also reads, and so do we, an inner OCTET STRING (little-endian), an INTEGER (big-endian), and the
 *   CryptoPro masked forms: key || mask_1 || ... || mask_n (raw) or SEQUENCE { masked OCTET STRING, public key
 *   OCTET STRING }, where the scalar is key * mask_1 * ... * mask_n mod q, every part little-endian.
 */
import * as asn1js from 'asn1js';

import { Asn1Error, Asn1Node, readDer, Tag } from '../encoding';
import { EdoCryptoError } from '../errors';
import { findParamSet, type GostKeySize, type GostParamSet } from './curves';
import { bigIntToBytesLE, bytesToBigInt, bytesToBigIntLE } from './field';
import * as OID from './oids';
import type { AffinePoint } from './point';

export interface GostKeyParameters {
	/** The key's algorithm OID (2012-256, 2012-512, their agreement variants, or 2001). */
	algorithm: string;
	paramSet: GostParamSet;
	/** Digest size in bits that goes with the key: 256 or 512. */
	digest: GostKeySize;
	/** The digest for signatures: Streebog-256/512, or GOST R 34.11-94 for 2001 keys. */
	digestOid: string;
	/** The encryptionParamSet OID when the parameters carry one (GOST 28147-89 S-box for key transport). */
	encryptionParamSet?: string;
}

export interface GostPrivateKeyInfo extends GostKeyParameters {
	/** The private scalar, 0 < d < q. */
	d: bigint;
}

export interface GostPublicKeyInfo extends GostKeyParameters {
	Q: AffinePoint;
}

const KEY_ALGORITHMS: Record<string, { size: GostKeySize; digestOid: string }> = {
	[OID.TC26_GOST_3410_12_256]: { size: 256, digestOid: OID.TC26_GOST_3411_12_256 },
	[OID.TC26_AGREEMENT_GOST_3410_12_256]: { size: 256, digestOid: OID.TC26_GOST_3411_12_256 },
	[OID.TC26_GOST_3410_12_512]: { size: 512, digestOid: OID.TC26_GOST_3411_12_512 },
	[OID.TC26_AGREEMENT_GOST_3410_12_512]: { size: 512, digestOid: OID.TC26_GOST_3411_12_512 },
	[OID.GOST_R3410_2001]: { size: 256, digestOid: OID.GOST_R3411_94 },
	[OID.GOST_R3410_2001_DH]: { size: 256, digestOid: OID.GOST_R3411_94 },
};

/** True for the OIDs of GOST R 34.10 public keys (2001 and 2012, signature and agreement). */
export function isGostKeyAlgorithm(oid: string): boolean {
	return oid in KEY_ALGORITHMS;
}

/** The parameter set and digest of a GOST key from its AlgorithmIdentifier's OID and DER parameters. */
export function parseGostKeyParameters(algorithm: string, parametersDer: Uint8Array): GostKeyParameters {
	const kind = KEY_ALGORITHMS[algorithm];
	if (!kind) throw unsupported(`The key algorithm ${algorithm} is not a GOST R 34.10 algorithm.`);
	let fields: Asn1Node[];
	try {
		fields = readDer(parametersDer).expect(Tag.sequence).children;
	} catch {
		throw invalidPublicKey('The GOST key parameters are malformed');
	}
	const oids = fields.map((field) => {
		try {
			return field.oid;
		} catch {
			throw invalidPublicKey('The GOST key parameters are malformed');
		}
	});
	if (oids.length === 0) throw invalidPublicKey('The GOST key parameters name no parameter set');
	const paramSet = findParamSet(oids[0]);
	if (!paramSet) {
		throw unsupported(
			`The GOST R 34.10 parameter set ${oids[0]} is not supported.`,
			'Use a key on a CryptoPro (A, B, C, XchA, XchB) or TC26 (256-bit A-D, 512-bit A-C) parameter set.',
		);
	}
	if (paramSet.size !== kind.size) {
		throw invalidPublicKey(`The parameter set ${paramSet.name} does not fit a ${kind.size}-bit GOST key`);
	}
	const result: GostKeyParameters = { algorithm, paramSet, digest: kind.size, digestOid: kind.digestOid };
	// The second OID is the digest set for 2001 keys and 2012-256 keys on the CryptoPro sets; a third (or an
	// unknown second) is the GOST 28147-89 encryption set.
	const digestSets = [OID.TC26_GOST_3411_12_256, OID.TC26_GOST_3411_12_512, OID.GOST_R3411_94_CRYPTOPRO_PARAMSET];
	const rest = oids.slice(1).filter((oid) => !digestSets.includes(oid));
	if (rest.length > 0) result.encryptionParamSet = rest[0];
	return result;
}

/** A GOST private key from unencrypted PKCS#8 DER (PrivateKeyInfo / OneAsymmetricKey). */
export function parseGostPrivateKeyInfo(pkcs8Der: Uint8Array): GostPrivateKeyInfo {
	let algorithm: string;
	let parameters: Buffer;
	let privateKey: Buffer;
	try {
		const root = readDer(pkcs8Der).expect(Tag.sequence);
		root.child(0).expect(Tag.integer);
		const algorithmId = root.child(1).expect(Tag.sequence);
		algorithm = algorithmId.child(0).oid;
		const params = algorithmId.children[1];
		if (!params || !params.is(Tag.sequence)) throw new Asn1Error('the GOST key parameters are missing');
		parameters = params.raw;
		privateKey = root.child(2).expect(Tag.octetString).bytes;
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw invalidKey('The PKCS#8 GOST private key is malformed');
	}
	const keyParameters = parseGostKeyParameters(algorithm, parameters);
	const d = decodePrivateScalar(privateKey, keyParameters.paramSet);
	return { ...keyParameters, d };
}

/** A GOST public key from SubjectPublicKeyInfo DER. */
export function gostPublicKeyFromSpki(spkiDer: Uint8Array): GostPublicKeyInfo {
	let algorithm: string;
	let parameters: Buffer;
	let keyBits: Buffer;
	try {
		const root = readDer(spkiDer).expect(Tag.sequence);
		const algorithmId = root.child(0).expect(Tag.sequence);
		algorithm = algorithmId.child(0).oid;
		const params = algorithmId.children[1];
		if (!params || !params.is(Tag.sequence)) throw new Asn1Error('the GOST key parameters are missing');
		parameters = params.raw;
		keyBits = root.child(1).expect(Tag.bitString).bytes;
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw invalidPublicKey('The GOST public key (SubjectPublicKeyInfo) is malformed');
	}
	const keyParameters = parseGostKeyParameters(algorithm, parameters);
	return { ...keyParameters, Q: decodeGostPublicKey(keyBits, keyParameters.paramSet) };
}

/** The point from the contents of a GOST SubjectPublicKeyInfo BIT STRING (an OCTET STRING of X || Y, LE). */
export function decodeGostPublicKey(subjectPublicKey: Uint8Array, paramSet: GostParamSet): AffinePoint {
	let value: Buffer;
	try {
		value = readDer(subjectPublicKey).expect(Tag.octetString).bytes;
	} catch {
		throw invalidPublicKey('The GOST public key value is malformed');
	}
	const length = paramSet.curve.coordinateBytes;
	if (value.length !== 2 * length) {
		throw invalidPublicKey(`The GOST public key is ${value.length} bytes long, expected ${2 * length}`);
	}
	const point = { x: bytesToBigIntLE(value.subarray(0, length)), y: bytesToBigIntLE(value.subarray(length)) };
	if (!paramSet.curve.isValidPublicKey(point)) throw invalidPublicKey(`The GOST public key is not a point of ${paramSet.name}`);
	return point;
}

/** The contents of the SubjectPublicKeyInfo BIT STRING: DER OCTET STRING of X || Y, little-endian. */
export function encodeGostPublicKey(point: AffinePoint, paramSet: GostParamSet): Buffer {
	const length = paramSet.curve.coordinateBytes;
	const value = Buffer.concat([bigIntToBytesLE(point.x, length), bigIntToBytesLE(point.y, length)]);
	return der(new asn1js.OctetString({ valueHex: value }));
}

/** The AlgorithmIdentifier parameters OpenSSL writes: the set, plus the digest set for CryptoPro-set 256-bit keys. */
export function encodeGostKeyParameters(paramSet: GostParamSet, digestOid?: string): Buffer {
	const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: paramSet.oid })];
	const digest = digestOid ?? defaultDigestParamSet(paramSet);
	if (digest) value.push(new asn1js.ObjectIdentifier({ value: digest }));
	return der(new asn1js.Sequence({ value }));
}

/** SubjectPublicKeyInfo DER for a 2012 key. */
export function encodeGostSpki(point: AffinePoint, paramSet: GostParamSet): Buffer {
	return der(
		new asn1js.Sequence({
			value: [
				algorithmIdentifier(paramSet),
				new asn1js.BitString({ valueHex: encodeGostPublicKey(point, paramSet) }),
			],
		}),
	);
}

/** PKCS#8 PrivateKeyInfo DER for a 2012 key, as OpenSSL's engine writes it (raw little-endian scalar). */
export function encodeGostPrivateKeyInfo(d: bigint, paramSet: GostParamSet): Buffer {
	return der(
		new asn1js.Sequence({
			value: [
				new asn1js.Integer({ value: 0 }),
				algorithmIdentifier(paramSet),
				new asn1js.OctetString({ valueHex: bigIntToBytesLE(d, paramSet.curve.coordinateBytes) }),
			],
		}),
	);
}

function algorithmIdentifier(paramSet: GostParamSet): asn1js.Sequence {
	const algorithm = paramSet.size === 512 ? OID.TC26_GOST_3410_12_512 : OID.TC26_GOST_3410_12_256;
	const parameters = asn1js.fromBER(encodeGostKeyParameters(paramSet)).result;
	return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: algorithm }), parameters] });
}

/**
 * The digestParamSet OpenSSL's engine writes (RFC 9215 §4.1): present for the 2001 (CryptoPro) sets and the
 * 512-bit test, A and B sets; absent for the TC26 256-bit sets and 512-bit C.
 */
function defaultDigestParamSet(paramSet: GostParamSet): string | undefined {
	if (paramSet.oid.startsWith('1.2.643.2.2.')) return OID.TC26_GOST_3411_12_256;
	const withDigest512 = [OID.TC26_GOST_3410_12_512_PARAMSET_TEST, OID.TC26_GOST_3410_12_512_PARAMSET_A, OID.TC26_GOST_3410_12_512_PARAMSET_B];
	return withDigest512.includes(paramSet.oid) ? OID.TC26_GOST_3411_12_512 : undefined;
}

function decodePrivateScalar(value: Buffer, paramSet: GostParamSet): bigint {
	const length = paramSet.curve.coordinateBytes;
	let d: bigint;
	if (value.length > 0 && value.length % length === 0) {
		d = unmask(value, length, paramSet);
	} else {
		let inner: Asn1Node;
		try {
			inner = readDer(value);
		} catch {
			throw invalidKey('The GOST private key value is malformed');
		}
		if (inner.is(Tag.octetString)) {
			const bytes = inner.bytes;
			if (bytes.length !== 32 && bytes.length !== 64) throw invalidKey('The GOST private key value has a wrong length');
			d = bytesToBigIntLE(bytes);
		} else if (inner.is(Tag.integer)) {
			d = bytesToBigInt(inner.content);
		} else if (inner.is(Tag.sequence)) {
			let masked: Buffer;
			try {
				masked = inner.child(0).expect(Tag.octetString).bytes;
			} catch {
				throw invalidKey('The masked GOST private key is malformed');
			}
			if (masked.length === 0 || masked.length % length !== 0) throw invalidKey('The masked GOST private key has a wrong length');
			d = unmask(masked, length, paramSet);
		} else {
			throw invalidKey('The GOST private key value has an unknown form');
		}
	}
	d %= paramSet.curve.q;
	if (d === 0n) throw invalidKey('The GOST private key is zero');
	return d;
}

/** key || mask_1 || ... || mask_n (each little-endian) -> key * mask_1 * ... * mask_n mod q. */
function unmask(value: Buffer, length: number, paramSet: GostParamSet): bigint {
	const q = paramSet.curve.q;
	let d = bytesToBigIntLE(value.subarray(0, length));
	for (let offset = length; offset < value.length; offset += length) {
		d = (d * bytesToBigIntLE(value.subarray(offset, offset + length))) % q;
	}
	return d;
}

function der(block: asn1js.AsnType): Buffer {
	return Buffer.from(block.toBER(false));
}

function invalidKey(message: string): EdoCryptoError {
	return new EdoCryptoError(
		'NOT_A_PRIVATE_KEY',
		`${message}.`,
		'Export the key again as unencrypted PKCS#8 (openssl pkcs8 -topk8 -nocrypt with the GOST engine) or as a PFX.',
	);
}

function invalidPublicKey(message: string): EdoCryptoError {
	return new EdoCryptoError(
		'INVALID_INPUT',
		`${message}.`,
		'Check that the certificate or public key is complete and really holds a GOST R 34.10 key.',
	);
}

function unsupported(message: string, hint = 'Use a GOST R 34.10-2012 (256 or 512 bit) or GOST R 34.10-2001 key.'): EdoCryptoError {
	return new EdoCryptoError('UNSUPPORTED_ALGORITHM', message, hint);
}
