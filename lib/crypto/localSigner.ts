/**
 * A Signer backed by a private key held in memory: a certificate and key in PEM, or a PFX/PKCS#12 file.
 * RSA and ECDSA keys sign the digest asked for; GOST R 34.10-2012 keys always sign Streebog of their size.
 */
import { Certificate, loadCertificates } from './certificate';
import { decryptCms } from './cms/decrypt';
import { localKeySignatureProvider, type SignatureProvider } from './cms/sign';
import { CmsCertificateSigner } from './cmsSigner';
import { EdoCryptoError } from './errors';
import { keyMatchesCertificate, type PrivateKey } from './keys';
import { loadPfx } from './pkcs12';
import { assertKeyMatchesCertificate, loadPrivateKey } from './privateKey';

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

export type { SignDigestOptions } from './cmsSigner';

export class LocalKeySigner extends CmsCertificateSigner {
	readonly description: string;
	// A true private field: the key never shows up when the signer is logged or serialized.
	readonly #key: PrivateKey;

	constructor(parts: LocalSignerParts) {
		assertKeyMatchesCertificate(parts.key, parts.certificate);
		super(parts.certificate, (parts.chain ?? []).filter((other) => !other.der.equals(parts.certificate.der)));
		this.#key = parts.key;
		const commonName = parts.certificate.info().commonName;
		this.description = `local key ${commonName ? `CN=${commonName}, ` : ''}${parts.certificate.thumbprint}`;
	}

	protected signatureProvider(): SignatureProvider {
		return localKeySignatureProvider(this.#key);
	}

	async decrypt(envelope: Uint8Array): Promise<Buffer> {
		return decryptCms(envelope, { certificateDer: this.certificate.der, key: this.#key });
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
