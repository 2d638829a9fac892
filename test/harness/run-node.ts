/**
 * Runs one of our nodes the way n8n does: n8n-core's WorkflowExecute executes a two-node workflow
 * (Test Input → the node under test) with real execution contexts, real `this.helpers` (binary data through
 * n8n-core's BinaryDataService), credentials through an ICredentialsHelper, and the engine's own handling of
 * errors, `continueOnFail` and paired items.
 */
import { useBinaryDataMode, type BinaryDataMode } from './environment';
import type {
	ExecutionError,
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IExecuteFunctions,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createDeferredPromise, createRunExecutionData, Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

import { TestCredentialsHelper } from './credentials-helper';
import { createInputNodeType, TEST_INPUT_NODE_TYPE, type TestItem } from './input-node';
import { TestNodeTypes } from './node-types';

export const NODE_UNDER_TEST = 'Node Under Test';
const INPUT_NODE = 'Test Input';
const PACKAGE_NAME = 'n8n-nodes-edo';

export interface RunNodeOptions {
	parameters: INodeParameters;
	/** Decrypted credential values by credential type name, e.g. `{ edoCertificate: { ... } }`. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Credential type classes, so their defaults complete the given values as n8n would. */
	credentialTypes?: ICredentialType[];
	items?: TestItem[];
	/** The node setting "On Error: Continue" (`continueOnFail()` becomes true). */
	continueOnFail?: boolean;
	/** 'default' keeps binary data inline (base64); 'filesystem' stores it by id so it can be streamed. */
	binaryDataMode?: BinaryDataMode;
	typeVersion?: number;
}

export interface RunNodeResult {
	/** The node's outputs as the engine recorded them (after its paired-item bookkeeping). */
	output: INodeExecutionData[][];
	/** Exactly what the node's `execute` returned, before the engine's bookkeeping (e.g. filling in `pairedItem`). */
	rawOutput?: INodeExecutionData[][];
	/** The error that stopped the node, as the engine recorded it. */
	error?: ExecutionError;
	run: IRun;
}

export async function runNode(nodeType: INodeType, options: RunNodeOptions): Promise<RunNodeResult> {
	await useBinaryDataMode(options.binaryDataMode ?? 'default');
	const typeName = `${PACKAGE_NAME}.${nodeType.description.name}`;
	const recorder = recordingNodeType(nodeType);
	const nodeTypes = new TestNodeTypes()
		.register(TEST_INPUT_NODE_TYPE, createInputNodeType(options.items ?? [{ json: {} }]))
		.register(typeName, recorder.nodeType);

	const credentials: INodeCredentials = {};
	for (const name of Object.keys(options.credentials ?? {})) {
		credentials[name] = { id: `test-${name}`, name: `Test ${name}` };
	}
	const typeVersion = options.typeVersion ?? latestVersion(nodeType);
	const nodes: INode[] = [
		{ id: 'input', name: INPUT_NODE, type: TEST_INPUT_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'under-test',
			name: NODE_UNDER_TEST,
			type: typeName,
			typeVersion,
			position: [200, 0],
			parameters: options.parameters,
			credentials,
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	const connections = {
		[INPUT_NODE]: { main: [[{ node: NODE_UNDER_TEST, type: 'main' as const, index: 0 }]] },
	};
	const workflow = new Workflow({ id: 'test-workflow', nodes, connections, active: false, nodeTypes });
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: 'Test',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		activeVersionId: null,
	} as IWorkflowBase;

	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	const finished = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));

	const additionalData = {
		hooks,
		credentialsHelper: new TestCredentialsHelper(options.credentials ?? {}, options.credentialTypes),
		executionId: 'test-execution',
		currentNodeParameters: undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('Test harness: sub-workflows are not supported');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('Test harness: task runners are not supported');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }],
		},
	});

	await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const run = await finished.promise;
	const taskData = run.data.resultData.runData[NODE_UNDER_TEST]?.[0];
	const inputError = run.data.resultData.runData[INPUT_NODE]?.[0]?.error;
	if (inputError) throw new Error(`Test harness: the input node failed: ${inputError.message}`);
	const output = (taskData?.data?.main ?? []).map((items) => items ?? []);
	return { output, rawOutput: recorder.output(), error: taskData?.error ?? run.data.resultData.error, run };
}

/** The node type itself, with `execute` wrapped to keep what it returned. */
function recordingNodeType(nodeType: INodeType): { nodeType: INodeType; output(): INodeExecutionData[][] | undefined } {
	let recorded: INodeExecutionData[][] | undefined;
	const execute = nodeType.execute;
	if (!execute) return { nodeType, output: () => undefined };
	const wrapped: INodeType = Object.create(nodeType);
	wrapped.execute = async function (this: IExecuteFunctions) {
		const result = await execute.call(this);
		// Copies: the engine adds pairedItem to the returned items in place.
		recorded = (result as INodeExecutionData[][]).map((items) => (items ?? []).map((item) => ({ ...item })));
		return result;
	};
	return { nodeType: wrapped, output: () => recorded };
}

function latestVersion(nodeType: INodeType): number {
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/** The bytes of an output binary property, read through n8n-core's BinaryDataService (any mode). */
export async function readBinary(binary: IBinaryData | undefined): Promise<Buffer> {
	if (!binary) throw new Error('Test harness: the item has no such binary property');
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}
