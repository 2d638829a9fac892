import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { EdoCryptoError } from '../../../lib/crypto/errors';
import type { HttpResponse } from '../../../lib/http';
import { apiRequestFields, apiResponseItem, httpErrorWithHint, isUnauthorized, readApiRequest, settle, type PreparedApiRequest } from '../../shared/apiRequest';
import type { TranscryptClient } from '../transport/client';
import { transcryptTokens } from '../transport/tokens';
import { finishLogin } from './loginBySignature.operation';
import { forOperation, showFor, type TranscryptContext } from './types';

export const description: INodeProperties[] = [
	...forOperation('apiRequest', [
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: '={{ $json.Token }}',
			description:
				'Token of a login, e.g. mapped from the Login output. Leave empty to use the token of the last login with this credential in this n8n process (or to log in with its login and password).',
		},
	]),
	...apiRequestFields(showFor('apiRequest'), {
		pathPlaceholder: 'api/v2/organizations',
		pathDescription: 'The Transcrypt method, relative to the base URL of the credential',
		textContentType: 'application/json; charset=utf-8',
	}),
];

type TokenSource = 'parameter' | 'cache' | 'password';

const UNAUTHORIZED_HINTS: Record<TokenSource, string> = {
	parameter: 'The token is expired or invalid: run a Transcrypt login again and map its Token.',
	cache: 'The token of the last login has expired: run a Transcrypt login again, or add login and password to the credential so the node can log in by itself.',
	password: 'Transcrypt refused a fresh token: check the Token Header and Token Scheme of the credential.',
};

async function passwordLogin(client: TranscryptClient, context: TranscryptContext, itemIndex: number): Promise<string> {
	const result = await finishLogin(await client.loginByPassword(), false, context, itemIndex);
	return result.Token as string;
}

export async function execute(
	this: IExecuteFunctions,
	_item: INodeExecutionData,
	itemIndex: number,
	context: TranscryptContext,
): Promise<INodeExecutionData> {
	const request: PreparedApiRequest = await readApiRequest(this, itemIndex);
	const client = await context.client(itemIndex);
	const key = await context.credentialKey(itemIndex);
	const canLogIn = Boolean(client.settings.login && client.settings.password);

	const explicit = String(this.getNodeParameter('token', itemIndex, '') ?? '').trim();
	let source: TokenSource;
	let token: string | undefined;
	if (explicit) {
		source = 'parameter';
		token = explicit;
	} else if ((token = transcryptTokens.get(key))) {
		source = 'cache';
	} else if (canLogIn) {
		source = 'password';
		token = await passwordLogin(client, context, itemIndex);
	} else {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'No Transcrypt token to call the API with',
			'Run Login by Detached Signature (or Login by Password) before this node and map its Token, or fill in login and password in the credential.',
		);
	}

	const attempt = await settle(client.call(token, request));
	let response: HttpResponse;
	if (attempt.ok) {
		response = attempt.value;
	} else {
		if (!isUnauthorized(attempt.error)) throw attempt.error;
		if (source === 'cache') transcryptTokens.invalidate(key, token);
		if (source !== 'cache' || !canLogIn) throw httpErrorWithHint(attempt.error, UNAUTHORIZED_HINTS[source]);
		const retry = await settle(client.call(await passwordLogin(client, context, itemIndex), request));
		if (!retry.ok) throw isUnauthorized(retry.error) ? httpErrorWithHint(retry.error, UNAUTHORIZED_HINTS.password) : retry.error;
		response = retry.value;
	}
	return await apiResponseItem(this, itemIndex, response);
}
