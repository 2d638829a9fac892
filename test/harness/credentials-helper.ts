import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IHttpRequestOptions,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers } from 'n8n-workflow';

/**
 * Hands the node the credentials a test gives, as n8n's CredentialsHelper would after decryption: the values
 * the user saved, completed with the credential type's defaults for fields they left alone.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly types = new Map<string, ICredentialType>();

	constructor(
		private readonly values: Record<string, ICredentialDataDecryptedObject>,
		credentialTypes: ICredentialType[] = [],
	) {
		super();
		for (const type of credentialTypes) this.types.set(type.name, type);
	}

	getParentTypes(name: string): string[] {
		return this.types.get(name)?.extends ?? [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.types.get(typeName)?.authenticate;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		throw new Error(`Test harness: raw credentials "${type}" (${nodeCredentials.name}) are not available`);
	}

	async getDecrypted(
		_additionalData: unknown,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const saved = this.values[type];
		if (!saved) throw new Error(`Test harness: no credentials of type "${type}" were given to the test`);
		const credentialType = this.types.get(type);
		if (!credentialType) return { ...saved };
		const completed = NodeHelpers.getNodeParameters(
			credentialType.properties,
			saved as never,
			false,
			false,
			null,
			null,
		);
		return { ...(completed as ICredentialDataDecryptedObject), ...saved };
	}

	async updateCredentials(): Promise<void> {}

	/** As n8n saves a refreshed OAuth2 token: later executions of the same test see it. */
	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.values[type] = { ...this.values[type], oauthTokenData: data.oauthTokenData };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types.get(type)?.properties ?? [];
	}
}
