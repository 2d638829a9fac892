import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runPerItem } from '../../shared/runPerItem';
import { chosenSignerLoader, signerSourceParameter } from '../../shared/signer';
import * as certificateInfo from './certificateInfo.operation';
import * as decrypt from './decrypt.operation';
import * as sign from './sign.operation';
import type { EdoCryptoAction, EdoCryptoOperation, OperationContext } from './types';
import * as verify from './verify.operation';

export const actions: Record<EdoCryptoOperation, EdoCryptoAction> = { certificateInfo, sign, verify, decrypt };

/** Runs the chosen operation item by item; a failed item stops the node unless it continues on fail. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const context: OperationContext = { signer: chosenSignerLoader(this, signerSourceParameter(this)) };
	return await runPerItem(this, async (item, itemIndex) => {
		const operation = this.getNodeParameter('operation', itemIndex) as EdoCryptoOperation;
		return await actions[operation].execute.call(this, item, itemIndex, context);
	});
}
