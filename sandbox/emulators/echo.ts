/**
 * The example emulator: answers with what it received, plus a few shaped answers the transport tests need.
 *
 *   GET  /echo/text?value=…        text/plain with that value
 *   GET  /echo/bytes/:n            n bytes 0,1,2,… as application/octet-stream
 *   *    /echo/raw                 the request body back, with ?contentType=… (default: the request's)
 *   *    /echo/status/:code        that status with the echo document; ?header=Name:Value (repeatable)
 *   *    /echo, /echo/*            200 with the echo document
 *
 * The echo document: { method, path, params, query, headers, bodySize, json?, text?, remotePort,
 * connectionId, calls }. It repeats request headers verbatim (Authorization too): it exists to test that
 * clients keep such echoes out of their errors.
 */
import type { SandboxEmulator, SandboxRequest, SandboxResponse } from '../server';

const MAX_BYTES = 16 * 1024 * 1024;

export function createEchoEmulator(): SandboxEmulator {
	let calls = 0;

	const echoDocument = (request: SandboxRequest) => {
		calls += 1;
		const query: Record<string, string | string[]> = {};
		for (const name of new Set(request.query.keys())) {
			const values = request.query.getAll(name);
			query[name] = values.length === 1 ? values[0] : values;
		}
		const document: Record<string, unknown> = {
			method: request.method,
			path: request.path,
			params: request.params,
			query,
			headers: request.headers,
			bodySize: request.body.length,
			remotePort: request.remotePort,
			connectionId: request.connectionId,
			calls,
		};
		if (request.body.length) {
			const bodyText = request.text();
			try {
				document.json = JSON.parse(bodyText.replace(/^\uFEFF/, ''));
			} catch {
				document.text = bodyText;
			}
		}
		return document;
	};

	return {
		name: 'echo',
		register(router) {
			router.route('GET', '/text', (request) => ({
				status: 200,
				body: request.query.get('value') ?? 'hello from the sandbox',
				headers: { 'content-type': 'text/plain; charset=utf-8' },
			}));
			router.route('GET', '/bytes/:n', (request) => {
				const size = Math.min(Number(request.params.n) || 0, MAX_BYTES);
				const bytes = Buffer.alloc(size);
				for (let i = 0; i < size; i++) bytes[i] = i % 256;
				return { status: 200, body: bytes, headers: { 'content-type': 'application/octet-stream' } };
			});
			router.route('*', '/raw', (request) => ({
				status: 200,
				body: request.body,
				headers: {
					'content-type': request.query.get('contentType') ?? request.headers['content-type'] ?? 'application/octet-stream',
				},
			}));
			router.route('*', '/status/:code', (request): SandboxResponse => {
				const status = Number(request.params.code);
				const headers: Record<string, string> = {};
				for (const header of request.query.getAll('header')) {
					const colon = header.indexOf(':');
					if (colon > 0) headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
				}
				return { status: status >= 200 && status <= 599 ? status : 400, json: echoDocument(request), headers };
			});
			router.route('*', '/', (request) => ({ status: 200, json: echoDocument(request) }));
			router.route('*', '/*', (request) => ({ status: 200, json: echoDocument(request) }));
		},
		reset() {
			calls = 0;
		},
	};
}
