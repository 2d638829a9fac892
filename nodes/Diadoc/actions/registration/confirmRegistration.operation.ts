import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { textOrItemField } from '../../helpers/dss';
import type { DiadocEnvironment, OperationResult } from '../../helpers/environment';
import { certificateFields, signatureSourceFields } from '../../helpers/fields';
import { certificateReference, confirmRegistration, dataToSignBytes, ownershipProof } from '../../helpers/registration';

const properties: INodeProperties[] = [
	...certificateFields,
	{
		displayName: 'Data To Sign',
		name: 'dataToSign',
		type: 'string',
		default: '',
		placeholder: 'Empty: the DataToSign of the input item',
		description:
			'DataToSign exactly as Register returned it (base64); it is sent back unchanged and its decoded bytes are signed. Empty: the DataToSign field of the input item (as Register outputs it).',
	},
	...signatureSourceFields,
];

export const description = updateDisplayOptions({ show: { resource: ['registration'], operation: ['confirmRegistration'] } }, properties);

/**
 * POST /RegisterConfirm with a detached DER CMS signature over the decoded DataToSign. Diadoc's 409 means
 * the registration does not need a confirmation (any more): reported as `confirmed: false`, not an error.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const reference = await certificateReference(this, itemIndex, env);
	const dataToSign = textOrItemField(this, 'dataToSign', itemIndex, 'DataToSign');
	const bytes = dataToSignBytes(this, dataToSign, itemIndex);
	const proof = await ownershipProof(this, itemIndex, env, bytes, reference);
	const client = await env.client(itemIndex);
	const result = await confirmRegistration(client, reference, dataToSign, proof.signature);
	const json: IDataObject = { confirmed: result.confirmed, ...reference, signedBy: proof.madeBy, Signature: proof.signature.toString('base64') };
	if (result.notRequired) {
		json.confirmationRequired = false;
		json.note = 'Diadoc answered 409: this registration does not require a confirmation now. Call Register to see its status.';
		if (result.notRequired.serviceErrorCode) json.serviceErrorCode = result.notRequired.serviceErrorCode;
		if (result.notRequired.traceId) json.traceId = result.notRequired.traceId;
	}
	return { json };
}
