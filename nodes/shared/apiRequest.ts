/**
 * The "API Request" operation of a service node: any method under the service's base URL, with the node's
 * authentication added by the caller. Fields (method, path, query, headers, body from JSON/text/binary,
 * response as JSON/text/binary) and their reading, shared by the Transcrypt and Taxcom nodes.
 */
import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { EdoCryptoError } from '../../lib/crypto/errors';
import { HttpError, isHttpError, type HttpResponse } from '../../lib/http';
import { readBinaryProperty, toBinaryData } from './binary';

export type ApiResponseFormat = 'auto' | 'json' | 'text' | 'binary';

export interface PreparedApiRequest {
	method: string;
	path: string;
	headers: Record<string, string>;
	body?: unknown;
	responseType: 'auto' | 'json' | 'text' | 'buffer';
}

export interface ApiRequestFieldOptions {
	pathPlaceholder: string;
	pathDescription: string;
	/** Content type offered for a text body, e.g. XML for Taxcom. */
	textContentType: string;
}

const METHODS_WITH_BODY = ['POST', 'PUT', 'PATCH', 'DELETE'];

function withDisplay(fields: INodeProperties[], displayOptions: IDisplayOptions): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: {
			...field.displayOptions,
			show: { ...displayOptions.show, ...field.displayOptions?.show },
		},
	}));
}

export function apiRequestFields(displayOptions: IDisplayOptions, options: ApiRequestFieldOptions): INodeProperties[] {
	return withDisplay(
		[
			{
				displayName: 'Method',
				name: 'requestMethod',
				type: 'options',
				options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((method) => ({ name: method, value: method })),
				default: 'GET',
			},
			{
				displayName: 'Path',
				name: 'requestPath',
				type: 'string',
				default: '',
				required: true,
				placeholder: options.pathPlaceholder,
				description: options.pathDescription,
			},
			{
				displayName: 'Query Parameters',
				name: 'queryParameters',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Parameter',
				default: {},
				options: [
					{
						displayName: 'Parameter',
						name: 'parameter',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'Headers',
				name: 'requestHeaders',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Header',
				default: {},
				description: 'Extra request headers; the authentication headers are set by the node',
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
			{
				displayName: 'Body',
				name: 'bodyType',
				type: 'options',
				options: [
					{ name: 'None', value: 'none' },
					{ name: 'JSON', value: 'json' },
					{ name: 'Text', value: 'text', description: `Text such as XML, sent as ${options.textContentType}` },
					{ name: 'Binary File', value: 'binary', description: 'The file in an input binary field' },
				],
				default: 'none',
				displayOptions: { show: { requestMethod: METHODS_WITH_BODY } },
			},
			{
				displayName: 'JSON Body',
				name: 'jsonBody',
				type: 'json',
				default: '{}',
				displayOptions: { show: { requestMethod: METHODS_WITH_BODY, bodyType: ['json'] } },
			},
			{
				displayName: 'Text Body',
				name: 'textBody',
				type: 'string',
				typeOptions: { rows: 5 },
				default: '',
				displayOptions: { show: { requestMethod: METHODS_WITH_BODY, bodyType: ['text'] } },
			},
			// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- each node passes its own (XML for Taxcom)
			{
				displayName: 'Content Type',
				name: 'textContentType',
				type: 'string',
				default: options.textContentType,
				displayOptions: { show: { requestMethod: METHODS_WITH_BODY, bodyType: ['text'] } },
			},
			{
				displayName: 'Input Binary Field',
				name: 'bodyBinaryPropertyName',
				type: 'string',
				default: 'data',
				hint: 'The name of the input binary field holding the file to send',
				displayOptions: { show: { requestMethod: METHODS_WITH_BODY, bodyType: ['binary'] } },
			},
			{
				displayName: 'Response Format',
				name: 'responseFormat',
				type: 'options',
				options: [
					{ name: 'Autodetect', value: 'auto', description: 'JSON as fields, text as a string, anything else as a file' },
					{ name: 'JSON', value: 'json' },
					{ name: 'Text', value: 'text' },
					{ name: 'File', value: 'binary' },
				],
				default: 'auto',
			},
			{
				displayName: 'Output Binary Field',
				name: 'responseBinaryPropertyName',
				type: 'string',
				default: 'data',
				description: 'Where a file answer is put',
				displayOptions: { show: { responseFormat: ['auto', 'binary'] } },
			},
			{
				displayName: 'Include Status and Headers',
				name: 'fullResponse',
				type: 'boolean',
				default: false,
				description: 'Whether to output {statusCode, headers, body} instead of the body alone',
			},
		],
		displayOptions,
	);
}

function pairs(collection: unknown, key: string): Array<{ name: string; value: string }> {
	const list = (collection as IDataObject | undefined)?.[key];
	if (!Array.isArray(list)) return [];
	return list
		.map((entry) => ({ name: String((entry as IDataObject).name ?? '').trim(), value: String((entry as IDataObject).value ?? '') }))
		.filter((entry) => entry.name.length > 0);
}

/** Reads the API Request fields of one item into a request (the caller adds authentication). */
export async function readApiRequest(context: IExecuteFunctions, itemIndex: number): Promise<PreparedApiRequest> {
	const method = (context.getNodeParameter('requestMethod', itemIndex) as string).toUpperCase();
	const path = String(context.getNodeParameter('requestPath', itemIndex) ?? '').trim();
	if (!path) {
		throw new EdoCryptoError('INVALID_INPUT', 'The Path of the API request is empty', 'Enter the API method to call, relative to the base URL of the credential.');
	}
	// Repeated names are allowed (a=1&a=2), so the query is appended to the path rather than passed as a map.
	const query = new URLSearchParams();
	for (const { name, value } of pairs(context.getNodeParameter('queryParameters', itemIndex, {}), 'parameter')) query.append(name, value);
	const search = query.toString();
	const headers: Record<string, string> = {};
	for (const { name, value } of pairs(context.getNodeParameter('requestHeaders', itemIndex, {}), 'header')) headers[name] = value;

	let body: unknown;
	const bodyType = METHODS_WITH_BODY.includes(method) ? (context.getNodeParameter('bodyType', itemIndex, 'none') as string) : 'none';
	if (bodyType === 'json') {
		const raw = context.getNodeParameter('jsonBody', itemIndex, '{}');
		body = typeof raw === 'string' ? parseJsonBody(raw) : raw;
	} else if (bodyType === 'text') {
		body = String(context.getNodeParameter('textBody', itemIndex, ''));
		setDefaultHeader(headers, 'Content-Type', String(context.getNodeParameter('textContentType', itemIndex, 'text/plain; charset=utf-8')));
	} else if (bodyType === 'binary') {
		const property = context.getNodeParameter('bodyBinaryPropertyName', itemIndex) as string;
		const { bytes, metadata } = await readBinaryProperty(context, itemIndex, property);
		body = bytes;
		if (metadata.mimeType) setDefaultHeader(headers, 'Content-Type', metadata.mimeType);
	}

	const format = context.getNodeParameter('responseFormat', itemIndex, 'auto') as ApiResponseFormat;
	const responseType = format === 'binary' ? 'buffer' : format;
	const fullPath = search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
	return { method, path: fullPath, headers, body, responseType };
}

function parseJsonBody(text: string): unknown {
	const parsed = settleSync(() => JSON.parse(text) as unknown);
	if (!parsed.ok) throw new EdoCryptoError('INVALID_INPUT', 'The JSON Body is not valid JSON', 'Check the JSON Body field (quotes, commas, brackets).');
	return parsed.value;
}

function setDefaultHeader(headers: Record<string, string>, name: string, value: string): void {
	if (!Object.keys(headers).some((existing) => existing.toLowerCase() === name.toLowerCase())) headers[name] = value;
}

function fileNameFor(response: HttpResponse): string {
	const disposition = response.headers['content-disposition'] ?? '';
	const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
	if (star) {
		try {
			return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
		} catch {
			// fall through to the plain filename
		}
	}
	const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
	return plain ? plain[1].trim() : 'response';
}

/** The output item of an API response: JSON fields, `{data: text}`, or a file in a binary field. */
export async function apiResponseItem(
	context: IExecuteFunctions,
	itemIndex: number,
	response: HttpResponse,
): Promise<INodeExecutionData> {
	const fullResponse = context.getNodeParameter('fullResponse', itemIndex, false) as boolean;
	const binaryProperty = (context.getNodeParameter('responseBinaryPropertyName', itemIndex, 'data') as string) || 'data';
	let body: unknown = response.body;
	let binary: INodeExecutionData['binary'];
	if (Buffer.isBuffer(body)) {
		if (body.length > 0) {
			const mimeType = response.headers['content-type']?.split(';')[0].trim() || 'application/octet-stream';
			binary = { [binaryProperty]: await toBinaryData(context, body, fileNameFor(response), mimeType) };
		}
		body = undefined;
	}
	let json: IDataObject;
	if (fullResponse) {
		json = { statusCode: response.status, headers: response.headers, body: (body ?? null) as IDataObject };
	} else if (body && typeof body === 'object' && !Array.isArray(body)) {
		json = body as IDataObject;
	} else if (body === undefined || body === '') {
		json = binary ? {} : { statusCode: response.status };
	} else {
		json = { data: body as IDataObject };
	}
	return binary ? { json, binary } : { json };
}

/** The same transport error with another hint (e.g. what to do about a 401 of a session the node manages). */
export function httpErrorWithHint(error: HttpError, hint: string): HttpError {
	return error.withChanges({ hint });
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The value or the error of a call, so that a caller can act on one kind of failure (a 401 that calls for a
 * new login) and hand every other one on unchanged; the node's execute() converts it for n8n.
 */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	return await promise.then(
		(value): Settled<T> => ({ ok: true, value }),
		(error: unknown): Settled<T> => ({ ok: false, error }),
	);
}

function settleSync<T>(run: () => T): Settled<T> {
	try {
		return { ok: true, value: run() };
	} catch (error) {
		return { ok: false, error };
	}
}

export function isUnauthorized(error: unknown): error is HttpError {
	return isHttpError(error) && error.status === 401;
}
