import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorItem } from '../../shared/errors';
import { carriedData, createEnvironment, diadocNodeError, param, type OperationExecute } from '../helpers/environment';
import * as apiRequestSend from './apiRequest/send.operation';
import * as dssGetResult from './dss/getResult.operation';
import * as dssShelfUpload from './dss/shelfUpload.operation';
import * as dssSign from './dss/sign.operation';
import * as dssSignAndWait from './dss/signAndWait.operation';
import * as confirmRegistration from './registration/confirmRegistration.operation';
import * as register from './registration/register.operation';
import * as registerWithProof from './registration/registerWithProof.operation';

export const operations: Record<string, Record<string, { execute: OperationExecute }>> = {
	registration: { register, confirmRegistration, registerWithProof },
	dss: { sign: dssSign, getResult: dssGetResult, signAndWait: dssSignAndWait, shelfUpload: dssShelfUpload },
	apiRequest: { send: apiRequestSend },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = param<string>(this, 'resource', 0);
	const operation = param<string>(this, 'operation', 0);
	const handler = operations[resource]?.[operation];
	if (!handler) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	const env = createEnvironment(this);
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await handler.execute.call(this, itemIndex, env);
			for (const item of Array.isArray(result) ? result : [result]) output.push({ ...item, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = diadocNodeError(this.getNode(), caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			const item = errorItem(error, itemIndex);
			output.push({ ...item, json: { ...(carriedData(error) ?? {}), ...item.json }, pairedItem: { item: itemIndex } });
		}
	}
	return [output];
}
