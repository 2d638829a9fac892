/**
 * A bare CSC caller for the endpoint tests (deliberately not the product client: the endpoint is checked
 * against the protocol as written), and a CMS SignatureProvider that signs through signHash.
 */
import { Agent, fetch } from 'undici';

import { algorithmIdentifier, DER_NULL } from '../../lib/crypto/cms/der';
import type { SignatureProvider } from '../../lib/crypto/cms/sign';
import { hashContent } from '../../lib/crypto/hash';
import type { HashAlgorithm } from '../../lib/crypto/signer';

export interface CscAnswer {
	status: number;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	json: any;
	headers: Headers;
}

export const OIDS = {
	rsaEncryption: '1.2.840.113549.1.1.1',
	sha256WithRsa: '1.2.840.113549.1.1.11',
	ecPublicKey: '1.2.840.10045.2.1',
	sha256: '2.16.840.1.101.3.4.2.1',
	sha384: '2.16.840.1.101.3.4.2.2',
	sha512: '2.16.840.1.101.3.4.2.3',
	ecdsaWithSha256: '1.2.840.10045.4.3.2',
	ecdsaWithSha384: '1.2.840.10045.4.3.3',
	ecdsaWithSha512: '1.2.840.10045.4.3.4',
};

const HASHES: Record<HashAlgorithm, { oid: string; ecdsa: string }> = {
	'SHA-256': { oid: OIDS.sha256, ecdsa: OIDS.ecdsaWithSha256 },
	'SHA-384': { oid: OIDS.sha384, ecdsa: OIDS.ecdsaWithSha384 },
	'SHA-512': { oid: OIDS.sha512, ecdsa: OIDS.ecdsaWithSha512 },
	// GOST keys sign with signAlgo id-tc26-signwithdigest-gost3410-12-256/512 (the "ecdsa" column is not used for them).
	'STREEBOG-256': { oid: '1.2.643.7.1.1.2.2', ecdsa: '1.2.643.7.1.1.3.2' },
	'STREEBOG-512': { oid: '1.2.643.7.1.1.2.3', ecdsa: '1.2.643.7.1.1.3.3' },
};

export class CscCaller {
	private readonly dispatcher?: Agent;

	constructor(
		readonly apiUrl: string,
		options: { ca?: string } = {},
	) {
		if (options.ca) this.dispatcher = new Agent({ connect: { ca: options.ca } });
	}

	async raw(method: string, init: { body?: string; headers?: Record<string, string>; httpMethod?: string }): Promise<CscAnswer> {
		const response = await fetch(`${this.apiUrl}${method}`, {
			method: init.httpMethod ?? 'POST',
			headers: init.headers,
			body: init.body,
			dispatcher: this.dispatcher,
		});
		const text = await response.text();
		return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers as unknown as Headers };
	}

	call(method: string, body: unknown, token?: string): Promise<CscAnswer> {
		const headers: Record<string, string> = { 'content-type': 'application/json' };
		if (token) headers.authorization = `Bearer ${token}`;
		return this.raw(method, { body: JSON.stringify(body), headers });
	}

	async clientToken(clientId: string, clientSecret: string): Promise<string> {
		const answer = await this.raw('oauth2/token', {
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
		});
		if (answer.status !== 200) throw new Error(`oauth2/token answered ${answer.status}`);
		return answer.json.access_token;
	}

	async authorize(token: string, credentialID: string, pin: string, numSignatures: number, hashes?: Buffer[]): Promise<string> {
		const body: Record<string, unknown> = { credentialID, numSignatures, authData: [{ id: 'PIN', value: pin }] };
		if (hashes) body.hashes = hashes.map((hash) => hash.toString('base64'));
		const answer = await this.call('credentials/authorize', body, token);
		if (answer.status !== 200) throw new Error(`authorize answered ${answer.status} ${JSON.stringify(answer.json)}`);
		return answer.json.SAD;
	}

	async close(): Promise<void> {
		await this.dispatcher?.close();
	}
}

export function digest(hash: HashAlgorithm, data: Buffer | string): Buffer {
	return hashContent(hash, typeof data === 'string' ? Buffer.from(data) : data);
}

/** Signs CMS signed attributes with credentials/authorize + signatures/signHash (one SAD per signature). */
export function remoteSignatureProvider(caller: CscCaller, token: string, credentialID: string, family: 'RSA' | 'EC' | 'GOST', pin: string): SignatureProvider {
	return {
		signatureAlgorithmDer: (hash) => (family === 'RSA' ? algorithmIdentifier(OIDS.rsaEncryption, DER_NULL) : algorithmIdentifier(HASHES[hash].ecdsa)),
		async sign(signedAttributes, hash) {
			const value = digest(hash, signedAttributes);
			const sad = await caller.authorize(token, credentialID, pin, 1, [value]);
			const answer = await caller.call(
				'signatures/signHash',
				{
					credentialID,
					SAD: sad,
					hashes: [value.toString('base64')],
					hashAlgorithmOID: HASHES[hash].oid,
					signAlgo: family === 'RSA' ? OIDS.rsaEncryption : HASHES[hash].ecdsa,
				},
				token,
			);
			if (answer.status !== 200) throw new Error(`signHash answered ${answer.status} ${JSON.stringify(answer.json)}`);
			return Buffer.from(answer.json.signatures[0], 'base64');
		},
	};
}
