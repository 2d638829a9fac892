/**
 * One keep-alive connection pool per origin and TLS settings, shared by every client, item and execution
 * in the process. The cache key is a SHA-256 over the settings, so private keys, passphrases and proxy
 * passwords never sit in a Map as plain strings.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { buildConnector, Pool, ProxyAgent, type Dispatcher } from 'undici';

export interface TlsOptions {
	/** PEM bundle of CA certificates to trust instead of the system ones. */
	ca?: string;
	/** Client certificate (PEM, chain allowed) for mutual TLS. */
	cert?: string;
	/** Client private key (PEM) for mutual TLS. */
	key?: string;
	/** Passphrase of an encrypted `key` or of `pfx`. */
	passphrase?: string;
	/** Client certificate and key as PKCS#12 (base64 string or bytes). */
	pfx?: string | Buffer;
	/** Defaults to true; false disables certificate verification (never do it in production). */
	rejectUnauthorized?: boolean;
}

export interface DispatcherSettings {
	origin: string;
	tls?: TlsOptions;
	connectTimeoutMs: number;
	proxy?: string;
}

/** Connections kept open per origin; enough for parallel items without hammering a service. */
const CONNECTIONS_PER_ORIGIN = 16;
/** Idle keep-alive sockets are closed after this long unless the server asks for less. */
const KEEP_ALIVE_MS = 30_000;
/** Least recently used pools beyond this count are closed (after their requests finish). */
const MAX_POOLS = 64;

const pools = new Map<string, Dispatcher>();

function tlsConnectOptions(tls: TlsOptions | undefined): Record<string, unknown> {
	if (!tls) return {};
	const options: Record<string, unknown> = {};
	if (tls.ca) options.ca = tls.ca;
	if (tls.cert) options.cert = tls.cert;
	if (tls.key) options.key = tls.key;
	if (tls.pfx) options.pfx = typeof tls.pfx === 'string' ? Buffer.from(tls.pfx, 'base64') : tls.pfx;
	if (tls.passphrase !== undefined && tls.passphrase !== '') options.passphrase = tls.passphrase;
	if (tls.rejectUnauthorized === false) options.rejectUnauthorized = false;
	return options;
}

export function dispatcherKey(settings: DispatcherSettings): string {
	const tls = settings.tls ?? {};
	const pfx = tls.pfx === undefined ? '' : Buffer.isBuffer(tls.pfx) ? tls.pfx.toString('base64') : tls.pfx;
	const material = JSON.stringify([
		settings.origin,
		settings.connectTimeoutMs,
		settings.proxy ?? '',
		tls.ca ?? '',
		tls.cert ?? '',
		tls.key ?? '',
		tls.passphrase ?? '',
		pfx,
		tls.rejectUnauthorized !== false,
	]);
	return `${settings.origin}#${createHash('sha256').update(material).digest('hex')}`;
}

/**
 * TLS alerts that arrive after the handshake (TLS 1.3 servers reject a missing or untrusted client
 * certificate that way) reach undici only as "other side closed". The socket itself does see the alert, so
 * it is kept here briefly, keyed by the connection's ports, for the error classification.
 */
const tlsAlerts = new Map<string, { code: string; message: string; at: number }>();
const TLS_ALERT_TTL_MS = 60_000;

function socketKey(info: { localPort?: number; remotePort?: number; remoteAddress?: string }): string {
	return `${info.localPort}|${info.remoteAddress}|${info.remotePort}`;
}

function watchTlsAlerts(socket: Socket): void {
	const key = socketKey(socket);
	socket.on('error', (error: Error & { code?: string }) => {
		if (!error.code?.startsWith('ERR_SSL_')) return;
		const now = Date.now();
		for (const [oldKey, entry] of tlsAlerts) {
			if (now - entry.at > TLS_ALERT_TTL_MS || tlsAlerts.size > 1000) tlsAlerts.delete(oldKey);
		}
		tlsAlerts.set(key, { code: error.code, message: error.message, at: now });
	});
}

/** The TLS alert behind a "socket closed" error from undici, if the connection received one. */
export function tlsAlertBehind(error: unknown): { code: string; message: string } | undefined {
	const info = (error as { socket?: { localPort?: number; remotePort?: number; remoteAddress?: string } } | undefined)?.socket;
	if (!info || typeof info !== 'object' || info.localPort === undefined) return undefined;
	const entry = tlsAlerts.get(socketKey(info));
	return entry && { code: entry.code, message: entry.message };
}

function createDispatcher(settings: DispatcherSettings): Dispatcher {
	const tls = tlsConnectOptions(settings.tls);
	const common = {
		connections: CONNECTIONS_PER_ORIGIN,
		keepAliveTimeout: KEEP_ALIVE_MS,
		keepAliveMaxTimeout: KEEP_ALIVE_MS,
	};
	if (settings.proxy) {
		return new ProxyAgent({
			...common,
			uri: settings.proxy,
			requestTls: { ...tls, timeout: settings.connectTimeoutMs },
			proxyTls: { timeout: settings.connectTimeoutMs },
		});
	}
	const connector = buildConnector({ ...tls, timeout: settings.connectTimeoutMs } as buildConnector.BuildOptions);
	const connect: buildConnector.connector = (options, callback) =>
		connector(options, (error, socket) => {
			if (socket && settings.origin.startsWith('https:')) watchTlsAlerts(socket as Socket);
			callback(error as Error & null, socket as Socket & null);
		});
	return new Pool(settings.origin, { ...common, connect });
}

/** The shared pool for these settings, created on first use. */
export function getDispatcher(settings: DispatcherSettings): Dispatcher {
	const key = dispatcherKey(settings);
	const existing = pools.get(key);
	if (existing) {
		pools.delete(key);
		pools.set(key, existing);
		return existing;
	}
	const dispatcher = createDispatcher(settings);
	pools.set(key, dispatcher);
	while (pools.size > MAX_POOLS) {
		const [oldestKey, oldest] = pools.entries().next().value as [string, Dispatcher];
		pools.delete(oldestKey);
		void oldest.close().catch(() => undefined);
	}
	return dispatcher;
}

/** How many pools are open: for tests and diagnostics. */
export function httpPoolCount(): number {
	return pools.size;
}

/** Closes every pool (graceful: running requests finish). For tests and process shutdown. */
export async function closeHttpPools(): Promise<void> {
	const all = [...pools.values()];
	pools.clear();
	await Promise.all(all.map((dispatcher) => dispatcher.close().catch(() => undefined)));
}
