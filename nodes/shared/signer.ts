import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import { createLocalSigner, type LocalKeySigner, type LocalSignerMaterial } from '../../lib/crypto/localSigner';

export const EDO_CERTIFICATE_CREDENTIAL = 'edoCertificate';

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

/**
 * Loads the credential's signer at most once per execution, and only when an item needs it. A failure is
 * remembered too, so every item that needs the signer reports the same error without loading it again.
 */
export function signerLoader(
	context: IExecuteFunctions,
	credentialName = EDO_CERTIFICATE_CREDENTIAL,
): (itemIndex: number) => Promise<LocalKeySigner> {
	let loading: Promise<LocalKeySigner> | undefined;
	return async (itemIndex: number) => {
		loading ??= context
			.getCredentials(credentialName, itemIndex)
			.then((data) => signerFromCredentials(data));
		return await loading;
	};
}
