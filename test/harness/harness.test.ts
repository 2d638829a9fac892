import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readBinary, runNode } from './index';

/** A node that exercises what the harness must provide: parameters, credentials, binary helpers, errors. */
const probeNode: INodeType = {
	description: {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'Harness self-test',
		defaults: { name: 'Probe' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'probeApi', required: true }],
		properties: [
			{ displayName: 'Suffix', name: 'suffix', type: 'string', default: '!' },
			{ displayName: 'Fail On', name: 'failOn', type: 'number', default: -1 },
		],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentials = await this.getCredentials('probeApi');
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				if (this.getNodeParameter('failOn', i) === i) {
					throw new NodeOperationError(this.getNode(), `item ${i} fails`, { itemIndex: i });
				}
				const binary = items[i].binary?.file;
				let text = String(items[i].json.text ?? '');
				let streamed = false;
				if (binary) {
					this.helpers.assertBinaryData(i, 'file');
					if (binary.id) {
						const chunks: Buffer[] = [];
						for await (const chunk of await this.helpers.getBinaryStream(binary.id)) chunks.push(chunk as Buffer);
						text = Buffer.concat(chunks).toString('utf8');
						streamed = true;
					} else {
						text = (await this.helpers.getBinaryDataBuffer(i, 'file')).toString('utf8');
					}
				}
				const result = `${text}${this.getNodeParameter('suffix', i) as string}${credentials.token as string}`;
				output.push({
					json: { result, streamed },
					binary: { out: await this.helpers.prepareBinaryData(Buffer.from(result), 'out.txt') },
					pairedItem: { item: i },
				});
			} catch (error) {
				if (this.continueOnFail()) {
					output.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [output];
	},
};

describe('node test harness (n8n-core WorkflowExecute)', () => {
	it('runs a node with parameters, defaults, credentials and binary data in both binary modes', async () => {
		for (const binaryDataMode of ['default', 'filesystem'] as const) {
			const { output, error } = await runNode(probeNode, {
				parameters: { suffix: '?' },
				credentials: { probeApi: { token: 'T' } },
				items: [{ json: { text: 'a' } }, { binary: { file: { data: 'bin', fileName: 'in.txt' } } }],
				binaryDataMode,
			});
			expect(error).toBeUndefined();
			expect(output[0].map((item) => item.json.result)).toEqual(['a?T', 'bin?T']);
			expect(output[0][1].json.streamed).toBe(binaryDataMode === 'filesystem');
			expect((await readBinary(output[0][1].binary?.out)).toString()).toBe('bin?T');
			expect(output[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		}
	});

	it('reports a thrown error, or error items with continueOnFail', async () => {
		const items = [{ json: { text: 'a' } }, { json: { text: 'b' } }];
		const failed = await runNode(probeNode, { parameters: { failOn: 1 }, credentials: { probeApi: { token: 'T' } }, items });
		expect(failed.error?.message).toBe('item 1 fails');
		expect(failed.output).toEqual([]);

		const continued = await runNode(probeNode, {
			parameters: { failOn: 1 },
			credentials: { probeApi: { token: 'T' } },
			items,
			continueOnFail: true,
		});
		expect(continued.error).toBeUndefined();
		expect(continued.output[0].map((item) => item.json)).toEqual([
			{ result: 'a!T', streamed: false },
			{ error: 'item 1 fails' },
		]);
	});

	it('fails like n8n when the credentials are missing', async () => {
		const { error } = await runNode(probeNode, { parameters: {} });
		expect(error?.message).toMatch(/credentials/i);
	});
});
