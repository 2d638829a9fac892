import { createPrivateKey } from 'node:crypto';

import { loadCertificate } from '../../lib/crypto/certificate';
import { assertKeyMatchesCertificate } from '../../lib/crypto/privateKey';
import { createDemoIdentity } from '../../sandbox/identities';
import { openssl, writeTemp } from '../helpers/pki';

describe('demo identities', () => {
	it.each(['RSA', 'EC'] as const)('%s: a self-signed certificate with INN, OGRN and SNILS that openssl reads and whose key matches', async (keyType) => {
		const identity = await createDemoIdentity({ keyType });
		const certificate = loadCertificate(identity.certificatePem);
		const info = certificate.info();
		expect(info).toMatchObject({ innLe: '7701234567', ogrn: '1027700132195', snils: '11223344595', validity: 'valid' });
		expect(info.keyAlgorithm).toBe(keyType === 'RSA' ? 'RSA-2048' : 'ECDSA P-256');
		expect(identity.thumbprint).toMatch(/^[0-9A-F]{40}$/);
		assertKeyMatchesCertificate(createPrivateKey(identity.privateKeyPem), certificate);
		const path = writeTemp('demo.pem', identity.certificatePem);
		expect(openssl(['verify', '-CAfile', path, path]).toString()).toContain('OK');
	});
});
