import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DEFAULT_CHALLENGE_PATH } from '../transport/client';
import { forOperation, type TranscryptContext } from './types';

/** Where an installation issues Secrets is not documented: the path and method are fields. */
export const SECRET_ENDPOINT_FIELDS: INodeProperties[] = [
	{
		displayName: 'Secret Path',
		name: 'secretPath',
		// eslint-disable-next-line n8n-nodes-base/node-param-type-options-password-missing -- a URL path, not a secret
		type: 'string',
		default: DEFAULT_CHALLENGE_PATH,
		description: 'API method that issues the Secret; the Transcrypt docs do not name it, so check your installation',
	},
	{
		displayName: 'Secret Method',
		name: 'secretMethod',
		type: 'options',
		options: [
			{ name: 'GET', value: 'GET' },
			{ name: 'POST', value: 'POST' },
		],
		default: 'GET',
	},
];

export const description: INodeProperties[] = forOperation('getSecret', SECRET_ENDPOINT_FIELDS);

export async function fetchSecret(this: IExecuteFunctions, itemIndex: number, context: TranscryptContext): Promise<string> {
	const path = String(this.getNodeParameter('secretPath', itemIndex, DEFAULT_CHALLENGE_PATH) || DEFAULT_CHALLENGE_PATH).trim();
	const method = this.getNodeParameter('secretMethod', itemIndex, 'GET') as string;
	return await (await context.client(itemIndex)).getSecret(path, method);
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: TranscryptContext,
): Promise<INodeExecutionData> {
	const secret = await fetchSecret.call(this, itemIndex, context);
	return { json: { ...item.json, Secret: secret } };
}
