import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, toNodeError } from '../../shared/errors';
import { chosenSignerLoader, signerSourceParameter } from '../../shared/signer';
import * as certificateInfo from './certificateInfo.operation';
import * as decrypt from './decrypt.operation';
import * as sign from './sign.operation';
import type { EdoCryptoAction, EdoCryptoOperation, OperationContext } from './types';
import * as verify from './verify.operation';

export const actions: Record<EdoCryptoOperation, EdoCryptoAction> = { certificateInfo, sign, verify, decrypt };

/** Runs the chosen operation item by item; a failed item stops the node unless it continues on fail. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const context: OperationContext = { signer: chosenSignerLoader(this, signerSourceParameter(this)) };
	const output: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operation = this.getNodeParameter('operation', itemIndex) as EdoCryptoOperation;
			const action = actions[operation];
			const result = await action.execute.call(this, items[itemIndex], itemIndex, context);
			output.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(this.getNode(), error, itemIndex);
			if (this.continueOnFail()) {
				output.push(errorItem(nodeError, itemIndex));
				continue;
			}
			throw nodeError;
		}
	}
	return [output];
}
