import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { EdoCryptoError } from '../../../lib/crypto/errors';
import { ACTIVATION_METHOD_OPTION } from './session';
import { forOperations, type TaxcomContext } from './types';

export const ASSISTANT_KEY_FIELD: INodeProperties = {
	displayName: 'Assistant-Key',
	name: 'assistantKey',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	required: true,
	placeholder: '={{ $json.decrypted }}',
	description: 'The decrypted token, e.g. mapped from the EDO Crypto Decrypt output or a login output (assistantKey)',
};

export const description: INodeProperties[] = forOperations(
	['activateSession'],
	[
		ASSISTANT_KEY_FIELD,
		{
			displayName: 'Options',
			name: 'activateOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [ACTIVATION_METHOD_OPTION],
		},
	],
);

/** The Assistant-Key field, checked: the token travels in a header, so it must be printable ASCII. */
export function readAssistantKey(context: IExecuteFunctions, itemIndex: number): string {
	const value = context.getNodeParameter('assistantKey', itemIndex, '');
	const key = (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)).trim();
	if (!key) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'The Assistant-Key is empty',
			'Map the decrypted token: the output of EDO Crypto Decrypt (as text), or assistantKey of a Taxcom login.',
		);
	}
	if (!/^[\x21-\x7e]+$/.test(key)) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'The Assistant-Key contains characters that cannot be sent in an HTTP header',
			'Map the decrypted token as text; if it is still encrypted (base64 of a CMS envelope), decrypt it with EDO Crypto first.',
		);
	}
	return key;
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: TaxcomContext,
): Promise<INodeExecutionData> {
	const assistantKey = readAssistantKey(this, itemIndex);
	const options = this.getNodeParameter('activateOptions', itemIndex, {}) as { activationMethod?: string };
	const client = await context.client(itemIndex);
	await client.activateSession(assistantKey, options.activationMethod ?? 'POST');
	const lifetimeMs = client.settings.sessionLifetimeMs;
	return {
		json: {
			...item.json,
			assistantKey,
			sessionActivated: true,
			expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
			sessionLifetimeMinutes: lifetimeMs / 60_000,
		},
	};
}
