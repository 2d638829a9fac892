import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { createIdentity, RUSSIAN_SUBJECT } from '../helpers/pki';
import { encryptedKeyPem, opensslThumbprint, pemCredential, pfxCredential, testCredential } from '../harness';

const node = new EdoCrypto();
const run = async (data: ICredentialDataDecryptedObject) =>
	await testCredential(node, 'edoCertificateTest', 'edoCertificate', data);

describe('EDO Certificate credential', () => {
	const credential = new EdoCertificate();
	const field = (name: string) => credential.properties.find((property) => property.name === name);

	it('keeps every secret in a password field and the certificate readable', () => {
		expect(credential.name).toBe('edoCertificate');
		for (const name of ['privateKey', 'privateKeyPassphrase', 'pfxCertificate', 'pfxPassword']) {
			expect(field(name)?.typeOptions?.password).toBe(true);
		}
		expect(field('publicCertificate')?.typeOptions?.password).toBeUndefined();
		expect(field('privateKey')?.typeOptions?.rows).toBeGreaterThan(1);
		expect(field('publicCertificate')?.displayOptions?.show?.format).toEqual(['pem']);
		expect(field('pfxCertificate')?.displayOptions?.show?.format).toEqual(['pfx']);
		expect(field('format')?.default).toBe('pem');
	});

	it('is tested by the node that uses it', () => {
		const entry = node.description.credentials?.find((item) => item.name === 'edoCertificate');
		expect(entry?.testedBy).toBe('edoCertificateTest');
		expect(typeof node.methods.credentialTest.edoCertificateTest).toBe('function');
	});
});

describe('EDO Certificate credential test (n8n-core CredentialTestContext)', () => {
	const identity = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });

	it('accepts a matching PEM pair and names the certificate', async () => {
		const result = await run(pemCredential(identity));
		expect(result.status).toBe('OK');
		expect(result.message).toContain(opensslThumbprint(identity));
		expect(result.message).toContain('Иванов Иван Иванович');
		expect(result.message).toMatch(/Valid until \d{4}-\d{2}-\d{2}/);
	});

	it('accepts an encrypted key with its passphrase and rejects a wrong one without echoing it', async () => {
		const passphrase = 'Correct-Horse-42';
		const data = { ...pemCredential(identity), privateKey: encryptedKeyPem(identity, passphrase) };
		expect((await run({ ...data, privateKeyPassphrase: passphrase })).status).toBe('OK');
		const wrong = await run({ ...data, privateKeyPassphrase: 'Wrong-Battery-17' });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).not.toContain('Wrong-Battery-17');
		expect(wrong.message).not.toContain(passphrase);
	});

	it('accepts PFX files, modern and legacy', async () => {
		const modern = await run(pfxCredential(identity, 'pfx-secret-1'));
		expect(modern.status).toBe('OK');
		expect(modern.message).toContain(opensslThumbprint(identity));
		const legacy = await run(pfxCredential(identity, 'pfx-secret-2', { legacy: true }));
		expect(legacy.status).toBe('OK');
	});

	it('fails on a wrong PFX password without echoing it', async () => {
		const data = pfxCredential(identity, 'right-password');
		const result = await run({ ...data, pfxPassword: 'Guess-Me-99' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/password/i);
		expect(result.message).not.toContain('Guess-Me-99');
		expect(result.message).not.toContain('right-password');
	});

	it('fails when the key belongs to another certificate', async () => {
		const other = createIdentity('p256');
		const result = await run({ ...pemCredential(identity), privateKey: other.keyPem });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/match/i);
		expect(result.message).not.toContain('PRIVATE KEY-----');
	});

	it('fails on something that is not a certificate, or on missing fields', async () => {
		const notCertificate = await run({ ...pemCredential(identity), publicCertificate: 'hello world' });
		expect(notCertificate.status).toBe('Error');
		const empty = await run({ format: 'pem' });
		expect(empty.status).toBe('Error');
		expect(empty.message).toMatch(/certificate/i);
		const noKey = await run({ format: 'pem', publicCertificate: identity.certPem });
		expect(noKey.status).toBe('Error');
		expect(noKey.message).toMatch(/private key/i);
	});

	it('still succeeds for an expired certificate, with a warning', async () => {
		const expired = createIdentity('rsa2048', { startDaysAgo: 400, days: 30 });
		const result = await run(pemCredential(expired));
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/Warning: .*expired/);
		expect(result.message).not.toMatch(/Valid until/);
	});

	it('warns when the certificate expires soon', async () => {
		const soon = createIdentity('p256', { days: 10 });
		const result = await run(pemCredential(soon));
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/Warning: the certificate expires in (9|10) days/);
	});

	it('finds the signer certificate in a chain given in any order', async () => {
		const issuerLike = createIdentity('p384');
		const data = { ...pemCredential(identity), publicCertificate: issuerLike.certPem + identity.certPem };
		const result = await run(data);
		expect(result.status).toBe('OK');
		expect(result.message).toContain(opensslThumbprint(identity));
	});
});
