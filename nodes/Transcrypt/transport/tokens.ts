/**
 * The last Transcrypt token of each credential in this n8n process (keyed by a hash of the credential), so an
 * API Request can follow a login without the token being mapped by hand. The token's lifetime is not
 * documented: it is kept until the API answers 401.
 */

export class TranscryptTokenCache {
	private readonly tokens = new Map<string, string>();
	private static readonly MAX_TOKENS = 256;

	get(key: string): string | undefined {
		return this.tokens.get(key);
	}

	put(key: string, token: string): void {
		this.tokens.delete(key);
		this.tokens.set(key, token);
		if (this.tokens.size > TranscryptTokenCache.MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
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
