import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { finishLogin } from './loginBySignature.operation';
import { forOperation, type TranscryptContext } from './types';

export const description: INodeProperties[] = forOperation('loginByPassword', [
	{
		displayName: 'The login and password are taken from the Transcrypt API credential (POST api/v2/auth).',
		name: 'passwordNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Client IP',
				name: 'ip',
				type: 'string',
				default: '',
				description: 'The Ip field of the request (the address of the end user), if your contract needs it',
			},
			{
				displayName: 'Continue When Refused',
				name: 'ignoreLoginErrors',
				type: 'boolean',
				default: false,
				description: 'Whether to output the answer instead of failing when it has an Error text or CertificateNotFound',
			},
		],
	},
]);

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: TranscryptContext,
): Promise<INodeExecutionData> {
	const options = this.getNodeParameter('options', itemIndex, {}) as { ip?: string; ignoreLoginErrors?: boolean };
	const client = await context.client(itemIndex);
	const outcome = await client.loginByPassword(options.ip?.trim() || undefined);
	const result = await finishLogin(outcome, options.ignoreLoginErrors === true, context, itemIndex);
	return { json: { ...item.json, ...result } };
}
