import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { customTlsProperties } from './common/tls';

/**
 * Diadoc with its older token scheme (`Authorization: DiadocAuth ddauth_api_client_id=…,ddauth_token=…`),
 * which Diadoc marks as deprecated but still serves. The Diadoc node obtains the token when it needs one
 * (login + password, or the certificate flow with the node's signer), keeps it in memory for reuse across
 * items and executions, and obtains a new one once when the API answers 401.
 */
export class DiadocApi implements ICredentialType {
	name = 'diadocApi';

	displayName = 'Diadoc API';

	icon: Icon = { light: 'file:../nodes/Diadoc/diadoc.svg', dark: 'file:../nodes/Diadoc/diadoc.dark.svg' };

	documentationUrl = 'https://developer.kontur.ru/doc/diadoc-api/http/obsolete/Authenticate';

	properties: INodeProperties[] = [
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://diadoc-api.kontur.ru',
			description: 'Diadoc API: https://diadoc-api.kontur.ru in production',
		},
		// The developer key is issued to one integrator and identifies it to Kontur: it is kept out of sight like a secret.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'API Client ID',
			name: 'apiClientId',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The developer key (ddauth_api_client_id) Kontur issued for the integration',
		},
		{
			displayName: 'Authentication Method',
			name: 'authMethod',
			type: 'options',
			options: [
				{ name: 'Login and Password', value: 'password', description: 'POST /V3/Authenticate?type=password' },
				{
					name: 'Certificate',
					value: 'certificate',
					description: "The token is encrypted to a certificate; the Diadoc node's signer (EDO Certificate credential) decrypts it",
				},
				{ name: 'Token', value: 'token', description: 'A token obtained elsewhere (valid for about 24 hours)' },
			],
			default: 'password',
		},
		{
			displayName: 'Login',
			name: 'login',
			type: 'string',
			default: '',
			displayOptions: { show: { authMethod: ['password'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authMethod: ['password'] } },
		},
		{
			displayName: 'Save Certificate Binding',
			name: 'saveBinding',
			type: 'boolean',
			default: false,
			description: 'Whether Diadoc should bind the certificate to the user (the saveBinding parameter of AuthenticateConfirm)',
			displayOptions: { show: { authMethod: ['certificate'] } },
		},
		{
			displayName:
				'In Certificate mode, select a signer (EDO Certificate credential) in the Diadoc node: it holds the private key that decrypts the token.',
			name: 'signerNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { authMethod: ['certificate'] } },
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authMethod: ['token'] } },
		},
		...customTlsProperties({
			rows: 3,
			texts: {
				customTls: { description: 'Whether to trust a private CA or present a client certificate (mutual TLS) on API calls' },
				caCertificate: {
					displayName: 'CA Certificate (PEM)',
					description: 'Trust this CA bundle instead of the system CAs (a private CA or a TLS-inspecting proxy)',
				},
				clientCertificate: { description: 'For mutual TLS: the client certificate, optionally followed by its chain' },
				clientKey: { description: 'The private key of the client certificate' },
			},
		}),
	];
}
