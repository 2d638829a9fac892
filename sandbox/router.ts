/**
 * Path patterns shared by routes and fault rules: literal segments, `:name` for one segment and a trailing
 * `*` for the rest of the path (possibly empty), captured as params['*'].
 */
export interface CompiledPattern {
	pattern: string;
	match(path: string): Record<string, string> | undefined;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

export function normalizePattern(pattern: string): string {
	const withSlash = pattern.startsWith('/') ? pattern : `/${pattern}`;
	return withSlash.replace(/\/+$/, '') || '/';
}

export function compilePattern(pattern: string): CompiledPattern {
	const normalized = normalizePattern(pattern);
	const names: string[] = [];
	const segments = normalized.split('/').slice(1);
	const parts = segments.map((segment, index) => {
		if (segment === '*' && index === segments.length - 1) {
			names.push('*');
			return '(.*)';
		}
		if (segment.startsWith(':') && segment.length > 1) {
			names.push(segment.slice(1));
			return '([^/]+)';
		}
		return escapeRegExp(segment);
	});
	const regex = new RegExp(`^/${parts.join('/')}$`);
	return {
		pattern: normalized,
		match(path: string) {
			const found = regex.exec(path);
			if (!found) return undefined;
			const params: Record<string, string> = {};
			names.forEach((name, index) => {
				params[name] = decode(found[index + 1] ?? '');
			});
			return params;
		},
	};
}

/** Joins a mount prefix and a route pattern: ('/echo', '/') → '/echo', ('/echo', '/*') → '/echo/*'. */
export function joinPattern(prefix: string, pattern: string): string {
	const cleanPrefix = prefix === '/' ? '' : normalizePattern(prefix).replace(/\/+$/, '');
	const cleanPattern = normalizePattern(pattern);
	if (cleanPattern === '/') return cleanPrefix || '/';
	return `${cleanPrefix}${cleanPattern}`;
}
