/**
 * Proxy selection from the standard environment variables, decided per request so a changed environment
 * takes effect without a restart.
 *
 * - `HTTPS_PROXY`/`https_proxy` for https targets, `HTTP_PROXY`/`http_proxy` for http targets; an https
 *   target falls back to HTTP_PROXY when HTTPS_PROXY is unset (what curl and undici do). Lower case wins.
 * - `NO_PROXY`/`no_proxy`: comma- or space-separated entries; `*` bypasses everything; `example.com`,
 *   `.example.com` and `*.example.com` match the host and its subdomains; `host:port` only that port;
 *   an IP or CIDR (`10.0.0.0/8`, `::1`) matches addresses; `localhost` also covers 127.0.0.0/8 and ::1.
 * - No implicit bypass of loopback addresses: set NO_PROXY=localhost for that.
 */
import { isIP } from 'node:net';

export type ProxyEnv = Record<string, string | undefined>;

function envValue(env: ProxyEnv, name: string): string | undefined {
	const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
	return value && value.trim() ? value.trim() : undefined;
}

function ipv4ToNumber(address: string): number {
	return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function expandIpv6(address: string): number[] {
	const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
	const parse = (part: string) => (part ? part.split(':') : []);
	let groups = parse(head);
	let rest = tail === undefined ? [] : parse(tail);
	const lastOf = (list: string[]) => list[list.length - 1];
	const expandEmbeddedV4 = (list: string[]) => {
		const last = lastOf(list);
		if (last && last.includes('.')) {
			const n = ipv4ToNumber(last);
			return [...list.slice(0, -1), (n >>> 16).toString(16), (n & 0xffff).toString(16)];
		}
		return list;
	};
	if (tail === undefined) groups = expandEmbeddedV4(groups);
	else rest = expandEmbeddedV4(rest);
	const missing = 8 - groups.length - rest.length;
	const all = tail === undefined ? groups : [...groups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...rest];
	return all.map((group) => parseInt(group, 16) || 0);
}

function ipInCidr(address: string, network: string, prefixLength: number): boolean {
	const family = isIP(address);
	if (family !== isIP(network)) return false;
	if (family === 4) {
		if (prefixLength === 0) return true;
		const mask = prefixLength >= 32 ? 0xffffffff : ~((1 << (32 - prefixLength)) - 1) >>> 0;
		return ((ipv4ToNumber(address) & mask) >>> 0) === ((ipv4ToNumber(network) & mask) >>> 0);
	}
	const a = expandIpv6(address);
	const b = expandIpv6(network);
	let remaining = prefixLength;
	for (let i = 0; i < 8 && remaining > 0; i++) {
		const bits = Math.min(16, remaining);
		const mask = (0xffff << (16 - bits)) & 0xffff;
		if ((a[i] & mask) !== (b[i] & mask)) return false;
		remaining -= bits;
	}
	return true;
}

function isLoopback(host: string): boolean {
	if (host === 'localhost' || host.endsWith('.localhost')) return true;
	if (isIP(host) === 4) return ipInCidr(host, '127.0.0.0', 8);
	if (isIP(host) === 6) return ipInCidr(host, '::1', 128);
	return false;
}

interface NoProxyEntry {
	host: string;
	port?: number;
	prefixLength?: number;
}

function parseNoProxy(value: string): NoProxyEntry[] {
	const entries: NoProxyEntry[] = [];
	for (const raw of value.split(/[\s,]+/)) {
		let entry = raw.trim().toLowerCase();
		if (!entry) continue;
		const cidr = entry.match(/^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/);
		if (cidr && isIP(cidr[1])) {
			entries.push({ host: cidr[1], prefixLength: Number(cidr[2]) });
			continue;
		}
		let port: number | undefined;
		const bracketed = entry.match(/^\[([^\]]+)\](?::(\d+))?$/);
		if (bracketed) {
			entry = bracketed[1];
			port = bracketed[2] ? Number(bracketed[2]) : undefined;
		} else if (!isIP(entry)) {
			const withPort = entry.match(/^(.*):(\d+)$/);
			if (withPort) {
				entry = withPort[1];
				port = Number(withPort[2]);
			}
		}
		entries.push({ host: entry.replace(/^\*?\./, ''), port });
	}
	return entries;
}

function entryMatches(entry: NoProxyEntry, host: string, port: number): boolean {
	if (entry.port !== undefined && entry.port !== port) return false;
	if (entry.host === '*') return true;
	if (entry.prefixLength !== undefined) return ipInCidr(host, entry.host, entry.prefixLength);
	if (isIP(entry.host)) {
		return isIP(host) !== 0 && ipInCidr(host, entry.host, isIP(entry.host) === 4 ? 32 : 128);
	}
	if (entry.host === 'localhost' && isLoopback(host)) return true;
	return host === entry.host || host.endsWith(`.${entry.host}`);
}

/** Whether NO_PROXY says to connect to this URL directly. */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
	if (!noProxy) return false;
	const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
	const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
	return parseNoProxy(noProxy).some((entry) => entryMatches(entry, host, port));
}

/** The proxy URL to use for a request to `url`, or undefined to connect directly. */
export function proxyForUrl(url: URL, env: ProxyEnv = process.env): string | undefined {
	const proxy =
		url.protocol === 'https:'
			? envValue(env, 'https_proxy') ?? envValue(env, 'http_proxy')
			: envValue(env, 'http_proxy');
	if (!proxy) return undefined;
	if (bypassesProxy(url, envValue(env, 'no_proxy'))) return undefined;
	return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/** A proxy URL without its credentials, for messages. */
export function describeProxy(proxy: string): string {
	try {
		const url = new URL(proxy);
		return `${url.protocol}//${url.host}`;
	} catch {
		return '(invalid proxy URL)';
	}
}
