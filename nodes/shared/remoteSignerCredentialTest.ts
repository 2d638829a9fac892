import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { isEdoCryptoError } from '../../lib/crypto/errors';
import { isHttpError } from '../../lib/http';
import { forgetRemoteSigner, RemoteSigner } from '../../lib/signers/remote';
import { remoteSignerSettingsFromCredentials } from './signer';

/**
 * The credential test of "EDO Remote Signer" (nodes reference it with `testedBy: 'edoRemoteSignerTest'`):
 * authenticates, finds the credential (by id, or by thumbprint in credentials/list) and names its
 * certificate. It does not authorize or sign, so a wrong PIN is only found when signing: checking it would
 * count towards blocking the key.
 */
export async function edoRemoteSignerTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const settings = remoteSignerSettingsFromCredentials(credential.data ?? {});
		// A test must see the signer as it is now, not a cached token or certificate.
		forgetRemoteSigner(settings);
		const signer = await RemoteSigner.open(settings);
		const now = new Date();
		const info = signer.certificate.info(now);
		const validity =
			info.validity === 'valid'
				? `valid ${info.notBefore.slice(0, 10)} to ${info.notAfter.slice(0, 10)}`
				: `${info.validity === 'expired' ? 'EXPIRED' : 'NOT YET VALID'} (valid ${info.notBefore.slice(0, 10)} to ${info.notAfter.slice(0, 10)})`;
		const batch = signer.multisign > 1 ? ` Up to ${signer.multisign} signatures per authorization.` : '';
		return {
			status: 'OK',
			message: `Credential "${signer.credentialId}": certificate "${info.commonName ?? info.subject}" (thumbprint ${info.thumbprint}; ${info.subject}), ${validity}.${batch}`,
		};
	} catch (error) {
		if (isEdoCryptoError(error) || isHttpError(error)) {
			return { status: 'Error', message: error.hint ? `${error.message}. ${error.hint}` : error.message };
		}
		return { status: 'Error', message: 'The remote signer could not be reached or answered unexpectedly.' };
	}
}
