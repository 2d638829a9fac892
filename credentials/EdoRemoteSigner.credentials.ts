import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { customTlsProperties } from './common/tls';

/**
 * A key held by a remote signing service (an HSM, a token server) that speaks the Cloud Signature Consortium
 * API (v2, or v1): the CMS is built on this n8n instance and only digests are signed remotely; decryption
 * uses the x-edo/decrypt extension. The credential test is run by the nodes that use it
 * (`testedBy: 'edoRemoteSignerTest'`): it lists the credential and its certificate.
 */
// Not an API credential in n8n's sense: the "-Api" suffix rules of n8n-nodes-base do not apply.
// eslint-disable-next-line n8n-nodes-base/cred-class-name-unsuffixed
export class EdoRemoteSigner implements ICredentialType {
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-name-unsuffixed
	name = 'edoRemoteSigner';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'EDO Remote Signer';

	icon = { light: 'file:edoRemoteSigner.svg', dark: 'file:edoRemoteSigner.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-edo/n8n-nodes-edo#remote-signer';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://signer.example/csc/v2',
			description: 'The CSC API base URL; methods such as credentials/info and signatures/signHash are called under it',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Bearer Token', value: 'bearer', description: 'A static access token' },
				{
					name: 'OAuth2 Client Credentials',
					value: 'oauth2ClientCredentials',
					description: 'A token from the token URL with a client ID and secret',
				},
				{ name: 'CSC Login (User and Password)', value: 'cscLogin', description: 'CSC auth/login with HTTP Basic' },
				{ name: 'None', value: 'none', description: 'No service authentication (e.g. only a TLS client certificate)' },
			],
			default: 'bearer',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['bearer'] } },
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://signer.example/csc/v2/oauth2/token',
			description: 'Where client-credentials tokens are issued; defaults to oauth2/token under the base URL',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: 'service',
			description: 'The OAuth2 scope to ask for; CSC names the service scope "service"',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Client Authentication',
			name: 'clientAuthentication',
			type: 'options',
			options: [
				{ name: 'Basic Auth Header', value: 'header' },
				{ name: 'In the Request Body', value: 'body' },
			],
			default: 'header',
			description: 'How the client ID and secret are sent to the token URL',
			displayOptions: { show: { authentication: ['oauth2ClientCredentials'] } },
		},
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			default: '',
			displayOptions: { show: { authentication: ['cscLogin'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['cscLogin'] } },
		},
		{
			displayName: 'Credential ID',
			name: 'credentialId',
			type: 'string',
			default: '',
			description: 'The CSC credential (key and certificate) to use. Leave empty to pick it by the certificate thumbprint below, or when the account has only one.',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a thumbprint identifies a certificate and is public
		{
			displayName: 'Certificate Thumbprint',
			name: 'certificateThumbprint',
			type: 'string',
			default: '',
			placeholder: 'B0E10292B0024E7197A76B741CE0D271FEAD7E10',
			description: 'SHA-1 thumbprint of the certificate to sign with, to find its credential in credentials/list when no credential ID is given',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- a PIN or one-time password is a secret
		{
			displayName: 'PIN',
			name: 'pin',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The PIN of the key, sent to credentials/authorize',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- a PIN or one-time password is a secret
		{
			displayName: 'OTP',
			name: 'otp',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'A one-time password, if the credential needs one besides the PIN',
		},
		{
			displayName: 'CSC Version',
			name: 'cscVersion',
			type: 'options',
			options: [
				{ name: 'Auto-Detect', value: 'auto', description: 'From the base URL (…/v1/ or …/v2/), else from the info method' },
				{ name: 'v2', value: 'v2', description: 'hashes, hashAlgorithmOID, authData' },
				{ name: 'v1', value: 'v1', description: 'hash, hashAlgo, PIN and OTP fields' },
			],
			default: 'auto',
		},
		{
			displayName: 'Request Field Names',
			name: 'fieldCasing',
			type: 'options',
			options: [
				{ name: 'camelCase (CSC Standard)', value: 'camel', description: 'credentialID, numSignatures, …' },
				{ name: 'Snake_case', value: 'snake', description: 'credential_id, num_signatures, … (some v2 servers)' },
			],
			default: 'camel',
			description: 'Answers are read in either form',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30,
			description: 'How long to wait for each answer of the signer',
		},
		...customTlsProperties(),
	];
}
