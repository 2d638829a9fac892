import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, toNodeError } from './errors';

/**
 * Runs `run` for every input item and pairs each result with its item. A failed item stops the node, unless
 * the node continues on fail: then it becomes an error item and the next item runs.
 */
export async function runPerItem(
	context: IExecuteFunctions,
	run: (item: INodeExecutionData, itemIndex: number) => Promise<INodeExecutionData>,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await run(items[itemIndex], itemIndex);
			output.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const nodeError = toNodeError(context.getNode(), error, itemIndex);
			if (!context.continueOnFail()) throw nodeError;
			output.push(errorItem(nodeError, itemIndex));
		}
	}
	return [output];
}
