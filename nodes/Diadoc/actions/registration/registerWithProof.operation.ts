import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { carryingError, optionsOf, param, pause, seconds, type DiadocEnvironment, type OperationResult } from '../../helpers/environment';
import { REGISTRATION_STATUS_INFO } from '../../helpers/enums';
import { certificateFields, pollingFields, returnUnfavourableOption, signatureSourceFields } from '../../helpers/fields';
import {
	certificateReference,
	confirmRegistration,
	dataToSignBytes,
	ownershipProof,
	register,
	registrationJson,
	unfavourableRegistrationError,
	type RegistrationAnswer,
} from '../../helpers/registration';

const properties: INodeProperties[] = [
	...certificateFields,
	...signatureSourceFields,
	{
		displayName: 'Data To Sign',
		name: 'dataToSign',
		type: 'string',
		default: '',
		description:
			'The DataToSign (base64) the given signature covers, from an earlier Register (e.g. an expression reading DataToSign of that item); empty: the one this Register returns',
		displayOptions: { show: { signatureSource: ['base64', 'binary'] } },
	},
	...pollingFields(120, 'Diadoc reports RegistrationIsInProgress'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [returnUnfavourableOption],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['registration'], operation: ['registerWithProof'] } }, properties);

/** Proofs per run: one is expected; a second CertificateOwnershipProofIsRequired after a confirmed proof is an error. */
const MAX_PROOFS = 2;

/**
 * The documented chain in one step: Register; on CertificateOwnershipProofIsRequired sign DataToSign and
 * RegisterConfirm (409 = not required, fine), then Register again; while RegistrationIsInProgress wait and
 * repeat until the timeout. The output lists every step taken.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number, env: DiadocEnvironment): Promise<OperationResult> {
	const reference = await certificateReference(this, itemIndex, env);
	const intervalMs = seconds(this, 'pollInterval', itemIndex, 5) * 1000;
	const timeoutMs = seconds(this, 'timeout', itemIndex, 120) * 1000;
	const returnUnfavourable = optionsOf(this, itemIndex).returnUnfavourable === true;
	const client = await env.client(itemIndex);
	const started = Date.now();
	const steps: IDataObject[] = [];
	let proofs = 0;
	let answer: RegistrationAnswer | undefined;
	/** In-progress answers carry no BoxId: the last one Diadoc named stays in the output. */
	let boxId: string | undefined;

	const carried = (): IDataObject => ({ ...(answer ? registrationJson(answer) : {}), ...(boxId ? { BoxId: boxId } : {}), ...reference, steps });
	try {
		for (;;) {
			answer = await register(client, reference);
			boxId = answer.BoxId ?? boxId;
			steps.push({ step: 'Register', RegistrationStatus: answer.status, ...(answer.BoxId ? { BoxId: answer.BoxId } : {}) });
			const outcome = REGISTRATION_STATUS_INFO[answer.status].outcome;
			if (outcome === 'proof') {
				if (proofs >= MAX_PROOFS) {
					throw new NodeOperationError(this.getNode(), 'Diadoc still asks for proof of key ownership after the proof was confirmed', {
						itemIndex,
						description: 'Check that the signature is made with the key of the registered certificate; contact Diadoc support if it repeats.',
					});
				}
				proofs++;
				if (!answer.DataToSign) {
					throw new NodeOperationError(this.getNode(), 'Diadoc asked for proof of key ownership but sent no DataToSign', { itemIndex });
				}
				const given = String(param(this, 'dataToSign', itemIndex, '') ?? '').trim();
				const useGiven = (param<string>(this, 'signatureSource', itemIndex, 'signer')) !== 'signer' && given !== '';
				const dataToSign = useGiven ? given : answer.DataToSign;
				const proof = await ownershipProof(this, itemIndex, env, dataToSignBytes(this, dataToSign, itemIndex), reference);
				steps.push({ step: 'Sign', signedBy: proof.madeBy });
				const confirmation = await confirmRegistration(client, reference, dataToSign, proof.signature);
				steps.push({
					step: 'RegisterConfirm',
					result: confirmation.confirmed ? 'confirmed' : 'not required (409)',
					...(confirmation.notRequired?.traceId ? { traceId: confirmation.notRequired.traceId } : {}),
				});
				continue;
			}
			if (outcome === 'progress') {
				const elapsed = Date.now() - started;
				if (elapsed + intervalMs > timeoutMs) {
					if (returnUnfavourable) return { json: { ...carried(), waitTimedOut: true } };
					throw new NodeOperationError(
						this.getNode(),
						`Diadoc registration is still in progress after ${Math.round(elapsed / 1000)} s (timeout ${timeoutMs / 1000} s)`,
						{
							itemIndex,
							description: `${REGISTRATION_STATUS_INFO.RegistrationIsInProgress.remedy} Raise the timeout, or run Register later.`,
						},
					);
				}
				steps.push({ step: 'Wait', seconds: intervalMs / 1000 });
				await pause(this, intervalMs, itemIndex);
				continue;
			}
			if (outcome === 'unfavourable' && !returnUnfavourable) throw unfavourableRegistrationError(this, answer, itemIndex);
			return { json: carried() };
		}
	} catch (error) {
		throw carryingError(this, error, carried(), boxId ? `BoxId ${boxId}; steps taken: ${steps.length}` : `steps taken: ${steps.length}`, itemIndex);
	}
}
