/**
 * OCSP (RFC 6960) for the certificates of a trusted path: a request for one certificate (CertID by SHA-1, with a
 * nonce), and the checks on the answer: a basic response signed by the issuer or by a responder the issuer
 * authorised (id-kp-OCSPSigning), naming this certificate, current, and echoing the nonce when it carries one
 * (responders that pre-produce answers leave it out). Signatures are checked with our own code, GOST included.
 */
import crypto from 'node:crypto';
import 'reflect-metadata';
import { AuthorityInfoAccessExtension, ExtendedKeyUsageExtension, X509CrlReason } from '@peculiar/x509';
import { GeneralizedTime } from 'asn1js';

import { Certificate } from './certificate';
import { isSignatureBy } from './chain';
import { DIGESTS, hashBytes } from './cms/algorithms';
import { DER_NULL, TAG_OCTET_STRING, algorithmIdentifier, explicit, octetString, oid, sequence, tlv } from './cms/der';
import { OID_SHA1 } from './cms/oids';
import { Asn1Node, Tag, readDer } from './encoding';

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

const RESPONSE_STATUS: Record<number, string> = {
	1: 'malformedRequest',
	2: 'internalError',
	3: 'tryLater',
	5: 'sigRequired',
	6: 'unauthorized',
};

/** A CRLReason code by its RFC 5280 name (CRL entries and OCSP answers share the codes). */
export function crlReasonName(code: number): string {
	return X509CrlReason[code] ?? String(code);
}

export interface OcspAnswer {
	status: 'good' | 'revoked' | 'unknown';
	revokedAt?: string;
	reason?: string;
	thisUpdate: string;
	nextUpdate?: string;
}

/** Sends DER OCSP request bytes to a URL and returns the DER response; throws with a message naming the failure. */
export type OcspTransport = (url: string, request: Buffer) => Promise<Uint8Array>;

/** The OCSP responder URLs of the certificate's Authority Information Access extension (http/https). */
export function ocspUrlsOf(certificate: Certificate): string[] {
	const extension = certificate.x509.getExtension(AuthorityInfoAccessExtension);
	return (extension?.ocsp ?? []).flatMap((name) => (name.type === 'url' && /^https?:\/\//i.test(name.value) ? [name.value] : []));
}

function subjectPublicKeyBits(certificate: Certificate): Buffer {
	return readDer(certificate.spkiDer).child(1).bytes;
}

/** A DER OCSPRequest for one certificate, with a 16-byte nonce. */
export function buildOcspRequest(certificate: Certificate, issuer: Certificate, nonce: Buffer): Buffer {
	const certId = sequence(
		algorithmIdentifier(OID_SHA1, DER_NULL),
		octetString(hashBytes('sha1', issuer.subjectNameDer)),
		octetString(hashBytes('sha1', subjectPublicKeyBits(issuer))),
		certificate.serialNumberDer,
	);
	const nonceExtension = sequence(oid(OID_OCSP_NONCE), octetString(tlv(TAG_OCTET_STRING, nonce)));
	return sequence(sequence(sequence(sequence(certId)), explicit(2, sequence(nonceExtension))));
}

function generalizedTime(node: Asn1Node): Date {
	const block = node.block;
	if (!(block instanceof GeneralizedTime)) throw new Error('a time in the OCSP response is not a GeneralizedTime');
	return block.toDate();
}

/** The nonce a response carries, or undefined. */
function responseNonce(extensions: Asn1Node | undefined): Buffer | undefined {
	for (const extension of extensions?.child(0).children ?? []) {
		if (extension.child(0).oid !== OID_OCSP_NONCE) continue;
		const value = extension.children[extension.children.length - 1].bytes;
		// RFC 8954: the nonce is an OCTET STRING inside extnValue; some responders put the bare bytes there.
		try {
			const inner = readDer(value);
			if (inner.is(Tag.octetString)) return inner.bytes;
		} catch {
			// not DER: the bare bytes
		}
		return value;
	}
	return undefined;
}

/** The certificate that signed the response: the issuer itself, or one it issued for OCSP signing. */
function responderOf(basic: Asn1Node, issuer: Certificate): Certificate | undefined {
	const basicDer = basic.raw;
	if (isSignatureBy(basicDer, issuer)) return issuer;
	const certs = basic.children.find((child) => child.isContext(0));
	for (const node of certs?.child(0).children ?? []) {
		let candidate: Certificate;
		try {
			candidate = Certificate.fromDer(Buffer.from(node.raw));
		} catch {
			continue;
		}
		const usages = candidate.x509.getExtension(ExtendedKeyUsageExtension)?.usages.map(String) ?? [];
		if (!candidate.issuerNameDer.equals(issuer.subjectNameDer) || !usages.includes(OID_OCSP_SIGNING)) continue;
		if (!isSignatureBy(candidate.der, issuer)) continue;
		if (isSignatureBy(basicDer, candidate)) return candidate;
	}
	return undefined;
}

/** A response that was read but cannot speak for the certificate (as opposed to one that could not be read). */
class OcspAnswerError extends Error {}

/**
 * Reads and checks an OCSP response for `certificate` (issued by `issuer`). Throws with a plain-language
 * message when the response cannot speak for the certificate.
 */
export function readOcspResponse(der: Uint8Array, certificate: Certificate, issuer: Certificate, nonce: Buffer | undefined, now: Date): OcspAnswer {
	try {
		return readCheckedResponse(der, certificate, issuer, nonce, now);
	} catch (error) {
		if (error instanceof OcspAnswerError) throw error;
		throw new OcspAnswerError(`the answer is not a valid OCSP response (${der.length} bytes: ${error instanceof Error ? error.message : 'unreadable'})`);
	}
}

function readCheckedResponse(der: Uint8Array, certificate: Certificate, issuer: Certificate, nonce: Buffer | undefined, now: Date): OcspAnswer {
	const top = readDer(Buffer.from(der)).expect(Tag.sequence);
	const status = top.child(0).content.readUIntBE(0, top.child(0).content.length || 1);
	if (status !== 0) throw new OcspAnswerError(`the responder answered ${RESPONSE_STATUS[status] ?? `status ${status}`}`);
	const responseBytes = top.child(1).child(0);
	if (responseBytes.child(0).oid !== OID_OCSP_BASIC) throw new OcspAnswerError(`the response type ${responseBytes.child(0).oid} is not a basic OCSP response`);
	const basic = readDer(responseBytes.child(1).bytes).expect(Tag.sequence);
	const responder = responderOf(basic, issuer);
	if (!responder) throw new OcspAnswerError(`the response is not signed by "${issuer.subject}" or by a responder it authorised`);
	if (responder !== issuer && (now < responder.notBefore || now > responder.notAfter)) {
		throw new OcspAnswerError(`the responder certificate "${responder.subject}" is not valid now`);
	}

	const data = basic.child(0).children;
	const rest = data[0].isContext(0) ? data.slice(1) : data;
	const [, , responses, extensions] = rest;
	const sent = nonce && responseNonce(extensions?.isContext(1) ? extensions : undefined);
	if (nonce && sent && !sent.equals(nonce)) throw new OcspAnswerError('the response answers another request (its nonce differs)');

	for (const single of responses.children) {
		const [certId, certStatus, thisUpdateNode, ...optional] = single.children;
		const [hashAlgorithm, nameHash, keyHash, serial] = certId.children;
		const digest = DIGESTS[hashAlgorithm.child(0).oid];
		if (!digest || !serial.raw.equals(certificate.serialNumberDer)) continue;
		if (!nameHash.bytes.equals(hashBytes(digest.node, issuer.subjectNameDer))) continue;
		if (!keyHash.bytes.equals(hashBytes(digest.node, subjectPublicKeyBits(issuer)))) continue;

		const thisUpdate = generalizedTime(thisUpdateNode);
		const nextUpdateNode = optional.find((node) => node.isContext(0));
		const nextUpdate = nextUpdateNode ? generalizedTime(nextUpdateNode.child(0)) : undefined;
		// Five minutes of clock skew either way, as responders and clients commonly allow.
		if (thisUpdate.getTime() > now.getTime() + 300_000) throw new OcspAnswerError(`the response is dated in the future (${thisUpdate.toISOString()})`);
		if (nextUpdate && nextUpdate.getTime() < now.getTime() - 300_000) throw new OcspAnswerError(`the response is out of date (next update ${nextUpdate.toISOString()})`);

		const answer: OcspAnswer = { status: 'unknown', thisUpdate: thisUpdate.toISOString(), ...(nextUpdate ? { nextUpdate: nextUpdate.toISOString() } : {}) };
		if (certStatus.isContext(0)) return { ...answer, status: 'good' };
		if (certStatus.isContext(1)) {
			const [revocationTime, reasonNode] = certStatus.children;
			const reason = reasonNode?.isContext(0) ? crlReasonName(reasonNode.child(0).content[0]) : undefined;
			return { ...answer, status: 'revoked', revokedAt: generalizedTime(revocationTime).toISOString(), ...(reason ? { reason } : {}) };
		}
		return answer;
	}
	throw new OcspAnswerError(`the response does not name the certificate (serial ${certificate.serialNumber})`);
}

/** Asks the certificate's responders in turn; the first usable answer wins. */
export async function queryOcsp(certificate: Certificate, issuer: Certificate, transport: OcspTransport, now: Date): Promise<{ url: string; answer: OcspAnswer } | { error: string }> {
	const urls = ocspUrlsOf(certificate);
	if (urls.length === 0) return { error: 'the certificate names no OCSP responder' };
	const problems: string[] = [];
	for (const url of urls) {
		const nonce = crypto.randomBytes(16);
		try {
			const response = await transport(url, buildOcspRequest(certificate, issuer, nonce));
			return { url, answer: readOcspResponse(response, certificate, issuer, nonce, now) };
		} catch (error) {
			problems.push(`${url}: ${error instanceof Error ? error.message : 'no usable answer'}`);
		}
	}
	return { error: problems.join('; ') };
}
