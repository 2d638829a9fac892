/**
 * A Map that holds at most `limit` entries: `set` moves its key to the newest place, and the oldest entry goes
 * when the limit is passed. The caches of tokens, sessions, clients and parsed certificates are all this.
 */
export class BoundedMap<K, V> extends Map<K, V> {
	constructor(private readonly limit: number) {
		super();
	}

	override set(key: K, value: V): this {
		super.delete(key);
		super.set(key, value);
		if (this.size > this.limit) super.delete(this.keys().next().value as K);
		return this;
	}
}
