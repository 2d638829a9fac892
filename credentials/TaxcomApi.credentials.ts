import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { customTlsProperties } from './common/tls';

/**
 * Taxcom Docliner Web API (`https://<server>.taxcom.ru/v<version>/API/<Method>`): the integrator id sent on
 * every call, the cloud cryptography account and cloud certificate of CloudCertificateLogin, and how long a
 * session token lives without use. Tested by the Taxcom node (`methods.credentialTest.taxcomApiTest`).
 */
export class TaxcomApi implements ICredentialType {
	name = 'taxcomApi';

	displayName = 'Taxcom API';

	icon: Icon = { light: 'file:../nodes/Taxcom/taxcom.svg', dark: 'file:../nodes/Taxcom/taxcom.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-edo/n8n-nodes-edo#taxcom';

	properties: INodeProperties[] = [
		{
			displayName: 'Server URL',
			name: 'serverUrl',
			type: 'string',
			default: 'https://api-invoice.taxcom.ru',
			required: true,
			description: 'Address of the Taxcom server, without the /v&lt;version&gt;/API/ part',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: '1.3',
			description: 'The &lt;version&gt; of /v&lt;version&gt;/API/; leave empty when the server URL already ends with it',
		},
		{
			displayName: 'Integrator ID',
			name: 'integratorId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA',
			description: 'Integrator-Id header: your company prefix, an underscore and the GUID Taxcom issued',
		},
		{
			displayName: 'Cloud Crypto Login',
			name: 'cloudLogin',
			type: 'string',
			default: '',
			description: 'Login of the cloud cryptography service (Cloud Certificate Login)',
		},
		{
			displayName: 'Cloud Crypto Password',
			name: 'cloudPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field -- a thumbprint identifies a certificate and is public
		{
			displayName: 'Cloud Certificate Thumbprint',
			name: 'certificateThumbprint',
			type: 'string',
			default: '',
			placeholder: 'B0E10292B0024E7197A76B741CE0D271FEAD7E10',
			description: 'SHA-1 thumbprint of the certificate held by the cloud service (spaces and case do not matter)',
		},
		{
			displayName: 'Cloud Certificate PIN',
			name: 'certificatePin',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'PIN of the cloud certificate, if it has one',
		},
		{
			displayName: 'Session Lifetime (Minutes)',
			name: 'sessionLifetimeMinutes',
			type: 'number',
			typeOptions: { minValue: 0.1, numberPrecision: 2 },
			default: 2,
			description: 'How long a token stays valid after its last use. The cloud login page says 2 minutes, the certificate login page 5.',
		},
		...customTlsProperties(),
	];
}
