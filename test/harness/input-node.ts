import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

/** A binary property as a test writes it: raw bytes (or text) plus the file metadata n8n keeps. */
export interface TestBinary {
	data: Buffer | string;
	fileName?: string;
	mimeType?: string;
}

export interface TestItem {
	json?: IDataObject;
	binary?: Record<string, TestBinary>;
}

export const TEST_INPUT_NODE_TYPE = 'n8n-nodes-edo-test.testInput';

/**
 * The workflow's start node: it emits the test's items, storing their binary data through n8n-core's
 * `prepareBinaryData`, so the node under test receives binary data exactly as an upstream node would hand it on.
 */
export function createInputNodeType(items: TestItem[]): INodeType {
	return {
		description: {
			displayName: 'Test Input',
			name: 'testInput',
			group: ['input'],
			version: 1,
			description: 'Emits the items of a test',
			defaults: { name: 'Test Input' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const output: INodeExecutionData[] = [];
			for (const item of items) {
				const binary: Record<string, IBinaryData> = {};
				for (const [property, value] of Object.entries(item.binary ?? {})) {
					const bytes = typeof value.data === 'string' ? Buffer.from(value.data, 'utf8') : value.data;
					binary[property] = await this.helpers.prepareBinaryData(bytes, value.fileName, value.mimeType);
				}
				output.push({ json: item.json ?? {}, ...(item.binary ? { binary } : {}) });
			}
			return [output];
		},
	};
}
