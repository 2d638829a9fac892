/**
 * A Signer whose key lives behind a CSC endpoint: the CMS is built here (the documents never leave n8n),
 * only the digest of the signed attributes goes to `signatures/signHash`, and decryption goes to the
 * x-edo/decrypt extension. Authorizations (SADs) cover a batch of signatures where the credential allows
 * it (`multisign`): `reserve(n)` announces how many are coming.
 */
import type { Certificate } from '../../crypto/certificate';
import type { SignatureProvider } from '../../crypto/cms/sign';
import { CmsCertificateSigner, type SignDigestOptions } from '../../crypto/cmsSigner';
import { EdoCryptoError, isEdoCryptoError } from '../../crypto/errors';
import type { HashAlgorithm } from '../../crypto/signer';
import {
	chooseSignAlgo,
	digestForSigning,
	normalizeSignatureValue,
	remoteAlgorithm,
	signatureMatchesCertificate,
	type RemoteAlgorithm,
} from './algorithms';
import { clearAccessTokens, forgetAccessToken } from './auth';
import { clearCscDialects, CscClient, type CredentialDescription } from './client';
import { clearRemoteCredentials, forgetRemoteCredential, resolveRemoteCredential } from './credential';
import { SadRejectedError } from './errors';
import type { RemoteSignerSettings } from './settings';

export type RemoteSignDigestOptions = SignDigestOptions;

interface ActiveSad {
	value: string;
	remaining: number;
	expiresAt: number;
}

/** The CSC default lifetime of a SAD when the service does not say. */
const DEFAULT_SAD_SECONDS = 3600;

/** Failures that would repeat identically (and a wrong PIN that would count towards blocking the key). */
const STICKY_CODES = new Set(['REMOTE_SIGNER_PIN', 'REMOTE_SIGNER_AUTH', 'REMOTE_CREDENTIAL_NOT_FOUND', 'REMOTE_CREDENTIAL_UNUSABLE']);

/** Forgets cached tokens, detected versions and credential details (tests, or after changing a signer). */
export function clearRemoteSignerCaches(): void {
	clearAccessTokens();
	clearCscDialects();
	clearRemoteCredentials();
}

/** Forgets what is cached for these settings: their access token and credential details. */
export function forgetRemoteSigner(settings: RemoteSignerSettings): void {
	forgetAccessToken(settings);
	forgetRemoteCredential(settings);
}

export class RemoteSigner extends CmsCertificateSigner {
	readonly credentialId: string;
	/** Signatures one authorization may cover. */
	readonly multisign: number;
	readonly description: string;
	readonly #client: CscClient;
	readonly #settings: RemoteSignerSettings;
	readonly #credential: CredentialDescription;
	#sad?: ActiveSad;
	#authorizing?: Promise<void>;
	/** Signatures still announced by reserve(). */
	#planned = 0;
	/** A failure that would only repeat (wrong PIN…): every later call reports it without asking again. */
	#fatal?: Error;
	#authorizations = 0;

	private constructor(client: CscClient, settings: RemoteSignerSettings, parts: { description: CredentialDescription; certificate: Certificate; chain: Certificate[] }) {
		super(parts.certificate, parts.chain);
		this.#client = client;
		this.#settings = settings;
		this.#credential = parts.description;
		this.credentialId = parts.description.credentialId;
		this.multisign = parts.description.multisign;
		const commonName = parts.certificate.info().commonName;
		this.description = `remote signer ${commonName ? `CN=${commonName}, ` : ''}${parts.certificate.thumbprint} (credential ${this.credentialId} at ${client.origin})`;
	}

	/** Connects to the endpoint and resolves the credential and its certificate (cached per process). */
	static async open(settings: RemoteSignerSettings): Promise<RemoteSigner> {
		const client = new CscClient(settings);
		try {
			return new RemoteSigner(client, settings, await resolveRemoteCredential(client, settings));
		} catch (error) {
			if (isEdoCryptoError(error) && (error.code === 'REMOTE_CREDENTIAL_NOT_FOUND' || error.code === 'REMOTE_CREDENTIAL_UNUSABLE')) {
				forgetRemoteCredential(settings);
			}
			throw error;
		}
	}

	/** How many authorizations (credentials/authorize calls) this signer made. */
	get authorizationCount(): number {
		return this.#authorizations;
	}

	/**
	 * Announces `count` signatures or decryptions, so that the next authorization asks for
	 * min(count, multisign) of them at once instead of one per call.
	 */
	reserve(count: number): void {
		if (Number.isFinite(count) && count > 0) this.#planned = Math.floor(count);
	}

	async decrypt(envelope: Uint8Array): Promise<Buffer> {
		if (!(envelope instanceof Uint8Array) || envelope.length === 0) {
			throw new EdoCryptoError('INVALID_CMS', 'The encrypted data is empty', 'Pass the CMS EnvelopedData (DER) to decrypt.');
		}
		return await this.withSad(async (sad) => await this.#client.decrypt(this.credentialId, sad, envelope));
	}

	protected signatureProvider(hashAlgorithm: HashAlgorithm): SignatureProvider {
		return this.provider(remoteAlgorithm(this.certificate, hashAlgorithm));
	}

	private provider(algorithm: RemoteAlgorithm): SignatureProvider {
		const signAlgo = chooseSignAlgo(algorithm, this.#credential.keyAlgorithms);
		return {
			signatureAlgorithmDer: () => algorithm.cmsSignatureAlgorithm,
			sign: async (signedAttributes) => {
				const digest = digestForSigning(algorithm, signedAttributes);
				const bind = this.#credential.scal === '2' ? { hashes: [digest], hashOid: algorithm.hashOid } : undefined;
				const [raw] = await this.withSad(
					async (sad) => await this.#client.signHash(this.credentialId, sad, [digest], algorithm.hashOid, signAlgo),
					bind,
				);
				const value = normalizeSignatureValue(raw, this.certificate, algorithm);
				if (!signatureMatchesCertificate(signedAttributes, value, this.certificate, algorithm)) {
					throw new EdoCryptoError(
						'REMOTE_SIGNER_PROTOCOL',
						`The signature value from ${this.#client.serviceName} does not verify with the certificate of credential "${this.credentialId}" (${this.certificate.thumbprint})`,
						'The endpoint signed with another key than its certificate: check the credential configured on the signer.',
					);
				}
				return value;
			},
		};
	}

	/**
	 * Runs one signing or decrypting call under a SAD: the current batch's while it lasts, else a new
	 * authorization. A SAD the endpoint refuses (expired, used up) is replaced once.
	 */
	private async withSad<T>(use: (sad: string) => Promise<T>, bind?: { hashes: Buffer[]; hashOid: string }): Promise<T> {
		if (this.#fatal) throw this.#fatal;
		try {
			const sad = await this.takeSad(bind);
			try {
				return await use(sad);
			} catch (error) {
				if (!(error instanceof SadRejectedError)) throw error;
				// Drop it unless a concurrent call has already replaced it.
				if (this.#sad?.value === sad) this.#sad = undefined;
				return await use(await this.takeSad(bind));
			}
		} catch (error) {
			if (isEdoCryptoError(error) && STICKY_CODES.has(error.code)) {
				this.#fatal = error;
				if (error.code.startsWith('REMOTE_CREDENTIAL')) forgetRemoteCredential(this.#settings);
			}
			throw error;
		}
	}

	private async takeSad(bind?: { hashes: Buffer[]; hashOid: string }): Promise<string> {
		if (bind) {
			// SCAL 2: each SAD is bound to the hashes it may sign.
			const { sad } = await this.authorize(1, bind);
			return sad;
		}
		for (;;) {
			if (this.#fatal) throw this.#fatal;
			const current = this.#sad;
			if (current && current.remaining > 0 && current.expiresAt > Date.now()) {
				current.remaining -= 1;
				if (this.#planned > 0) this.#planned -= 1;
				return current.value;
			}
			this.#authorizing ??= this.authorizeBatch().finally(() => {
				this.#authorizing = undefined;
			});
			await this.#authorizing;
		}
	}

	private async authorizeBatch(): Promise<void> {
		const count = Math.max(1, Math.min(this.#planned, this.multisign));
		const { sad, expiresIn } = await this.authorize(count);
		const seconds = expiresIn !== undefined && expiresIn > 0 ? expiresIn : DEFAULT_SAD_SECONDS;
		// Leave a margin so that a SAD is not used in its last seconds.
		this.#sad = { value: sad, remaining: count, expiresAt: Date.now() + Math.max(seconds * 1000 - 5_000, seconds * 500) };
	}

	private async authorize(count: number, bind?: { hashes: Buffer[]; hashOid: string }) {
		try {
			this.#authorizations += 1;
			return await this.#client.authorize(this.credentialId, count, bind);
		} catch (error) {
			if (isEdoCryptoError(error) && STICKY_CODES.has(error.code)) this.#fatal = error;
			throw error;
		}
	}
}

/** Opens a remote signer for these settings (see RemoteSigner.open). */
export async function createRemoteSigner(settings: RemoteSignerSettings): Promise<RemoteSigner> {
	return await RemoteSigner.open(settings);
}
