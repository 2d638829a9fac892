/**
 * Legacy Diadoc tokens kept in memory, so one token serves every item and execution of a credential until it
 * expires (Diadoc: about 24 hours; Kontur asks for one token shared by all threads).
 *
 * Entries are keyed by a SHA-256 over the base URL, API client id, method and login/thumbprint, plus a hash of
 * the password for the password method, so a credential with the right login but a wrong password never
 * borrows a token. The key is a hash: no secret is a Map key. Concurrent requests for the same key share one
 * authentication call.
 */
import { createHash, randomBytes } from 'node:crypto';

import { BoundedMap } from '../../../lib/boundedMap';

/** Diadoc documents 24 hours; renew a little earlier so a token does not expire mid-execution. */
export const LEGACY_TOKEN_TTL_MS = 23 * 60 * 60 * 1000;
const MAX_ENTRIES = 256;
/** Per-process salt: the keys cannot be precomputed from guessed inputs. */
const SALT = randomBytes(16);

interface Entry {
	token: string;
	expiresAt: number;
}

const tokens = new BoundedMap<string, Entry>(MAX_ENTRIES);
const pending = new Map<string, Promise<string>>();

export function tokenCacheKey(parts: string[]): string {
	const hash = createHash('sha256').update(SALT);
	for (const part of parts) hash.update(`${part.length}:${part}`);
	return hash.digest('hex');
}

export function secretFingerprint(secret: string): string {
	return createHash('sha256').update(SALT).update(secret).digest('hex');
}

/** The cached token, or the one `obtain` returns (shared by concurrent callers), cached for `ttlMs`. */
export async function cachedToken(key: string, obtain: () => Promise<string>, ttlMs = LEGACY_TOKEN_TTL_MS, now = Date.now): Promise<string> {
	const entry = tokens.get(key);
	if (entry && entry.expiresAt > now()) return entry.token;
	const running = pending.get(key);
	if (running) return await running;
	const request = (async () => {
		try {
			const token = await obtain();
			tokens.set(key, { token, expiresAt: now() + ttlMs });
			return token;
		} finally {
			pending.delete(key);
		}
	})();
	pending.set(key, request);
	return await request;
}

/** Drops the cached token if it is still `token` (another request may have replaced it already). */
export function forgetToken(key: string, token: string): void {
	if (tokens.get(key)?.token === token) tokens.delete(key);
}

/** For tests: empties the cache. */
export function clearTokenCache(): void {
	tokens.clear();
	pending.clear();
}
