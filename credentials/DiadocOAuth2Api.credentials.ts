import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { customTlsProperties } from './common/tls';

/**
 * Diadoc with OpenID Connect (what Diadoc documents now): n8n's own OAuth2 flow (authorization code with
 * refresh) against Kontur's identity server, and `Authorization: Bearer` on API calls. The Diadoc node calls
 * the API over its own transport; on a 401 it asks n8n to refresh (and store) the token and retries once.
 */
export class DiadocOAuth2Api implements ICredentialType {
	name = 'diadocOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Diadoc OAuth2 API';

	icon: Icon = { light: 'file:../nodes/Diadoc/diadoc.svg', dark: 'file:../nodes/Diadoc/diadoc.dark.svg' };

	documentationUrl = 'https://developer.kontur.ru/doc/diadoc-api/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Identity Server',
			name: 'identityServer',
			type: 'options',
			options: [
				{ name: 'Production (identity.kontur.ru)', value: 'production' },
				{ name: 'Test (identity.testkontur.ru)', value: 'test' },
				{ name: 'Custom', value: 'custom' },
			],
			default: 'production',
			description: 'The Kontur OpenID Connect server that issues the tokens',
		},
		{
			displayName: 'Identity Server URL',
			name: 'customIdentityUrl',
			type: 'string',
			default: '',
			placeholder: 'https://identity.example.com',
			description: 'Base URL of the OpenID Connect server; /connect/authorize and /connect/token are appended',
			displayOptions: { show: { identityServer: ['custom'] } },
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{ ($self["identityServer"] === "custom" ? String($self["customIdentityUrl"] || "").replace(/\\/+$/, "") : $self["identityServer"] === "test" ? "https://identity.testkontur.ru" : "https://identity.kontur.ru") + "/connect/authorize" }}',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{ ($self["identityServer"] === "custom" ? String($self["customIdentityUrl"] || "").replace(/\\/+$/, "") : $self["identityServer"] === "test" ? "https://identity.testkontur.ru" : "https://identity.kontur.ru") + "/connect/token" }}',
		},
		{
			displayName: 'API Scope',
			name: 'apiScope',
			type: 'options',
			options: [
				{ name: 'Diadoc.PublicAPI (Production)', value: 'Diadoc.PublicAPI' },
				{ name: 'Diadoc.PublicAPI.Staging (Test)', value: 'Diadoc.PublicAPI.Staging' },
			],
			default: 'Diadoc.PublicAPI',
			description: 'The Diadoc API scope requested together with openid, profile, email and offline_access',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: '=openid profile email offline_access {{$self["apiScope"]}}',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'header',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://diadoc-api.kontur.ru',
			description: 'Diadoc API for the access token: https://diadoc-api.kontur.ru in production; the test stand is https://diadoc-api-staging.kontur.ru',
		},
		...customTlsProperties({
			rows: 3,
			texts: {
				customTls: { description: 'Whether to trust a private CA or present a client certificate (mutual TLS) on API calls' },
				caCertificate: {
					displayName: 'CA Certificate (PEM)',
					description: 'Trust this CA bundle instead of the system CAs for API calls (a private CA or a TLS-inspecting proxy)',
				},
				clientCertificate: { description: 'For mutual TLS with the API: the client certificate, optionally followed by its chain' },
				clientKey: { description: 'The private key of the client certificate' },
			},
		}),
	];
}
