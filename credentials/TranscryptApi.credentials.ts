import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { customTlsProperties } from './common/tls';

/**
 * Taxnet Transcrypt API v2. AppId/AppInstance identify the client application (AppInfo of every login);
 * login and password are only needed for Login by Password. The docs do not show how the token is sent on
 * later calls, so the header and its scheme are settings (default `Authorization: Bearer <token>`).
 * Tested by the Transcrypt node (`methods.credentialTest.transcryptApiTest`).
 */
export class TranscryptApi implements ICredentialType {
	name = 'transcryptApi';

	displayName = 'Transcrypt API';

	icon: Icon = { light: 'file:../nodes/Transcrypt/transcrypt.svg', dark: 'file:../nodes/Transcrypt/transcrypt.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-edo/n8n-nodes-edo#transcrypt';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'http://demo.tcrypt.ru:42136/',
			description: 'Address of the Transcrypt API; methods such as api/v2/auth are called under it',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'fd1fcd39-171e-4af5-9110-457215e20cc0',
			description: 'AppInfo.AppId: the GUID Taxnet assigned to your application',
		},
		{
			displayName: 'App Instance',
			name: 'appInstance',
			type: 'string',
			default: '',
			required: true,
			placeholder: '7d359f83-fb28-4b35-bb82-8f5f78f18c08',
			description: 'AppInfo.AppInstance: a GUID naming this installation (generate one once and keep it)',
		},
		{
			displayName: 'Login',
			name: 'login',
			type: 'string',
			default: '',
			description: 'Only for Login by Password (and for automatic re-login in API Request)',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a header name, not a secret
		{
			displayName: 'Token Header',
			name: 'tokenHeader',
			type: 'string',
			default: 'Authorization',
			description: 'HTTP header that carries the token on API calls',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a word such as Bearer, not a secret
		{
			displayName: 'Token Scheme',
			name: 'tokenScheme',
			type: 'string',
			default: 'Bearer',
			description: 'Word before the token in that header; leave empty to send the bare token',
		},
		...customTlsProperties(),
	];
}
