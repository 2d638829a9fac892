/**
 * Which credential of the remote signer to use (by id, or by the thumbprint of its certificate among
 * `credentials/list`), its certificate and chain, and whether it may sign at all. Cached in-process per
 * account and selection (a hash of the settings) for a few minutes, so that a node does not ask the signer
 * for the certificate on every execution.
 */
import { createHash } from 'node:crypto';

import { BoundedMap } from '../../boundedMap';
import { Certificate, normalizeThumbprint } from '../../crypto/certificate';
import { EdoCryptoError } from '../../crypto/errors';
import { CscClient, describeCredential, type CredentialDescription } from './client';
import { credentialSelectionKey, type RemoteSignerSettings } from './settings';

export interface RemoteCredential {
	description: CredentialDescription;
	certificate: Certificate;
	chain: Certificate[];
}

const CACHE_TTL_MS = 5 * 60_000;
const MAX_CACHED = 256;
const cache = new BoundedMap<string, { value: RemoteCredential; expiresAt: number }>(MAX_CACHED);

export function clearRemoteCredentials(): void {
	cache.clear();
}

/** Drops the cached credential of these settings (after the signer called it unknown or unusable). */
export function forgetRemoteCredential(settings: RemoteSignerSettings): void {
	cache.delete(credentialSelectionKey(settings));
}

function sha1Hex(der: Buffer): string {
	return createHash('sha1').update(der).digest('hex').toUpperCase();
}

function parseCertificate(der: Buffer, client: CscClient, credentialId: string): Certificate {
	try {
		return Certificate.fromDer(der);
	} catch {
		throw new EdoCryptoError(
			'REMOTE_SIGNER_PROTOCOL',
			`${client.serviceName} returned a certificate for credential "${credentialId}" that cannot be read`,
			'The signer should list the certificates of credentials/info as base64 DER.',
		);
	}
}

/** Refuses a credential the signer itself reports as revoked, expired, suspended or disabled. */
function assertUsable(description: CredentialDescription, client: CscClient): void {
	const certStatus = description.certificateStatus;
	if (certStatus && certStatus !== 'valid') {
		throw new EdoCryptoError(
			'REMOTE_CREDENTIAL_UNUSABLE',
			`${client.serviceName} reports the certificate of credential "${description.credentialId}" as ${certStatus}`,
			'A revoked, expired or suspended certificate cannot sign: renew it, or choose another credential on the signer.',
		);
	}
	if (description.keyStatus && description.keyStatus !== 'enabled') {
		throw new EdoCryptoError(
			'REMOTE_CREDENTIAL_UNUSABLE',
			`${client.serviceName} reports the key of credential "${description.credentialId}" as ${description.keyStatus}`,
			'Enable the key on the signer, or choose another credential.',
		);
	}
}

async function byThumbprint(client: CscClient, thumbprint: string): Promise<CredentialDescription> {
	const { ids, infos } = await client.listCredentials();
	for (const id of ids) {
		const listed = infos.get(id);
		let description = listed ? describeCredential(id, listed) : undefined;
		if (!description || description.certificates.length === 0) description = await client.credentialInfo(id);
		if (description.certificates[0] && sha1Hex(description.certificates[0]) === thumbprint) {
			// A list entry may carry a single certificate: ask for the chain and the key details.
			return listed ? await client.credentialInfo(id) : description;
		}
	}
	throw new EdoCryptoError(
		'REMOTE_CREDENTIAL_NOT_FOUND',
		`None of the ${ids.length} credential${ids.length === 1 ? '' : 's'} of ${client.serviceName} has the certificate with thumbprint ${thumbprint}`,
		'Check the thumbprint in the EDO Remote Signer credential, or give the credential id instead.',
	);
}

async function theOnlyCredential(client: CscClient): Promise<CredentialDescription> {
	const { ids } = await client.listCredentials();
	if (ids.length === 1) return await client.credentialInfo(ids[0]);
	const shown = ids.slice(0, 10).map((id) => `"${id}"`).join(', ');
	throw new EdoCryptoError(
		ids.length === 0 ? 'REMOTE_CREDENTIAL_NOT_FOUND' : 'INVALID_INPUT',
		ids.length === 0
			? `${client.serviceName} lists no credential for this account`
			: `${client.serviceName} has ${ids.length} credentials (${shown}${ids.length > 10 ? ', …' : ''}); the EDO Remote Signer credential does not say which one to use`,
		'Set the credential id, or the thumbprint of the certificate to sign with, in the EDO Remote Signer credential.',
	);
}

/** The configured credential, its certificate and chain; from the cache while it is fresh. */
export async function resolveRemoteCredential(client: CscClient, settings: RemoteSignerSettings): Promise<RemoteCredential> {
	const key = credentialSelectionKey(settings);
	const cached = cache.get(key);
	if (cached && cached.expiresAt > Date.now()) return cached.value;

	const credentialId = settings.credentialId?.trim();
	const thumbprint = settings.certificateThumbprint?.trim();
	let description: CredentialDescription;
	if (credentialId) description = await client.credentialInfo(credentialId);
	else if (thumbprint) description = await byThumbprint(client, normalizeThumbprint(thumbprint));
	else description = await theOnlyCredential(client);
	assertUsable(description, client);

	const [own, ...rest] = description.certificates.map((der) => parseCertificate(der, client, description.credentialId));
	if (credentialId && thumbprint && own.thumbprint !== normalizeThumbprint(thumbprint)) {
		throw new EdoCryptoError(
			'REMOTE_CREDENTIAL_NOT_FOUND',
			`The certificate of credential "${credentialId}" has thumbprint ${own.thumbprint}, not ${normalizeThumbprint(thumbprint)} as the EDO Remote Signer credential says`,
			'Correct the thumbprint or the credential id (or clear one of them).',
		);
	}
	const value: RemoteCredential = { description, certificate: own, chain: rest.filter((other) => !other.der.equals(own.der)) };
	cache.set(key, { value, expiresAt: Date.now() + CACHE_TTL_MS });
	return value;
}
