import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { openBinary } from '../../helpers/binarySource';
import { param, type DiadocEnvironment, type OperationResult } from '../../helpers/environment';
import { extensionOf, uploadToShelf } from '../../helpers/shelf';

const properties: INodeProperties[] = [
	{
		displayName: 'Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The file to put on the shelf (up to 400 MB); it is read and sent in 3 MB parts',
	},
	{
		displayName: 'File Extension',
		name: 'fileExtension',
		type: 'string',
		default: '',
		placeholder: '.xml',
		description: "Extension of the shelf file; empty: taken from the binary's file name",
	},
];

export const description = updateDisplayOptions({ show: { resource: ['dss'], operation: ['shelfUpload'] } }, properties);

/** Puts a file on the user's shelf; the output's NameOnShelf goes into DSS Sign ("Other Files" → Name on Shelf). */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const property = String(param(this, 'binaryPropertyName', itemIndex, 'data'));
	const source = await openBinary(this, itemIndex, property);
	const given = String(param(this, 'fileExtension', itemIndex, '') ?? '').trim();
	const extension = given ? (given.startsWith('.') ? given : `.${given}`) : extensionOf(source.fileName);
	const client = await env.client(itemIndex);
	const result = await uploadToShelf(client, source, extension);
	return { json: { ...result, FileName: source.fileName ?? property } };
}
