import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	confirmationMessage,
	fetchResult,
	prepareSignRequest,
	resultItem,
	resultOptions,
	startSigning,
	type DssResult,
	type TaskReference,
} from '../../helpers/dss';
import { carryingError, optionsOf, pause, seconds, type DiadocEnvironment, type OperationResult } from '../../helpers/environment';
import { pollingFields } from '../../helpers/fields';
import { DiadocUsageError } from '../../transport/errors';
import { resultOptionFields, signFields } from './signFields';

const properties: INodeProperties[] = [
	...signFields,
	...pollingFields(300, 'the signing is in progress (e.g. waiting for the owner to confirm on the phone)'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			...resultOptionFields,
			{
				displayName: 'On Timeout',
				name: 'onTimeout',
				type: 'options',
				options: [
					{ name: 'Output the Pending Task', value: 'output', description: 'The item carries TaskId and OperationStatus InProgress; Get Result can finish later' },
					{ name: 'Fail (TaskId in the Error)', value: 'error' },
				],
				default: 'output',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['dss'], operation: ['signAndWait'] } }, properties);

/**
 * DSS Sign, then GET /DssSignResult until a final status, with a pause between polls and an overall timeout.
 * Whatever happens after the TaskId exists (timeout, unfavourable status, a network error), the item or its
 * error keeps TaskId, BoxId and the file names, so a later Get Result can finish the job.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const request = await prepareSignRequest(this, itemIndex);
	const intervalMs = seconds(this, 'pollInterval', itemIndex, 5) * 1000;
	const timeoutMs = seconds(this, 'timeout', itemIndex, 300) * 1000;
	const rawOptions = optionsOf(this, itemIndex);
	const options = resultOptions(rawOptions);
	const client = await env.client(itemIndex);
	const started = Date.now();
	const taskId = await startSigning(client, request);
	const reference: TaskReference = { TaskId: taskId, BoxId: request.boxId, FileNames: request.fileNames };
	const note = `TaskId ${taskId}: run Get Result with it later`;

	let result: DssResult;
	let polls = 0;
	let lastMessage = '';
	try {
		for (;;) {
			result = await fetchResult(client, request.boxId, taskId);
			polls++;
			if (result.status !== 'InProgress') break;
			const message = confirmationMessage(result);
			if (message !== lastMessage) {
				this.logger.info(`Diadoc DSS task ${taskId}: ${message}`);
				lastMessage = message;
			}
			const elapsed = Date.now() - started;
			if (elapsed + intervalMs > timeoutMs) {
				const pending: IDataObject = {
					...reference,
					OperationStatus: 'InProgress',
					waitTimedOut: true,
					polls,
					message: `${message} Stopped waiting after ${Math.round(elapsed / 1000)} s; the operation continues in Diadoc: run Get Result with the TaskId later.`,
					...(result.confirmType ? { ConfirmType: result.confirmType } : {}),
					...(result.operator ? { Operator: result.operator } : {}),
					...(result.phoneLastNumbers ? { PhoneLastNumbers: result.phoneLastNumbers } : {}),
				};
				if (rawOptions.onTimeout === 'error') {
					const timedOut = new DiadocUsageError(
						`DSS signing did not finish within ${timeoutMs / 1000} s (still InProgress). ${message}`,
						'Raise the timeout, or run Get Result with the TaskId later: the operation continues in Diadoc.',
					);
					throw carryingError(this, timedOut, pending, note, itemIndex);
				}
				return { json: pending };
			}
			await pause(this, intervalMs, itemIndex);
		}
	} catch (error) {
		throw carryingError(this, error, { ...reference, polls }, note, itemIndex);
	}
	const outcome = await resultItem(this, reference, result, options).catch((error: unknown) =>
		Promise.reject(carryingError(this, error, { ...reference, polls }, note, itemIndex)),
	);
	outcome.item.json.polls = polls;
	if (outcome.problem && !options.returnUnfavourable) {
		throw carryingError(this, new DiadocUsageError(outcome.problem.message, outcome.problem.hint), outcome.item.json, note, itemIndex);
	}
	return outcome.item;
}
