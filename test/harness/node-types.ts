import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

/** The node types one test workflow knows, by their full type name. */
export class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	register(typeName: string, nodeType: INodeType | IVersionedNodeType): this {
		this.types.set(typeName, nodeType);
		return this;
	}

	getByName(typeName: string): INodeType | IVersionedNodeType {
		const nodeType = this.types.get(typeName);
		if (!nodeType) throw new Error(`Test harness: unknown node type "${typeName}"`);
		return nodeType;
	}

	getByNameAndVersion(typeName: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(typeName), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}
