/**
 * Keeps credentials out of anything the transport reports: messages, body excerpts, URLs.
 */

const REDACTED = '[redacted]';

/** The forms a secret can take once it has travelled through a URL, a JSON document or a Basic header. */
function variantsOf(secret: string): string[] {
	const variants = new Set<string>([secret]);
	variants.add(encodeURIComponent(secret));
	variants.add(JSON.stringify(secret).slice(1, -1));
	variants.add(secret.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`));
	return [...variants].filter((variant) => variant.length > 0);
}

/**
 * Replaces every occurrence of each secret (and its URL-encoded and JSON-escaped forms) with "[redacted]".
 * Empty and whitespace-only secrets are ignored; everything else is redacted however short, because a
 * garbled message is better than a leaked PIN.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined | null)[]): string {
	if (!text) return text;
	const needles = secrets
		.filter((secret): secret is string => typeof secret === 'string' && secret.trim().length > 0)
		.flatMap(variantsOf)
		.sort((a, b) => b.length - a.length);
	let result = text;
	for (const needle of new Set(needles)) {
		if (result.includes(needle)) result = result.split(needle).join(REDACTED);
	}
	return result;
}

/** Makes a body fit for an error message: printable characters only, whitespace collapsed, cut to `limit`. */
export function printableExcerpt(text: string, limit = 300): string {
	const printable = text
		.replace(/^\uFEFF/, '')
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029]+/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	if (printable.length <= limit) return printable;
	return `${printable.slice(0, limit)}…`;
}
