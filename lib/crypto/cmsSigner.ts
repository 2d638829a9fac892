/**
 * What a local key and a remote signer share: the CMS is built on this machine around the signer's
 * certificate, with one builder per digest algorithm. A subclass says only how the signed attributes get their
 * signature value, and how an envelope is decrypted.
 */
import type { Certificate, CertificateInfo } from './certificate';
import { CmsSignedDataBuilder, type SignatureProvider } from './cms/sign';
import { EdoCryptoError } from './errors';
import { signatureHashFor } from './hash';
import type { HashAlgorithm, SignOptions, Signer } from './signer';

export interface SignDigestOptions {
	hashAlgorithm?: HashAlgorithm;
	signingTime?: Date;
}

export abstract class CmsCertificateSigner implements Signer {
	readonly certificate: Certificate;
	/** Intermediate and root certificates embedded in signatures. */
	readonly chain: Certificate[];
	abstract readonly description: string;
	readonly #builders = new Map<HashAlgorithm, CmsSignedDataBuilder>();

	protected constructor(certificate: Certificate, chain: Certificate[]) {
		this.certificate = certificate;
		this.chain = chain;
	}

	/** Signs the signed attributes of signatures that use this digest algorithm (asked once per algorithm). */
	protected abstract signatureProvider(hashAlgorithm: HashAlgorithm): SignatureProvider;

	abstract decrypt(envelope: Uint8Array): Promise<Buffer>;

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
		return await this.builder(hashAlgorithm).signDigest(Buffer.from(digest), { signingTime: options.signingTime });
	}

	private builder(hashAlgorithm: HashAlgorithm = 'SHA-256'): CmsSignedDataBuilder {
		let builder = this.#builders.get(hashAlgorithm);
		if (!builder) {
			builder = new CmsSignedDataBuilder({
				certificateDer: this.certificate.der,
				chainDer: this.chain.map((certificate) => certificate.der),
				hashAlgorithm,
				provider: this.signatureProvider(hashAlgorithm),
			});
			this.#builders.set(hashAlgorithm, builder);
		}
		return builder;
	}
}
