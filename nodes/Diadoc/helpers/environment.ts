/**
 * What every operation gets besides `this`: the Diadoc client (made once per execution, on first use) and
 * the signer the node is set to use. Plus the small utilities the operations share: waiting between polls,
 * errors that carry what must not be lost (a TaskId), and strict base64 decoding.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { Signer } from '../../../lib/crypto/signer';
import { toNodeError, type EdoNodeError } from '../../shared/errors';
import { EDO_CERTIFICATE_CREDENTIAL, EDO_REMOTE_SIGNER_CREDENTIAL, signerLoader } from '../../shared/signer';
import { DiadocUsageError } from '../transport/errors';
import { LegacyAuthorizer, OAuth2Authorizer } from '../transport/auth';
import { DiadocClient, diadocHttpClient } from '../transport/client';
import { accessTokenOf, baseUrlOf, LEGACY_CREDENTIAL, legacySettingsOf, OAUTH2_CREDENTIAL, tlsOf } from '../transport/settings';

const parameterCaches = new WeakMap<IExecuteFunctions, { values: Map<string, unknown>; dynamic: Set<string> }>();

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/**
 * `getNodeParameter`, resolved once per execution for parameters without any expression (their value is the
 * same for every item); parameters with an expression are resolved per item as usual. With a thousand items
 * n8n's parameter resolution is a noticeable share of the node's own time.
 */
export function param<T = unknown>(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback?: unknown): T {
	let cache = parameterCaches.get(ctx);
	if (!cache) {
		cache = { values: new Map(), dynamic: new Set() };
		parameterCaches.set(ctx, cache);
	}
	if (cache.values.has(name)) return cache.values.get(name) as T;
	const value = fallback === undefined ? ctx.getNodeParameter(name, itemIndex) : ctx.getNodeParameter(name, itemIndex, fallback);
	if (!cache.dynamic.has(name)) {
		if (hasExpression(ctx.getNode().parameters[name])) cache.dynamic.add(name);
		else cache.values.set(name, value);
	}
	return value as T;
}

export interface DiadocEnvironment {
	client(itemIndex: number): Promise<DiadocClient>;
	signer(itemIndex: number): Promise<Signer>;
}

export type OperationResult = INodeExecutionData | INodeExecutionData[];
export type OperationExecute = (this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment) => Promise<OperationResult>;

/** The signer the node's "Signer" parameter selects: the EDO Certificate (local key) or the EDO Remote Signer. */
export function signerFor(ctx: IExecuteFunctions): (itemIndex: number) => Promise<Signer> {
	const loadCertificateSigner = signerLoader(ctx, EDO_CERTIFICATE_CREDENTIAL);
	const loadRemoteSigner = signerLoader(ctx, EDO_REMOTE_SIGNER_CREDENTIAL);
	return async (itemIndex) => {
		const choice = param(ctx, 'signer', itemIndex, 'none') as string;
		if (choice === EDO_CERTIFICATE_CREDENTIAL) return await loadCertificateSigner(itemIndex);
		if (choice === EDO_REMOTE_SIGNER_CREDENTIAL) return await loadRemoteSigner(itemIndex);
		throw new NodeOperationError(ctx.getNode(), 'This step needs a signer, and none is selected', {
			itemIndex,
			description:
				'Set "Signer" to "EDO Certificate" (a certificate and its private key) or "EDO Remote Signer" (a key held by a CSC signing service) and select its credential.',
		});
	};
}

export function createEnvironment(ctx: IExecuteFunctions): DiadocEnvironment {
	const signer = signerFor(ctx);
	let client: Promise<DiadocClient> | undefined;
	const connect = async (itemIndex: number): Promise<DiadocClient> => {
		const authentication = param(ctx, 'authentication', itemIndex, 'oAuth2') as string;
		if (authentication === 'diadocAuth') {
			const data = await ctx.getCredentials(LEGACY_CREDENTIAL, itemIndex);
			const settings = legacySettingsOf(data);
			const http = diadocHttpClient(settings.baseUrl, settings.tls, [settings.apiClientId, settings.password, settings.token]);
			return new DiadocClient(http, new LegacyAuthorizer(http, settings, async () => await signer(itemIndex)));
		}
		const data = await ctx.getCredentials(OAUTH2_CREDENTIAL, itemIndex);
		const http = diadocHttpClient(baseUrlOf(data), tlsOf(data));
		return new DiadocClient(http, new OAuth2Authorizer(ctx, accessTokenOf(data)));
	};
	return {
		signer,
		async client(itemIndex) {
			if (!client) {
				const created = connect(itemIndex);
				client = created;
				// A missing credential or a bad setting is reported per item, not remembered.
				created.catch(() => {
					if (client === created) client = undefined;
				});
			}
			return await client;
		},
	};
}

/** A node error for the item, whatever was thrown: transport, crypto and usage errors keep their messages. */
export function diadocNodeError(node: INode, error: unknown, itemIndex: number): EdoNodeError {
	if (error instanceof DiadocUsageError) return new NodeOperationError(node, error.message, { itemIndex, description: error.hint });
	return toNodeError(node, error, itemIndex);
}

/**
 * The node error of a failure after which the item must still carry data (a TaskId, a BoxId): the note goes
 * into the description, the data into `context.carried`, from where the router puts it into the error item.
 */
export function carryingError(ctx: IExecuteFunctions, error: unknown, carried: IDataObject, note: string, itemIndex: number): EdoNodeError {
	const nodeError = diadocNodeError(ctx.getNode(), error, itemIndex);
	if (nodeError.context.carried === undefined) {
		nodeError.description = [nodeError.description, note].filter(Boolean).join('\n');
		nodeError.context.carried = carried;
	}
	return nodeError;
}

export function carriedData(error: EdoNodeError): IDataObject | undefined {
	const carried = error.context.carried;
	return carried && typeof carried === 'object' ? (carried as IDataObject) : undefined;
}

/** Waits with n8n's `sleep` in slices, so a cancelled execution stops within about a second. */
export async function pause(ctx: IExecuteFunctions, ms: number, itemIndex: number): Promise<void> {
	const until = Date.now() + ms;
	for (;;) {
		const signal = ctx.getExecutionCancelSignal?.();
		if (signal?.aborted) throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled while waiting', { itemIndex });
		const left = until - Date.now();
		if (left <= 0) return;
		await sleep(Math.min(left, 1000));
	}
}

export function seconds(ctx: IExecuteFunctions, name: string, itemIndex: number, fallback: number): number {
	const value = Number(param(ctx, name, itemIndex, fallback));
	return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * Base64 as Diadoc sends `bytes` fields (standard alphabet); url-safe letters and whitespace are tolerated.
 * Throws a NodeOperationError naming the field when the text is not base64.
 */
export function decodeBase64(ctx: IExecuteFunctions, text: unknown, what: string, itemIndex: number): Buffer {
	const compact = typeof text === 'string' ? text.replace(/\s+/g, '') : '';
	const standard = compact.replace(/-/g, '+').replace(/_/g, '/');
	const decoded = Buffer.from(standard, 'base64');
	const valid = /^[A-Za-z0-9+/]*={0,2}$/.test(standard) && decoded.length > 0 && decoded.toString('base64').replace(/=+$/, '') === standard.replace(/=+$/, '');
	if (!valid) {
		throw new NodeOperationError(ctx.getNode(), `${what} is ${compact ? 'not valid base64' : 'empty'}`, {
			itemIndex,
			description: `Pass ${what} exactly as Diadoc returned it (a base64 string).`,
		});
	}
	return decoded;
}

export function optionsOf(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	return (param(ctx, 'options', itemIndex, {}) ?? {}) as IDataObject;
}
