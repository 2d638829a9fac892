import type { INodePropertyOptions, INodeType } from 'n8n-workflow';

import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { Taxcom } from '../../nodes/Taxcom/Taxcom.node';
import { Transcrypt } from '../../nodes/Transcrypt/Transcrypt.node';

/** The subtitle under a node on the canvas, for one operation: the expression evaluated as the editor would. */
function subtitleFor(node: INodeType, operation: string): unknown {
	const expression = node.description.subtitle ?? '';
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(expression)?.[1];
	if (!body) throw new Error(`${node.description.name}: the subtitle is not an expression: ${expression}`);
	const $parameter = { operation };
	return new Function('$parameter', `return (${body});`)($parameter);
}

function operationsOf(node: INodeType): INodePropertyOptions[] {
	return node.description.properties
		.filter((property) => property.name === 'operation')
		.flatMap((property) => (property.options ?? []) as INodePropertyOptions[]);
}

describe.each([
	['EDO Crypto', new EdoCrypto()],
	['Diadoc', new Diadoc()],
	['Taxcom', new Taxcom()],
	['Transcrypt', new Transcrypt()],
])('%s subtitle', (_name, node) => {
	const operations = operationsOf(node);

	it('has operations to name', () => {
		expect(operations.length).toBeGreaterThan(0);
	});

	it.each(operations.map((option) => [option.name, option.value]))('names "%s" as the operation list does', (name, value) => {
		const subtitle = subtitleFor(node, String(value));
		expect(typeof subtitle).toBe('string');
		expect(subtitle).toContain(name);
	});
});
