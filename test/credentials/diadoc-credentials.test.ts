/**
 * The two Diadoc credential types as n8n reads them: secrets in password fields, the OAuth2 parent and its
 * hidden fields, and the identity-server URLs and scope that n8n computes from the user's choices (the hidden
 * expressions are evaluated here with n8n-workflow's own Expression and `$self`, as n8n's CredentialsHelper does).
 */
import '../harness/environment';
import type { ICredentialDataDecryptedObject, INode, INodeProperties } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { DiadocApi } from '../../credentials/DiadocApi.credentials';
import { DiadocOAuth2Api } from '../../credentials/DiadocOAuth2Api.credentials';
import { Diadoc } from '../../nodes/Diadoc/Diadoc.node';

const field = (properties: INodeProperties[], name: string) => properties.find((property) => property.name === name);

/** The credential's values after n8n applied the defaults and resolved the expressions against `$self`. */
function resolve(properties: INodeProperties[], saved: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
	const withDefaults = NodeHelpers.getNodeParameters(properties, saved as never, true, false, null, null) as ICredentialDataDecryptedObject;
	const mockNode: INode = { id: 'credential', name: 'credential', type: 'mock', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({
		nodes: [mockNode],
		connections: {},
		active: false,
		nodeTypes: { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) } as never,
	});
	return workflow.expression.getComplexParameterValue(mockNode, withDefaults as never, 'internal', {}, undefined, undefined, withDefaults) as ICredentialDataDecryptedObject;
}

describe('Diadoc OAuth2 API credential', () => {
	const credential = new DiadocOAuth2Api();

	it('extends n8n OAuth2 with the authorization code grant and keeps secrets in password fields', () => {
		expect(credential.name).toBe('diadocOAuth2Api');
		expect(credential.extends).toEqual(['oAuth2Api']);
		expect(field(credential.properties, 'grantType')).toMatchObject({ type: 'hidden', default: 'authorizationCode' });
		for (const name of ['authUrl', 'accessTokenUrl', 'scope', 'authQueryParameters', 'authentication']) {
			expect(field(credential.properties, name)?.type).toBe('hidden');
		}
		for (const name of ['clientKey', 'clientKeyPassphrase']) expect(field(credential.properties, name)?.typeOptions?.password).toBe(true);
		expect(field(credential.properties, 'baseUrl')?.default).toBe('https://diadoc-api.kontur.ru');
	});

	it.each([
		[{}, 'https://identity.kontur.ru', 'Diadoc.PublicAPI'],
		[{ identityServer: 'test', apiScope: 'Diadoc.PublicAPI.Staging' }, 'https://identity.testkontur.ru', 'Diadoc.PublicAPI.Staging'],
		[{ identityServer: 'custom', customIdentityUrl: 'https://id.example.com/base//' }, 'https://id.example.com/base', 'Diadoc.PublicAPI'],
	])('computes the identity URLs and scope for %j', (saved, identity, apiScope) => {
		const values = resolve(credential.properties, saved);
		expect(values.authUrl).toBe(`${identity}/connect/authorize`);
		expect(values.accessTokenUrl).toBe(`${identity}/connect/token`);
		expect(values.scope).toBe(`openid profile email offline_access ${apiScope}`);
	});
});

describe('Diadoc API credential (legacy)', () => {
	const credential = new DiadocApi();

	it('keeps the client id, password, token and key in password fields and shows fields per method', () => {
		expect(credential.name).toBe('diadocApi');
		for (const name of ['apiClientId', 'password', 'token', 'clientKey', 'clientKeyPassphrase']) {
			expect(field(credential.properties, name)?.typeOptions?.password).toBe(true);
		}
		expect(field(credential.properties, 'login')?.displayOptions?.show?.authMethod).toEqual(['password']);
		expect(field(credential.properties, 'token')?.displayOptions?.show?.authMethod).toEqual(['token']);
		expect(field(credential.properties, 'saveBinding')?.displayOptions?.show?.authMethod).toEqual(['certificate']);
		expect(field(credential.properties, 'caCertificate')?.displayOptions?.show?.customTls).toEqual([true]);
	});

	it('is tested by the Diadoc node, as is the OAuth2 credential', () => {
		const node = new Diadoc();
		const entries = node.description.credentials ?? [];
		expect(entries.find((entry) => entry.name === 'diadocApi')?.testedBy).toBe('diadocApiTest');
		expect(entries.find((entry) => entry.name === 'diadocOAuth2Api')?.testedBy).toBe('diadocOAuth2ApiTest');
		expect(Object.keys(node.methods.credentialTest)).toEqual(['diadocOAuth2ApiTest', 'diadocApiTest', 'edoCertificateTest', 'edoRemoteSignerTest']);
	});
});
