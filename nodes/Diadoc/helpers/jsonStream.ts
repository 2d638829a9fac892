/**
 * A JSON request body with large base64 strings inside, produced as a stream: the body is serialized with
 * placeholders, and each placeholder is replaced on the way out by the base64 pieces of a binary source.
 * Signing a 100 MB file this way needs a few hundred kilobytes of buffers instead of a 133 MB string (and its
 * copies inside JSON.stringify).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

export type Base64Producer = () => AsyncIterable<string>;

export class StreamedJsonBody {
	private readonly marker = `edo-stream-${randomUUID()}`;
	private readonly producers: Base64Producer[] = [];

	/** A value to put in the body where the base64 string of `producer` belongs. */
	placeholder(producer: Base64Producer): string {
		this.producers.push(producer);
		return `${this.marker}-${this.producers.length - 1}`;
	}

	get streaming(): boolean {
		return this.producers.length > 0;
	}

	/** A fresh stream of the body each call (a request retried after re-authentication needs a new one). */
	stream(body: unknown): Readable {
		const json = JSON.stringify(body);
		const pattern = new RegExp(`"${this.marker}-(\\d+)"`, 'g');
		const producers = this.producers;
		async function* pieces(): AsyncGenerator<string> {
			let last = 0;
			for (const match of json.matchAll(pattern)) {
				yield json.slice(last, match.index) + '"';
				yield* producers[Number(match[1])]();
				yield '"';
				last = (match.index ?? 0) + match[0].length;
			}
			yield json.slice(last);
		}
		async function* nonEmpty(): AsyncGenerator<string> {
			// An empty chunk would look like the end of the data to some stream consumers.
			for await (const piece of pieces()) if (piece.length > 0) yield piece;
		}
		return Readable.from(nonEmpty(), { objectMode: false });
	}
}
