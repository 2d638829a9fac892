import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsOf, type DiadocEnvironment, type OperationResult } from '../../helpers/environment';
import { REGISTRATION_STATUS_INFO } from '../../helpers/enums';
import { certificateFields, returnUnfavourableOption } from '../../helpers/fields';
import { certificateReference, register, registrationJson, unfavourableRegistrationError } from '../../helpers/registration';

const properties: INodeProperties[] = [
	...certificateFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [returnUnfavourableOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['registration'], operation: ['register'] } }, properties);

/**
 * One POST /Register. Completed and AccessRequestIsPending are results; CertificateOwnershipProofIsRequired
 * (with DataToSign for Confirm Registration) and RegistrationIsInProgress are results too, as the next step
 * of a chain the workflow builds itself; the other statuses fail the item unless asked otherwise.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const reference = await certificateReference(this, itemIndex, env);
	const client = await env.client(itemIndex);
	const answer = await register(client, reference);
	if (REGISTRATION_STATUS_INFO[answer.status].outcome === 'unfavourable' && optionsOf(this, itemIndex).returnUnfavourable !== true) {
		throw unfavourableRegistrationError(this, answer, itemIndex);
	}
	return { json: { ...registrationJson(answer), ...reference } };
}
