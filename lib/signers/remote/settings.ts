/**
 * How to reach a remote signer (CSC API v1/v2 plus the x-edo/decrypt extension) and which credential to use.
 */
import { createHash } from 'node:crypto';

import type { RetrySettings, TlsOptions } from '../../http';
import type { FieldCasing } from './fields';

export type RemoteSignerAuth =
	/** A static access token sent as `Authorization: Bearer`. */
	| { type: 'bearer'; token: string }
	/** OAuth 2.0 client credentials grant; the token URL defaults to `<base>/oauth2/token`. */
	| {
			type: 'oauth2ClientCredentials';
			tokenUrl?: string;
			clientId: string;
			clientSecret: string;
			scope?: string;
			/** Client id and secret in a Basic header (RFC 6749 §2.3.1, the default) or in the form body. */
			clientAuthentication?: 'header' | 'body';
	  }
	/** CSC `auth/login` with HTTP Basic, answering an access token. */
	| { type: 'cscLogin'; username: string; password: string }
	/** No service authentication (e.g. only a TLS client certificate). */
	| { type: 'none' };

export type CscVersion = 'auto' | 'v1' | 'v2';

export interface RemoteSignerSettings {
	/** The CSC base URL, e.g. `https://signer.example/csc/v2`. */
	baseUrl: string;
	auth: RemoteSignerAuth;
	/** The credential to sign with; when empty, the one whose certificate has `certificateThumbprint`. */
	credentialId?: string;
	certificateThumbprint?: string;
	/** PIN and OTP for `credentials/authorize`. */
	pin?: string;
	otp?: string;
	tls?: TlsOptions;
	/** Longest wait for an answer (also the connect timeout, at most 10 s). Default 30 s. */
	timeoutMs?: number;
	/** Which request fields to send: v1 (`hash`, `hashAlgo`, `PIN`/`OTP`) or v2; auto asks `info`. */
	cscVersion?: CscVersion;
	/** Casing of request field names; answers are read in any casing. */
	fieldCasing?: FieldCasing;
	retry?: Partial<RetrySettings>;
	/** Names the endpoint in messages. Default "EDO Remote Signer". */
	serviceName?: string;
}

export const DEFAULT_REMOTE_SIGNER_NAME = 'EDO Remote Signer';
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Every secret of the settings, for redaction. */
export function settingsSecrets(settings: RemoteSignerSettings): string[] {
	const secrets = [settings.pin, settings.otp];
	const { auth } = settings;
	if (auth.type === 'bearer') secrets.push(auth.token);
	if (auth.type === 'oauth2ClientCredentials') secrets.push(auth.clientSecret);
	if (auth.type === 'cscLogin') secrets.push(auth.password);
	if (settings.tls?.key) secrets.push(settings.tls.key);
	if (settings.tls?.passphrase) secrets.push(settings.tls.passphrase);
	return secrets.filter((secret): secret is string => typeof secret === 'string' && secret.trim().length > 0);
}

function sha256(value: unknown): string {
	return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Identifies the service account (endpoint + authentication), for the access-token cache. A hash, never the secret. */
export function accountKey(settings: RemoteSignerSettings): string {
	return sha256({ base: settings.baseUrl.trim().replace(/\/+$/, ''), auth: settings.auth, tls: settings.tls ?? null });
}

/** Identifies the credential selection under an account, for the credential-info cache. */
export function credentialSelectionKey(settings: RemoteSignerSettings): string {
	return sha256({
		account: accountKey(settings),
		id: settings.credentialId?.trim() || null,
		thumbprint: settings.certificateThumbprint?.replace(/[^0-9a-f]/gi, '').toUpperCase() || null,
	});
}
