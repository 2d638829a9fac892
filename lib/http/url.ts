/**
 * Request URLs are built only under the configured base URL: a caller-supplied path can never change the
 * origin or climb above the base path, so a credential is never sent to a host the user did not configure.
 */

export type QueryValue = string | number | boolean | undefined | null;

export interface BaseUrl {
	origin: string;
	/** Always ends with "/". */
	basePath: string;
	protocol: 'http:' | 'https:';
}

export class OriginViolation extends Error {}

export function parseBaseUrl(baseUrl: string): BaseUrl {
	let url: URL;
	try {
		url = new URL(baseUrl.trim());
	} catch {
		throw new OriginViolation('the base URL is not a valid absolute URL');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new OriginViolation(`the base URL must use https or http, not ${url.protocol.replace(':', '')}`);
	}
	if (url.username || url.password) {
		throw new OriginViolation('the base URL must not contain a user name or password');
	}
	if (url.search) throw new OriginViolation('the base URL must not contain a query string');
	const basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
	return { origin: url.origin, basePath, protocol: url.protocol };
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\\\u0000-\u001F\u007F]/;

function hasDotSegment(pathname: string): boolean {
	let decoded: string;
	try {
		decoded = decodeURIComponent(pathname);
	} catch {
		return true;
	}
	return decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.');
}

/**
 * Joins `path` to the base URL. A leading "/" means "the base path", not the host root, so
 * `https://api.taxcom.ru/v1.3/API/` + `/Login` is `https://api.taxcom.ru/v1.3/API/Login`.
 * Throws OriginViolation for absolute URLs (anything starting with "scheme:"; put a "/" before a path whose
 * first segment has a colon), protocol-relative paths, backslashes, control characters, "." and ".." segments
 * (also percent-encoded) and, as a last check, any path that resolves outside the base path.
 */
export function resolveRequestUrl(base: BaseUrl, path: string, query?: Record<string, QueryValue>): URL {
	if (typeof path !== 'string') throw new OriginViolation('the request path must be a string');
	const trimmed = path.trim();
	if (SCHEME.test(trimmed)) {
		throw new OriginViolation('the request path is an absolute URL; only paths under the base URL are allowed');
	}
	if (trimmed.startsWith('//')) {
		throw new OriginViolation('the request path is protocol-relative ("//host"); only paths under the base URL are allowed');
	}
	if (FORBIDDEN_CHARS.test(trimmed)) {
		throw new OriginViolation('the request path contains a backslash or a control character');
	}
	const withoutFragment = trimmed.split('#')[0];
	if (hasDotSegment(withoutFragment.split('?')[0])) {
		throw new OriginViolation('the request path contains "." or ".." segments');
	}
	// "./" keeps a colon in the first segment ("Boxes:list") from being read as a scheme.
	const resolved = new URL(`./${withoutFragment.replace(/^\/+/, '')}`, `${base.origin}${base.basePath}`);
	if (resolved.origin !== base.origin || !resolved.pathname.startsWith(base.basePath)) {
		throw new OriginViolation(`the request path resolves outside the base URL ${base.origin}${base.basePath}`);
	}
	if (query) {
		for (const [name, value] of Object.entries(query)) {
			if (value === undefined || value === null) continue;
			resolved.searchParams.append(name, String(value));
		}
	}
	return resolved;
}

/** Origin and path of a URL, for errors and logs: never the query string or fragment. */
export function displayUrl(url: URL): string {
	return `${url.origin}${url.pathname}`;
}
