import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { createLocalSigner, type LocalKeySigner, type LocalSignerMaterial } from '../../lib/crypto/localSigner';
import type { CertificateSigner } from '../../lib/signers';
import { RemoteSigner, type RemoteSignerAuth, type RemoteSignerSettings } from '../../lib/signers/remote';
import { tlsFromCredential } from './credentialTls';

export const EDO_CERTIFICATE_CREDENTIAL = 'edoCertificate';
export const EDO_REMOTE_SIGNER_CREDENTIAL = 'edoRemoteSigner';

/** Where a node's signatures and decryptions come from: the credential type that holds the key. */
export type SignerSource = typeof EDO_CERTIFICATE_CREDENTIAL | typeof EDO_REMOTE_SIGNER_CREDENTIAL;

export type { CertificateSigner };

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The fields of an EDO Certificate credential, as the local signer takes them. */
export function signerMaterialFromCredentials(data: ICredentialDataDecryptedObject): LocalSignerMaterial {
	if (data.format === 'pfx') {
		return { pfxBase64: text(data.pfxCertificate) ?? '', pfxPassword: text(data.pfxPassword) };
	}
	return {
		certificatePem: text(data.publicCertificate),
		privateKeyPem: text(data.privateKey),
		privateKeyPassphrase: text(data.privateKeyPassphrase),
	};
}

export function signerFromCredentials(data: ICredentialDataDecryptedObject): LocalKeySigner {
	return createLocalSigner(signerMaterialFromCredentials(data));
}

function remoteAuth(data: ICredentialDataDecryptedObject): RemoteSignerAuth {
	switch (data.authentication) {
		case 'oauth2ClientCredentials':
			return {
				type: 'oauth2ClientCredentials',
				tokenUrl: text(data.tokenUrl),
				clientId: text(data.clientId) ?? '',
				clientSecret: text(data.clientSecret) ?? '',
				scope: text(data.scope),
				clientAuthentication: data.clientAuthentication === 'body' ? 'body' : 'header',
			};
		case 'cscLogin':
			return { type: 'cscLogin', username: text(data.username) ?? '', password: text(data.password) ?? '' };
		case 'none':
			return { type: 'none' };
		default:
			return { type: 'bearer', token: text(data.accessToken) ?? '' };
	}
}

/** The fields of an EDO Remote Signer credential, as the remote signer takes them. */
export function remoteSignerSettingsFromCredentials(data: ICredentialDataDecryptedObject): RemoteSignerSettings {
	const timeoutSeconds = typeof data.timeoutSeconds === 'number' && data.timeoutSeconds > 0 ? data.timeoutSeconds : 30;
	return {
		baseUrl: text(data.baseUrl)?.trim() ?? '',
		auth: remoteAuth(data),
		credentialId: text(data.credentialId)?.trim(),
		certificateThumbprint: text(data.certificateThumbprint)?.trim(),
		pin: text(data.pin),
		otp: text(data.otp),
		tls: tlsFromCredential(data),
		timeoutMs: Math.round(timeoutSeconds * 1000),
		cscVersion: data.cscVersion === 'v1' || data.cscVersion === 'v2' ? data.cscVersion : 'auto',
		fieldCasing: data.fieldCasing === 'snake' ? 'snake' : 'camel',
	};
}

/** Connects to the remote signer of an EDO Remote Signer credential and resolves its certificate. */
export async function remoteSignerFromCredentials(data: ICredentialDataDecryptedObject): Promise<RemoteSigner> {
	return await RemoteSigner.open(remoteSignerSettingsFromCredentials(data));
}

async function loadSigner(context: IExecuteFunctions, credentialName: string, itemIndex: number): Promise<CertificateSigner> {
	const data = await context.getCredentials(credentialName, itemIndex);
	if (credentialName !== EDO_REMOTE_SIGNER_CREDENTIAL) return signerFromCredentials(data);
	const signer = await remoteSignerFromCredentials(data);
	// One authorization for the whole run where the credential allows it (multisign).
	signer.reserve(context.getInputData().length);
	return signer;
}

/**
 * Loads the credential's signer at most once per execution, and only when an item needs it. A failure is
 * remembered too, so every item that needs the signer reports the same error without loading it again.
 * A remote signer is told how many items the execution has, so that it authorizes them in one batch.
 */
export function signerLoader(context: IExecuteFunctions): (itemIndex: number) => Promise<LocalKeySigner>;
export function signerLoader(context: IExecuteFunctions, credentialName: typeof EDO_CERTIFICATE_CREDENTIAL): (itemIndex: number) => Promise<LocalKeySigner>;
export function signerLoader(context: IExecuteFunctions, credentialName: typeof EDO_REMOTE_SIGNER_CREDENTIAL): (itemIndex: number) => Promise<RemoteSigner>;
export function signerLoader(context: IExecuteFunctions, credentialName: string): (itemIndex: number) => Promise<CertificateSigner>;
export function signerLoader(
	context: IExecuteFunctions,
	credentialName: string = EDO_CERTIFICATE_CREDENTIAL,
): (itemIndex: number) => Promise<CertificateSigner> {
	let loading: Promise<CertificateSigner> | undefined;
	return async (itemIndex: number) => {
		loading ??= loadSigner(context, credentialName, itemIndex);
		return await loading;
	};
}

/**
 * The signer an item chose: `choose(itemIndex)` names the credential type (e.g. from a "Signer" parameter).
 * Each credential type is loaded at most once per execution, as with signerLoader.
 */
export function chosenSignerLoader(
	context: IExecuteFunctions,
	choose: (itemIndex: number) => SignerSource,
): (itemIndex: number) => Promise<CertificateSigner> {
	const loaders = new Map<string, (itemIndex: number) => Promise<CertificateSigner>>();
	return async (itemIndex: number) => {
		const source = choose(itemIndex);
		let load = loaders.get(source);
		if (!load) {
			load = signerLoader(context, source);
			loaders.set(source, load);
		}
		return await load(itemIndex);
	};
}

/** Reads a node's signer parameter (`signerSource` by default); anything but the remote signer is the local key. */
export function signerSourceParameter(context: IExecuteFunctions, parameterName = 'signerSource'): (itemIndex: number) => SignerSource {
	return (itemIndex) =>
		context.getNodeParameter(parameterName, itemIndex, EDO_CERTIFICATE_CREDENTIAL) === EDO_REMOTE_SIGNER_CREDENTIAL
			? EDO_REMOTE_SIGNER_CREDENTIAL
			: EDO_CERTIFICATE_CREDENTIAL;
}

/** The "Signer" parameter: which credential signs and decrypts. Add `displayOptions` where the node needs a signer. */
export const SIGNER_SOURCE_FIELD: INodeProperties = {
	displayName: 'Signer',
	name: 'signerSource',
	type: 'options',
	options: [
		{
			name: 'EDO Certificate (Local Key)',
			value: EDO_CERTIFICATE_CREDENTIAL,
			description: 'A certificate and private key stored in an EDO Certificate credential',
		},
		{
			name: 'EDO Remote Signer',
			value: EDO_REMOTE_SIGNER_CREDENTIAL,
			description: 'A key held by a remote signing service (CSC API: HSM, token server)',
		},
	],
	default: EDO_CERTIFICATE_CREDENTIAL,
	description: 'Which credential holds the key that signs and decrypts',
};
