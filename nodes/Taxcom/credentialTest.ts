import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { isEdoCryptoError } from '../../lib/crypto/errors';
import { isHttpError } from '../../lib/http';
import { TaxcomClient } from './transport/client';
import { cloudAccount, taxcomSettings } from './transport/settings';

/**
 * The test of the Taxcom API credential: checks the fields (Integrator-Id form, thumbprint), then, when a
 * cloud account is filled in, sends CloudCertificateLogin without TrustedCertificate. The login itself needs
 * the certificate of an EDO Certificate credential, which a credential test does not have; what the server
 * says about the rest (401 account, 403 PIN, 404 thumbprint) is reported. Without a cloud account it only
 * checks that the server answers.
 */
export async function taxcomApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const settings = taxcomSettings(credential.data ?? {});
		const client = new TaxcomClient(settings);
		if (!settings.cloudLogin && !settings.cloudPassword && !settings.certificateThumbprint) {
			const status = await client.probe();
			return { status: 'OK', message: `The server answers (HTTP ${status}) and the Integrator ID is well-formed.` };
		}
		cloudAccount(settings);
		const status = await client.probeCloudAccount();
		if (status === 400) {
			return {
				status: 'OK',
				message:
					'Taxcom checked the Integrator ID and the cloud account and asked for the trusted certificate, which the node sends from the EDO Certificate credential at login.',
			};
		}
		return { status: 'OK', message: `Taxcom answered HTTP ${status}; the full login runs in the Taxcom node.` };
	} catch (error) {
		if (isEdoCryptoError(error)) return { status: 'Error', message: `${error.message}. ${error.hint ?? ''}`.trim() };
		if (isHttpError(error)) return { status: 'Error', message: `${error.message}${error.hint ? `. ${error.hint}` : ''}` };
		return { status: 'Error', message: 'The credential test failed unexpectedly' };
	}
}
