import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { apiRequestFields, apiResponseItem, readApiRequest } from '../../../shared/apiRequest';
import type { DiadocEnvironment, OperationResult } from '../../helpers/environment';

export const description: INodeProperties[] = apiRequestFields(
	{ show: { resource: ['apiRequest'], operation: ['send'] } },
	{
		pathPlaceholder: '/GetMyOrganizations',
		pathDescription:
			"Path of the Diadoc method under the credential's API base URL (other hosts are refused). Methods that take operationId (PostMessage, SendDraft…) become safe to retry when it is given as a query parameter.",
		textContentType: 'text/plain; charset=utf-8',
	},
);

/** Any Diadoc method with the credential's authentication (and its renewal on a 401), for what the node does not model. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const request = await readApiRequest(this, itemIndex);
	const client = await env.client(itemIndex);
	const response = await client.call({
		method: request.method,
		path: request.path,
		headers: request.headers,
		body: request.body,
		responseType: request.responseType,
		// Diadoc returns the first result for a repeated operationId, so such a POST may be retried.
		idempotent: /[?&]operationId=/.test(request.path) ? true : undefined,
	});
	return await apiResponseItem(this, itemIndex, response);
}
