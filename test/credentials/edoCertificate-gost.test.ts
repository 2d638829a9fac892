/**
 * The EDO Certificate credential with GOST R 34.10-2012 keys (made by OpenSSL's GOST engine): PEM pairs, keys
 * encrypted with the GOST PBE, PFX files with the Russian profile; the test names the certificate and refuses
 * what does not belong together, without echoing secrets.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import { testCredential } from '../harness';
import { createGostIdentity, exportGostPfx, gostOpenssl, type GostTestIdentity } from '../helpers/gost-openssl';
import { RUSSIAN_SUBJECT } from '../helpers/pki';

const node = new EdoCrypto();
const run = async (data: ICredentialDataDecryptedObject) => await testCredential(node, 'edoCertificateTest', 'edoCertificate', data);

const gost256 = createGostIdentity('gost2012_256', 'A', { subject: RUSSIAN_SUBJECT });
const gost512 = createGostIdentity('gost2012_512', 'C', { subject: RUSSIAN_SUBJECT });

const pem = (identity: GostTestIdentity): ICredentialDataDecryptedObject => ({ format: 'pem', publicCertificate: identity.certPem, privateKey: identity.keyPem });

function pfx(identity: GostTestIdentity, password: string, args: string[]): ICredentialDataDecryptedObject {
	return { format: 'pfx', pfxCertificate: exportGostPfx(identity, password, args).toString('base64'), pfxPassword: password };
}

function thumbprintOf(identity: GostTestIdentity): string {
	return gostOpenssl(['x509', '-in', identity.certPath, '-noout', '-fingerprint', '-sha1']).toString().replace(/^.*=/, '').replace(/[:\s]/g, '');
}

describe('EDO Certificate credential test with GOST keys', () => {
	it.each([
		['a GOST-256 PEM pair', () => pem(gost256), gost256],
		[
			'a GOST-512 key encrypted with the GOST PBE',
			() => ({
				...pem(gost512),
				privateKey: gostOpenssl(['pkcs8', '-topk8', '-v2', 'gost89', '-in', gost512.keyPath, '-passout', 'pass:ключ-1']).toString(),
				privateKeyPassphrase: 'ключ-1',
			}),
			gost512,
		],
		['a PFX with the Russian profile', () => pfx(gost512, 'pfx-2', ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_512']), gost512],
		['a PFX with Kuznyechik', () => pfx(gost256, 'pfx-3', ['-keypbe', 'kuznyechik-ctr-acpkm', '-certpbe', 'kuznyechik-ctr-acpkm', '-macalg', 'md_gost12_256']), gost256],
		['an ordinary PFX holding a GOST key', () => pfx(gost256, 'pfx-4', []), gost256],
	] as const)('accepts %s and names the certificate', async (_label, data, identity) => {
		const result = await run(data());
		expect(result.status).toBe('OK');
		expect(result.message).toContain(thumbprintOf(identity));
		expect(result.message).toContain('Иванов Иван Иванович');
	});

	it('refuses the GOST key of another certificate and a wrong PFX password, without echoing secrets', async () => {
		const mismatch = await run({ ...pem(gost256), privateKey: gost512.keyPem });
		expect(mismatch.status).toBe('Error');
		expect(mismatch.message).toMatch(/match/);
		expect(mismatch.message).not.toContain('PRIVATE KEY-----');
		const wrong = await run({ ...pfx(gost512, 'right-password', ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_256']), pfxPassword: 'Guess-Me-99' });
		expect(wrong.status).toBe('Error');
		expect(wrong.message).toMatch(/password/i);
		expect(wrong.message).not.toContain('Guess-Me-99');
		expect(wrong.message).not.toContain('right-password');
	});
});
