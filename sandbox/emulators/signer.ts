/**
 * The remote signer in software-key mode, mounted at /signer: the same CSC API v2 endpoint (and x-edo/decrypt
 * extension) that `npm run signer` serves from a PKCS#11 token, with keys generated at start.
 *
 *   POST /signer/csc/v2/<method>   (and /signer/csc/v1/<method>), see signer/README.md
 *
 * Defaults: OAuth2 client `edo-sandbox` / `sandbox-signer-secret`, auth/login user `sandbox` / `sandbox-password`,
 * static bearer token `sandbox-signer-token`; credentials `sandbox-rsa` (RSA-2048) and `sandbox-ec` (ECDSA P-256)
 * with self-signed certificates; PIN 1234; 3 wrong PINs lock a credential; SADs live 300 s on the sandbox clock.
 *
 * Sandbox control under /signer/__sandbox: GET state | describe; POST config {pin?, latencyMs?,
 * sadLifetimeSeconds?, maxPinAttempts?, multisign?, accessTokenLifetimeSeconds?}; POST credentials {id,
 * certificate, privateKey, chain?, pin?}; DELETE credentials/:id; POST credentials/:id/revoke | unrevoke |
 * expire | unlock | pin {pin}; POST reset.
 */
import type { Keystore, SignOperation } from '../../signer/keystore';
import { CscSignerService, DEFAULT_SIGNER_CONFIG, type CscSignerConfig } from '../../signer/server';
import { DEFAULT_SOFTWARE_PIN, SoftwareKeystore, type SoftwareCredentialInput } from '../../signer/softwareKeystore';
import type { TestClock } from '../clock';
import { error, json, text, type SandboxEmulator, type SandboxRequest, type SandboxResponse, type SandboxRouter } from '../server';

export const DEFAULT_SIGNER_CLIENT_ID = 'edo-sandbox';
export const DEFAULT_SIGNER_CLIENT_SECRET = 'sandbox-signer-secret';
export const DEFAULT_SIGNER_USERNAME = 'sandbox';
export const DEFAULT_SIGNER_PASSWORD = 'sandbox-password';
export const DEFAULT_SIGNER_TOKEN = 'sandbox-signer-token';
export const DEFAULT_SIGNER_PIN = DEFAULT_SOFTWARE_PIN;
export const SIGNER_CREDENTIAL_IDS = { rsa: 'sandbox-rsa', ec: 'sandbox-ec' } as const;

export interface SignerEmulatorOptions {
	/** Use these keys instead of generating RSA and EC keys (tests that bring their own certificates). */
	keystore?: SoftwareKeystore;
	pin?: string;
	config?: Partial<CscSignerConfig>;
	/** The public root URL for info.oauth2 (default: http://<Host header>). */
	publicUrl?: string;
}

export interface SignerCredentialView {
	credentialID: string;
	thumbprint: string;
	subject: string;
	keyAlgorithm: string;
	notAfter: string;
	revoked: boolean;
	locked: boolean;
	failedPins: number;
}

export interface SignerEmulator extends SandboxEmulator {
	readonly service: CscSignerService;
	/** Resolves once the generated keys exist (every CSC request waits for it too). */
	ready(): Promise<SoftwareKeystore>;
	addCredential(input: SoftwareCredentialInput): Promise<string>;
	removeCredential(id: string): Promise<boolean>;
	/** One credential's PIN, or every credential's when id is omitted. */
	setPin(pin: string, id?: string): Promise<void>;
	revoke(id: string): void;
	unrevoke(id: string): void;
	/** Re-issues the credential's self-signed certificate with a validity that ended yesterday. */
	expire(id: string): Promise<void>;
	unlock(id: string): void;
	/** Delay before every CSC answer (real time, not the sandbox clock). */
	setLatency(ms: number): void;
	configure(patch: Partial<CscSignerConfig> & { latencyMs?: number; pin?: string }): Promise<Readonly<CscSignerConfig>>;
	credentials(): Promise<SignerCredentialView[]>;
	describe(baseUrl?: string): string;
}

const CONFIG_KEYS = new Set(['name', 'accessTokenLifetimeSeconds', 'sadLifetimeSeconds', 'maxPinAttempts', 'multisign', 'latencyMs', 'pin']);

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function defaultConfig(initial: Partial<CscSignerConfig> | undefined): Partial<CscSignerConfig> {
	return {
		name: 'EDO sandbox remote signer (software keys)',
		clients: [{ clientId: DEFAULT_SIGNER_CLIENT_ID, clientSecret: DEFAULT_SIGNER_CLIENT_SECRET }],
		users: [{ username: DEFAULT_SIGNER_USERNAME, password: DEFAULT_SIGNER_PASSWORD }],
		tokens: [DEFAULT_SIGNER_TOKEN],
		revoked: [],
		...initial,
	};
}

export function createSignerEmulator(options: SignerEmulatorOptions = {}): SignerEmulator {
	let clock: TestClock | undefined;
	let latencyMs = 0;
	const pin = options.pin ?? DEFAULT_SIGNER_PIN;
	const keysReady: Promise<SoftwareKeystore> = options.keystore ? Promise.resolve(options.keystore) : SoftwareKeystore.generate({ pin });
	// What reset() goes back to: the credentials and certificates present once the keys exist.
	const original = keysReady.then(async (keystore) => {
		if (options.keystore) keystore.setPin(pin);
		return new Map((await keystore.list()).map((credential) => [credential.id, credential.certificate.der]));
	});
	const initialConfig = { ...DEFAULT_SIGNER_CONFIG, ...defaultConfig(options.config) };
	const service = new CscSignerService({ keystore: new DeferredKeystore(keysReady), now: () => (clock ? clock.now() : Date.now()), ...initialConfig });
	let restoring: Promise<void> = Promise.resolve();

	const ready = async () => {
		await original;
		await restoring;
		return keysReady;
	};

	const configure = async (patch: Partial<CscSignerConfig> & { latencyMs?: number; pin?: string }) => {
		const { latencyMs: latency, pin: newPin, ...rest } = patch;
		if (latency !== undefined) {
			if (!Number.isFinite(latency) || latency < 0) throw new Error('latencyMs must be a non-negative number');
			latencyMs = latency;
		}
		if (newPin !== undefined) (await ready()).setPin(newPin);
		return service.configure(rest);
	};

	const credentials = async (): Promise<SignerCredentialView[]> => {
		const keystore = await ready();
		return (await keystore.list()).map((credential) => {
			const { failures, locked } = service.lockState(credential.id);
			const revoked = service.settings.revoked.some((entry) => [credential.id, credential.certificate.thumbprint].includes(entry));
			return {
				credentialID: credential.id,
				thumbprint: credential.certificate.thumbprint,
				subject: credential.certificate.subject,
				keyAlgorithm: credential.certificate.keyAlgorithm.description,
				notAfter: credential.certificate.notAfter.toISOString(),
				revoked,
				locked,
				failedPins: failures,
			};
		});
	};

	const emulator: SignerEmulator = {
		name: 'signer',
		service,
		ready,
		async addCredential(input) {
			const keystore = await ready();
			return keystore.add(input).id;
		},
		async removeCredential(id) {
			service.sads.dropCredential(id);
			return (await ready()).remove(id);
		},
		async setPin(newPin, id) {
			(await ready()).setPin(newPin, id);
		},
		revoke: (id) => service.revoke(id),
		unrevoke: (id) => service.unrevoke(id),
		async expire(id) {
			const now = clock ? clock.now() : Date.now();
			await (await ready()).reissue(id, new Date(now - 366 * 86_400_000), new Date(now - 86_400_000));
		},
		unlock: (id) => service.unlock(id),
		setLatency(ms) {
			latencyMs = ms;
		},
		configure,
		credentials,
		register(router: SandboxRouter) {
			clock = router.clock;
			router.route('*', '/csc/:version/*', (request) => handleCsc(request));
			registerControl(router);
		},
		reset() {
			latencyMs = 0;
			service.configure(initialConfig);
			service.resetSessions();
			restoring = Promise.all([keysReady, original]).then(async ([keystore, certificates]) => {
				for (const credential of await keystore.list()) {
					const der = certificates.get(credential.id);
					if (!der) keystore.remove(credential.id);
					else if (!der.equals(credential.certificate.der)) keystore.replaceCertificate(credential.id, der);
				}
				keystore.setPin(pin);
			});
		},
		describe(baseUrl = 'http://127.0.0.1:<port>') {
			const api = `${baseUrl}/signer/csc/v2/`;
			return [
				`Remote signer (CSC API v2, software keys): ${api}`,
				`  OAuth2 client credentials: POST ${api}oauth2/token  client_id ${DEFAULT_SIGNER_CLIENT_ID}, client_secret ${DEFAULT_SIGNER_CLIENT_SECRET}`,
				`  auth/login (HTTP Basic): ${DEFAULT_SIGNER_USERNAME} / ${DEFAULT_SIGNER_PASSWORD}; static bearer token: ${DEFAULT_SIGNER_TOKEN}`,
				`  credentials: ${SIGNER_CREDENTIAL_IDS.rsa} (RSA-2048), ${SIGNER_CREDENTIAL_IDS.ec} (ECDSA P-256), self-signed; PIN ${pin}` +
					` (locks after ${service.settings.maxPinAttempts} wrong PINs)`,
				`  decrypt extension: POST ${api}x-edo/decrypt {credentialID, SAD, envelope}`,
				`  control: ${baseUrl}/signer/__sandbox/state | config | credentials/:id/{revoke,expire,unlock,pin} | reset`,
			].join('\n');
		},
	};

	async function handleCsc(request: SandboxRequest): Promise<SandboxResponse> {
		const version = request.params.version;
		if (version !== 'v1' && version !== 'v2') return error(404, `no CSC API version ${version}; use /signer/csc/v2/`);
		await ready();
		if (latencyMs > 0) await delay(latencyMs);
		const root = options.publicUrl ?? `http://${request.headers.host ?? '127.0.0.1'}`;
		const reply = await service.handle({
			method: request.method,
			operation: request.params['*'].replace(/\/+$/, ''),
			version,
			headers: request.headers,
			body: request.body,
			apiBaseUrl: `${root}/signer/csc/${version}/`,
		});
		return { status: reply.status, headers: reply.headers, json: reply.json };
	}

	function registerControl(router: SandboxRouter): void {
		const control = (method: string, path: string, handler: (request: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse) =>
			router.route(method, `/__sandbox${path}`, async (request) => {
				try {
					return await handler(request);
				} catch (caught) {
					return error(400, caught instanceof Error ? caught.message : String(caught));
				}
			});
		control('GET', '/state', async () => json(200, { config: { ...service.settings, latencyMs }, credentials: await credentials() }));
		control('GET', '/describe', () => text(200, emulator.describe(`http://${'127.0.0.1'}`)));
		control('POST', '/config', async (request) => {
			const patch = request.json<Record<string, unknown>>();
			const unknown = Object.keys(patch).filter((key) => !CONFIG_KEYS.has(key));
			if (unknown.length) return error(400, `unknown config keys: ${unknown.join(', ')}`);
			const result = await configure(patch as Parameters<typeof configure>[0]);
			return json(200, { ...result, latencyMs });
		});
		control('POST', '/credentials', async (request) => {
			const body = request.json<SoftwareCredentialInput>();
			const id = await emulator.addCredential(body);
			return json(201, { credentialID: id, credentials: await credentials() });
		});
		control('DELETE', '/credentials/:id', async (request) =>
			(await emulator.removeCredential(request.params.id)) ? { status: 204 } : error(404, 'no such credential'),
		);
		control('POST', '/credentials/:id/:action', async (request) => {
			const { id, action } = request.params;
			const keystore = await ready();
			if (!keystore.has(id)) return error(404, 'no such credential');
			switch (action) {
				case 'revoke':
					emulator.revoke(id);
					break;
				case 'unrevoke':
					emulator.unrevoke(id);
					break;
				case 'expire':
					await emulator.expire(id);
					break;
				case 'unlock':
					emulator.unlock(id);
					break;
				case 'pin': {
					const body = request.json<{ pin?: unknown }>();
					if (typeof body.pin !== 'string' || body.pin === '') return error(400, 'pin must be a non-empty string');
					keystore.setPin(body.pin, id);
					break;
				}
				default:
					return error(404, `unknown action ${action}`);
			}
			return json(200, { credentials: await credentials() });
		});
		control('POST', '/reset', () => {
			emulator.reset?.();
			return { status: 204 };
		});
	}

	return emulator;
}

/** The software keystore once its keys exist; every call waits for them. */
class DeferredKeystore implements Keystore {
	readonly description = 'software keys (sandbox)';
	private current?: SoftwareKeystore;

	constructor(private readonly ready: Promise<SoftwareKeystore>) {
		void ready.then((keystore) => {
			this.current = keystore;
		});
	}

	get pinFormat(): 'N' | 'A' {
		return this.current?.pinFormat ?? 'N';
	}

	async list() {
		return (await this.ready).list();
	}

	async checkPin(credentialId: string, pin: string) {
		return (await this.ready).checkPin(credentialId, pin);
	}

	async sign(credentialId: string, pin: string, operations: SignOperation[]) {
		return (await this.ready).sign(credentialId, pin, operations);
	}

	async decrypt(credentialId: string, pin: string, envelope: Buffer) {
		return (await this.ready).decrypt(credentialId, pin, envelope);
	}

	async close() {
		return (await this.ready).close();
	}
}
