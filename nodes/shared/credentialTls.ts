/**
 * TLS settings of a service credential (custom CA, client certificate for mutual TLS), in the field names the
 * package's credentials share (credentials/common/tls.ts): caCertificate, clientCertificate, clientKey,
 * clientKeyPassphrase, and an optional customTls switch that hides them.
 */
import type { TlsOptions } from '../../lib/http';

function filled(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/** The transport's TLS options, or undefined for the system defaults. */
export function tlsFromCredential(credentials: Record<string, unknown>): TlsOptions | undefined {
	if (credentials.customTls === false) return undefined;
	const tls: TlsOptions = {};
	const ca = filled(credentials.caCertificate);
	const cert = filled(credentials.clientCertificate);
	const key = filled(credentials.clientKey);
	if (ca) tls.ca = ca;
	if (cert) tls.cert = cert;
	if (key) tls.key = key;
	if ((cert || key) && typeof credentials.clientKeyPassphrase === 'string' && credentials.clientKeyPassphrase) {
		tls.passphrase = credentials.clientKeyPassphrase;
	}
	return Object.keys(tls).length > 0 ? tls : undefined;
}
