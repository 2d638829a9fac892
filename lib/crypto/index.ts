/** The public face of the crypto core: what nodes and tools use. Internals stay in their modules. */
export { EdoCryptoError, isEdoCryptoError, type CryptoErrorCode } from './errors';
export type { HashAlgorithm, SignOptions, Signer } from './signer';
export { decodeBinary, pemBlocks, toPem } from './encoding';
export {
	Certificate,
	loadCertificate,
	loadCertificates,
	normalizeThumbprint,
	type CertificateInfo,
	type KeyAlgorithm,
} from './certificate';
export { assertKeyMatchesCertificate, loadPrivateKey } from './privateKey';
export { GostPrivateKey, isGostPrivateKey, keyMatchesCertificate, type PrivateKey } from './keys';
export { GostPublicKey } from './gost/gostKey';
export { createContentHash, hashContent, signatureHashFor } from './hash';
export { loadPfx, type PfxContents } from './pkcs12';
export {
	CmsSignedDataBuilder,
	gostSignatureProvider,
	localKeySignatureProvider,
	type CmsSignDigestOptions,
	type CmsSignerOptions,
	type CmsSignOptions,
	type SignatureProvider,
} from './cms/sign';
export { verifyCms, type CmsSignerReport, type CmsVerification, type CmsVerifyOptions } from './cms/verify';
export { decryptCms, type CmsExternalPrivateKey, type CmsRecipient } from './cms/decrypt';
export { encryptCms, type EncryptCmsOptions } from './cms/encrypt';
export {
	createLocalSigner,
	LocalKeySigner,
	type LocalSignerMaterial,
	type LocalSignerParts,
	type SignDigestOptions,
} from './localSigner';
