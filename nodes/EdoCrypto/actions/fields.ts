import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import type { EdoCryptoOperation } from './types';

/** Shows a field only for one operation, and optionally only for some values of other fields. */
export function showFor(operation: EdoCryptoOperation, extra: IDisplayOptions['show'] = {}): IDisplayOptions {
	return { show: { operation: [operation], ...extra } };
}

/** Adds the operation to the display options of every field of an operation's description. */
export function forOperation(operation: EdoCryptoOperation, fields: INodeProperties[]): INodeProperties[] {
	return fields.map((field) => ({
		...field,
		displayOptions: {
			...field.displayOptions,
			show: { ...field.displayOptions?.show, operation: [operation] },
		},
	}));
}

export const HASH_ALGORITHM_FIELD: INodeProperties = {
	displayName: 'Hash Algorithm',
	name: 'hashAlgorithm',
	type: 'options',
	options: [
		{ name: 'SHA-256', value: 'SHA-256' },
		{ name: 'SHA-384', value: 'SHA-384' },
		{ name: 'SHA-512', value: 'SHA-512' },
	],
	default: 'SHA-256',
	description:
		'The digest algorithm of RSA and ECDSA signatures. GOST R 34.10-2012 certificates always sign with GOST R 34.11-2012 (Streebog) of their key size.',
};

/** Output JSON: the input item's fields with the operation's result on top. */
export function mergeJson<T extends object>(inputJson: object, result: T): T {
	return { ...inputJson, ...result };
}

/** A file name for derived output: the input file's name with a new extension, or a fallback. */
export function derivedFileName(inputFileName: string | undefined, extension: string, fallback: string): string {
	return inputFileName ? `${inputFileName}${extension}` : fallback;
}
