import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { LocalKeySigner } from '../../../lib/crypto/localSigner';

export type EdoCryptoOperation = 'certificateInfo' | 'sign' | 'verify' | 'decrypt';

export interface OperationContext {
	/** The credential's signer, loaded on first use and shared by all items of the execution. */
	signer(itemIndex: number): Promise<LocalKeySigner>;
}

export interface EdoCryptoAction {
	description: INodeProperties[];
	/** Handles one input item and returns its output item (the router adds `pairedItem`). */
	execute(
		this: IExecuteFunctions,
		item: INodeExecutionData,
		itemIndex: number,
		context: OperationContext,
	): Promise<INodeExecutionData>;
}
