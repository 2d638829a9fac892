import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A signing certificate with its private key, for CMS signatures and decryption on this n8n instance.
 * The credential test is run by the nodes that use it (`testedBy: 'edoCertificateTest'`): loading the key is
 * local work, not an HTTP request.
 */
// Not an API credential: the "-Api" suffix rules of n8n-nodes-base do not apply.
// eslint-disable-next-line n8n-nodes-base/cred-class-name-unsuffixed
export class EdoCertificate implements ICredentialType {
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-name-unsuffixed
	name = 'edoCertificate';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'EDO Certificate';

	icon = { light: 'file:edoCertificate.svg', dark: 'file:edoCertificate.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-edo/n8n-nodes-edo#readme';

	properties: INodeProperties[] = [
		{
			displayName: 'Key Storage',
			name: 'format',
			type: 'options',
			options: [
				{
					name: 'Certificate and Key (PEM)',
					value: 'pem',
					description: 'The certificate and its private key as PEM text',
				},
				{
					name: 'PFX / PKCS#12 File',
					value: 'pfx',
					description: 'A .pfx or .p12 file holding the key and the certificate, as base64',
				},
			],
			default: 'pem',
		},
		{
			displayName: 'Certificate (PEM)',
			// The certificate is public, so it stays readable in the editor.
			name: 'publicCertificate',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----\nMIIF...\n-----END CERTIFICATE-----',
			description:
				'The signing certificate as PEM. It may be followed by its chain (intermediate and root certificates); signatures embed them.',
			displayOptions: { show: { format: ['pem'] } },
		},
		{
			displayName: 'Private Key (PEM)',
			name: 'privateKey',
			type: 'string',
			typeOptions: { rows: 6, password: true },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----',
			description:
				'The private key of the certificate: PKCS#8 (PRIVATE KEY or ENCRYPTED PRIVATE KEY; RSA, ECDSA or GOST R 34.10-2012), RSA PRIVATE KEY or EC PRIVATE KEY',
			displayOptions: { show: { format: ['pem'] } },
		},
		{
			displayName: 'Key Passphrase',
			name: 'privateKeyPassphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for an encrypted private key',
			displayOptions: { show: { format: ['pem'] } },
		},
		{
			displayName: 'PFX File (Base64)',
			name: 'pfxCertificate',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The whole .pfx/.p12 file encoded as base64 (for example the output of `base64 -w0 key.pfx`); GOST files with the Russian PKCS#12 profile are read too',
			displayOptions: { show: { format: ['pfx'] } },
		},
		{
			displayName: 'PFX Password',
			name: 'pfxPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { format: ['pfx'] } },
		},
	];
}
