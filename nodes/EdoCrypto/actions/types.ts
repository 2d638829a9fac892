import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { CertificateSigner } from '../../../lib/signers';

export type EdoCryptoOperation = 'certificateInfo' | 'sign' | 'verify' | 'decrypt';

export interface OperationContext {
	/** The chosen signer (EDO Certificate or EDO Remote Signer), loaded on first use and shared by all items. */
	signer(itemIndex: number): Promise<CertificateSigner>;
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
