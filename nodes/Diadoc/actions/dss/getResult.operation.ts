import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { boxIdOf, fetchResult, fileNamesFrom, requiredText, resultItem, resultOptions, type TaskReference } from '../../helpers/dss';
import { carryingError, optionsOf, param, type DiadocEnvironment, type OperationResult } from '../../helpers/environment';
import { DiadocUsageError } from '../../transport/errors';
import { boxIdField, resultOptionFields } from './signFields';

// Empty fields take the values DSS Sign put into the item (BoxId, TaskId, FileNames): chained after DSS Sign,
// Get Result needs no setup, and no expression is evaluated per item.
const properties: INodeProperties[] = [
	{
		...boxIdField,
		required: false,
		placeholder: 'Empty: the BoxId of the input item',
		description: 'The Diadoc box the task was started in; empty: the BoxId field of the input item (as DSS Sign outputs it)',
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '',
		placeholder: 'Empty: the TaskId of the input item',
		description: 'The TaskId DSS Sign returned; empty: the TaskId field of the input item',
	},
	{
		displayName: 'File Names',
		name: 'fileNames',
		type: 'string',
		default: '',
		placeholder: 'Empty: the FileNames of the input item',
		description:
			'The names of the signed files in order (a list or comma-separated), to name the signatures "&lt;file name&gt;.sig"; empty: the FileNames field of the input item',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: resultOptionFields,
	},
];

export const description = updateDisplayOptions({ show: { resource: ['dss'], operation: ['getResult'] } }, properties);

/**
 * One GET /DssSignResult. InProgress is a result (with how the owner must confirm); Completed carries the
 * signatures; the other final statuses fail the item (the TaskId stays in the error) unless asked otherwise.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const boxId = boxIdOf(this, itemIndex, true);
	const taskId = requiredText(this, 'taskId', itemIndex, 'Task ID', 'Enter the TaskId that DSS Sign returned, or connect Get Result after DSS Sign.', 'TaskId');
	const names = param(this, 'fileNames', itemIndex, '');
	const reference: TaskReference = {
		TaskId: taskId,
		BoxId: boxId,
		FileNames: fileNamesFrom(names === '' || names === undefined ? this.getInputData()[itemIndex]?.json?.FileNames : names),
	};
	const options = resultOptions(optionsOf(this, itemIndex));
	const client = await env.client(itemIndex);
	let outcome: Awaited<ReturnType<typeof resultItem>>;
	try {
		outcome = await resultItem(this, reference, await fetchResult(client, boxId, taskId), options);
	} catch (error) {
		throw carryingError(this, error, { ...reference }, `TaskId ${taskId}`, itemIndex);
	}
	if (outcome.problem && !options.returnUnfavourable) {
		throw carryingError(this, new DiadocUsageError(outcome.problem.message, outcome.problem.hint), outcome.item.json, `TaskId ${taskId}`, itemIndex);
	}
	return outcome.item;
}
