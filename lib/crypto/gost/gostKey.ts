/**
 * GOST R 34.10-2012 keys as objects the rest of the crypto core can hold next to Node's KeyObject (which cannot
 * hold GOST keys): a private key that signs digests and agrees keys, and a public key that verifies. The private
 * scalar lives in a private field, so logging or serializing a key never shows it.
 */
import { inspect } from 'node:util';

import { EdoCryptoError } from '../errors';
import type { GostParamSet } from './curves';
import {
	encodeGostPrivateKeyInfo,
	encodeGostSpki,
	gostPublicKeyFromSpki,
	parseGostPrivateKeyInfo,
	type GostKeyParameters,
} from './keys';
import * as OID from './oids';
import type { AffinePoint } from './point';
import { generateKeyPair, publicKeyFromPrivate, signDigest, verifyDigest } from './signature';
import { Streebog } from './streebog';
import { vko2012 } from './vko';

/** Short names of the parameter sets, as certificate viewers show them. */
const PARAM_SET_NAMES: Record<string, string> = {
	[OID.GOST_R3410_2001_TEST_PARAMSET]: 'Test',
	[OID.GOST_R3410_2001_CRYPTOPRO_A_PARAMSET]: 'CryptoPro-A',
	[OID.GOST_R3410_2001_CRYPTOPRO_B_PARAMSET]: 'CryptoPro-B',
	[OID.GOST_R3410_2001_CRYPTOPRO_C_PARAMSET]: 'CryptoPro-C',
	[OID.GOST_R3410_2001_CRYPTOPRO_XCHA_PARAMSET]: 'CryptoPro-XchA',
	[OID.GOST_R3410_2001_CRYPTOPRO_XCHB_PARAMSET]: 'CryptoPro-XchB',
	[OID.TC26_GOST_3410_12_256_PARAMSET_A]: 'TC26-256-A',
	[OID.TC26_GOST_3410_12_256_PARAMSET_B]: 'TC26-256-B',
	[OID.TC26_GOST_3410_12_256_PARAMSET_C]: 'TC26-256-C',
	[OID.TC26_GOST_3410_12_256_PARAMSET_D]: 'TC26-256-D',
	[OID.TC26_GOST_3410_12_512_PARAMSET_TEST]: 'TC26-512-Test',
	[OID.TC26_GOST_3410_12_512_PARAMSET_A]: 'TC26-512-A',
	[OID.TC26_GOST_3410_12_512_PARAMSET_B]: 'TC26-512-B',
	[OID.TC26_GOST_3410_12_512_PARAMSET_C]: 'TC26-512-C',
};

/** 'CryptoPro-A', 'TC26-512-C', ... (the OID for a set without a short name). */
export function paramSetShortName(paramSet: GostParamSet): string {
	return PARAM_SET_NAMES[paramSet.oid] ?? paramSet.oid;
}

/** e.g. 'GOST R 34.10-2012 256 (CryptoPro-A)' or 'GOST R 34.10-2001 (CryptoPro-A)'. */
export function describeGostKey(parameters: Pick<GostKeyParameters, 'algorithm' | 'paramSet' | 'digest'>): string {
	const is2001 = parameters.algorithm === OID.GOST_R3410_2001 || parameters.algorithm === OID.GOST_R3410_2001_DH;
	const standard = is2001 ? 'GOST R 34.10-2001' : `GOST R 34.10-2012 ${parameters.digest}`;
	return `${standard} (${paramSetShortName(parameters.paramSet)})`;
}

function is2012(algorithm: string): boolean {
	return algorithm !== OID.GOST_R3410_2001 && algorithm !== OID.GOST_R3410_2001_DH;
}

export class GostPublicKey {
	readonly kind = 'gost' as const;
	readonly type = 'public' as const;
	/** The key's algorithm OID (id-tc26-gost3410-12-256/512, an agreement variant, or 2001). */
	readonly algorithm: string;
	readonly paramSet: GostParamSet;
	/** The Streebog size that goes with the key: 256 or 512. */
	readonly digest: 256 | 512;
	readonly digestOid: string;
	readonly encryptionParamSet?: string;
	readonly point: AffinePoint;

	constructor(parameters: GostKeyParameters, point: AffinePoint) {
		this.algorithm = parameters.algorithm;
		this.paramSet = parameters.paramSet;
		this.digest = parameters.digest;
		this.digestOid = parameters.digestOid;
		if (parameters.encryptionParamSet) this.encryptionParamSet = parameters.encryptionParamSet;
		this.point = point;
	}

	/** From SubjectPublicKeyInfo DER (a certificate's or a bare public key). */
	static fromSpki(spkiDer: Uint8Array): GostPublicKey {
		const info = gostPublicKeyFromSpki(spkiDer);
		return new GostPublicKey(info, info.Q);
	}

	get description(): string {
		return describeGostKey(this);
	}

	/** True for the same point on the same curve and key size (parameter-set OIDs that name one curve agree). */
	equals(other: GostPublicKey): boolean {
		return (
			other instanceof GostPublicKey &&
			other.paramSet.size === this.paramSet.size &&
			other.paramSet.curve === this.paramSet.curve &&
			other.point.x === this.point.x &&
			other.point.y === this.point.y
		);
	}

	/** Verifies s || r over a Streebog digest (as the hash returned it). */
	verifyDigest(digest: Uint8Array, signature: Uint8Array): boolean {
		return verifyDigest(this.paramSet.curve, this.point, digest, signature);
	}

	/** SubjectPublicKeyInfo DER as OpenSSL's engine writes it (id-tc26-gost3410-12-256/512). */
	toSpki(): Buffer {
		return encodeGostSpki(this.point, this.paramSet);
	}
}

export class GostPrivateKey {
	readonly kind = 'gost' as const;
	readonly type = 'private' as const;
	readonly algorithm: string;
	readonly paramSet: GostParamSet;
	readonly digest: 256 | 512;
	readonly digestOid: string;
	readonly encryptionParamSet?: string;
	readonly publicKey: GostPublicKey;
	readonly #d: bigint;

	private constructor(parameters: GostKeyParameters, d: bigint, publicPoint: AffinePoint) {
		this.algorithm = parameters.algorithm;
		this.paramSet = parameters.paramSet;
		this.digest = parameters.digest;
		this.digestOid = parameters.digestOid;
		if (parameters.encryptionParamSet) this.encryptionParamSet = parameters.encryptionParamSet;
		this.#d = d;
		this.publicKey = new GostPublicKey(parameters, publicPoint);
	}

	/** From unencrypted PKCS#8 DER as OpenSSL's engine or CryptoPro export it (raw, wrapped or masked scalar). */
	static fromPkcs8(pkcs8Der: Uint8Array): GostPrivateKey {
		const info = parseGostPrivateKeyInfo(pkcs8Der);
		if (!is2012(info.algorithm)) {
			throw new EdoCryptoError(
				'UNSUPPORTED_ALGORITHM',
				'GOST R 34.10-2001 private keys are not supported (they sign with GOST R 34.11-94, withdrawn in 2019).',
				'Use a GOST R 34.10-2012 key (256 or 512 bit), as every qualified certificate issued since 2019 has.',
			);
		}
		return new GostPrivateKey(info, info.d, publicKeyFromPrivate(info.paramSet.curve, info.d));
	}

	/** A key from its scalar on a parameter set (id-tc26-gost3410-12-256/512 after the set's size). */
	static fromScalar(d: bigint, paramSet: GostParamSet): GostPrivateKey {
		return new GostPrivateKey(parametersFor(paramSet), d, publicKeyFromPrivate(paramSet.curve, d));
	}

	/** A fresh random key on the parameter set. */
	static generate(paramSet: GostParamSet): GostPrivateKey {
		const { d, Q } = generateKeyPair(paramSet.curve);
		return new GostPrivateKey(parametersFor(paramSet), d, Q);
	}

	/** The private scalar d. Only the GOST primitives need it. */
	get d(): bigint {
		return this.#d;
	}

	get description(): string {
		return describeGostKey(this);
	}

	/** Signs a Streebog digest of the key's size; returns s || r (64 or 128 bytes). */
	signDigest(digest: Uint8Array): Buffer {
		if (digest.length !== this.digest / 8) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				`A ${this.description} key signs ${this.digest / 8}-byte Streebog-${this.digest} digests, got ${digest.length} bytes.`,
				`Hash the data with GOST R 34.11-2012 (Streebog) ${this.digest}.`,
			);
		}
		return signDigest(this.paramSet.curve, this.#d, digest);
	}

	/** Hashes the data with Streebog of the key's size and signs it. */
	sign(data: Uint8Array): Buffer {
		return this.signDigest(new Streebog(this.digest).update(data).digest());
	}

	/**
	 * VKO GOST R 34.10-2012 with the peer's public point: Streebog-`hashSize` of the shared point; `ukm` is read
	 * as a little-endian integer (vko.ts).
	 */
	agree(peer: AffinePoint, ukm: Uint8Array, hashSize: 256 | 512): Buffer {
		return vko2012(this.paramSet.curve, this.#d, peer, ukm, hashSize);
	}

	/** Unencrypted PKCS#8 DER, byte-identical to what OpenSSL's engine writes. */
	toPkcs8(): Buffer {
		return encodeGostPrivateKeyInfo(this.#d, this.paramSet);
	}

	toJSON(): Record<string, string> {
		return { kind: 'gost', type: 'private', description: this.description };
	}

	[inspect.custom](): string {
		return `GostPrivateKey { ${this.description} }`;
	}
}

function parametersFor(paramSet: GostParamSet): GostKeyParameters {
	const size = paramSet.size;
	return {
		algorithm: size === 512 ? OID.TC26_GOST_3410_12_512 : OID.TC26_GOST_3410_12_256,
		paramSet,
		digest: size,
		digestOid: size === 512 ? OID.TC26_GOST_3411_12_512 : OID.TC26_GOST_3411_12_256,
	};
}

export function isGostPrivateKey(key: unknown): key is GostPrivateKey {
	return key instanceof GostPrivateKey;
}
