import { decodeBody, encodeBody } from '../../lib/http/body';
import { describeErrorResponse, describeFailure } from '../../lib/http/describe';
import { dispatcherKey } from '../../lib/http/dispatcher';
import { bypassesProxy, proxyForUrl } from '../../lib/http/proxy';
import { printableExcerpt, redactSecrets } from '../../lib/http/redact';
import { backoffDelay, DEFAULT_RETRY, isIdempotent, isRetryableFailure, parseRetryAfter } from '../../lib/http/retry';
import { OriginViolation, parseBaseUrl, resolveRequestUrl } from '../../lib/http/url';
import { Readable } from 'node:stream';

describe('resolveRequestUrl', () => {
	const taxcom = parseBaseUrl('https://api.taxcom.ru/v1.3/API');
	const root = parseBaseUrl('https://diadoc-api.kontur.ru');

	it('joins paths under a base path prefix, with or without slashes', () => {
		expect(taxcom.basePath).toBe('/v1.3/API/');
		expect(resolveRequestUrl(taxcom, '/Login').href).toBe('https://api.taxcom.ru/v1.3/API/Login');
		expect(resolveRequestUrl(taxcom, 'Login').href).toBe('https://api.taxcom.ru/v1.3/API/Login');
		expect(resolveRequestUrl(root, '/V3/GetMyOrganizations').href).toBe('https://diadoc-api.kontur.ru/V3/GetMyOrganizations');
		expect(resolveRequestUrl(root, '/Boxes:list').pathname).toBe('/Boxes:list');
	});

	it('appends query values, skipping undefined and null', () => {
		const url = resolveRequestUrl(root, '/V3/GetDocuments?boxId=b1', { filterCategory: 'Any.Inbound', count: 100, deleted: false, skip: undefined, none: null });
		expect(url.search).toBe('?boxId=b1&filterCategory=Any.Inbound&count=100&deleted=false');
	});

	it.each([
		['https://evil.example/steal', /absolute URL/],
		['http://diadoc-api.kontur.ru/V3', /absolute URL/],
		['//evil.example/x', /protocol-relative/],
		['/\\evil.example/x', /backslash/],
		['../other', /segments/],
		['/V3/../../etc', /segments/],
		['/a/%2e%2e/%2E%2E/x', /segments/],
		['javascript:alert(1)', /absolute URL/],
		['/a\nb', /control/],
	])('refuses %s', (path, reason) => {
		expect(() => resolveRequestUrl(taxcom, path)).toThrow(OriginViolation);
		expect(() => resolveRequestUrl(taxcom, path)).toThrow(reason);
	});

	it('refuses base URLs with credentials, queries or other schemes', () => {
		expect(() => parseBaseUrl('https://user:pw@host/')).toThrow(/user name or password/);
		expect(() => parseBaseUrl('https://host/?token=1')).toThrow(/query/);
		expect(() => parseBaseUrl('ftp://host/')).toThrow(/https or http/);
		expect(() => parseBaseUrl('not a url')).toThrow(/not a valid/);
	});
});

describe('proxy selection', () => {
	const https = new URL('https://diadoc-api.kontur.ru/V3');
	const http = new URL('http://127.0.0.1:8080/x');

	it('uses HTTPS_PROXY for https and HTTP_PROXY for http; lower case wins; https falls back to HTTP_PROXY', () => {
		expect(proxyForUrl(https, { HTTPS_PROXY: 'http://p1:3128', HTTP_PROXY: 'http://p2:3128' })).toBe('http://p1:3128');
		expect(proxyForUrl(http, { HTTPS_PROXY: 'http://p1:3128', HTTP_PROXY: 'http://p2:3128' })).toBe('http://p2:3128');
		expect(proxyForUrl(https, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' })).toBe('http://lower:1');
		expect(proxyForUrl(https, { HTTP_PROXY: 'p2:3128' })).toBe('http://p2:3128');
		expect(proxyForUrl(http, { HTTPS_PROXY: 'http://p1:3128' })).toBeUndefined();
		expect(proxyForUrl(https, {})).toBeUndefined();
	});

	it.each([
		['*', 'https://any.host/', true],
		['kontur.ru', 'https://diadoc-api.kontur.ru/', true],
		['.kontur.ru', 'https://diadoc-api.kontur.ru/', true],
		['*.kontur.ru', 'https://kontur.ru/', true],
		['kontur.ru', 'https://notkontur.ru/', false],
		['kontur.ru:8443', 'https://api.kontur.ru/', false],
		['kontur.ru:443', 'https://api.kontur.ru/', true],
		['localhost', 'http://127.0.0.1:8080/', true],
		['localhost', 'http://127.8.9.10/', true],
		['localhost', 'http://[::1]:80/', true],
		['LOCALHOST', 'http://localhost/', true],
		['127.0.0.1', 'http://127.0.0.1:9/', true],
		['127.0.0.1', 'http://127.0.0.2/', false],
		['10.0.0.0/8', 'http://10.20.30.40/', true],
		['10.0.0.0/8', 'http://11.0.0.1/', false],
		['fd00::/8', 'http://[fd12::1]/', true],
		['::1', 'http://[::1]/', true],
		['example.com, localhost', 'http://localhost:5678/', true],
		['example.com other.org', 'http://other.org/', true],
		['', 'http://localhost/', false],
	])('NO_PROXY=%s for %s → bypass %s', (noProxy, url, bypass) => {
		expect(bypassesProxy(new URL(url), noProxy)).toBe(bypass);
		expect(proxyForUrl(new URL(url), { HTTP_PROXY: 'http://proxy:1', HTTPS_PROXY: 'http://proxy:1', NO_PROXY: noProxy })).toBe(bypass ? undefined : 'http://proxy:1');
	});

	it('does not bypass loopback implicitly', () => {
		expect(proxyForUrl(http, { HTTP_PROXY: 'http://proxy:1' })).toBe('http://proxy:1');
	});
});

describe('redactSecrets and excerpts', () => {
	it('replaces secrets and their URL-encoded and JSON-escaped forms', () => {
		const secret = 'p@ss "word"/1';
		const text = `raw ${secret} url ${encodeURIComponent(secret)} json ${JSON.stringify(secret)}`;
		const redacted = redactSecrets(text, [secret, '', '  ', undefined as unknown as string]);
		expect(redacted).not.toContain('p@ss');
		expect(redacted).not.toContain('p%40ss');
		expect(redacted.match(/\[redacted\]/g)).toHaveLength(3);
	});

	it('redacts overlapping secrets longest first', () => {
		expect(redactSecrets('token=abcdef', ['abc', 'abcdef'])).toBe('token=[redacted]');
	});

	it('makes excerpts printable and short', () => {
		const excerpt = printableExcerpt(`\uFEFFline1\r\n\tline2\u0000${'x'.repeat(500)}`, 20);
		expect(excerpt).toBe('line1 line2 xxxxxxxx…');
	});
});

describe('retry policy helpers', () => {
	it('knows idempotent methods and honours an explicit flag', () => {
		expect(['GET', 'head', 'OPTIONS', 'PUT', 'DELETE'].every((method) => isIdempotent(method, undefined))).toBe(true);
		expect(isIdempotent('POST', undefined)).toBe(false);
		expect(isIdempotent('PATCH', undefined)).toBe(false);
		expect(isIdempotent('POST', true)).toBe(true);
		expect(isIdempotent('GET', false)).toBe(false);
	});

	it('retries refused connections for any replayable request, resets only for repeatable ones', () => {
		expect(isRetryableFailure('ECONNREFUSED', false, true)).toBe(true);
		expect(isRetryableFailure('ECONNREFUSED', true, false)).toBe(false);
		expect(isRetryableFailure('UND_ERR_SOCKET', false, true)).toBe(false);
		expect(isRetryableFailure('ECONNRESET', true, true)).toBe(true);
		expect(isRetryableFailure('ENOTFOUND', true, true)).toBe(false);
		expect(isRetryableFailure('DEPTH_ZERO_SELF_SIGNED_CERT', true, true)).toBe(false);
	});

	it('uses full jitter under an exponential, capped ceiling', () => {
		const settings = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
		expect(backoffDelay(1, settings, () => 0.999)).toBe(99);
		expect(backoffDelay(3, settings, () => 0.5)).toBe(200);
		expect(backoffDelay(10, settings, () => 0.999)).toBe(999);
		expect(backoffDelay(2, settings, () => 0)).toBe(0);
	});

	it('parses Retry-After as seconds or an HTTP date', () => {
		const now = Date.parse('2025-01-01T00:00:00Z');
		expect(parseRetryAfter('120', now)).toBe(120_000);
		expect(parseRetryAfter('0.5', now)).toBe(500);
		expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter('soon', now)).toBeUndefined();
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
	});
});

describe('bodies', () => {
	it('encodes JSON, text, bytes, forms and streams', () => {
		expect(encodeBody({ a: 1 })).toEqual({ body: '{"a":1}', contentType: 'application/json; charset=utf-8', replayable: true });
		expect(encodeBody('x').contentType).toMatch(/^text\/plain/);
		expect(encodeBody(new Uint8Array([1, 2])).body).toEqual(Buffer.from([1, 2]));
		expect(encodeBody(new URLSearchParams({ a: 'b c' }))).toMatchObject({ body: 'a=b+c', contentType: 'application/x-www-form-urlencoded' });
		const stream = Readable.from([Buffer.from('x')]);
		expect(encodeBody(stream)).toMatchObject({ body: stream, replayable: false });
		expect(encodeBody(undefined)).toEqual({ replayable: true });
	});

	it('decodes JSON tolerantly and text in the declared charset', () => {
		const bom = Buffer.from('\uFEFF{"ok":true}', 'utf8');
		expect(decodeBody(bom, 'text/json', 'auto')).toEqual({ ok: true });
		expect(decodeBody(bom, 'application/octet-stream', 'json')).toEqual({ ok: true });
		expect(decodeBody(Buffer.from('{"a":1}'), 'application/problem+json', 'auto')).toEqual({ a: 1 });
		expect(decodeBody(Buffer.from('not json'), 'application/json', 'auto')).toBe('not json');
		expect(() => decodeBody(Buffer.from('not json'), 'application/json', 'json')).toThrow(/not valid JSON/);
		const cp1251 = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]);
		expect(decodeBody(cp1251, 'text/plain; charset=windows-1251', 'auto')).toBe('Привет');
		expect(decodeBody(Buffer.from([0, 1, 2]), 'application/x-protobuf', 'auto')).toEqual(Buffer.from([0, 1, 2]));
		expect(decodeBody(Buffer.alloc(0), undefined, 'auto')).toBeUndefined();
	});
});

describe('error descriptions', () => {
	const options = { errorCodeHeaders: ['X-Diadoc-ErrorCode'], errorCodeFields: ['Code', 'ErrorCode', 'code', 'error'], traceIdHeaders: ['X-Kontur-Trace-Id'], secrets: ['tok3n'] };

	it('takes the code from a header first, then from JSON fields, also nested', () => {
		const fromHeader = describeErrorResponse(403, '', { 'x-diadoc-errorcode': 'Http.Forbidden', 'x-kontur-trace-id': 'tr' }, Buffer.from('Access denied'), options);
		expect(fromHeader).toMatchObject({ statusText: 'Forbidden', serviceErrorCode: 'Http.Forbidden', serviceErrorCodeSource: 'X-Diadoc-ErrorCode', traceId: 'tr', serviceMessage: 'Access denied' });
		const nested = describeErrorResponse(400, 'Bad Request', { 'content-type': 'application/json' }, Buffer.from('{"error":{"code":"E42","message":"bad tok3n"}}'), options);
		expect(nested).toMatchObject({ serviceErrorCode: 'E42', serviceErrorCodeSource: 'body.error.code', serviceMessage: 'bad [redacted]' });
		const oauth = describeErrorResponse(400, '', { 'content-type': 'application/json' }, Buffer.from('{"error":"invalid_grant","error_description":"expired"}'), options);
		expect(oauth).toMatchObject({ serviceErrorCode: 'invalid_grant', serviceMessage: 'expired' });
	});

	it('summarizes binary bodies and skips HTML as a message', () => {
		expect(describeErrorResponse(500, '', { 'content-type': 'application/x-protobuf' }, Buffer.from([0, 1, 2, 3]), options).bodyExcerpt).toBe('[4 bytes of application/x-protobuf]');
		const html = describeErrorResponse(502, '', { 'content-type': 'text/html' }, Buffer.from('<html><body>Bad gateway</body></html>'), options);
		expect(html.serviceMessage).toBeUndefined();
		expect(html.bodyExcerpt).toContain('Bad gateway');
	});

	it('classifies low-level failures', () => {
		const withCode = (code: string, cause?: unknown) => Object.assign(new Error(`boom ${code}`), { code, cause });
		expect(describeFailure(withCode('UND_ERR_HEADERS_TIMEOUT'), false, []).kind).toBe('timeout');
		expect(describeFailure(withCode('ECONNREFUSED'), false, []).kind).toBe('network');
		expect(describeFailure(withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), false, []).kind).toBe('tls');
		expect(describeFailure(withCode('UND_ERR_SOCKET', withCode('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')), false, [])).toMatchObject({ kind: 'tls', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
		expect(describeFailure(withCode('UND_ERR_ABORTED'), true, []).kind).toBe('aborted');
		expect(describeFailure(withCode('EWEIRD'), false, []).detail).toBe('boom EWEIRD (EWEIRD)');
	});
});

describe('dispatcher keys', () => {
	it('are stable for equal settings, differ for different TLS, and never contain the secrets', () => {
		const tls = { ca: 'CA-PEM', cert: 'CERT', key: 'PRIVATE-KEY-MATERIAL', passphrase: 'hunter2' };
		const a = dispatcherKey({ origin: 'https://h', tls, connectTimeoutMs: 1 });
		expect(dispatcherKey({ origin: 'https://h', tls: { ...tls }, connectTimeoutMs: 1 })).toBe(a);
		expect(dispatcherKey({ origin: 'https://h', tls: { ...tls, passphrase: 'other' }, connectTimeoutMs: 1 })).not.toBe(a);
		expect(dispatcherKey({ origin: 'https://h', tls, connectTimeoutMs: 1, proxy: 'http://u:pw@p:1' })).not.toBe(a);
		expect(a).not.toMatch(/PRIVATE|hunter2|CERT/);
		expect(a.startsWith('https://h#')).toBe(true);
	});
});
