import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';

import { EdoCryptoError } from '../../lib/crypto/errors';
import type { HashAlgorithm } from '../../lib/crypto/signer';
import {
	TAG_CONTEXT_CONSTRUCTED,
	TAG_GENERALIZED_TIME,
	TAG_OCTET_STRING,
	TAG_UTC_TIME,
	compareDer,
	header,
	headerLength,
	writeHeader,
} from '../../lib/crypto/cms/der';
import { readDer, type Asn1Node } from '../../lib/crypto/encoding';
import { OID_ATTR_SIGNING_CERTIFICATE_V2, OID_ATTR_SIGNING_TIME, OID_SHA256_WITH_RSA } from '../../lib/crypto/cms/oids';
import { CmsSignedDataBuilder, SignatureProvider, localKeySignatureProvider } from '../../lib/crypto/cms/sign';
import { verifyCms } from '../../lib/crypto/cms/verify';
import { KeyKind, TestIdentity, createIdentity, openssl, opensslVerify, tempPath, writeTemp } from '../helpers/pki';

const CONTENT = Buffer.from('Счёт-фактура №1 от 01.01.2026\n<xml a="1"/>\n', 'utf8');

function builderFor(identity: TestIdentity, hashAlgorithm?: HashAlgorithm, chainDer?: Buffer[]): CmsSignedDataBuilder {
	return new CmsSignedDataBuilder({
		certificateDer: identity.certDer,
		chainDer,
		hashAlgorithm,
		provider: localKeySignatureProvider(crypto.createPrivateKey(identity.keyPem)),
	});
}

/** `openssl cms -verify -cades` (also checks the ESS signing certificate); returns what OpenSSL printed. */
function opensslCadesVerify(signature: Buffer, content: Buffer | undefined, identity: TestIdentity): string {
	const args = ['cms', '-verify', '-cades', '-binary', '-inform', 'DER', '-in', writeTemp('sig.der', signature)];
	args.push('-CAfile', identity.certPath, '-purpose', 'any', '-out', tempPath('out.bin'));
	if (content) args.push('-content', writeTemp('content.bin', content));
	const run = spawnSync('openssl', args, { env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
	return `${run.status === 0 ? 'exit 0: ' : 'failed: '}${run.stdout.toString()}${run.stderr.toString()}`;
}

function opensslSign(identity: TestIdentity, content: Buffer, extra: string[] = []): Buffer {
	const out = tempPath('openssl.p7s');
	openssl([
		'cms', '-sign', '-binary', '-outform', 'DER', '-in', writeTemp('in.bin', content),
		'-signer', identity.certPath, '-inkey', identity.keyPath, '-out', out, ...extra,
	]);
	return openssl(['cms', '-cmsout', '-inform', 'DER', '-in', out, '-outform', 'DER']);
}

/** An element and its position in the buffer it was read from (the library reads through asn1js). */
interface DerElement {
	tag: number;
	contentStart: number;
	contentEnd: number;
	node: Asn1Node;
}

function elementOf(buffer: Buffer, node: Asn1Node): DerElement {
	const contentStart = node.content.byteOffset - buffer.byteOffset;
	return { tag: node.raw[0], contentStart, contentEnd: contentStart + node.content.length, node };
}

const readSingle = (buffer: Buffer): DerElement => elementOf(buffer, readDer(buffer));
const childrenOf = (buffer: Buffer, parent: DerElement): DerElement[] => parent.node.children.map((child) => elementOf(buffer, child));
const bytesOf = (_buffer: Buffer, element: DerElement): Buffer => element.node.raw;
const readOid = (_buffer: Buffer, element: DerElement, _what: string): string => element.node.oid;

/** The [0] IMPLICIT signed attributes field of the first SignerInfo. */
function signedAttributesOf(cms: Buffer): { field: DerElement; attributes: DerElement[] } {
	const [, explicit] = childrenOf(cms, readSingle(cms));
	const [signedData] = childrenOf(cms, explicit);
	const fields = childrenOf(cms, signedData);
	const signerInfos = fields[fields.length - 1];
	const [signerInfo] = childrenOf(cms, signerInfos);
	const field = childrenOf(cms, signerInfo).find((f) => f.tag === (TAG_CONTEXT_CONSTRUCTED | 0));
	if (!field) throw new Error('no signed attributes');
	return { field, attributes: childrenOf(cms, field) };
}

function attributeValue(cms: Buffer, type: string): DerElement {
	for (const attribute of signedAttributesOf(cms).attributes) {
		const [oid, values] = childrenOf(cms, attribute);
		if (readOid(cms, oid, 'type') === type) return childrenOf(cms, values)[0];
	}
	throw new Error(`attribute ${type} not found`);
}

function flipByte(buffer: Buffer, offset: number): Buffer {
	const copy = Buffer.from(buffer);
	copy[offset] ^= 0x01;
	return copy;
}

describe.each<KeyKind>(['rsa2048', 'p256', 'p384'])('CMS signing with %s', (kind) => {
	let identity: TestIdentity;
	let builder: CmsSignedDataBuilder;
	beforeAll(() => {
		identity = createIdentity(kind);
		builder = builderFor(identity);
	});

	it('produces a detached CAdES-BES signature that OpenSSL and we accept', async () => {
		const signature = await builder.sign(CONTENT);
		expect(opensslVerify(signature, CONTENT, identity.certPath).ok).toBe(true);
		expect(opensslCadesVerify(signature, CONTENT, identity)).toContain('exit 0: CAdES Verification successful');

		const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('sig.der', signature)]).toString();
		for (const name of ['contentType', 'messageDigest', 'signingTime', 'id-smime-aa-signingCertificateV2']) {
			expect(printed).toContain(`object: ${name}`);
		}
		expect(printed).toMatch(/eContent: <ABSENT>/);

		const result = verifyCms(signature, CONTENT);
		expect(result).toMatchObject({ valid: true, detached: true, trustChainChecked: false });
		expect(result.signers).toHaveLength(1);
		expect(result.signers[0]).toMatchObject({
			signatureValid: true,
			digestMatches: true,
			signingCertificateV2Matches: true,
			digestAlgorithm: 'SHA-256',
			signatureAlgorithm: kind === 'rsa2048' ? 'rsaEncryption' : 'ecdsa-with-SHA256',
			serialNumber: new crypto.X509Certificate(identity.certDer).serialNumber.toUpperCase(),
		});
		expect(result.signers[0].certificateDer?.equals(identity.certDer)).toBe(true);
		expect(result.signers[0].subject).toContain(`CN=EDO test ${kind}`);
	});

	it('produces an attached signature that OpenSSL opens to the original content', async () => {
		const signature = await builder.sign(CONTENT, { detached: false });
		expect(opensslVerify(signature, undefined, identity.certPath).ok).toBe(true);
		const result = verifyCms(signature);
		expect(result.valid).toBe(true);
		expect(result.detached).toBe(false);
		expect(result.content?.equals(CONTENT)).toBe(true);
	});

	it('verifies signatures made by OpenSSL (detached and attached, with and without -cades)', () => {
		const detached = opensslSign(identity, CONTENT, ['-cades']);
		const attached = opensslSign(identity, CONTENT, ['-nodetach']);
		const detachedResult = verifyCms(detached, CONTENT);
		expect(detachedResult.valid).toBe(true);
		expect(detachedResult.signers[0].signingCertificateV2Matches).toBe(true);
		const attachedResult = verifyCms(attached);
		expect(attachedResult.valid).toBe(true);
		expect(attachedResult.signers[0].signingCertificateV2Matches).toBeUndefined();
		expect(attachedResult.content?.equals(CONTENT)).toBe(true);
		expect(verifyCms(attached).signers[0].signingTime).toMatch(/^\d{4}-\d\d-\d\dT/);
	});

	it('reports tampered content and tampered signatures as invalid', async () => {
		const signature = await builder.sign(CONTENT);
		const changed = verifyCms(signature, Buffer.concat([CONTENT, Buffer.from(' ')]));
		expect(changed.valid).toBe(false);
		expect(changed.signers[0]).toMatchObject({ digestMatches: false, signatureValid: true });
		expect(changed.signers[0].error).toMatch(/digest/);

		const badValue = flipByte(signature, signature.length - 5);
		const broken = verifyCms(badValue, CONTENT);
		expect(broken.valid).toBe(false);
		expect(broken.signers[0].signatureValid).toBe(false);
		expect(opensslVerify(badValue, CONTENT, identity.certPath).ok).toBe(false);
	});
});

describe('CMS signed attributes', () => {
	it('are in DER SET OF order, in the signed bytes and the embedded [0] field alike', async () => {
		const identity = createIdentity('p256');
		let signedBytes: Buffer | undefined;
		const key = crypto.createPrivateKey(identity.keyPem);
		const local = localKeySignatureProvider(key);
		const recording: SignatureProvider = {
			signatureAlgorithmDer: (hash) => local.signatureAlgorithmDer(hash),
			sign: (data, hash) => {
				signedBytes = Buffer.from(data);
				return local.sign(data, hash);
			},
		};
		const builder = new CmsSignedDataBuilder({ certificateDer: identity.certDer, provider: recording });
		const signature = await builder.sign(CONTENT);
		const { field, attributes } = signedAttributesOf(signature);
		const encodings = attributes.map((a) => bytesOf(signature, a));
		expect(encodings).toHaveLength(4);
		for (let i = 1; i < encodings.length; i++) expect(compareDer(encodings[i - 1], encodings[i])).toBeLessThan(0);
		const embedded = Buffer.from(bytesOf(signature, field));
		expect(embedded[0]).toBe(0xa0);
		expect(signedBytes?.[0]).toBe(0x31);
		expect(signedBytes?.subarray(1).equals(embedded.subarray(1))).toBe(true);
	});

	it('omit the DEFAULT sha256 hashAlgorithm in ESSCertIDv2 and name it for SHA-384', async () => {
		const identity = createIdentity('p384');
		const sha256 = await builderFor(identity).sign(CONTENT);
		const sha384 = await builderFor(identity, 'SHA-384').sign(CONTENT);
		const essCertId = (cms: Buffer) => {
			const value = attributeValue(cms, OID_ATTR_SIGNING_CERTIFICATE_V2);
			const [certs] = childrenOf(cms, value);
			return childrenOf(cms, childrenOf(cms, certs)[0]);
		};
		expect(essCertId(sha256)[0].tag).toBe(TAG_OCTET_STRING);
		expect(essCertId(sha384)[0].tag).toBe(0x30);
		expect(essCertId(sha384)[1].contentEnd - essCertId(sha384)[1].contentStart).toBe(48);
	});
});

describe('DER length encoding', () => {
	it.each([0, 1, 127, 128, 255, 256, 65535, 65536, 16777215, 16777216])('writes a %d-byte length the same both ways', (length) => {
		const written = Buffer.alloc(headerLength(length));
		expect(writeHeader(written, 0, 0x04, length)).toBe(written.length);
		expect(written.equals(header(0x04, length))).toBe(true);
	});
});

describe('CMS signing options', () => {
	it('embeds large content (multi-byte lengths) that OpenSSL verifies', async () => {
		const identity = createIdentity('p256');
		const large = crypto.randomBytes(70_000);
		const signature = await builderFor(identity).sign(large, { detached: false });
		expect(opensslVerify(signature, undefined, identity.certPath).ok).toBe(true);
		expect(verifyCms(signature).content?.equals(large)).toBe(true);
	});


	it.each<[KeyKind, HashAlgorithm, string]>([
		['p384', 'SHA-384', 'ecdsa-with-SHA384'],
		['rsa2048', 'SHA-512', 'rsaEncryption'],
		['p256', 'SHA-512', 'ecdsa-with-SHA512'],
	])('%s with %s verifies with OpenSSL, detached and attached', async (kind, hash, algorithm) => {
		const identity = createIdentity(kind);
		const builder = builderFor(identity, hash);
		const detached = await builder.sign(CONTENT);
		const attached = await builder.sign(CONTENT, { detached: false });
		expect(opensslCadesVerify(detached, CONTENT, identity)).toContain('exit 0: CAdES Verification successful');
		expect(opensslVerify(attached, undefined, identity.certPath).ok).toBe(true);
		expect(verifyCms(detached, CONTENT).signers[0]).toMatchObject({ digestAlgorithm: hash, signatureAlgorithm: algorithm, signatureValid: true });
		expect(verifyCms(attached).valid).toBe(true);
	});

	it('takes the hash algorithm per signature as well', async () => {
		const identity = createIdentity('rsa2048');
		const signature = await builderFor(identity).sign(CONTENT, { hashAlgorithm: 'SHA-384' });
		expect(verifyCms(signature, CONTENT).signers[0].digestAlgorithm).toBe('SHA-384');
		expect(opensslVerify(signature, CONTENT, identity.certPath).ok).toBe(true);
	});

	it('signs a precomputed digest (detached) that OpenSSL verifies against the content', async () => {
		const identity = createIdentity('rsa2048');
		const builder = builderFor(identity);
		const digest = crypto.createHash('sha256').update(CONTENT).digest();
		const signature = await builder.signDigest(digest);
		expect(opensslCadesVerify(signature, CONTENT, identity)).toContain('exit 0: CAdES Verification successful');
		expect(verifyCms(signature, CONTENT).valid).toBe(true);
		await expect(builder.signDigest(digest.subarray(0, 20))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		const sha512 = crypto.createHash('sha512').update(CONTENT).digest();
		expect(opensslVerify(await builder.signDigest(sha512, { hashAlgorithm: 'SHA-512' }), CONTENT, identity.certPath).ok).toBe(true);
	});

	it('writes signingTime as UTCTime until 2049 and GeneralizedTime from 2050', async () => {
		const identity = createIdentity('p256');
		const builder = builderFor(identity);
		const late = await builder.sign(CONTENT, { signingTime: new Date('2050-01-01T00:00:00.700Z') });
		const early = await builder.sign(CONTENT, { signingTime: new Date('2049-12-31T23:59:59Z') });
		expect(attributeValue(late, OID_ATTR_SIGNING_TIME).tag).toBe(TAG_GENERALIZED_TIME);
		expect(attributeValue(early, OID_ATTR_SIGNING_TIME).tag).toBe(TAG_UTC_TIME);
		expect(opensslVerify(late, CONTENT, identity.certPath).ok).toBe(true);
		expect(verifyCms(late, CONTENT).signers[0].signingTime).toBe('2050-01-01T00:00:00.000Z');
		expect(verifyCms(early, CONTENT).signers[0].signingTime).toBe('2049-12-31T23:59:59.000Z');
		const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('late.der', late)]).toString();
		expect(printed).toContain('GENERALIZEDTIME:Jan  1 00:00:00 2050 GMT');
	});

	it('signs empty content, detached and attached', async () => {
		const identity = createIdentity('p256');
		const builder = builderFor(identity);
		const empty = Buffer.alloc(0);
		const detached = await builder.sign(empty);
		const attached = await builder.sign(empty, { detached: false });
		expect(verifyCms(detached, empty).valid).toBe(true);
		expect(verifyCms(attached).valid).toBe(true);
		expect(verifyCms(attached).content?.length).toBe(0);
		expect(opensslVerify(detached, empty, identity.certPath).ok).toBe(true);
		expect(opensslVerify(attached, undefined, identity.certPath).ok).toBe(true);
	});

	it('embeds a chain in DER order and OpenSSL still finds the signer', async () => {
		const identity = createIdentity('p256');
		const other = createIdentity('rsa2048');
		const signature = await builderFor(identity, undefined, [other.certDer, identity.certDer]).sign(CONTENT);
		const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('chain.der', signature)]).toString();
		expect(printed.match(/cert_info:/g)).toHaveLength(2);
		expect(opensslVerify(signature, CONTENT, identity.certPath).ok).toBe(true);
		expect(verifyCms(signature, CONTENT).valid).toBe(true);
	});

	it('accepts a pluggable asynchronous provider with sha256WithRSAEncryption', async () => {
		const identity = createIdentity('rsa2048');
		const key = crypto.createPrivateKey(identity.keyPem);
		// A hash-only signer (like CSC signHash): it receives the attributes' digest, never the attributes.
		const provider: SignatureProvider = {
			signatureAlgorithmDer: () => Buffer.from('300d06092a864886f70d01010b0500', 'hex'),
			sign: async (signedAttributes) => {
				const hash = crypto.createHash('sha256').update(signedAttributes).digest();
				const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), hash]);
				return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, digestInfo);
			},
		};
		expect(OID_SHA256_WITH_RSA).toBe('1.2.840.113549.1.1.11');
		const signature = await new CmsSignedDataBuilder({ certificateDer: identity.certDer, provider }).sign(CONTENT);
		expect(opensslVerify(signature, CONTENT, identity.certPath).ok).toBe(true);
		expect(verifyCms(signature, CONTENT).signers[0]).toMatchObject({ signatureAlgorithm: 'sha256WithRSAEncryption', signatureValid: true });
	});

	it('signSync matches the async output format', () => {
		const identity = createIdentity('p256');
		const signature = builderFor(identity).signSync(CONTENT, { detached: false });
		expect(verifyCms(signature).valid).toBe(true);
	});

	it('rejects unsupported and non-private keys', () => {
		const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
		expect(() => localKeySignatureProvider(privateKey)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
		expect(() => localKeySignatureProvider(publicKey)).toThrow(expect.objectContaining({ code: 'NOT_A_PRIVATE_KEY' }));
		const key = crypto.createPrivateKey(createIdentity('p256').keyPem);
		expect(
			() => new CmsSignedDataBuilder({ certificateDer: Buffer.from('not a certificate'), provider: localKeySignatureProvider(key) }),
		).toThrow(expect.objectContaining({ code: 'NOT_A_CERTIFICATE' }));
	});
});

describe('CMS verification of other inputs', () => {
	let identity: TestIdentity;
	beforeAll(() => {
		identity = createIdentity('rsa2048');
	});

	function expectCode(action: () => unknown, code: string, message?: RegExp): void {
		let caught: unknown;
		try {
			action();
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(EdoCryptoError);
		expect((caught as EdoCryptoError).code).toBe(code);
		if (message) expect((caught as EdoCryptoError).message).toMatch(message);
	}

	it('rejects garbage, truncated and non-SignedData input with INVALID_CMS', async () => {
		const signature = await builderFor(identity).sign(CONTENT);
		expectCode(() => verifyCms(Buffer.alloc(0), CONTENT), 'INVALID_CMS', /empty/);
		expectCode(() => verifyCms(crypto.randomBytes(200), CONTENT), 'INVALID_CMS');
		expectCode(() => verifyCms(signature.subarray(0, signature.length - 10), CONTENT), 'INVALID_CMS', /truncated/);
		expectCode(() => verifyCms(Buffer.from('<?xml version="1.0"?><a/>'), CONTENT), 'INVALID_CMS', /XML/);
		expectCode(() => verifyCms(identity.certDer, CONTENT), 'INVALID_CMS', /certificate/);

		const enveloped = tempPath('env.der');
		openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-in', writeTemp('plain.bin', CONTENT), '-out', enveloped, '-aes-256-cbc', identity.certPath]);
		const envelopedDer = openssl(['cms', '-cmsout', '-inform', 'DER', '-in', enveloped, '-outform', 'DER']);
		expectCode(() => verifyCms(envelopedDer), 'INVALID_CMS', /EnvelopedData, not SignedData/);
	});

	it('asks for the signed data when a detached signature comes alone', async () => {
		const signature = await builderFor(identity).sign(CONTENT);
		expectCode(() => verifyCms(signature), 'INVALID_INPUT', /signed data must be supplied/);
	});

	it('accepts PEM and finds signers by subject key identifier and without signed attributes', () => {
		const keyId = opensslSign(identity, CONTENT, ['-keyid']);
		expect(verifyCms(keyId, CONTENT).valid).toBe(true);
		const noAttributes = opensslSign(identity, CONTENT, ['-noattr']);
		const result = verifyCms(noAttributes, CONTENT);
		expect(result.valid).toBe(true);
		expect(result.signers[0].signingTime).toBeUndefined();
		expect(verifyCms(noAttributes, Buffer.from('other')).valid).toBe(false);
		const pem = openssl(['cms', '-cmsout', '-inform', 'DER', '-in', writeTemp('k.der', keyId), '-outform', 'PEM']);
		expect(verifyCms(pem, CONTENT).valid).toBe(true);
	});

	it('reads BER (indefinite length, streamed) attached signatures from OpenSSL', () => {
		const out = tempPath('stream.der');
		openssl([
			'cms', '-sign', '-binary', '-nodetach', '-stream', '-outform', 'DER', '-in', writeTemp('in.bin', CONTENT),
			'-signer', identity.certPath, '-inkey', identity.keyPath, '-out', out,
		]);
		const ber = readFileSync(out);
		expect(ber[1]).toBe(0x80);
		const result = verifyCms(ber);
		expect(result.valid).toBe(true);
		expect(result.content?.equals(CONTENT)).toBe(true);
	});

	it('flags a signed attribute change as a bad signature', async () => {
		const signature = await builderFor(identity).sign(CONTENT, { signingTime: new Date('2030-05-05T05:05:05Z') });
		const time = attributeValue(signature, OID_ATTR_SIGNING_TIME);
		const altered = flipByte(signature, time.contentStart + 1);
		const result = verifyCms(altered, CONTENT);
		expect(result.valid).toBe(false);
		expect(result.signers[0]).toMatchObject({ signatureValid: false, digestMatches: true });
	});
});
