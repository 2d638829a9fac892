/**
 * What the two Diadoc credentials hold, read once per execution into plain settings for the transport.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { TlsOptions } from '../../../lib/http';
import { tlsFromCredential } from '../../shared/credentialTls';

export const OAUTH2_CREDENTIAL = 'diadocOAuth2Api';
export const LEGACY_CREDENTIAL = 'diadocApi';
export const DEFAULT_BASE_URL = 'https://diadoc-api.kontur.ru';

export type AuthenticationKind = 'oAuth2' | 'diadocAuth';
export type LegacyAuthMethod = 'password' | 'certificate' | 'token';

function text(data: ICredentialDataDecryptedObject, name: string): string {
	const value = data[name];
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
}

export function baseUrlOf(data: ICredentialDataDecryptedObject): string {
	return text(data, 'baseUrl') || DEFAULT_BASE_URL;
}

/** The custom CA and client certificate of a credential, as lib/http wants them; undefined when none is set. */
export function tlsOf(data: ICredentialDataDecryptedObject): TlsOptions | undefined {
	return tlsFromCredential(data);
}

export interface LegacySettings {
	baseUrl: string;
	apiClientId: string;
	method: LegacyAuthMethod;
	login: string;
	password: string;
	token: string;
	saveBinding: boolean;
	tls?: TlsOptions;
}

export function legacySettingsOf(data: ICredentialDataDecryptedObject): LegacySettings {
	const method = text(data, 'authMethod');
	return {
		baseUrl: baseUrlOf(data),
		apiClientId: text(data, 'apiClientId'),
		method: method === 'certificate' || method === 'token' ? method : 'password',
		login: text(data, 'login'),
		password: typeof data.password === 'string' ? data.password : '',
		token: text(data, 'token'),
		saveBinding: data.saveBinding === true,
		tls: tlsOf(data),
	};
}

/** The access token n8n keeps in an OAuth2 credential after the user connected it. */
export function accessTokenOf(data: ICredentialDataDecryptedObject | undefined): string {
	const tokenData = data?.oauthTokenData as Record<string, unknown> | undefined;
	const token = tokenData?.access_token ?? tokenData?.accessToken;
	return typeof token === 'string' ? token : '';
}
