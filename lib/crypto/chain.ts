/**
 * Certificate path validation against trust anchors the user supplies (RFC 5280, the parts a signature check
 * needs): names chain, each certificate's signature verifies with its issuer's key (RSA, ECDSA and GOST
 * R 34.10-2012), every certificate is valid at the time asked, and issuers are CAs. Revocation (CRL, OCSP) is
 * not checked: an operator's rejection of a revoked certificate stays the operator's.
 */
import crypto from 'node:crypto';
import 'reflect-metadata';
import { AuthorityKeyIdentifierExtension, BasicConstraintsExtension } from '@peculiar/x509';

import type { Certificate } from './certificate';
import { SIGNATURES, hashBytes } from './cms/algorithms';
import { Tag, readDer } from './encoding';

/** A path longer than this is refused rather than followed (real EDO chains are 2–4 long). */
const MAX_PATH_LENGTH = 8;

export interface ChainLink {
	subject: string;
	thumbprint: string;
	notBefore: string;
	notAfter: string;
}

export interface TrustChainReport {
	/** The signer certificate chains to one of the trust anchors, every link checked. */
	trusted: boolean;
	/** From the signer certificate up to the trust anchor (or as far as the path got). */
	path: ChainLink[];
	/** The moment validity periods were checked at (ISO 8601). */
	checkedAt: string;
	/** Why the chain is not trusted. */
	error?: string;
}

function link(certificate: Certificate): ChainLink {
	return {
		subject: certificate.subject,
		thumbprint: certificate.thumbprint,
		notBefore: certificate.notBefore.toISOString(),
		notAfter: certificate.notAfter.toISOString(),
	};
}

/** Whether `issuer`'s key made the signature on `certificate` (false, never an exception, for any mismatch). */
export function isSignedBy(certificate: Certificate, issuer: Certificate): boolean {
	return isSignatureBy(certificate.der, issuer);
}

/**
 * The same for any signed X.509 structure of the shape SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }:
 * certificates and CRLs.
 */
export function isSignatureBy(signedDer: Buffer, issuer: Certificate): boolean {
	try {
		const [tbs, algorithm, signatureValue] = readDer(signedDer).expect(Tag.sequence).children;
		// Certificates, CRLs and OCSP responses name the hash with the signature (a bare key OID does not).
		const signature = SIGNATURES[algorithm.expect(Tag.sequence).child(0).oid];
		if (!signature?.hash) return false;
		const value = signatureValue.expect(Tag.bitString).bytes;
		if (signature.keyType === 'gost') {
			if (!issuer.isGost) return false;
			const key = issuer.gostPublicKey;
			if (signature.hash !== `streebog${key.digest}`) return false;
			return key.verifyDigest(hashBytes(signature.hash, tbs.raw), value);
		}
		if (issuer.isGost) return false;
		const key = issuer.publicKey;
		if (key.asymmetricKeyType !== signature.keyType) return false;
		return crypto.verify(signature.hash, tbs.raw, key, value);
	} catch {
		return false;
	}
}

function extensionsOf(certificate: Certificate): { isCa?: boolean; authorityKeyId?: Buffer } {
	const keyId = certificate.x509.getExtension(AuthorityKeyIdentifierExtension)?.keyId;
	return {
		isCa: certificate.x509.getExtension(BasicConstraintsExtension)?.ca,
		authorityKeyId: keyId ? Buffer.from(keyId, 'hex') : undefined,
	};
}

function validityError(certificate: Certificate, at: Date): string | undefined {
	if (at.getTime() > certificate.notAfter.getTime()) {
		return `the certificate "${certificate.subject}" had expired on ${certificate.notAfter.toISOString()}`;
	}
	if (at.getTime() < certificate.notBefore.getTime()) {
		return `the certificate "${certificate.subject}" was not yet valid (from ${certificate.notBefore.toISOString()})`;
	}
	return undefined;
}

/** Issuer candidates of `certificate`: the name matches and, when both carry key identifiers, so do they. */
function issuerCandidates(certificate: Certificate, pool: Certificate[]): Certificate[] {
	const { authorityKeyId } = extensionsOf(certificate);
	return pool.filter(
		(candidate) =>
			candidate.subjectNameDer.equals(certificate.issuerNameDer) &&
			!(authorityKeyId && candidate.subjectKeyIdentifier && !candidate.subjectKeyIdentifier.equals(authorityKeyId)),
	);
}

/**
 * Builds and checks a path from `leaf` to one of `anchors`, through `intermediates` (usually the certificates a
 * CMS carries). Anchors are trusted as given: their own signature and CA flag are not asked for, only their
 * validity at `at`. A leaf that is itself an anchor is trusted (a pinned certificate).
 */
export function checkTrustChain(leaf: Certificate, intermediates: Certificate[], anchors: Certificate[], at: Date): TrustChainReport {
	const report = (trusted: boolean, path: Certificate[], error?: string): TrustChainReport => ({
		trusted,
		path: path.map(link),
		checkedAt: at.toISOString(),
		...(error ? { error } : {}),
	});
	if (anchors.length === 0) return report(false, [leaf], 'no trusted certificates were given');
	const isAnchor = (certificate: Certificate) => anchors.some((anchor) => anchor.der.equals(certificate.der));

	// Depth-first over issuer candidates: cross-certified CAs can offer more than one way up.
	let deepestError = `no trusted certificate issued "${leaf.issuer}"`;
	let deepestPath: Certificate[] = [leaf];
	const walk = (path: Certificate[]): Certificate[] | undefined => {
		const current = path[path.length - 1];
		const invalidity = validityError(current, at);
		if (invalidity) {
			if (path.length >= deepestPath.length) [deepestError, deepestPath] = [invalidity, path];
			return undefined;
		}
		if (isAnchor(current)) return path;
		if (path.length > MAX_PATH_LENGTH) return undefined;
		const candidates = issuerCandidates(current, [...anchors, ...intermediates]).filter((candidate) => !path.some((seen) => seen.der.equals(candidate.der)));
		if (candidates.length === 0 && path.length >= deepestPath.length) {
			[deepestError, deepestPath] = [`no trusted certificate issued "${current.issuer}"`, path];
		}
		for (const issuer of candidates) {
			if (!isSignedBy(current, issuer)) {
				if (path.length >= deepestPath.length) {
					[deepestError, deepestPath] = [`the signature on "${current.subject}" does not verify with the key of "${issuer.subject}"`, path];
				}
				continue;
			}
			if (!isAnchor(issuer) && extensionsOf(issuer).isCa !== true) {
				if (path.length >= deepestPath.length) {
					[deepestError, deepestPath] = [`"${issuer.subject}" issued "${current.subject}" but is not a certification authority`, path];
				}
				continue;
			}
			const found = walk([...path, issuer]);
			if (found) return found;
		}
		return undefined;
	};
	const found = walk([leaf]);
	return found ? report(true, found) : report(false, deepestPath, deepestError);
}
