import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { isEdoCryptoError } from '../../lib/crypto/errors';
import { isHttpError } from '../../lib/http';
import { TranscryptClient } from './transport/client';
import { transcryptSettings } from './transport/settings';

/**
 * The test of the Transcrypt API credential: checks the fields, then logs in by password when login and
 * password are set, or else checks that the server answers at all (a signature login needs the EDO
 * Certificate of a node, which a credential test does not have).
 */
export async function transcryptApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const settings = transcryptSettings(credential.data ?? {});
		const client = new TranscryptClient(settings);
		if (settings.login && settings.password) {
			const outcome = await client.loginByPassword();
			if (outcome.problem) return { status: 'Error', message: outcome.problem.message };
			const count = outcome.answer.Organizations.length;
			return { status: 'OK', message: `Logged in as ${settings.login}: ${count} organization${count === 1 ? '' : 's'}.` };
		}
		await client.probe();
		return {
			status: 'OK',
			message: 'The server answers and App ID and App Instance are GUIDs. The login itself is checked by Login by Detached Signature, which needs an EDO Certificate.',
		};
	} catch (error) {
		if (isEdoCryptoError(error)) return { status: 'Error', message: `${error.message}. ${error.hint ?? ''}`.trim() };
		if (isHttpError(error)) return { status: 'Error', message: error.message };
		return { status: 'Error', message: 'The credential test failed unexpectedly' };
	}
}
