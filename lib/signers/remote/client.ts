/**
 * The CSC calls a remote signer needs (info, credentials/list, credentials/info, credentials/authorize,
 * signatures/signHash) plus the x-edo/decrypt extension, on lib/http. Requests are written in the dialect
 * of the server (v1: `hash`, `hashAlgo`, `PIN`/`OTP`; v2: `hashes`, `hashAlgorithmOID`, `authData`;
 * camelCase or snake_case); answers are read in any of them.
 */
import { EdoCryptoError } from '../../crypto/errors';
import { getHttpClient, isHttpError, type HttpClient } from '../../http';
import { AccessTokens } from './auth';
import { cscFailure, isSadRejection, isTokenRejection, protocolError, SadRejectedError, type CscStep, type FailureContext } from './errors';
import {
	arrayField,
	field,
	isRecord,
	numberField,
	recordField,
	textArrayField,
	textField,
	withCasing,
	type FieldCasing,
	type JsonRecord,
} from './fields';
import { DEFAULT_REMOTE_SIGNER_NAME, DEFAULT_TIMEOUT_MS, settingsSecrets, type RemoteSignerSettings } from './settings';

export type CscDialect = 'v1' | 'v2';

export interface CredentialDescription {
	credentialId: string;
	/** DER certificates as the service lists them: the credential's own first, then its chain. */
	certificates: Buffer[];
	/** Key algorithm OIDs the credential accepts as signAlgo. */
	keyAlgorithms: string[];
	keyStatus?: string;
	/** valid | expired | revoked | suspended (CSC `cert.status`). */
	certificateStatus?: string;
	/** How many signatures one SAD may cover (1 when the service does not say). */
	multisign: number;
	/** implicit | explicit | oauth2code… */
	authMode?: string;
	/** Sole Control Assurance Level: '2' binds each SAD to the hashes it signs. */
	scal?: string;
}

export interface Authorization {
	sad: string;
	/** Seconds, when the service says. */
	expiresIn?: number;
}

const dialects = new Map<string, CscDialect>();
const MAX_PAGES = 50;

/** Forgets the detected CSC versions (tests). */
export function clearCscDialects(): void {
	dialects.clear();
}

function base64(value: unknown): Buffer | undefined {
	if (typeof value !== 'string') return undefined;
	const compact = value.replace(/\s+/g, '');
	if (compact.length === 0 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return undefined;
	return Buffer.from(compact.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export class CscClient {
	readonly serviceName: string;
	readonly secrets: string[];
	/** scheme://host:port of the endpoint. */
	readonly origin: string;
	private readonly http: HttpClient;
	private readonly tokens: AccessTokens;
	private readonly casing: FieldCasing;

	constructor(private readonly settings: RemoteSignerSettings) {
		this.serviceName = settings.serviceName ?? DEFAULT_REMOTE_SIGNER_NAME;
		this.secrets = settingsSecrets(settings);
		this.casing = settings.fieldCasing ?? 'camel';
		if (!/^https?:\/\/[^/\s]+/i.test(settings.baseUrl?.trim() ?? '')) {
			throw new EdoCryptoError(
				'INVALID_INPUT',
				`The base URL of the ${this.serviceName} credential is ${settings.baseUrl?.trim() ? 'not an http(s) URL' : 'empty'}`,
				'Enter the CSC API base URL, e.g. https://signer.example/csc/v2.',
			);
		}
		const timeout = settings.timeoutMs && settings.timeoutMs > 0 ? settings.timeoutMs : DEFAULT_TIMEOUT_MS;
		this.http = getHttpClient({
			baseUrl: settings.baseUrl,
			serviceName: this.serviceName,
			tls: settings.tls,
			timeouts: { connectMs: Math.min(timeout, 10_000), headersMs: timeout, bodyMs: timeout },
			retry: { maxTotalMs: timeout, ...settings.retry },
			secrets: this.secrets,
			errorCodeFields: ['error', 'errorCode', 'error_code', 'code', 'Code'],
		});
		this.origin = this.http.origin;
		this.tokens = new AccessTokens({ settings, http: this.http, serviceName: this.serviceName, secrets: this.secrets });
	}

	failureContext(step: CscStep, credentialId?: string, extraSecrets: readonly string[] = []): FailureContext {
		return { step, serviceName: this.serviceName, credentialId, secrets: [...this.secrets, ...extraSecrets] };
	}

	/** v1 or v2: as configured, else from the base URL (…/v1/…), else from `info.specs`. */
	async dialect(): Promise<CscDialect> {
		const configured = this.settings.cscVersion;
		if (configured === 'v1' || configured === 'v2') return configured;
		const path = new URL(this.settings.baseUrl.trim()).pathname;
		if (/\/v1(\/|$)/i.test(path)) return 'v1';
		if (/\/v2(\/|$)/i.test(path)) return 'v2';
		const key = this.settings.baseUrl.trim();
		const known = dialects.get(key);
		if (known) return known;
		let detected: CscDialect = 'v2';
		try {
			const specs = textField(await this.info(), 'specs');
			if (specs && /^1\./.test(specs)) detected = 'v1';
		} catch {
			// A server without `info` is taken for v2, the current standard.
		}
		dialects.set(key, detected);
		return detected;
	}

	async info(): Promise<JsonRecord> {
		const body = await this.call('info', { lang: 'en-US' }, { idempotent: true, authenticated: false });
		return isRecord(body) ? body : {};
	}

	/** Every credential id of the account, with the v2 `credentialInfos` when the server adds them. */
	async listCredentials(): Promise<{ ids: string[]; infos: Map<string, JsonRecord> }> {
		const v2 = (await this.dialect()) === 'v2';
		const ids: string[] = [];
		const infos = new Map<string, JsonRecord>();
		let pageToken: string | undefined;
		for (let page = 0; page < MAX_PAGES; page++) {
			const request: JsonRecord = { maxResults: 100 };
			if (pageToken) request.pageToken = pageToken;
			if (v2) Object.assign(request, { credentialInfo: true, certificates: 'single', certInfo: true, authInfo: true });
			const body = await this.call('credentials/list', request, { idempotent: true });
			const pageIds = textArrayField(body, 'credentialIDs', 'credentialIds');
			if (!pageIds) throw protocolError(this.failureContext('credentials/list'), 'a credentialIDs list');
			ids.push(...pageIds);
			const details = arrayField(body, 'credentialInfos', 'credentialInfo');
			details?.forEach((detail, index) => {
				if (!isRecord(detail)) return;
				const id = textField(detail, 'credentialID') ?? pageIds[index];
				if (id) infos.set(id, detail);
			});
			pageToken = textField(body, 'nextPageToken');
			if (!pageToken) break;
		}
		return { ids, infos };
	}

	async credentialInfo(credentialId: string): Promise<CredentialDescription> {
		const body = await this.call(
			'credentials/info',
			{ credentialID: credentialId, certificates: 'chain', certInfo: true, authInfo: true },
			{ idempotent: true, credentialId },
		);
		const description = describeCredential(credentialId, body);
		if (description.certificates.length === 0) {
			throw protocolError(this.failureContext('credentials/info', credentialId), 'the certificate of the credential (cert.certificates)');
		}
		return description;
	}

	async authorize(
		credentialId: string,
		numSignatures: number,
		bind?: { hashes: Buffer[]; hashOid: string },
	): Promise<Authorization> {
		const v1 = (await this.dialect()) === 'v1';
		const pin = this.settings.pin?.length ? this.settings.pin : undefined;
		const otp = this.settings.otp?.length ? this.settings.otp : undefined;
		const request: JsonRecord = { credentialID: credentialId, numSignatures };
		if (v1) {
			if (pin) request.PIN = pin;
			if (otp) request.OTP = otp;
			if (bind) request.hash = bind.hashes.map((hash) => hash.toString('base64'));
		} else {
			const authData = [...(pin ? [{ id: 'PIN', value: pin }] : []), ...(otp ? [{ id: 'OTP', value: otp }] : [])];
			if (authData.length) request.authData = authData;
			if (bind) {
				request.hashes = bind.hashes.map((hash) => hash.toString('base64'));
				request.hashAlgorithmOID = bind.hashOid;
			}
		}
		const body = await this.call('credentials/authorize', request, { credentialId });
		const sad = textField(body, 'SAD', 'sad');
		if (!sad) throw protocolError(this.failureContext('credentials/authorize', credentialId), 'a SAD');
		return { sad, expiresIn: numberField(body, 'expiresIn', 'expires_in') };
	}

	async signHash(credentialId: string, sad: string, hashes: Buffer[], hashOid: string, signAlgo: string): Promise<Buffer[]> {
		const v1 = (await this.dialect()) === 'v1';
		const encoded = hashes.map((hash) => hash.toString('base64'));
		const request: JsonRecord = v1
			? { credentialID: credentialId, SAD: sad, hash: encoded, hashAlgo: hashOid, signAlgo }
			: { credentialID: credentialId, SAD: sad, hashes: encoded, hashAlgorithmOID: hashOid, signAlgo, operationMode: 'S' };
		const body = await this.call('signatures/signHash', request, { credentialId, extraSecrets: [sad] });
		const values = arrayField(body, 'signatures', 'signature')?.map(base64);
		const context = this.failureContext('signatures/signHash', credentialId, [sad]);
		if (!values || values.length !== hashes.length || values.some((value) => !value || value.length === 0)) {
			throw protocolError(context, `${hashes.length} base64 signature value${hashes.length === 1 ? '' : 's'}`);
		}
		return values as Buffer[];
	}

	/** The x-edo/decrypt extension: a CMS EnvelopedData in, its content out, under the same SAD rules. */
	async decrypt(credentialId: string, sad: string, envelope: Uint8Array): Promise<Buffer> {
		const request: JsonRecord = { credentialID: credentialId, SAD: sad, envelope: Buffer.from(envelope).toString('base64') };
		const body = await this.call('x-edo/decrypt', request, { credentialId, extraSecrets: [sad] });
		const content = field(body, 'content');
		const bytes = content === '' ? Buffer.alloc(0) : base64(content);
		if (!bytes) throw protocolError(this.failureContext('x-edo/decrypt', credentialId, [sad]), 'the decrypted content (base64)');
		return bytes;
	}

	/**
	 * One POST with the access token. A 401 about the token (not the PIN) drops a fetched token and tries once
	 * more with a new one; anything else becomes the error of this step.
	 */
	private async call(
		step: CscStep,
		body: JsonRecord,
		options: { idempotent?: boolean; authenticated?: boolean; credentialId?: string; extraSecrets?: string[] } = {},
	): Promise<unknown> {
		const send = async (authorization: string | undefined) => {
			const headers: Record<string, string> = { accept: 'application/json' };
			if (authorization) headers.authorization = authorization;
			const response = await this.http.request({
				method: 'POST',
				path: step,
				body: withCasing(body, this.casing),
				headers,
				idempotent: options.idempotent ?? false,
				responseType: 'json',
				secrets: [...(options.extraSecrets ?? []), ...(authorization ? [authorization.replace(/^Bearer /, '')] : [])],
			});
			return response.body;
		};
		const context = this.failureContext(step, options.credentialId, options.extraSecrets);
		const authorization = options.authenticated === false ? undefined : await this.tokens.authorization();
		try {
			return await send(authorization);
		} catch (error) {
			if ((step === 'signatures/signHash' || step === 'x-edo/decrypt') && isHttpError(error) && isSadRejection(error)) {
				throw new SadRejectedError(context, error);
			}
			if (!(authorization && this.tokens.renewable && isTokenRejection(error))) throw cscFailure(error, context);
		}
		this.tokens.reject(authorization);
		try {
			return await send(await this.tokens.authorization());
		} catch (error) {
			throw cscFailure(error, context);
		}
	}
}

/** credentials/info (or a v2 credentialInfos entry) in any casing. */
export function describeCredential(credentialId: string, body: unknown): CredentialDescription {
	const key = recordField(body, 'key');
	const cert = recordField(body, 'cert');
	const certificates = (textArrayField(cert, 'certificates') ?? []).map(base64).filter((der): der is Buffer => Boolean(der && der.length));
	const auth = recordField(body, 'auth');
	const multisign = numberField(body, 'multisign');
	return {
		credentialId,
		certificates,
		keyAlgorithms: textArrayField(key, 'algo', 'algos') ?? [],
		keyStatus: textField(key, 'status')?.toLowerCase(),
		certificateStatus: textField(cert, 'status')?.toLowerCase(),
		multisign: multisign !== undefined && multisign >= 1 ? Math.floor(multisign) : 1,
		authMode: (textField(body, 'authMode') ?? textField(auth, 'mode'))?.toLowerCase(),
		scal: textField(body, 'SCAL', 'scal'),
	};
}
