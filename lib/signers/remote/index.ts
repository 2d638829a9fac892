/**
 * Remote signing over the Cloud Signature Consortium API (v2, with v1 tolerated) plus the x-edo/decrypt
 * extension. Independent of n8n.
 */
export { RemoteSigner, createRemoteSigner, clearRemoteSignerCaches, forgetRemoteSigner, type RemoteSignDigestOptions } from './remoteSigner';
export { CscClient, describeCredential, type CredentialDescription, type CscDialect, type Authorization } from './client';
export { resolveRemoteCredential, forgetRemoteCredential, type RemoteCredential } from './credential';
export {
	DEFAULT_REMOTE_SIGNER_NAME,
	DEFAULT_TIMEOUT_MS,
	type CscVersion,
	type RemoteSignerAuth,
	type RemoteSignerSettings,
} from './settings';
export type { FieldCasing } from './fields';
export { keyFamilyOf, remoteAlgorithm, normalizeSignatureValue, type KeyFamily, type RemoteAlgorithm } from './algorithms';
