/**
 * Control endpoints under `<prefix>/__sandbox` for tests in other processes (no authentication; JSON
 * errors like the rest of the sandbox admin API):
 *
 *   GET  /__sandbox/config              the configuration
 *   POST /__sandbox/config              merge a DiadocConfigPatch (400 when invalid, nothing changed)
 *   GET  /__sandbox/state               registrations, Register calls, confirmations, DSS tasks, shelf, auth
 *   POST /__sandbox/tokens              {kind?: legacy|bearer|refresh, login?, clientId?, ttlSeconds?, scopes?}
 *   POST /__sandbox/expire-tokens       {refresh?: boolean}: every API token (and refresh tokens) expires now
 *   POST /__sandbox/entity-content      {MessageId, EntityId, Content (base64)}: bytes DssSign signs for it
 *   GET  /__sandbox/dss-certificate     the DSS certificate, PEM (?format=der for DER)
 *   GET  /__sandbox/describe            the defaults as text
 *   POST /__sandbox/reset               this emulator's state and configuration
 */
import { error, json, type SandboxResponse, type SandboxRouter } from '../../server';
import { DiadocConfigError } from './config';
import { decodeBase64Strict, isGuid } from './http';
import type { DiadocEmulator, IssueTokenOptions } from './index';

function body(request: { body: Buffer; json<T>(): T }): Record<string, unknown> {
	if (request.body.length === 0) return {};
	const parsed = request.json<unknown>();
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DiadocConfigError('the body must be a JSON object');
	return parsed as Record<string, unknown>;
}

function guarded(action: () => SandboxResponse): SandboxResponse {
	try {
		return action();
	} catch (caught) {
		if (caught instanceof DiadocConfigError) return error(400, caught.message);
		throw caught;
	}
}

export function registerAdminRoutes(router: SandboxRouter, emulator: DiadocEmulator): void {
	const only = (method: string, handler: Parameters<SandboxRouter['route']>[2]) =>
		(request: Parameters<Parameters<SandboxRouter['route']>[2]>[0]) =>
			request.method === method ? handler(request) : error(405, `use ${method}`, { headers: { Allow: method } });

	router.route('GET', '/__sandbox/config', () => json(200, emulator.getConfig()));
	router.route('POST', '/__sandbox/config', (request) =>
		guarded(() => {
			emulator.configure(body(request));
			return json(200, emulator.getConfig());
		}),
	);
	router.route('*', '/__sandbox/state', only('GET', () => json(200, emulator.snapshot())));
	router.route(
		'*',
		'/__sandbox/tokens',
		only('POST', (request) => guarded(() => json(201, { token: emulator.issueToken(body(request) as IssueTokenOptions) }))),
	);
	router.route(
		'*',
		'/__sandbox/expire-tokens',
		only('POST', (request) =>
			guarded(() => {
				emulator.expireTokens({ refresh: body(request).refresh === true });
				return { status: 204 };
			}),
		),
	);
	router.route(
		'*',
		'/__sandbox/entity-content',
		only('POST', (request) =>
			guarded(() => {
				const input = body(request);
				const content = typeof input.Content === 'string' ? decodeBase64Strict(input.Content) : undefined;
				if (typeof input.MessageId !== 'string' || !isGuid(input.MessageId) || typeof input.EntityId !== 'string' || !isGuid(input.EntityId) || !content) {
					throw new DiadocConfigError('send {MessageId: GUID, EntityId: GUID, Content: base64}');
				}
				emulator.setEntityContent(input.MessageId, input.EntityId, content);
				return { status: 204 };
			}),
		),
	);
	router.route(
		'*',
		'/__sandbox/dss-certificate',
		only('GET', (request) => {
			const certificate = emulator.dssCertificate;
			if (request.query.get('format') === 'der') {
				return { status: 200, body: certificate.der, headers: { 'content-type': 'application/pkix-cert' } };
			}
			return { status: 200, body: certificate.pem, headers: { 'content-type': 'application/x-pem-file' } };
		}),
	);
	router.route('*', '/__sandbox/describe', only('GET', (request) => ({ status: 200, body: emulator.describe(`http://${request.headers.host}`) })));
	router.route(
		'*',
		'/__sandbox/reset',
		only('POST', () => {
			emulator.reset();
			return { status: 204 };
		}),
	);
}
