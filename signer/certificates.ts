/**
 * Self-signed certificates for the software keystore (generated keys, re-issued validity for "expire") and for
 * the endpoint's own TLS, made in-process with @peculiar/x509 so no openssl CLI is needed.
 */
import 'reflect-metadata';
import { createPublicKey, generateKeyPair, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const generateKeyPairAsync = promisify(generateKeyPair);

export interface CertificateRequest {
	/** Name attributes in order, e.g. [['2.5.4.3', 'Ivanov'], ['2.5.4.6', 'RU']]. */
	subject: Array<[string, string]>;
	notBefore: Date;
	notAfter: Date;
	/** subjectAltName DNS names and IP addresses (TLS certificates). */
	altNames?: string[];
	tls?: boolean;
}

export async function generateKey(kind: 'RSA' | 'EC'): Promise<KeyObject> {
	if (kind === 'RSA') return (await generateKeyPairAsync('rsa', { modulusLength: 2048 })).privateKey;
	return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
}

function signingAlgorithm(key: KeyObject): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
	if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
	const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''];
	if (!curve) throw new Error('self-signed certificates need an RSA key or an EC key on P-256, P-384 or P-521');
	return { name: 'ECDSA', namedCurve: curve };
}

/** A self-signed certificate (DER) for this private key. */
export async function selfSignedCertificate(privateKey: KeyObject, request: CertificateRequest): Promise<Buffer> {
	const algorithm = signingAlgorithm(privateKey);
	const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
	const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
	const keys = {
		privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']),
		publicKey: await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']),
	};
	pkcs8.fill(0);
	const usages = request.tls
		? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign
		: x509.KeyUsageFlags.digitalSignature |
			x509.KeyUsageFlags.nonRepudiation |
			(algorithm.name === 'ECDSA' ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.dataEncipherment);
	const extensions: x509.Extension[] = [new x509.KeyUsagesExtension(usages, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)];
	if (request.tls) {
		extensions.push(new x509.BasicConstraintsExtension(true, undefined, true));
		extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
		const altNames = (request.altNames ?? ['localhost', '127.0.0.1', '::1']).map((name) =>
			/^[\d.]+$/.test(name) || name.includes(':') ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name },
		);
		extensions.push(new x509.SubjectAlternativeNameExtension(altNames));
	}
	const certificate = await x509.X509CertificateGenerator.createSelfSigned({
		serialNumber: `1${randomBytes(11).toString('hex')}`,
		name: new x509.Name(request.subject.map(([oid, value]) => ({ [oid]: [value] }))),
		notBefore: request.notBefore,
		notAfter: request.notAfter,
		signingAlgorithm: algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm,
		keys,
		extensions,
	});
	return Buffer.from(certificate.rawData);
}

/** A P-256 key and a self-signed TLS certificate for localhost (PEM), for the endpoint's HTTPS. */
export async function generateTlsIdentity(altNames?: string[]): Promise<{ certPem: string; keyPem: string }> {
	const key = await generateKey('EC');
	const now = Date.now();
	const der = await selfSignedCertificate(key, {
		subject: [['2.5.4.3', 'n8n-nodes-edo signer (localhost)']],
		notBefore: new Date(now - 3_600_000),
		notAfter: new Date(now + 365 * 86_400_000),
		altNames,
		tls: true,
	});
	const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n');
	return {
		certPem: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
		keyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
	};
}
