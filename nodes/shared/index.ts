export { toNodeError, errorItem, type EdoNodeError } from './errors';
export {
	EDO_CERTIFICATE_CREDENTIAL,
	signerFromCredentials,
	signerLoader,
	signerMaterialFromCredentials,
} from './signer';
export { edoCertificateTest } from './certificateCredentialTest';
export { readBinaryProperty, digestBinaryProperty, toBinaryData, type BinaryBytes, type BinaryDigest } from './binary';
export { bytesFromField, decodeBase64Strict } from './input';
