/**
 * CMS SignedData with GOST R 34.10-2012 keys on every parameter set, both key sizes, cross-checked with OpenSSL's
 * GOST engine: it verifies our signatures (detached and attached) and we verify its (detached and attached, with
 * and without -cades). A mismatch fails the test.
 */
import { Certificate } from '../../lib/crypto/certificate';
import { CmsSignedDataBuilder, gostSignatureProvider } from '../../lib/crypto/cms/sign';
import { verifyCms } from '../../lib/crypto/cms/verify';
import { readDer, type Asn1Node } from '../../lib/crypto/encoding';
import { allParamSets, type GostParamSet } from '../../lib/crypto/gost/curves';
import { GostPrivateKey } from '../../lib/crypto/gost/gostKey';
import { hashContent } from '../../lib/crypto/hash';
import { createLocalSigner } from '../../lib/crypto/localSigner';
import { createGostIdentity, gostOpenssl, gostOpensslStatus, type GostTestIdentity } from '../helpers/gost-openssl';
import { createIdentity, RUSSIAN_SUBJECT, tempPath, writeTemp } from '../helpers/pki';

const CONTENT = Buffer.from('Счёт-фактура № 42 от 22.11.2026\n', 'utf8');

function identityFor(set: GostParamSet): GostTestIdentity {
	return createGostIdentity(set.size === 512 ? 'gost2012_512' : 'gost2012_256', set.opensslParamset ?? set.oid);
}

/** `openssl cms -verify` with the engine; the certificate is its own trust anchor. */
function opensslVerifies(signature: Buffer, content: Buffer | undefined, certPath: string): { ok: boolean; output: string } {
	const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', writeTemp('gost-sig.der', signature), '-CAfile', certPath, '-purpose', 'any'];
	if (content) args.push('-content', writeTemp('gost-content.bin', content));
	args.push('-out', tempPath('gost-verified.out'));
	return gostOpensslStatus(args);
}

function opensslSigns(identity: GostTestIdentity, content: Buffer, options: { attached?: boolean; cades?: boolean } = {}): Buffer {
	const digest = identity.algorithm === 'gost2012_512' ? 'md_gost12_512' : 'md_gost12_256';
	const args = ['cms', '-sign', '-binary', '-md', digest, '-in', writeTemp('gost-in.bin', content), '-signer', identity.certPath, '-inkey', identity.keyPath, '-outform', 'DER'];
	if (options.attached) args.push('-nodetach');
	if (options.cades) args.push('-cades');
	return gostOpenssl(args);
}

/** The SignerInfo fields of a DER SignedData (version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signature). */
function signerInfoOf(der: Buffer): Asn1Node[] {
	const signedData = readDer(der).child(1).child(0);
	const signerInfos = signedData.children[signedData.children.length - 1];
	return signerInfos.child(0).children;
}

describe('GOST CMS signatures on every parameter set, cross-checked with OpenSSL', () => {
	const sets = allParamSets();

	it.each(sets.map((set) => [`${set.size} ${set.name}`, set] as const))('%s', async (_label, set) => {
		const identity = identityFor(set);
		const signer = createLocalSigner({ certificatePem: identity.certPem, privateKeyPem: identity.keyPem });
		const expectedHash = set.size === 512 ? 'STREEBOG-512' : 'STREEBOG-256';
		expect(signer.hashAlgorithmFor('SHA-256')).toBe(expectedHash);

		// OpenSSL verifies ours, detached and attached.
		const detached = await signer.sign(CONTENT);
		const verified = opensslVerifies(detached, CONTENT, identity.certPath);
		expect(verified).toEqual({ ok: true, output: '' });
		const attached = await signer.sign(CONTENT, { detached: false });
		expect(opensslVerifies(attached, undefined, identity.certPath).ok).toBe(true);
		// ... and not over other content.
		expect(opensslVerifies(detached, Buffer.concat([CONTENT, Buffer.of(0)]), identity.certPath).ok).toBe(false);

		// We verify OpenSSL's: detached, attached, with and without CAdES (signingCertificateV2).
		for (const options of [{}, { attached: true }, { cades: true }, { attached: true, cades: true }]) {
			const theirs = opensslSigns(identity, CONTENT, options);
			const result = verifyCms(theirs, options.attached ? undefined : CONTENT);
			expect({ options, valid: result.valid, error: result.signers[0]?.error }).toEqual({ options, valid: true, error: undefined });
			expect(result.signers[0].digestAlgorithm).toBe(expectedHash);
			if (options.cades) expect(result.signers[0].signingCertificateV2Matches).toBe(true);
			if (options.attached) expect(result.content?.equals(CONTENT)).toBe(true);
			if (!options.attached) expect(verifyCms(theirs, Buffer.from('другое содержимое')).valid).toBe(false);
		}
		// And our own, which is also what a service would do with them.
		expect(verifyCms(detached, CONTENT).valid).toBe(true);
		expect(verifyCms(attached).valid).toBe(true);
	});
});

describe('GOST SignedData structure', () => {
	const identity = createGostIdentity('gost2012_512', 'A', { subject: RUSSIAN_SUBJECT });
	const signer = createLocalSigner({ certificatePem: identity.certPem, privateKeyPem: identity.keyPem });

	it('names Streebog, id-tc26-signwithdigest, sorts the signed attributes and hashes the certificate with Streebog', async () => {
		const der = await signer.sign(CONTENT, { signingTime: new Date('2026-11-22T10:00:00Z') });
		const [, , digestAlgorithm, signedAttributes, signatureAlgorithm, signature] = signerInfoOf(der);
		expect(digestAlgorithm.child(0).oid).toBe('1.2.643.7.1.1.2.3');
		expect(signatureAlgorithm.child(0).oid).toBe('1.2.643.7.1.1.3.3');
		expect(signatureAlgorithm.children).toHaveLength(1);
		expect(signature.bytes).toHaveLength(128);
		const encodedAttributes = signedAttributes.children.map((attribute) => attribute.raw);
		expect(encodedAttributes).toEqual([...encodedAttributes].sort(Buffer.compare));
		const essV2 = signedAttributes.children.find((attribute) => attribute.child(0).oid === '1.2.840.113549.1.9.16.2.47');
		const essCertId = essV2?.child(1).child(0).child(0).child(0);
		expect(essCertId?.child(0).child(0).oid).toBe('1.2.643.7.1.1.2.3');
		expect(essCertId?.child(1).bytes.equals(hashContent('STREEBOG-512', identity.certDer))).toBe(true);
		// OpenSSL's own reading of the same structure.
		const printed = gostOpenssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('gost-print.der', der)]).toString();
		expect(printed).toContain('1.2.643.7.1.1.3.3');
		expect(printed).toContain('id-smime-aa-signingCertificateV2');
	});

	it('signs a Streebog digest computed elsewhere, and refuses a SHA digest for a GOST key', async () => {
		const digest = hashContent('STREEBOG-512', CONTENT);
		const signature = await signer.signDigest(digest, { hashAlgorithm: 'STREEBOG-512' });
		expect(opensslVerifies(signature, CONTENT, identity.certPath).ok).toBe(true);
		await expect(signer.signDigest(digest, { hashAlgorithm: 'SHA-512' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(signer.signDigest(hashContent('STREEBOG-256', CONTENT), { hashAlgorithm: 'STREEBOG-512' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
	});

	it('the GOST provider refuses other digests, and the RSA/EC providers refuse Streebog', async () => {
		const key = GostPrivateKey.fromPkcs8(identity.pkcs8Der);
		const builder = new CmsSignedDataBuilder({ certificateDer: identity.certDer, provider: gostSignatureProvider(key), hashAlgorithm: 'STREEBOG-512' });
		await expect(builder.sign(CONTENT, { hashAlgorithm: 'STREEBOG-256' })).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' });
		expect(() => new CmsSignedDataBuilder({ certificateDer: identity.certDer, provider: gostSignatureProvider(key) })).toThrow(
			expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }),
		);
		const rsaIdentity = createIdentity('rsa2048');
		const rsa = createLocalSigner({ certificatePem: rsaIdentity.certPem, privateKeyPem: rsaIdentity.keyPem });
		await expect(rsa.sign(CONTENT, { hashAlgorithm: 'STREEBOG-256' })).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' });
	});

	it('reports a signature made by another key than the certificate\'s, and one over other data', async () => {
		const other = createGostIdentity('gost2012_512', 'B');
		expect(Certificate.fromDer(other.certDer).keyAlgorithm.description).toBe('GOST R 34.10-2012 512 (TC26-512-B)');
		const impostor = new CmsSignedDataBuilder({
			certificateDer: identity.certDer,
			provider: gostSignatureProvider(GostPrivateKey.fromPkcs8(other.pkcs8Der)),
			hashAlgorithm: 'STREEBOG-512',
		});
		const forged = verifyCms(await impostor.sign(CONTENT), CONTENT);
		expect(forged.valid).toBe(false);
		expect(forged.signers[0]).toMatchObject({ signatureValid: false, digestMatches: true, error: 'the signature value does not match' });
		const tampered = verifyCms(await signer.sign(CONTENT), Buffer.from('x'));
		expect(tampered.valid).toBe(false);
		expect(tampered.signers[0].error).toMatch(/digest/);
	});
});
