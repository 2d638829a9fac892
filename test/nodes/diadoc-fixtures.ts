/**
 * Shared setup of the Diadoc node tests: a sandbox with every emulator, the Diadoc emulator's handle, and
 * credential values for both credential kinds (an OAuth2 token obtained from the sandbox identity server with
 * the authorization-code flow, exactly as n8n's OAuth2 callback would store it).
 */
import { request } from 'undici';
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { DiadocApi } from '../../credentials/DiadocApi.credentials';
import { DiadocOAuth2Api } from '../../credentials/DiadocOAuth2Api.credentials';
import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';
import { clearTokenCache } from '../../nodes/Diadoc/transport/tokenCache';
import { SandboxServer, mountAllEmulators } from '../../sandbox';
import {
	SANDBOX_BOX_ID,
	SANDBOX_CLIENT_ID,
	SANDBOX_CLIENT_SECRET,
	SANDBOX_LOGIN,
	SANDBOX_PASSWORD,
	type DiadocEmulator,
} from '../../sandbox/emulators/diadoc';
import { runNode, type RunNodeOptions, type RunNodeResult } from '../harness';
import { writeTemp } from '../helpers/pki';

export { SANDBOX_BOX_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_LOGIN, SANDBOX_PASSWORD };

export const node = new Diadoc();
export const credentialTypes = [new DiadocOAuth2Api(), new DiadocApi(), new EdoCertificate()];

export interface DiadocSandbox {
	server: SandboxServer;
	emulator: DiadocEmulator;
	apiUrl: string;
	identityUrl: string;
	/** The sandbox DSS certificate as a PEM file, the trust anchor for `openssl cms -verify`. */
	dssCertificatePath: string;
	stop(): Promise<void>;
	/** Server, emulator and client token cache back to their initial state. */
	reset(): void;
}

export async function startDiadocSandbox(): Promise<DiadocSandbox> {
	const server = new SandboxServer();
	const emulator = mountAllEmulators(server).get('/diadoc') as DiadocEmulator;
	const url = await server.start();
	return {
		server,
		emulator,
		apiUrl: `${url}/diadoc`,
		identityUrl: `${url}/diadoc/identity`,
		dssCertificatePath: writeTemp('dss.pem', emulator.dssCertificate.pem),
		stop: async () => await server.stop(),
		reset() {
			server.reset();
			clearTokenCache();
		},
	};
}

export function passwordCredential(sandbox: DiadocSandbox, extra: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		baseUrl: sandbox.apiUrl,
		apiClientId: SANDBOX_CLIENT_ID,
		authMethod: 'password',
		login: SANDBOX_LOGIN,
		password: SANDBOX_PASSWORD,
		...extra,
	};
}

/** Runs the authorization-code flow against the sandbox identity server; returns the token answer. */
export async function obtainOAuthTokens(sandbox: DiadocSandbox, scope = 'openid profile email offline_access Diadoc.PublicAPI'): Promise<Record<string, unknown>> {
	const redirectUri = 'http://localhost:5678/rest/oauth2-credential/callback';
	const authorize = new URL(`${sandbox.identityUrl}/connect/authorize`);
	authorize.search = new URLSearchParams({ client_id: SANDBOX_CLIENT_ID, redirect_uri: redirectUri, response_type: 'code', scope, state: 'xyz' }).toString();
	const redirect = await request(authorize, { method: 'GET' });
	await redirect.body.dump();
	const location = new URL(String(redirect.headers.location));
	const code = location.searchParams.get('code');
	if (!code) throw new Error(`authorize did not return a code: ${location}`);
	const token = await request(`${sandbox.identityUrl}/connect/token`, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			authorization: `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64')}`,
		},
		body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
	});
	const data = (await token.body.json()) as Record<string, unknown>;
	if (token.statusCode !== 200) throw new Error(`token exchange failed: ${JSON.stringify(data)}`);
	return data;
}

export function oauthCredential(sandbox: DiadocSandbox, oauthTokenData: Record<string, unknown>): ICredentialDataDecryptedObject {
	return {
		grantType: 'authorizationCode',
		identityServer: 'custom',
		customIdentityUrl: sandbox.identityUrl,
		// n8n resolves the hidden URL expressions when it decrypts a credential; the harness does not.
		authUrl: `${sandbox.identityUrl}/connect/authorize`,
		accessTokenUrl: `${sandbox.identityUrl}/connect/token`,
		scope: 'openid profile email offline_access Diadoc.PublicAPI',
		authentication: 'header',
		clientId: SANDBOX_CLIENT_ID,
		clientSecret: SANDBOX_CLIENT_SECRET,
		baseUrl: sandbox.apiUrl,
		oauthTokenData: oauthTokenData as ICredentialDataDecryptedObject,
	};
}

/** Runs the Diadoc node with the given credentials (by type name) and parameters. */
export async function runDiadoc(parameters: INodeParameters, options: Omit<RunNodeOptions, 'parameters'> = {}): Promise<RunNodeResult> {
	return await runNode(node, { credentialTypes, ...options, parameters });
}

/** Parameters for the legacy credential. */
export function legacy(parameters: INodeParameters): INodeParameters {
	return { authentication: 'diadocAuth', ...parameters };
}
