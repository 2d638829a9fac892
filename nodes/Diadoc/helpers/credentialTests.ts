/**
 * Credential tests ("Test" in the credential dialog), run over the node's own transport so the custom CA and
 * client certificate of the credential apply. A cheap authenticated GET: /GetMyOrganizations.
 */
import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { isHttpError } from '../../../lib/http';
import { diadocHttpClient } from '../transport/client';
import { accessTokenOf, baseUrlOf, legacySettingsOf, tlsOf } from '../transport/settings';

const TEST_PATH = '/GetMyOrganizations';
const ACCEPT = 'application/json';

function failure(message: string): INodeCredentialTestResult {
	return { status: 'Error', message };
}

function describe(error: unknown): string {
	if (isHttpError(error)) return error.hint ? `${error.message}. ${error.hint}` : error.message;
	return error instanceof Error ? error.message : String(error);
}

function organizationCount(body: unknown): number | undefined {
	const list = (body as { Organizations?: unknown } | undefined)?.Organizations;
	return Array.isArray(list) ? list.length : undefined;
}

function connected(body: unknown, how: string): INodeCredentialTestResult {
	const count = organizationCount(body);
	return { status: 'OK', message: `Connected to Diadoc (${how})${count === undefined ? '' : `: ${count} organization(s)`}` };
}

export async function diadocOAuth2ApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const token = accessTokenOf(data);
	if (!token) return failure('The credential is not connected yet: click "Connect my account" and sign in at the Kontur identity server.');
	try {
		const http = diadocHttpClient(baseUrlOf(data), tlsOf(data));
		const response = await http.request({
			method: 'GET',
			path: TEST_PATH,
			headers: { accept: ACCEPT, authorization: `Bearer ${token}` },
			responseType: 'json',
			secrets: [token],
		});
		return connected(response.body, 'OAuth2');
	} catch (error) {
		if (isHttpError(error) && error.status === 401) {
			return failure('Diadoc refused the access token (it may have expired; the node refreshes it on use): reconnect the credential if this persists.');
		}
		return failure(describe(error));
	}
}

export async function diadocApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const settings = legacySettingsOf(credential.data ?? {});
	if (!settings.apiClientId) return failure('Enter the API client ID.');
	const secrets = [settings.apiClientId, settings.password, settings.token].filter((value) => value !== '');
	const http = diadocHttpClient(settings.baseUrl, settings.tls, secrets);
	const clientHeader = `DiadocAuth ddauth_api_client_id=${settings.apiClientId}`;
	try {
		if (settings.method === 'certificate') {
			// The certificate and its key live in the node's signer, so only the client id can be checked here:
			// an empty certificate upload passes the client check and then fails on the missing body.
			const response = await http.request({
				method: 'POST',
				path: '/V3/Authenticate',
				query: { type: 'certificate' },
				headers: { authorization: clientHeader, 'content-type': 'application/octet-stream', accept: 'text/plain, application/json' },
				body: Buffer.alloc(0),
				okStatuses: [400, 415],
				responseType: 'text',
			});
			return {
				status: 'OK',
				message: `Diadoc accepted the API client ID (answer ${response.status} to an empty certificate). The certificate login itself runs in the Diadoc node with its signer and is not tested here.`,
			};
		}
		let token = settings.token;
		if (settings.method === 'password') {
			if (!settings.login || !settings.password) return failure('Enter the login and the password.');
			const response = await http.request<string>({
				method: 'POST',
				path: '/V3/Authenticate',
				query: { type: 'password' },
				headers: { authorization: clientHeader, accept: 'text/plain, application/json' },
				body: { login: settings.login, password: settings.password },
				responseType: 'text',
			});
			token = String(response.body ?? '').trim();
		}
		if (!token) return failure(settings.method === 'token' ? 'Paste a token.' : 'Diadoc returned no token.');
		const response = await http.request({
			method: 'GET',
			path: TEST_PATH,
			headers: { accept: ACCEPT, authorization: `${clientHeader},ddauth_token=${token}` },
			responseType: 'json',
			secrets: [token],
		});
		return connected(response.body, settings.method === 'password' ? 'login and password' : 'token');
	} catch (error) {
		if (isHttpError(error) && error.status === 401) {
			const what =
				settings.method === 'password'
					? 'the login, the password or the API client ID'
					: settings.method === 'token'
						? 'the token (tokens expire after about 24 hours) or the API client ID'
						: 'the API client ID';
			return failure(`Diadoc refused ${what} (401)${error.serviceMessage ? `: ${error.serviceMessage}` : ''}`);
		}
		return failure(describe(error));
	}
}
