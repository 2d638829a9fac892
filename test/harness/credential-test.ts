import { releaseBackgroundTimers } from './environment';
import type { ICredentialDataDecryptedObject, INodeCredentialTestResult, INodeType } from 'n8n-workflow';
import { CredentialTestContext } from 'n8n-core';

/**
 * Calls a node's `methods.credentialTest[name]` as n8n's credential test does: with n8n-core's
 * CredentialTestContext as `this` and the credential as the editor sends it.
 */
export async function testCredential(
	nodeType: INodeType,
	testName: string,
	credentialType: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const test = nodeType.methods?.credentialTest?.[testName];
	if (!test) throw new Error(`Test harness: node "${nodeType.description.name}" has no credential test "${testName}"`);
	releaseBackgroundTimers();
	return await test.call(new CredentialTestContext(), {
		id: 'test-credential',
		name: 'Test credential',
		type: credentialType,
		data,
	});
}
