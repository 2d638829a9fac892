/**
 * Taxcom sessions kept in this n8n process, keyed by a hash of the credential identity (settings.sessionKey):
 * a token is reused while it lives (its lifetime slides from the last use), items and executions share it,
 * and concurrent logins for the same key are merged into one.
 */

import { BoundedMap } from '../../../lib/boundedMap';

export interface TaxcomSession {
	assistantKey: string;
	/** Local clock (ms) of the login or the last successful use. */
	lastUsedAt: number;
	lifetimeMs: number;
}

/** A token is given up this long before the server would drop it, so a request never races its expiry. */
function safetyMargin(lifetimeMs: number): number {
	return Math.min(10_000, lifetimeMs / 10);
}

export class TaxcomSessionCache {
	/** Replaceable in tests. */
	now: () => number = Date.now;
	private static readonly MAX_SESSIONS = 256;
	private readonly sessions = new BoundedMap<string, TaxcomSession>(TaxcomSessionCache.MAX_SESSIONS);
	private readonly pending = new Map<string, Promise<TaxcomSession>>();

	/** The live session of this key, if any. */
	get(key: string): TaxcomSession | undefined {
		const session = this.sessions.get(key);
		if (!session) return undefined;
		if (this.now() >= this.expiresAt(session) - safetyMargin(session.lifetimeMs)) {
			this.sessions.delete(key);
			return undefined;
		}
		return session;
	}

	expiresAt(session: TaxcomSession): number {
		return session.lastUsedAt + session.lifetimeMs;
	}

	put(key: string, assistantKey: string, lifetimeMs: number): TaxcomSession {
		const session: TaxcomSession = { assistantKey, lastUsedAt: this.now(), lifetimeMs };
		this.sessions.set(key, session);
		return session;
	}

	/** A successful call restarts the sliding lifetime. */
	touch(session: TaxcomSession): void {
		session.lastUsedAt = this.now();
	}

	/** Forgets the session of this key (only if it still holds `assistantKey`, when given). */
	invalidate(key: string, assistantKey?: string): void {
		const session = this.sessions.get(key);
		if (session && (assistantKey === undefined || session.assistantKey === assistantKey)) this.sessions.delete(key);
	}

	/**
	 * The live session, or a new one from `login` (which must log in and activate). Callers that arrive while
	 * a login for the same key is running wait for it instead of logging in again.
	 */
	async obtain(key: string, lifetimeMs: number, login: () => Promise<string>): Promise<TaxcomSession> {
		const live = this.get(key);
		if (live) return live;
		const running = this.pending.get(key);
		if (running) return await running;
		const started = (async () => this.put(key, await login(), lifetimeMs))();
		this.pending.set(key, started);
		try {
			return await started;
		} finally {
			this.pending.delete(key);
		}
	}

	clear(): void {
		this.sessions.clear();
		this.pending.clear();
	}

	get size(): number {
		return this.sessions.size;
	}
}

/** The one cache of this process. */
export const taxcomSessions = new TaxcomSessionCache();
