/**
 * Access tokens and SADs: random 32-byte values handed out once and kept only as their SHA-256, so a lookup
 * compares digests, never the secrets, and a memory dump of the maps gives nothing to replay.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(): string {
	return randomBytes(32).toString('base64url');
}

export function secretDigest(secret: string): string {
	return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface AccessToken {
	principal: string;
	expiresAt: number;
}

export class AccessTokens {
	private readonly tokens = new Map<string, AccessToken>();

	issue(principal: string, lifetimeMs: number, now: number): string {
		this.sweep(now);
		const token = newSecret();
		this.tokens.set(secretDigest(token), { principal, expiresAt: now + lifetimeMs });
		return token;
	}

	/** The live token's record; undefined when unknown or expired. */
	find(token: string, now: number): AccessToken | undefined {
		const record = this.tokens.get(secretDigest(token));
		if (!record) return undefined;
		if (record.expiresAt <= now) {
			this.tokens.delete(secretDigest(token));
			return undefined;
		}
		return record;
	}

	revoke(token: string): boolean {
		return this.tokens.delete(secretDigest(token));
	}

	clear(): void {
		this.tokens.clear();
	}

	private sweep(now: number): void {
		for (const [digest, record] of this.tokens) if (record.expiresAt <= now) this.tokens.delete(digest);
	}
}

export interface SadRecord {
	credentialId: string;
	principal: string;
	/** Signatures (or decryptions) still authorized. */
	remaining: number;
	/** When bound: hex digests still authorized, with their multiplicity. */
	hashes?: Map<string, number>;
	expiresAt: number;
	/**
	 * The PIN given at authorize time: a token logs in with it again for each operation (the PKCS#11 shape).
	 * Zeroed when the SAD is used up, expires or is replaced.
	 */
	pin: Buffer;
}

export type SadLookup =
	| { status: 'ok'; record: SadRecord }
	| { status: 'unknown' | 'expired' | 'other-credential' | 'exhausted' | 'hash-not-authorized'; remaining?: number };

export class SadStore {
	private readonly sads = new Map<string, SadRecord>();

	issue(record: Omit<SadRecord, 'pin'> & { pin: string }, now: number): string {
		this.sweep(now);
		const sad = newSecret();
		this.sads.set(secretDigest(sad), { ...record, pin: Buffer.from(record.pin, 'utf8') });
		return sad;
	}

	/**
	 * Checks the SAD for this caller, credential and digests and takes `count` uses off it. Digests are hex;
	 * `digests` undefined means the operation has none to match (a SAD bound to hashes then refuses).
	 */
	consume(sad: string, principal: string, credentialId: string, count: number, digests: string[] | undefined, now: number): SadLookup {
		const key = secretDigest(sad);
		const record = this.sads.get(key);
		if (!record || record.principal !== principal) return { status: 'unknown' };
		if (record.expiresAt <= now) {
			this.drop(key);
			return { status: 'expired' };
		}
		if (record.credentialId !== credentialId) return { status: 'other-credential' };
		if (record.remaining < count) return { status: 'exhausted', remaining: record.remaining };
		if (record.hashes) {
			const wanted = new Map<string, number>();
			for (const digest of digests ?? ['']) wanted.set(digest, (wanted.get(digest) ?? 0) + 1);
			for (const [digest, times] of wanted) if ((record.hashes.get(digest) ?? 0) < times) return { status: 'hash-not-authorized' };
			for (const [digest, times] of wanted) record.hashes.set(digest, (record.hashes.get(digest) ?? 0) - times);
		}
		record.remaining -= count;
		return { status: 'ok', record };
	}

	/** Call after the operation: a used-up SAD forgets its PIN but stays until expiry to answer "exhausted". */
	settle(record: SadRecord): void {
		if (record.remaining === 0) record.pin.fill(0);
	}

	/** credentials/extendTransaction: the same authorization under a new SAD with a fresh expiry. */
	extend(sad: string, principal: string, credentialId: string, lifetimeMs: number, now: number): { sad: string } | { status: SadLookup['status'] } {
		const key = secretDigest(sad);
		const record = this.sads.get(key);
		if (!record || record.principal !== principal) return { status: 'unknown' };
		if (record.expiresAt <= now) {
			this.drop(key);
			return { status: 'expired' };
		}
		if (record.credentialId !== credentialId) return { status: 'other-credential' };
		if (record.remaining === 0) return { status: 'exhausted' };
		this.sads.delete(key);
		const fresh = newSecret();
		this.sads.set(secretDigest(fresh), { ...record, expiresAt: now + lifetimeMs });
		return { sad: fresh };
	}

	/** Ends every SAD of a credential (revoked, locked, removed). */
	dropCredential(credentialId: string): void {
		for (const [key, record] of this.sads) if (record.credentialId === credentialId) this.drop(key);
	}

	clear(): void {
		for (const key of [...this.sads.keys()]) this.drop(key);
	}

	get size(): number {
		return this.sads.size;
	}

	private drop(key: string): void {
		this.sads.get(key)?.pin.fill(0);
		this.sads.delete(key);
	}

	private sweep(now: number): void {
		for (const [key, record] of this.sads) if (record.expiresAt <= now) this.drop(key);
	}
}
