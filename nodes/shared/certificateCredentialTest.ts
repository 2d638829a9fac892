import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import type { CertificateInfo } from '../../lib/crypto/certificate';
import { isEdoCryptoError } from '../../lib/crypto/errors';
import { signerFromCredentials } from './signer';

function summary(info: CertificateInfo, now: Date): string {
	const name = info.commonName ?? info.subject;
	const notes: string[] = [];
	if (info.validity === 'valid') {
		const daysLeft = Math.floor((Date.parse(info.notAfter) - now.getTime()) / 86_400_000);
		notes.push(daysLeft <= 30 ? `Warning: the certificate expires in ${daysLeft} days, on ${info.notAfter.slice(0, 10)}.` : `Valid until ${info.notAfter.slice(0, 10)}.`);
	}
	notes.push(...info.warnings.map((warning) => `Warning: ${warning}`));
	return `The key matches the certificate "${name}" (thumbprint ${info.thumbprint}; ${info.subject}). ${notes.join(' ')}`;
}

/**
 * The credential test of "EDO Certificate" (nodes reference it with `testedBy: 'edoCertificateTest'`): loads
 * the key and certificate and checks that they belong together. An expired certificate still passes, with a
 * warning, so that a user can save it and look at it; signing with it is the service's call.
 */
export async function edoCertificateTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const signer = signerFromCredentials(credential.data ?? {});
		const now = new Date();
		return { status: 'OK', message: summary(signer.certificate.info(now), now) };
	} catch (error) {
		if (isEdoCryptoError(error)) {
			return { status: 'Error', message: error.hint ? `${error.message} ${error.hint}` : error.message };
		}
		return { status: 'Error', message: 'The certificate or key could not be loaded.' };
	}
}
