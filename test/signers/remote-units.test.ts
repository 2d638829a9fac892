/**
 * The pieces of the CSC client that need no endpoint: tolerant field reading and request casing, the
 * algorithm table, signature-value normalization (raw ECDSA r||s to DER, cross-checked with openssl) and
 * the classification of CSC refusals into clear, secret-free errors.
 */
import crypto from 'node:crypto';

import { Certificate } from '../../lib/crypto/certificate';
import { EdoCryptoError } from '../../lib/crypto/errors';
import { HttpError } from '../../lib/http';
import { chooseSignAlgo, normalizeSignatureValue, remoteAlgorithm } from '../../lib/signers/remote/algorithms';
import { describeCredential } from '../../lib/signers/remote/client';
import { cscFailure, isSadRejection, isTokenRejection, type CscStep } from '../../lib/signers/remote/errors';
import { field, textField, withCasing } from '../../lib/signers/remote/fields';
import { createIdentity, openssl, opensslStatus, writeTemp } from '../helpers/pki';

const rsa = createIdentity('rsa2048');
const p256 = createIdentity('p256');
const p384 = createIdentity('p384');
const rsaCertificate = Certificate.fromDer(rsa.certDer);
const p256Certificate = Certificate.fromDer(p256.certDer);
const p384Certificate = Certificate.fromDer(p384.certDer);

describe('CSC fields', () => {
	it('reads a field in camelCase, snake_case, PascalCase or upper case', () => {
		for (const body of [{ credentialID: 'a' }, { credential_id: 'a' }, { CredentialId: 'a' }, { CREDENTIALID: 'a' }]) {
			expect(field(body, 'credentialID')).toBe('a');
		}
		expect(textField({ expires_in: 60 }, 'expiresIn')).toBe('60');
		expect(field({ SAD: null, sad: 'x' }, 'SAD')).toBe('x');
		expect(field('not an object', 'a')).toBeUndefined();
	});

	it('writes request bodies in snake_case on demand and keeps upper-case v1 names', () => {
		const body = { credentialID: 'c', numSignatures: 2, hashAlgorithmOID: '1', signAlgo: '2', SAD: 's', PIN: 'p', authData: [{ id: 'PIN', value: 'p' }] };
		expect(withCasing(body, 'camel')).toBe(body);
		expect(withCasing(body, 'snake')).toEqual({
			credential_id: 'c',
			num_signatures: 2,
			hash_algorithm_oid: '1',
			sign_algo: '2',
			SAD: 's',
			PIN: 'p',
			auth_data: [{ id: 'PIN', value: 'p' }],
		});
	});

	it('describes credentials/info answers in either casing, with safe defaults', () => {
		const der = rsa.certDer.toString('base64');
		const camel = describeCredential('c1', { key: { status: 'enabled', algo: ['1.2.840.113549.1.1.1'] }, cert: { status: 'valid', certificates: [der] }, multisign: 5, authMode: 'explicit', SCAL: '1' });
		const snake = describeCredential('c1', { Key: { Status: 'ENABLED', algo: ['1.2.840.113549.1.1.1'] }, cert: { status: 'Valid', certificates: [der] }, multi_sign: '5', auth: { mode: 'explicit' }, scal: '1' });
		for (const description of [camel, snake]) {
			expect(description).toMatchObject({ credentialId: 'c1', keyStatus: 'enabled', certificateStatus: 'valid', multisign: 5, authMode: 'explicit', scal: '1' });
			expect(description.certificates[0].equals(rsa.certDer)).toBe(true);
		}
		expect(describeCredential('c2', {}).multisign).toBe(1);
		expect(describeCredential('c2', { multisign: 0 }).multisign).toBe(1);
	});
});

describe('remote algorithm table', () => {
	it('maps key algorithm and digest to hash OID, signAlgo and the CMS signature algorithm', () => {
		const rsa256 = remoteAlgorithm(rsaCertificate, 'SHA-256');
		expect(rsa256).toMatchObject({ family: 'RSA', hashOid: '2.16.840.1.101.3.4.2.1', digestLength: 32 });
		expect(chooseSignAlgo(rsa256, ['1.2.840.113549.1.1.1'])).toBe('1.2.840.113549.1.1.1');
		expect(chooseSignAlgo(rsa256, ['1.2.840.113549.1.1.11', '1.2.840.113549.1.1.1'])).toBe('1.2.840.113549.1.1.11');
		expect(chooseSignAlgo(rsa256, [])).toBe('1.2.840.113549.1.1.11');
		const ec384 = remoteAlgorithm(p384Certificate, 'SHA-384');
		expect(ec384).toMatchObject({ family: 'ECDSA', hashOid: '2.16.840.1.101.3.4.2.2' });
		expect(chooseSignAlgo(ec384, ['1.2.840.10045.2.1'])).toBe('1.2.840.10045.2.1');
		expect(() => remoteAlgorithm(rsaCertificate, 'STREEBOG-256')).toThrow(EdoCryptoError);
	});

	it('converts a raw ECDSA r||s value to DER that openssl verifies', () => {
		const data = Buffer.from('signed attributes stand-in');
		const key = crypto.createPrivateKey(p256.keyPem);
		const algorithm = remoteAlgorithm(p256Certificate, 'SHA-256');
		for (let attempt = 0; attempt < 8; attempt++) {
			const raw = crypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
			expect(raw).toHaveLength(64);
			const der = normalizeSignatureValue(raw, p256Certificate, algorithm);
			expect(der[0]).toBe(0x30);
			const verified = opensslStatus([
				'dgst', '-sha256', '-verify', writeTemp('p256.pub', p256Certificate.publicKey.export({ type: 'spki', format: 'pem' })),
				'-signature', writeTemp('sig.der', der), writeTemp('data.bin', data),
			]);
			expect(verified.ok).toBe(true);
		}
		const der = crypto.sign('sha256', data, key);
		expect(normalizeSignatureValue(der, p256Certificate, algorithm)).toBe(der);
	});

	it('refuses signature values of the wrong length', () => {
		const rsa256 = remoteAlgorithm(rsaCertificate, 'SHA-256');
		const ok = crypto.sign('sha256', Buffer.from('x'), crypto.createPrivateKey(rsa.keyPem));
		expect(normalizeSignatureValue(ok, rsaCertificate, rsa256)).toBe(ok);
		expect(() => normalizeSignatureValue(ok.subarray(1), rsaCertificate, rsa256)).toThrow(/RSA signature value of 255 bytes.*256 bytes/);
		const ec = remoteAlgorithm(p384Certificate, 'SHA-256');
		try {
			normalizeSignatureValue(Buffer.alloc(64, 1), p384Certificate, ec);
			throw new Error('no error');
		} catch (error) {
			expect(error).toBeInstanceOf(EdoCryptoError);
			expect((error as EdoCryptoError).code).toBe('REMOTE_SIGNER_PROTOCOL');
			expect((error as EdoCryptoError).message).toContain('96 raw bytes');
		}
	});

	it('agrees with openssl on what a DER ECDSA value is', () => {
		const der = crypto.sign('sha384', Buffer.from('x'), crypto.createPrivateKey(p384.keyPem));
		expect(openssl(['asn1parse', '-inform', 'DER', '-in', writeTemp('ec.der', der)]).toString()).toMatch(/SEQUENCE[\s\S]*INTEGER[\s\S]*INTEGER/);
		expect(normalizeSignatureValue(der, p384Certificate, remoteAlgorithm(p384Certificate, 'SHA-384'))).toBe(der);
	});
});

describe('CSC refusals', () => {
	const secrets = ['4711', 'sad-value-123', 'token-abc'];
	function refusal(status: number, code: string | undefined, message: string | undefined): HttpError {
		return new HttpError(`EDO Remote Signer answered ${status}`, {
			kind: 'http',
			serviceName: 'EDO Remote Signer',
			method: 'POST',
			url: 'http://x/csc/v2/y',
			attempts: 1,
			status,
			serviceErrorCode: code,
			serviceMessage: message,
			bodyExcerpt: JSON.stringify({ error: code, error_description: message }),
		});
	}
	function classify(error: HttpError, step: CscStep = 'credentials/authorize'): Error {
		return cscFailure(error, { step, serviceName: 'EDO Remote Signer', credentialId: 'cred-1', secrets });
	}
	const codeOf = (error: Error) => (error as EdoCryptoError).code;

	it('names the wrong PIN, a blocked PIN, the token, an unknown and an unusable credential', () => {
		expect(codeOf(classify(refusal(400, 'invalid_pin', 'The PIN is invalid')))).toBe('REMOTE_SIGNER_PIN');
		expect(classify(refusal(400, 'invalid_request', 'PIN locked: too many attempts')).message).toContain('blocked');
		expect(codeOf(classify(refusal(400, 'invalid_request', 'The OTP is invalid')))).toBe('REMOTE_SIGNER_PIN');
		expect(codeOf(classify(refusal(401, 'invalid_token', 'expired')))).toBe('REMOTE_SIGNER_AUTH');
		expect(codeOf(classify(refusal(400, 'invalid_request', 'Invalid parameter credentialID'), 'credentials/info'))).toBe('REMOTE_CREDENTIAL_NOT_FOUND');
		expect(codeOf(classify(refusal(404, undefined, undefined), 'credentials/info'))).toBe('REMOTE_CREDENTIAL_NOT_FOUND');
		expect(codeOf(classify(refusal(400, 'invalid_request', "Signing certificate 'CN=x' is revoked."), 'signatures/signHash'))).toBe('REMOTE_CREDENTIAL_UNUSABLE');
		expect(codeOf(classify(refusal(400, 'invalid_request', 'Certificate expired'), 'signatures/signHash'))).toBe('REMOTE_CREDENTIAL_UNUSABLE');
		expect(classify(refusal(404, undefined, undefined), 'x-edo/decrypt').message).toContain('does not offer decryption');
		expect(codeOf(classify(refusal(401, 'invalid_client', 'bad secret'), 'oauth2/token'))).toBe('REMOTE_SIGNER_AUTH');
		expect(codeOf(classify(refusal(400, 'invalid_request', 'Invalid parameter signAlgo'), 'signatures/signHash'))).toBe('REMOTE_SIGNER_REFUSED');
	});

	it('leaves transport failures and 5xx as HttpErrors', () => {
		const down = new HttpError('Could not reach', { kind: 'network', serviceName: 's', method: 'POST', url: 'u', attempts: 1, code: 'ECONNREFUSED' });
		expect(classify(down)).toBe(down);
		const failing = refusal(503, 'temporarily_unavailable', 'The key store failed');
		expect(classify(failing)).toBe(failing);
	});

	it('tells token and SAD rejections apart from PIN refusals', () => {
		expect(isTokenRejection(refusal(401, 'invalid_token', 'The access token is not valid'))).toBe(true);
		expect(isTokenRejection(refusal(401, 'invalid_request', 'Missing Authorization: Bearer access token'))).toBe(true);
		expect(isTokenRejection(refusal(401, 'invalid_pin', 'The PIN is invalid'))).toBe(false);
		expect(isTokenRejection(refusal(400, 'invalid_token', 'x'))).toBe(false);
		expect(isSadRejection(refusal(400, 'invalid_request', 'SAD expired'))).toBe(true);
		expect(isSadRejection(refusal(400, 'invalid_request', 'Invalid parameter SAD'))).toBe(true);
		expect(isSadRejection(refusal(400, 'invalid_pin', 'The PIN is invalid'))).toBe(false);
		expect(isSadRejection(refusal(500, 'server_error', 'SAD store broke'))).toBe(false);
	});

	it('redacts every secret the service echoes', () => {
		const error = classify(refusal(400, 'invalid_pin', 'PIN 4711 is wrong for SAD sad-value-123 and token token-abc')) as EdoCryptoError;
		const text = `${error.message} ${error.hint}`;
		for (const secret of secrets) expect(text).not.toContain(secret);
		expect(text).toContain('[redacted]');
	});
});
