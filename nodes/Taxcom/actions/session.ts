/**
 * The login chain shared by the Taxcom operations: an encrypted token from CloudCertificateLogin or
 * CertificateLogin, its decryption with the signer, ActivateSession, and the managed session of API Request.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { HttpResponse } from '../../../lib/http';
import type { CertificateSigner } from '../../../lib/signers';
import { httpErrorWithHint, isUnauthorized, settle } from '../../shared/apiRequest';
import type { TaxcomCallOptions, TaxcomClient, TrustedCertificateEncoding } from '../transport/client';
import { taxcomSessions, type TaxcomSession } from '../transport/sessions';
import { sessionKey } from '../transport/settings';
import { assistantKeyFromDecrypted, type DecryptedTokenFormat } from '../transport/token';
import type { TaxcomContext } from './types';

export type LoginMethod = 'cloud' | 'certificate';

export const TRUSTED_CERTIFICATE_ENCODING_FIELD: INodeProperties = {
	displayName: 'Trusted Certificate Encoding',
	name: 'trustedCertificateEncoding',
	type: 'options',
	options: [
		{ name: 'Base64 String', value: 'base64', description: 'How .NET serializes a byte array in JSON' },
		{ name: 'Array of Bytes', value: 'array', description: 'A JSON array of numbers, as the documentation sketches it' },
	],
	default: 'base64',
	description: 'How the certificate of the chosen signer is written into TrustedCertificate',
};

export const LOGIN_METHOD_FIELD: INodeProperties = {
	displayName: 'Login Method',
	name: 'loginMethod',
	type: 'options',
	options: [
		{
			name: 'Cloud Certificate',
			value: 'cloud',
			description: 'CloudCertificateLogin with the cloud account of the credential, then ActivateSession',
		},
		{ name: 'Certificate', value: 'certificate', description: 'CertificateLogin with the certificate of the chosen signer' },
	],
	default: 'cloud',
};

export const ACTIVATE_AFTER_CERTIFICATE_LOGIN_FIELD: INodeProperties = {
	displayName: 'Activate After Certificate Login',
	name: 'activateAfterCertificateLogin',
	type: 'boolean',
	default: false,
	description: 'Whether to call ActivateSession after CertificateLogin too (cloud logins always activate)',
	displayOptions: { show: { loginMethod: ['certificate'] } },
};

export const DECRYPTED_TOKEN_FORMAT_OPTION: INodeProperties = {
	displayName: 'Decrypted Token As',
	name: 'decryptedTokenFormat',
	type: 'options',
	options: [
		{ name: 'Text', value: 'text', description: 'The decrypted bytes as text (the usual case)' },
		{ name: 'Base64', value: 'base64', description: 'The decrypted bytes in base64' },
	],
	default: 'text',
	description: 'How the decrypted token is written into Assistant-Key',
};

export const ACTIVATION_METHOD_OPTION: INodeProperties = {
	displayName: 'ActivateSession HTTP Method',
	name: 'activationMethod',
	type: 'options',
	options: [
		{ name: 'POST', value: 'POST' },
		{ name: 'GET', value: 'GET' },
	],
	default: 'POST',
	description: 'The documentation does not show the method of ActivateSession',
};

export interface LoginSettings {
	method: LoginMethod;
	trustedCertificateEncoding: TrustedCertificateEncoding;
	activate: boolean;
	decryptedTokenFormat: DecryptedTokenFormat;
	activationMethod: string;
}

/** The login fields of an operation (names as in the fields above; options from a collection). */
export function readLoginSettings(context: IExecuteFunctions, itemIndex: number, method: LoginMethod, options: Partial<LoginSettings>): LoginSettings {
	const activateCertificate = method === 'certificate' && (context.getNodeParameter('activateAfterCertificateLogin', itemIndex, false) as boolean);
	return {
		method,
		trustedCertificateEncoding:
			method === 'cloud' ? (context.getNodeParameter('trustedCertificateEncoding', itemIndex, 'base64') as TrustedCertificateEncoding) : 'base64',
		activate: method === 'cloud' || activateCertificate,
		decryptedTokenFormat: options.decryptedTokenFormat ?? 'text',
		activationMethod: options.activationMethod ?? 'POST',
	};
}

/** The DER EnvelopedData of a fresh login, encrypted to the signer's certificate. */
export async function requestEncryptedToken(
	client: TaxcomClient,
	signer: CertificateSigner,
	method: LoginMethod,
	encoding: TrustedCertificateEncoding,
): Promise<Buffer> {
	const certificate = await signer.getCertificate();
	return method === 'cloud' ? await client.cloudCertificateLogin(certificate, encoding) : await client.certificateLogin(certificate);
}

export async function decryptAssistantKey(signer: CertificateSigner, envelope: Buffer, format: DecryptedTokenFormat): Promise<string> {
	return assistantKeyFromDecrypted(await signer.decrypt(envelope), format);
}

/** Login, decryption and (when asked) activation: the Assistant-Key of a usable session. */
export async function logInAndActivate(client: TaxcomClient, signer: CertificateSigner, settings: LoginSettings): Promise<string> {
	const envelope = await requestEncryptedToken(client, signer, settings.method, settings.trustedCertificateEncoding);
	const assistantKey = await decryptAssistantKey(signer, envelope, settings.decryptedTokenFormat);
	if (settings.activate) await client.activateSession(assistantKey, settings.activationMethod);
	return assistantKey;
}

export interface ManagedSession {
	key: string;
	session: TaxcomSession;
	reused: boolean;
}

/** The live session of this credential and signer, or a new one (one login however many items ask). */
export async function managedSession(context: TaxcomContext, itemIndex: number, settings: LoginSettings): Promise<ManagedSession> {
	const client = await context.client(itemIndex);
	const signer = await context.signer(itemIndex);
	const key = sessionKey(client.settings, settings.method, signer.thumbprint);
	const live = taxcomSessions.get(key);
	if (live) return { key, session: live, reused: true };
	const session = await taxcomSessions.obtain(key, client.settings.sessionLifetimeMs, async () => await logInAndActivate(client, signer, settings));
	return { key, session, reused: false };
}

const EXPIRED_HINT =
	'Taxcom refused the session even right after a new login and activation: check that the Integrator ID is registered and that the certificate may use this method.';

/**
 * Calls a method in the managed session. A 401 means the session ended on the server (expired, or dropped):
 * the node logs in and activates once more and repeats the call once.
 */
export async function callInManagedSession(
	context: TaxcomContext,
	itemIndex: number,
	settings: LoginSettings,
	request: TaxcomCallOptions,
): Promise<HttpResponse> {
	const client = await context.client(itemIndex);
	const first = await managedSession(context, itemIndex, settings);
	const attempt = await settle(client.call(first.session.assistantKey, request));
	if (attempt.ok) {
		taxcomSessions.touch(first.session);
		return attempt.value;
	}
	if (!isUnauthorized(attempt.error)) throw attempt.error;
	taxcomSessions.invalidate(first.key, first.session.assistantKey);

	const second = await managedSession(context, itemIndex, settings);
	const retry = await settle(client.call(second.session.assistantKey, request));
	if (retry.ok) {
		taxcomSessions.touch(second.session);
		return retry.value;
	}
	if (!isUnauthorized(retry.error)) throw retry.error;
	taxcomSessions.invalidate(second.key, second.session.assistantKey);
	throw httpErrorWithHint(retry.error, EXPIRED_HINT);
}
