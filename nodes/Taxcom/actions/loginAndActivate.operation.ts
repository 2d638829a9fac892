import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { taxcomSessions } from '../transport/sessions';
import { sessionKey } from '../transport/settings';
import {
	ACTIVATE_AFTER_CERTIFICATE_LOGIN_FIELD,
	ACTIVATION_METHOD_OPTION,
	DECRYPTED_TOKEN_FORMAT_OPTION,
	LOGIN_METHOD_FIELD,
	logInAndActivate,
	managedSession,
	readLoginSettings,
	TRUSTED_CERTIFICATE_ENCODING_FIELD,
	type LoginMethod,
	type LoginSettings,
} from './session';
import { forOperations, type TaxcomContext } from './types';

/** Login fields shared with API Request (managed session). */
export const LOGIN_FIELDS: INodeProperties[] = [
	LOGIN_METHOD_FIELD,
	{ ...TRUSTED_CERTIFICATE_ENCODING_FIELD, displayOptions: { show: { loginMethod: ['cloud'] } } },
	ACTIVATE_AFTER_CERTIFICATE_LOGIN_FIELD,
];

export const LOGIN_OPTIONS: INodeProperties[] = [DECRYPTED_TOKEN_FORMAT_OPTION, ACTIVATION_METHOD_OPTION];

export const description: INodeProperties[] = forOperations(
	['loginAndActivate'],
	[
		...LOGIN_FIELDS,
		{
			displayName: 'Options',
			name: 'sessionOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				...LOGIN_OPTIONS,
				{
					displayName: 'Reuse Live Session',
					name: 'reuseSession',
					type: 'boolean',
					default: true,
					description: 'Whether to return the session this n8n process already holds for the credential while it lives, instead of logging in again',
				},
			],
		},
	],
);

export function readSessionSettings(context: IExecuteFunctions, itemIndex: number): LoginSettings {
	const method = context.getNodeParameter('loginMethod', itemIndex, 'cloud') as LoginMethod;
	const options = context.getNodeParameter('sessionOptions', itemIndex, {}) as Partial<LoginSettings>;
	return readLoginSettings(context, itemIndex, method, options);
}

export async function execute(
	this: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	context: TaxcomContext,
): Promise<INodeExecutionData> {
	const settings = readSessionSettings(this, itemIndex);
	const reuse = (this.getNodeParameter('sessionOptions', itemIndex, {}) as { reuseSession?: boolean }).reuseSession !== false;
	const client = await context.client(itemIndex);
	const signer = await context.signer(itemIndex);
	let session;
	let reused = false;
	if (reuse) {
		({ session, reused } = await managedSession(context, itemIndex, settings));
	} else {
		const key = sessionKey(client.settings, settings.method, signer.thumbprint);
		session = taxcomSessions.put(key, await logInAndActivate(client, signer, settings), client.settings.sessionLifetimeMs);
	}
	return {
		json: {
			...item.json,
			assistantKey: session.assistantKey,
			expiresAt: new Date(taxcomSessions.expiresAt(session)).toISOString(),
			sessionLifetimeMinutes: session.lifetimeMs / 60_000,
			sessionActivated: settings.activate,
			sessionReused: reused,
			loginMethod: settings.method,
			certificateThumbprint: signer.thumbprint,
		},
	};
}
