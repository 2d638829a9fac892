import type { IDataObject, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isEdoCryptoError } from '../../lib/crypto/errors';
import { isHttpError, type HttpError } from '../../lib/http/errors';

export type EdoNodeError = NodeOperationError | NodeApiError;

/**
 * Converts anything a library throws into the error n8n shows for the item: an HttpError becomes a NodeApiError
 * (HTTP status, service error code, trace id), an EdoCryptoError a NodeOperationError whose description is its
 * hint. The libraries never put secrets into their errors; nothing is added here that could hold one.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): EdoNodeError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (isHttpError(error)) {
		return keepOriginalMessage(httpNodeError(node, error, itemIndex), error.message);
	}
	if (isEdoCryptoError(error)) {
		const converted = new NodeOperationError(node, error.message, { itemIndex, description: error.hint });
		converted.context.code = error.code;
		return keepOriginalMessage(converted, error.message);
	}
	if (error instanceof Error) return new NodeOperationError(node, error, { itemIndex });
	return new NodeOperationError(node, String(error), { itemIndex });
}

/**
 * n8n rewrites a message that contains a Node.js error code (e.g. "CertificateNotFound" holds ENOTFOUND, a refused
 * connection ECONNREFUSED) into its generic text; ours already name the service and what failed, so put them back.
 */
function keepOriginalMessage<T extends EdoNodeError>(converted: T, message: string): T {
	if (converted.message !== message) converted.message = message;
	return converted;
}

function httpNodeError(node: INode, error: HttpError, itemIndex: number): NodeApiError {
	const description = [
		error.serviceMessage && error.serviceMessage !== error.message ? error.serviceMessage : undefined,
		error.hint,
		error.serviceErrorCode ? `Service error code: ${error.serviceErrorCode}` : undefined,
		error.traceId ? `Trace ID: ${error.traceId}` : undefined,
	]
		.filter((line): line is string => Boolean(line))
		.join('\n');
	const converted = new NodeApiError(node, error.toJSON() as JsonObject, {
		message: error.message,
		description: description || undefined,
		httpCode: error.status !== undefined ? String(error.status) : undefined,
		itemIndex,
	});
	if (error.serviceErrorCode) converted.context.serviceErrorCode = error.serviceErrorCode;
	if (error.traceId) converted.context.traceId = error.traceId;
	return converted;
}

/** The output item for a failed input item when the node continues on fail. */
export function errorItem(error: EdoNodeError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const code = error.context.code ?? error.context.serviceErrorCode;
	if (typeof code === 'string') json.code = code;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	if (typeof error.context.traceId === 'string') json.traceId = error.context.traceId;
	return { json, pairedItem: { item: itemIndex } };
}
