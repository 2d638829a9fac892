import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { CertificateSigner } from '../../../lib/signers';
import type { TaxcomClient } from '../transport/client';

export type TaxcomOperation = 'cloudCertificateLogin' | 'certificateLogin' | 'activateSession' | 'loginAndActivate' | 'apiRequest';

export interface TaxcomContext {
	/** The client of the Taxcom API credential, loaded on first use and shared by all items. */
	client(itemIndex: number): Promise<TaxcomClient>;
	/** The chosen signer, EDO Certificate or EDO Remote Signer (its certificate receives the token, its key decrypts it). */
	signer(itemIndex: number): Promise<CertificateSigner>;
}

export interface TaxcomAction {
	description: INodeProperties[];
	/** Handles one input item and returns its output item (the node adds `pairedItem`). */
	execute(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, context: TaxcomContext): Promise<INodeExecutionData>;
}

/** Shows every field only for these operations (and keeps the field's own conditions). */
export function forOperations(operations: TaxcomOperation[], fields: INodeProperties[]): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: { ...field.displayOptions, show: { ...field.displayOptions?.show, operation: operations } },
	}));
}

export function showFor(operation: TaxcomOperation, extra: IDisplayOptions['show'] = {}): IDisplayOptions {
	return { show: { operation: [operation], ...extra } };
}
