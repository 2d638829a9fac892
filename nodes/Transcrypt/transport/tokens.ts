/**
 * The last Transcrypt token of each credential in this n8n process (keyed by a hash of the credential), so an
 * API Request can follow a login without the token being mapped by hand. The token's lifetime is not
 * documented: it is kept until the API answers 401.
 */

import { BoundedMap } from '../../../lib/boundedMap';

export class TranscryptTokenCache {
	private static readonly MAX_TOKENS = 256;
	private readonly tokens = new BoundedMap<string, string>(TranscryptTokenCache.MAX_TOKENS);

	get(key: string): string | undefined {
		return this.tokens.get(key);
	}

	put(key: string, token: string): void {
		this.tokens.set(key, token);
	}

	/** Forgets the token of this key (only if it is still `token`, when given). */
	invalidate(key: string, token?: string): void {
		if (token === undefined || this.tokens.get(key) === token) this.tokens.delete(key);
	}

	clear(): void {
		this.tokens.clear();
	}
}

export const transcryptTokens = new TranscryptTokenCache();
