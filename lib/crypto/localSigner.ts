/**
 * A Signer backed by a private key held in memory: a certificate and key in PEM, or a PFX/PKCS#12 file.
 * RSA and ECDSA keys sign the digest asked for; GOST R 34.10-2012 keys always sign Streebog of their size.
 */
import { Certificate, loadCertificates, type CertificateInfo } from './certificate';
import { decryptCms } from './cms/decrypt';
import { CmsSignedDataBuilder, localKeySignatureProvider } from './cms/sign';
import { EdoCryptoError } from './errors';
import { signatureHashFor } from './hash';
import { keyMatchesCertificate, type PrivateKey } from './keys';
import { loadPfx } from './pkcs12';
import { assertKeyMatchesCertificate, loadPrivateKey } from './privateKey';
import type { HashAlgorithm, SignOptions, Signer } from './signer';

export interface LocalSignerParts {
	certificate: Certificate;
	key: PrivateKey;
	/** Intermediate and root certificates to embed in signatures. */
	chain?: Certificate[];
}

export interface LocalSignerMaterial {
	/** The signer certificate, optionally followed by its chain (any order). */
	certificatePem?: string;
	privateKeyPem?: string;
	privateKeyPassphrase?: string;
	/** A PFX/PKCS#12 file as base64; when given, the PEM fields are ignored. */
	pfxBase64?: string;
	pfxPassword?: string;
}

export interface SignDigestOptions {
	hashAlgorithm?: HashAlgorithm;
	signingTime?: Date;
}

export class LocalKeySigner implements Signer {
	readonly certificate: Certificate;
	readonly chain: Certificate[];
	readonly description: string;
	// A true private field: the key never shows up when the signer is logged or serialized.
	readonly #key: PrivateKey;
	readonly #builders = new Map<HashAlgorithm, CmsSignedDataBuilder>();

	constructor(parts: LocalSignerParts) {
		assertKeyMatchesCertificate(parts.key, parts.certificate);
		this.certificate = parts.certificate;
		this.chain = (parts.chain ?? []).filter((other) => !other.der.equals(parts.certificate.der));
		this.#key = parts.key;
		const commonName = parts.certificate.info().commonName;
		this.description = `local key ${commonName ? `CN=${commonName}, ` : ''}${parts.certificate.thumbprint}`;
	}

	get thumbprint(): string {
		return this.certificate.thumbprint;
	}

	async getCertificate(): Promise<Buffer> {
		return this.certificate.der;
	}

	async getCertificateInfo(): Promise<CertificateInfo> {
		return this.certificate.info();
	}

	/** The digest a signature uses when `requested` is asked for: Streebog of the key size for GOST keys. */
	hashAlgorithmFor(requested?: HashAlgorithm): HashAlgorithm {
		return signatureHashFor(this.certificate, requested);
	}

	async sign(data: Uint8Array, options: SignOptions = {}): Promise<Buffer> {
		return await this.builder(this.hashAlgorithmFor(options.hashAlgorithm)).sign(data, {
			detached: options.detached !== false,
			signingTime: options.signingTime,
		});
	}

	/**
	 * A detached signature over content hashed by the caller (e.g. streamed): `digest` is its raw hash, computed
	 * with `hashAlgorithmFor(options.hashAlgorithm)` (for a GOST key a SHA digest is refused, not re-labelled).
	 */
	async signDigest(digest: Uint8Array, options: SignDigestOptions = {}): Promise<Buffer> {
		const hashAlgorithm = this.hashAlgorithmFor(options.hashAlgorithm);
		if (options.hashAlgorithm !== undefined && options.hashAlgorithm !== hashAlgorithm) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				`The certificate's ${this.certificate.keyAlgorithm.description} key signs ${hashAlgorithm} digests, but a ${options.hashAlgorithm} digest was given.`,
				`Hash the content with ${hashAlgorithm} (signer.hashAlgorithmFor() names the digest to use).`,
			);
		}
		return await this.builder(hashAlgorithm).signDigest(Buffer.from(digest), {
			signingTime: options.signingTime,
		});
	}

	async decrypt(envelope: Uint8Array): Promise<Buffer> {
		return decryptCms(envelope, { certificateDer: this.certificate.der, key: this.#key });
	}

	private builder(hashAlgorithm: HashAlgorithm = 'SHA-256'): CmsSignedDataBuilder {
		let builder = this.#builders.get(hashAlgorithm);
		if (!builder) {
			builder = new CmsSignedDataBuilder({
				certificateDer: this.certificate.der,
				chainDer: this.chain.map((certificate) => certificate.der),
				hashAlgorithm,
				provider: localKeySignatureProvider(this.#key),
			});
			this.#builders.set(hashAlgorithm, builder);
		}
		return builder;
	}
}

function hasText(value: string | undefined): value is string {
	return typeof value === 'string' && value.trim().length > 0;
}

/** Loads the key and certificate (PFX, or PEM pair) and checks that they belong together (KEY_MISMATCH). */
export function createLocalSigner(material: LocalSignerMaterial): LocalKeySigner {
	if (hasText(material.pfxBase64)) {
		const pfx = loadPfx(material.pfxBase64.trim(), material.pfxPassword ?? '');
		return new LocalKeySigner({ certificate: pfx.certificate, key: pfx.key, chain: pfx.chain });
	}
	if (!hasText(material.certificatePem)) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'No certificate is given.',
			'Paste the certificate (PEM, -----BEGIN CERTIFICATE-----) or switch to a PFX/PKCS#12 file.',
		);
	}
	if (!hasText(material.privateKeyPem)) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'No private key is given.',
			'Paste the private key of the certificate (PEM, -----BEGIN PRIVATE KEY----- or ENCRYPTED PRIVATE KEY).',
		);
	}
	const certificates = loadCertificates(material.certificatePem);
	if (certificates.length === 0) {
		throw new EdoCryptoError('NOT_A_CERTIFICATE', 'The certificate field holds no certificate.', 'Paste the certificate as PEM (-----BEGIN CERTIFICATE-----).');
	}
	const key = loadPrivateKey(material.privateKeyPem, hasText(material.privateKeyPassphrase) ? material.privateKeyPassphrase : undefined);
	// The field may hold the whole chain in any order: the signer certificate is the one of the key.
	const certificate = certificates.find((candidate) => keyMatches(key, candidate)) ?? certificates[0];
	return new LocalKeySigner({ certificate, key, chain: certificates.filter((other) => other !== certificate) });
}

function keyMatches(key: PrivateKey, certificate: Certificate): boolean {
	try {
		return keyMatchesCertificate(key, certificate);
	} catch {
		return false;
	}
}
