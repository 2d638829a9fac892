/**
 * The sandbox's remote signer (software keys) with test identities from openssl, so that signatures can be
 * verified with `openssl cms -verify` against the certificate files, and settings/credential data for it.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { clearRemoteSignerCaches, type RemoteSignerSettings } from '../../lib/signers/remote';
import { createSignerEmulator, DEFAULT_SIGNER_TOKEN, type SignerEmulator } from '../../sandbox/emulators/signer';
import { SandboxServer, type RecordedRequest } from '../../sandbox/server';
import { SoftwareKeystore } from '../../signer/softwareKeystore';
import { createIdentity, RUSSIAN_SUBJECT, type TestIdentity } from '../helpers/pki';

export const PIN = '4711-pin';
export const RSA_ID = 'test-rsa';
export const EC_ID = 'test-ec';

export interface SignerFixture {
	server: SandboxServer;
	signer: SignerEmulator;
	rsa: TestIdentity;
	ec: TestIdentity;
	/** The CSC v2 base URL of the sandbox signer. */
	baseUrl(version?: 'v1' | 'v2'): string;
	/** Settings for RemoteSigner.open: static bearer token, the RSA credential, the PIN, short retries. */
	settings(overrides?: Partial<RemoteSignerSettings>): RemoteSignerSettings;
	/** EDO Remote Signer credential data with the same defaults. */
	credential(overrides?: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject;
	/** The CSC calls the endpoint received, e.g. ['credentials/info', 'credentials/authorize', …]. */
	calls(): string[];
	requests(): RecordedRequest[];
	start(): Promise<void>;
	stop(): Promise<void>;
	reset(): void;
}

export function signerFixture(): SignerFixture {
	const rsa = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
	const ec = createIdentity('p256', { subject: '/CN=EC Signer/O=Test' });
	const keystore = new SoftwareKeystore({
		pin: PIN,
		credentials: [
			{ id: RSA_ID, certificate: rsa.certPem, privateKey: rsa.keyPem },
			{ id: EC_ID, certificate: ec.certPem, privateKey: ec.keyPem },
		],
	});
	const server = new SandboxServer();
	const signer = createSignerEmulator({ keystore, pin: PIN });
	server.mount('/signer', signer);
	const baseUrl = (version: 'v1' | 'v2' = 'v2') => `${server.baseUrl}/signer/csc/${version}`;
	return {
		server,
		signer,
		rsa,
		ec,
		baseUrl,
		settings: (overrides = {}) => ({
			baseUrl: baseUrl(),
			auth: { type: 'bearer', token: DEFAULT_SIGNER_TOKEN },
			credentialId: RSA_ID,
			pin: PIN,
			timeoutMs: 5_000,
			retry: { maxRetries: 1, baseDelayMs: 20, maxDelayMs: 50 },
			...overrides,
		}),
		credential: (overrides = {}) => ({
			baseUrl: baseUrl(),
			authentication: 'bearer',
			accessToken: DEFAULT_SIGNER_TOKEN,
			credentialId: RSA_ID,
			certificateThumbprint: '',
			pin: PIN,
			otp: '',
			cscVersion: 'auto',
			fieldCasing: 'camel',
			timeoutSeconds: 5,
			customTls: false,
			...overrides,
		}),
		calls: () =>
			server.requests
				.filter((request) => request.path.startsWith('/signer/csc/'))
				.map((request) => request.path.replace(/^\/signer\/csc\/v[12]\//, '')),
		requests: () => server.requests,
		start: async () => {
			await server.start();
			await signer.ready();
		},
		stop: async () => await server.stop(),
		reset: () => {
			server.reset();
			clearRemoteSignerCaches();
		},
	};
}

/** Fails when any of the secrets appears anywhere in the value (message, hint, JSON of an error or output). */
export function expectNoSecret(value: unknown, secrets: readonly string[]): void {
	const seen = new WeakSet<object>();
	const text = JSON.stringify(value, (_key, inner: unknown) => {
		if (inner instanceof Error) {
			if (seen.has(inner)) return '[seen]';
			seen.add(inner);
			return { ...inner, message: inner.message, hint: (inner as { hint?: string }).hint, description: (inner as { description?: string }).description };
		}
		return inner;
	});
	for (const secret of secrets) expect(text).not.toContain(secret);
}
