/**
 * Demo and sandbox identities: a key pair and a self-signed certificate with the subject of a Russian qualified
 * certificate (INN, OGRN, SNILS), made in-process with @peculiar/x509 so no openssl CLI is needed.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

import { loadCertificate } from '../lib/crypto/certificate';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface DemoIdentity {
	certificatePem: string;
	privateKeyPem: string;
	certificateDer: Buffer;
	thumbprint: string;
}

export interface DemoIdentityOptions {
	keyType?: 'RSA' | 'EC';
	commonName?: string;
	organization?: string;
	inn?: string;
	ogrn?: string;
	snils?: string;
	validDays?: number;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export async function createDemoIdentity(options: DemoIdentityOptions = {}): Promise<DemoIdentity> {
	const algorithm = options.keyType === 'EC' ? EC : RSA;
	const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
	const name = [
		{ '2.5.4.3': [options.commonName ?? 'Иванов Иван Иванович'] },
		{ '2.5.4.10': [options.organization ?? 'ООО «Ромашка»'] },
		{ '2.5.4.6': ['RU'] },
		{ '1.2.643.100.4': [options.inn ?? '7701234567'] },
		{ '1.2.643.100.1': [options.ogrn ?? '1027700132195'] },
		{ '1.2.643.100.3': [options.snils ?? '11223344595'] },
	];
	const now = Date.now();
	const certificate = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1'),
		name: new x509.Name(name),
		notBefore: new Date(now - 86_400_000),
		notAfter: new Date(now + (options.validDays ?? 365) * 86_400_000),
		signingAlgorithm: algorithm,
		keys,
		extensions: [
			new x509.KeyUsagesExtension(
				x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.keyEncipherment |
					x509.KeyUsageFlags.dataEncipherment | x509.KeyUsageFlags.keyAgreement,
				true,
			),
			await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
		],
	});
	const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
	const certificateDer = Buffer.from(certificate.rawData);
	return {
		certificatePem: certificate.toString('pem'),
		privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`,
		certificateDer,
		thumbprint: loadCertificate(certificateDer).thumbprint,
	};
}
