import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { CertificateSigner } from '../../../lib/signers';
import type { TranscryptClient } from '../transport/client';

export type TranscryptOperation = 'getSecret' | 'loginBySignature' | 'loginByPassword' | 'apiRequest';

export interface TranscryptContext {
	/** The client of the Transcrypt API credential, loaded on first use and shared by all items. */
	client(itemIndex: number): Promise<TranscryptClient>;
	/** Hash of the credential, the key of the in-process token cache. */
	credentialKey(itemIndex: number): Promise<string>;
	/** The signer the item chose (EDO Certificate or EDO Remote Signer), loaded on first use. */
	signer(itemIndex: number): Promise<CertificateSigner>;
}

export interface TranscryptAction {
	description: INodeProperties[];
	/** Handles one input item and returns its output item (the node adds `pairedItem`). */
	execute(this: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, context: TranscryptContext): Promise<INodeExecutionData>;
}

/** Adds the operation to the display options of every field of an operation's description. */
export function forOperation(operation: TranscryptOperation, fields: INodeProperties[]): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: { ...field.displayOptions, show: { ...field.displayOptions?.show, operation: [operation] } },
	}));
}

export function showFor(operation: TranscryptOperation): IDisplayOptions {
	return { show: { operation: [operation] } };
}
