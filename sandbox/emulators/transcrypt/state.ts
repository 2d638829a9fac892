/**
 * What the Transcrypt emulator remembers: registered certificates, issued secrets, sessions (tokens) and a
 * log of every auth attempt and protected call, all timed on the sandbox clock.
 */
import crypto from 'node:crypto';
import { Certificate, loadCertificate } from '../../../lib/crypto/certificate';
import type { TestClock } from '../../clock';
import type { TranscryptOrganization } from './models';

export interface TranscryptCertificateFlags {
	/** Default: derived from the certificate subject (INN-LE/INN, O/CN). */
	organizations?: TranscryptOrganization[];
	needSignLicense?: boolean;
	isNewClient?: boolean;
	isNewEmployee?: boolean;
	/** Default: true on the first login of the certificate, false afterwards. */
	isNewCertificate?: boolean;
	/** Refuse logins with this certificate: 200 with this Error text and no token. */
	error?: string;
}

export interface RegisteredCertificate {
	certificate: Certificate;
	flags: TranscryptCertificateFlags;
	autoRegistered: boolean;
	logins: number;
}

export interface IssuedSecret {
	secret: string;
	issuedAt: number;
	expiresAt: number;
	usedAt?: number;
}

export interface TranscryptCall {
	time: number;
	method: string;
	path: string;
	status: number;
}

export interface TranscryptSession {
	token: string;
	kind: 'signature' | 'password';
	thumbprint?: string;
	login?: string;
	appId: string;
	appInstance: string;
	ip?: string;
	organizations: TranscryptOrganization[];
	createdAt: number;
	lastUsedAt: number;
	/** Set once the idle limit passed (or expireAll()); the token is refused from then on. */
	expiredAt?: number;
	calls: TranscryptCall[];
}

export interface TranscryptLogEntry {
	time: number;
	kind: 'secret' | 'signatureLogin' | 'passwordLogin' | 'call';
	status: number;
	/** Why it was refused, or what succeeded (e.g. "token issued", "CertificateNotFound"). */
	outcome: string;
	path?: string;
	token?: string;
	thumbprint?: string;
	login?: string;
}

export class TranscryptState {
	readonly certificates = new Map<string, RegisteredCertificate>();
	readonly secrets = new Map<string, IssuedSecret>();
	readonly sessions = new Map<string, TranscryptSession>();
	readonly log: TranscryptLogEntry[] = [];

	constructor(private readonly clock: TestClock) {}

	clear(): void {
		this.certificates.clear();
		this.secrets.clear();
		this.sessions.clear();
		this.log.length = 0;
	}

	record(entry: Omit<TranscryptLogEntry, 'time'>): void {
		this.log.push({ time: this.clock.now(), ...entry });
	}

	registerCertificate(input: Certificate | Buffer | Uint8Array | string, flags: TranscryptCertificateFlags = {}, autoRegistered = false): RegisteredCertificate {
		const certificate = input instanceof Certificate ? input : loadCertificate(input);
		const existing = this.certificates.get(certificate.thumbprint);
		const entry: RegisteredCertificate = {
			certificate,
			flags: { ...existing?.flags, ...flags },
			autoRegistered: existing ? existing.autoRegistered && autoRegistered : autoRegistered,
			logins: existing?.logins ?? 0,
		};
		this.certificates.set(certificate.thumbprint, entry);
		return entry;
	}

	issueSecret(ttlMs: number): IssuedSecret {
		const now = this.clock.now();
		const issued: IssuedSecret = { secret: crypto.randomBytes(24).toString('base64url'), issuedAt: now, expiresAt: now + ttlMs };
		this.secrets.set(issued.secret, issued);
		return issued;
	}

	openSession(fields: Omit<TranscryptSession, 'token' | 'createdAt' | 'lastUsedAt' | 'calls'>): TranscryptSession {
		const now = this.clock.now();
		const session: TranscryptSession = { token: crypto.randomUUID(), createdAt: now, lastUsedAt: now, calls: [], ...fields };
		this.sessions.set(session.token, session);
		return session;
	}

	/** The live session of a token; an idle one is marked expired (and stays listed for assertions). */
	liveSession(token: string, idleMs: number): TranscryptSession | undefined {
		const session = this.sessions.get(token.toLowerCase());
		if (!session || session.expiredAt !== undefined) return undefined;
		const now = this.clock.now();
		if (now - session.lastUsedAt >= idleMs) {
			session.expiredAt = session.lastUsedAt + idleMs;
			return undefined;
		}
		return session;
	}

	expireAll(): void {
		const now = this.clock.now();
		for (const session of this.sessions.values()) session.expiredAt ??= now;
		for (const secret of this.secrets.values()) secret.expiresAt = Math.min(secret.expiresAt, now);
	}
}
