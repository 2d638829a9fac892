import type { INodeProperties } from 'n8n-workflow';

/**
 * The TLS fields of a service credential: a custom CA and a client certificate for mutual TLS, behind a
 * "Custom TLS" switch. The nodes read them with `tlsFromCredential` (nodes/shared/credentialTls.ts).
 *
 * n8n's credential lint rules only look at the literal `properties` array of a credential class, so they do
 * not see these fields: the password options are set here by hand (the private key and its passphrase are
 * secrets, the certificates are public).
 */
export type TlsFieldName = 'customTls' | 'caCertificate' | 'clientCertificate' | 'clientKey' | 'clientKeyPassphrase';

/** How a credential words the fields: only texts and the text areas' height, never what the fields are. */
export interface TlsFieldWording {
	/** Rows of the PEM text areas (4 unless given). */
	rows?: number;
	/** Texts, by field, where a credential explains a field in its own terms. */
	texts?: Partial<Record<TlsFieldName, { displayName?: string; description?: string }>>;
}

// Built on every call, so that each credential holds objects of its own, as with literal properties.
function tlsFields(rows: number): INodeProperties[] {
	const whenCustomTls = () => ({ show: { customTls: [true] } });
	return [
		{
			displayName: 'Custom TLS',
			name: 'customTls',
			type: 'boolean',
			default: false,
			description: 'Whether to trust a private CA or present a client certificate (mutual TLS)',
		},
		{
			displayName: 'CA Certificates (PEM)',
			name: 'caCertificate',
			type: 'string',
			typeOptions: { rows },
			default: '',
			displayOptions: whenCustomTls(),
			description: 'Trust these CA certificates instead of the system ones',
		},
		{
			displayName: 'Client Certificate (PEM)',
			name: 'clientCertificate',
			type: 'string',
			typeOptions: { rows },
			default: '',
			displayOptions: whenCustomTls(),
		},
		{
			displayName: 'Client Private Key (PEM)',
			name: 'clientKey',
			type: 'string',
			typeOptions: { rows, password: true },
			default: '',
			displayOptions: whenCustomTls(),
		},
		{
			displayName: 'Client Key Passphrase',
			name: 'clientKeyPassphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: whenCustomTls(),
		},
	];
}

/**
 * The TLS fields, to spread at the end of a credential's `properties`. The names, types, defaults and
 * visibility are the same in every credential (the nodes read them alike); `wording` only replaces the texts.
 */
export function customTlsProperties({ rows = 4, texts = {} }: TlsFieldWording = {}): INodeProperties[] {
	return tlsFields(rows).map((field) => ({ ...field, ...texts[field.name as TlsFieldName] }));
}
