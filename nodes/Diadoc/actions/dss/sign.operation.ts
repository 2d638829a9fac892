import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { prepareSignRequest, startSigning } from '../../helpers/dss';
import type { DiadocEnvironment, OperationResult } from '../../helpers/environment';
import { signFields } from './signFields';

export const description: INodeProperties[] = updateDisplayOptions({ show: { resource: ['dss'], operation: ['sign'] } }, signFields);

/** Starts DSS signing; the output holds what Get Result needs later: TaskId, BoxId and the file names in order. */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const request = await prepareSignRequest(this, itemIndex);
	const client = await env.client(itemIndex);
	const taskId = await startSigning(client, request);
	return {
		json: {
			TaskId: taskId,
			BoxId: request.boxId,
			FileNames: request.fileNames,
			method: request.path.slice(1),
		},
	};
}
