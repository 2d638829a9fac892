/**
 * Taxcom sessions: one token per (login kind, Integrator-Id, certificate) while it lives, a sliding lifetime
 * from the last use on the sandbox clock, activation state, and a record of logins, activations and calls.
 */
import crypto from 'node:crypto';
import type { TestClock } from '../../clock';
import type { LoginKind } from './config';

export interface TaxcomCall {
	time: number;
	method: string;
	status: number;
}

export interface TaxcomSession {
	token: string;
	kind: LoginKind;
	integratorId: string;
	/** The logged-in certificate: the posted one (CertificateLogin) or the cloud one (CloudCertificateLogin). */
	thumbprint: string;
	/** Cloud logins: the certificate the token was last encrypted to. */
	trustedThumbprint?: string;
	cloudLogin?: string;
	lifetimeMs: number;
	createdAt: number;
	lastUsedAt: number;
	activated: boolean;
	/** Set once the token outlived its lifetime (or expireAll()); it is refused from then on. */
	expiredAt?: number;
	/** Clock times of every login that returned this token. */
	logins: number[];
	activations: number[];
	calls: TaxcomCall[];
}

export interface TaxcomLogEntry {
	time: number;
	/** The API method (CertificateLogin, GetContacts, …) or the path when it matched none. */
	method: string;
	status: number;
	/** The error code, or "ok". */
	outcome: string;
	token?: string;
	integratorId?: string;
}

export type SessionLookup = { session: TaxcomSession } | { problem: 'unknown' | 'expired' };

export class TaxcomSessions {
	readonly byToken = new Map<string, TaxcomSession>();
	private readonly byIdentity = new Map<string, string>();
	readonly log: TaxcomLogEntry[] = [];

	constructor(private readonly clock: TestClock) {}

	clear(): void {
		this.byToken.clear();
		this.byIdentity.clear();
		this.log.length = 0;
	}

	record(entry: Omit<TaxcomLogEntry, 'time'>): void {
		this.log.push({ time: this.clock.now(), ...entry });
	}

	lookup(token: string): SessionLookup {
		const session = this.byToken.get(token);
		if (!session) return { problem: 'unknown' };
		if (session.expiredAt !== undefined) return { problem: 'expired' };
		if (this.clock.now() - session.lastUsedAt >= session.lifetimeMs) {
			this.expire(session, session.lastUsedAt + session.lifetimeMs);
			return { problem: 'expired' };
		}
		return { session };
	}

	/**
	 * The live session of this identity (its lifetime restarted), or a new one. "A new token is not created
	 * while the previous one has not expired" (Taxcom DevHelp 3.2.2.1/3.2.2.3).
	 */
	login(
		identity: { kind: LoginKind; integratorId: string; thumbprint: string },
		options: { lifetimeMs: number; tokenLength: number; activated: boolean },
	): { session: TaxcomSession; reused: boolean } {
		const key = `${identity.kind}|${identity.integratorId}|${identity.thumbprint}`;
		const now = this.clock.now();
		const existingToken = this.byIdentity.get(key);
		if (existingToken) {
			const found = this.lookup(existingToken);
			if ('session' in found) {
				found.session.lastUsedAt = now;
				found.session.logins.push(now);
				return { session: found.session, reused: true };
			}
		}
		const session: TaxcomSession = {
			token: crypto.randomBytes(Math.ceil(options.tokenLength / 2)).toString('hex').toUpperCase().slice(0, options.tokenLength),
			...identity,
			lifetimeMs: options.lifetimeMs,
			createdAt: now,
			lastUsedAt: now,
			activated: options.activated,
			logins: [now],
			activations: [],
			calls: [],
		};
		this.byToken.set(session.token, session);
		this.byIdentity.set(key, session.token);
		return { session, reused: false };
	}

	expireAll(): void {
		const now = this.clock.now();
		for (const session of this.byToken.values()) if (session.expiredAt === undefined) this.expire(session, now);
	}

	private expire(session: TaxcomSession, at: number): void {
		session.expiredAt = at;
		const key = `${session.kind}|${session.integratorId}|${session.thumbprint}`;
		if (this.byIdentity.get(key) === session.token) this.byIdentity.delete(key);
	}
}
