/**
 * Demo and sandbox identities: a key pair and a self-signed certificate with the subject of a Russian qualified
 * certificate (INN, OGRN, SNILS), made in-process so no openssl CLI is needed: RSA and EC with @peculiar/x509,
 * GOST R 34.10-2012 with our own key generation and certificate writer (@peculiar/x509 cannot sign GOST).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

import { loadCertificate } from '../lib/crypto/certificate';
import { toPem } from '../lib/crypto/encoding';
import { getParamSet } from '../lib/crypto/gost/curves';
import { GostPrivateKey } from '../lib/crypto/gost/gostKey';
import * as GOST_OID from '../lib/crypto/gost/oids';
import { createGostSelfSignedCertificate } from '../lib/crypto/gost/selfSigned';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface DemoIdentity {
	certificatePem: string;
	privateKeyPem: string;
	certificateDer: Buffer;
	thumbprint: string;
}

export interface DemoIdentityOptions {
	/** RSA-2048 (default), ECDSA P-256, GOST R 34.10-2012 256 (CryptoPro-A) or 512 (TC26-512-A). */
	keyType?: 'RSA' | 'EC' | 'GOST' | 'GOST-512';
	commonName?: string;
	organization?: string;
	inn?: string;
	ogrn?: string;
	snils?: string;
	validDays?: number;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

function subjectOf(options: DemoIdentityOptions): Array<[string, string]> {
	return [
		['2.5.4.3', options.commonName ?? 'Иванов Иван Иванович'],
		['2.5.4.10', options.organization ?? 'ООО «Ромашка»'],
		['2.5.4.6', 'RU'],
		['1.2.643.100.4', options.inn ?? '7701234567'],
		['1.2.643.100.1', options.ogrn ?? '1027700132195'],
		['1.2.643.100.3', options.snils ?? '11223344595'],
	];
}

function createGostIdentity(options: DemoIdentityOptions): DemoIdentity {
	const paramSet = getParamSet(
		options.keyType === 'GOST-512' ? GOST_OID.TC26_GOST_3410_12_512_PARAMSET_A : GOST_OID.GOST_R3410_2001_CRYPTOPRO_A_PARAMSET,
	);
	const key = GostPrivateKey.generate(paramSet);
	const now = Date.now();
	const certificateDer = createGostSelfSignedCertificate(key, {
		subject: subjectOf(options),
		notBefore: new Date(now - 86_400_000),
		notAfter: new Date(now + (options.validDays ?? 365) * 86_400_000),
	});
	return {
		certificatePem: toPem(certificateDer, 'CERTIFICATE'),
		privateKeyPem: toPem(key.toPkcs8(), 'PRIVATE KEY'),
		certificateDer,
		thumbprint: loadCertificate(certificateDer).thumbprint,
	};
}

export async function createDemoIdentity(options: DemoIdentityOptions = {}): Promise<DemoIdentity> {
	if (options.keyType === 'GOST' || options.keyType === 'GOST-512') return createGostIdentity(options);
	const algorithm = options.keyType === 'EC' ? EC : RSA;
	const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
	const name = subjectOf(options).map(([type, value]) => ({ [type]: [value] }));
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
