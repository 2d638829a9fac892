import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { HttpResponse } from '../../../lib/http';
import { apiRequestFields, apiResponseItem, httpErrorWithHint, isUnauthorized, readApiRequest, settle } from '../../shared/apiRequest';
import { ASSISTANT_KEY_FIELD, readAssistantKey } from './activateSession.operation';
import { LOGIN_FIELDS, LOGIN_OPTIONS, readSessionSettings } from './loginAndActivate.operation';
import { callInManagedSession } from './session';
import { forOperations, showFor, type TaxcomContext } from './types';

export const description: INodeProperties[] = [
	...forOperations(
		['apiRequest'],
		[
			{
				displayName: 'Session',
				name: 'sessionSource',
				type: 'options',
				options: [
					{
						name: 'Managed',
						value: 'managed',
						description: 'Log in and activate when needed, reuse the session across items and executions, log in again once on 401',
					},
					{ name: 'From Input', value: 'input', description: 'Use an Assistant-Key obtained by earlier steps' },
				],
				default: 'managed',
			},
			...LOGIN_FIELDS.map((field) => ({
				...field,
				displayOptions: { ...field.displayOptions, show: { ...field.displayOptions?.show, sessionSource: ['managed'] } },
			})),
			{ ...ASSISTANT_KEY_FIELD, displayOptions: { show: { sessionSource: ['input'] } } },
			{
				displayName: 'Session Options',
				name: 'sessionOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: LOGIN_OPTIONS,
				displayOptions: { show: { sessionSource: ['managed'] } },
			},
		],
	),
	...apiRequestFields(showFor('apiRequest'), {
		pathPlaceholder: 'GetMessageList',
		pathDescription: 'The Docliner method, relative to …/v<version>/API/ (e.g. GetMessageList, GetContacts, CheckContragent)',
		textContentType: 'application/xml; charset=utf-8',
	}),
];

const INPUT_SESSION_HINT =
	'The session of this Assistant-Key has expired or was never activated (a token lives a few minutes after its last use): log in and activate again, or set Session to Managed.';

export async function execute(
	this: IExecuteFunctions,
	_item: INodeExecutionData,
	itemIndex: number,
	context: TaxcomContext,
): Promise<INodeExecutionData> {
	const request = await readApiRequest(this, itemIndex);
	const source = this.getNodeParameter('sessionSource', itemIndex, 'managed') as string;
	let response: HttpResponse;
	if (source === 'input') {
		const assistantKey = readAssistantKey(this, itemIndex);
		const client = await context.client(itemIndex);
		const result = await settle(client.call(assistantKey, request));
		if (!result.ok) throw isUnauthorized(result.error) ? httpErrorWithHint(result.error, INPUT_SESSION_HINT) : result.error;
		response = result.value;
	} else {
		response = await callInManagedSession(context, itemIndex, readSessionSettings(this, itemIndex), request);
	}
	return await apiResponseItem(this, itemIndex, response);
}
