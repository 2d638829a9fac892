/**
 * Private keys from what users paste: PEM (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, legacy-encrypted PEM),
 * DER or base64 PKCS#8. Errors say what was pasted instead (a certificate, a PFX) and never echo secrets.
 * RSA and EC keys become Node KeyObjects; GOST R 34.10-2012 keys (which Node cannot hold) GostPrivateKey.
 */
import crypto from 'node:crypto';
import { PrivateKeyInfo } from 'pkijs';

import type { Certificate } from './certificate';
import { Asn1Error, Asn1Node, Tag, decodeBinary, pemBlocks, readFirst } from './encoding';
import { EdoCryptoError } from './errors';
import { isGostKeyAlgorithm } from './gost/keys';
import { GostPrivateKey, isGostPrivateKey, keyMatchesCertificate, type PrivateKey } from './keys';
import { PbeDecryptionError, decryptEncryptedPrivateKeyInfo } from './pkcs12';

export { GostPrivateKey, isGostPrivateKey, keyMatchesCertificate, type PrivateKey };

type KeyShape = 'pkcs8' | 'encryptedPkcs8' | 'pkcs1' | 'sec1';

const KEY_LABELS: Record<string, KeyShape> = {
	'PRIVATE KEY': 'pkcs8',
	'ENCRYPTED PRIVATE KEY': 'encryptedPkcs8',
	'RSA PRIVATE KEY': 'pkcs1',
	'EC PRIVATE KEY': 'sec1',
};

const KEY_FIELD_HINT =
	'Provide the private key as PEM (-----BEGIN PRIVATE KEY-----, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY), or base64/binary PKCS#8 DER.';

/** Loads a private key; `passphrase` is needed for encrypted keys and ignored otherwise. */
export function loadPrivateKey(input: string | Buffer, passphrase?: string): PrivateKey {
	const text = asPemText(input);
	if (text !== undefined) return loadFromPem(text, passphrase);
	const der = decodeBinary(input, 'private key');
	return loadDer(der, recognize(der), passphrase);
}

/** A private key from unencrypted PKCS#8 DER: a KeyObject, or a GostPrivateKey for GOST algorithms. */
export function privateKeyFromPkcs8(der: Buffer): PrivateKey {
	return createKey(der, 'pkcs8');
}

/** Throws KEY_MISMATCH unless the private key is the one of the certificate's public key. */
export function assertKeyMatchesCertificate(key: PrivateKey, certificate: Certificate): void {
	if (keyMatchesCertificate(key, certificate)) return;
	const name = certificate.info().commonName;
	const certificateLabel = `${certificate.thumbprint}${name ? ` (CN=${name})` : ''}`;
	const keyType = describeKeyObject(key);
	const typeNote = keyType !== certificate.keyAlgorithm.description ? ` The key is ${keyType}, the certificate's key is ${certificate.keyAlgorithm.description}.` : '';
	throw new EdoCryptoError(
		'KEY_MISMATCH',
		`The private key does not match the certificate ${certificateLabel}: it belongs to another certificate.${typeNote}`,
		'Use the private key that was generated together with this certificate, or the certificate issued for this key (a PFX holds both).',
	);
}

// ---------------------------------------------------------------------------------------------------------

function asPemText(input: string | Buffer): string | undefined {
	if (typeof input === 'string') return input.includes('-----BEGIN ') ? input : undefined;
	if (!Buffer.isBuffer(input) || input[0] === 0x30) return undefined;
	const text = input.toString('utf8');
	return text.includes('-----BEGIN ') ? text : undefined;
}

const RAW_PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function loadFromPem(text: string, passphrase: string | undefined): PrivateKey {
	const rawBlocks = [...text.matchAll(RAW_PEM_BLOCK)];
	const keyBlock = rawBlocks.find((match) => KEY_LABELS[match[1]]);
	if (!keyBlock) throw wrongPemContent(rawBlocks.map((match) => match[1]));
	const shape = KEY_LABELS[keyBlock[1]];
	const blockText = keyBlock[0];
	if (/Proc-Type:\s*4,ENCRYPTED/i.test(blockText)) return loadLegacyEncryptedPem(blockText, passphrase);
	const der = pemBlocks(blockText)[0]?.der;
	if (!der || der.length === 0) throw damagedKey();
	return loadDer(der, shape, passphrase);
}

function wrongPemContent(labels: string[]): EdoCryptoError {
	if (labels.length === 0) {
		return new EdoCryptoError(
			'INVALID_INPUT',
			'The private key is neither PEM, base64 nor binary DER. The PEM block is incomplete: its END line is missing.',
			KEY_FIELD_HINT,
		);
	}
	if (labels.some((label) => label.includes('CERTIFICATE'))) return certificateInsteadOfKey();
	if (labels.includes('OPENSSH PRIVATE KEY')) {
		return new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			'OpenSSH private keys are not supported',
			'Convert the key to PKCS#8: `ssh-keygen -p -m PKCS8 -f <file>`.',
		);
	}
	if (labels.some((label) => label.includes('PRIVATE KEY'))) {
		const label = labels.find((candidate) => candidate.includes('PRIVATE KEY')) as string;
		return new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`Private keys of type "${label}" are not supported`,
			'Convert the key to PKCS#8: `openssl pkcs8 -topk8 -in <file>`.',
		);
	}
	const found = labels.includes('PUBLIC KEY') || labels.includes('RSA PUBLIC KEY') ? 'a public key' : `"${labels.join('", "')}"`;
	return new EdoCryptoError('NOT_A_PRIVATE_KEY', `This is ${found}, not a private key`, KEY_FIELD_HINT);
}

function certificateInsteadOfKey(): EdoCryptoError {
	return new EdoCryptoError(
		'NOT_A_PRIVATE_KEY',
		'This is a certificate, not a private key',
		'Put the certificate into the certificate field and its private key (-----BEGIN PRIVATE KEY-----) into the private key field.',
	);
}

function damagedKey(): EdoCryptoError {
	return new EdoCryptoError('NOT_A_PRIVATE_KEY', 'The private key is damaged or incomplete', `Copy the whole key again. ${KEY_FIELD_HINT}`);
}

function missingPassphrase(): EdoCryptoError {
	return new EdoCryptoError(
		'WRONG_PASSWORD',
		'The private key is encrypted and needs a passphrase, but none was given',
		'Enter the passphrase of the private key.',
	);
}

function wrongPassphrase(): EdoCryptoError {
	return new EdoCryptoError(
		'WRONG_PASSWORD',
		'The passphrase does not decrypt the private key',
		'Check the passphrase (it is case-sensitive; try typing it instead of pasting).',
	);
}

/** Tells the DER structures apart by shape. */
function recognize(der: Buffer): KeyShape {
	let top: Asn1Node;
	let fields: Asn1Node[];
	try {
		top = readFirst(der);
		fields = top.is(Tag.sequence) ? top.children : [];
	} catch (error) {
		if (error instanceof Asn1Error && error.truncated) throw damagedKey();
		throw notAKey();
	}
	const [first, second, third] = fields;
	if (first?.is(Tag.sequence) && second?.is(Tag.octetString) && fields.length === 2) return 'encryptedPkcs8';
	if (first?.is(Tag.sequence) && second?.is(Tag.sequence) && third?.is(Tag.bitString)) throw certificateInsteadOfKey();
	if (first?.is(Tag.integer)) {
		const version = first.content.length === 1 ? first.content[0] : -1;
		if (version === 3 && second?.is(Tag.sequence)) {
			throw new EdoCryptoError(
				'NOT_A_PRIVATE_KEY',
				'This is a PKCS#12 (.pfx/.p12) container, not a bare private key',
				'Load it as a PFX with its password instead of as a private key.',
			);
		}
		if ((version === 0 || version === 1) && second?.is(Tag.sequence) && third?.is(Tag.octetString)) return 'pkcs8';
		if (version === 0 && second?.is(Tag.integer) && fields.length >= 9) return 'pkcs1';
		if (version === 1 && second?.is(Tag.octetString)) return 'sec1';
	}
	throw notAKey();
}

function notAKey(): EdoCryptoError {
	return new EdoCryptoError('NOT_A_PRIVATE_KEY', 'The data is not a private key', KEY_FIELD_HINT);
}

function loadDer(der: Buffer, shape: KeyShape, passphrase: string | undefined): PrivateKey {
	if (shape === 'encryptedPkcs8') return createKey(decryptPkcs8(der, passphrase), 'pkcs8');
	return createKey(der, shape);
}

function decryptPkcs8(der: Buffer, passphrase: string | undefined): Buffer {
	try {
		return decryptEncryptedPrivateKeyInfo(der, passphrase ?? '');
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		if (error instanceof PbeDecryptionError) throw passphrase ? wrongPassphrase() : missingPassphrase();
		throw damagedKey();
	}
}

function createKey(der: Buffer, type: 'pkcs8' | 'pkcs1' | 'sec1'): PrivateKey {
	if (type === 'pkcs8') {
		const algorithm = pkcs8AlgorithmId(der);
		if (algorithm && isGostKeyAlgorithm(algorithm)) return GostPrivateKey.fromPkcs8(der);
	}
	try {
		return crypto.createPrivateKey({ key: der, format: 'der', type });
	} catch {
		if (type === 'pkcs8') {
			const algorithm = pkcs8AlgorithmOid(der);
			if (algorithm) {
				throw new EdoCryptoError(
					'UNSUPPORTED_ALGORITHM',
					`The private key algorithm ${algorithm} is not supported`,
					'Use an RSA, ECDSA (P-256, P-384, P-521) or GOST R 34.10-2012 key.',
				);
			}
		}
		throw damagedKey();
	}
}

/** The algorithm OID of a PKCS#8 that parses structurally (so the failure was the algorithm, not the bytes). */
function pkcs8AlgorithmOid(der: Buffer): string | undefined {
	const oid = pkcs8AlgorithmId(der);
	const known = ['1.2.840.113549.1.1.1', '1.2.840.10045.2.1', '1.2.840.113549.1.1.10', '1.3.101.112', '1.3.101.113', '1.2.840.10040.4.1'];
	return oid && !known.includes(oid) ? oid : undefined;
}

function pkcs8AlgorithmId(der: Buffer): string | undefined {
	try {
		return new PrivateKeyInfo({ schema: readFirst(der).block }).privateKeyAlgorithm.algorithmId;
	} catch {
		return undefined;
	}
}

function loadLegacyEncryptedPem(blockText: string, passphrase: string | undefined): crypto.KeyObject {
	if (!passphrase) throw missingPassphrase();
	try {
		return crypto.createPrivateKey({ key: blockText, format: 'pem', passphrase });
	} catch (error) {
		const message = error instanceof Error ? error.message : '';
		if (/unsupported/i.test(message)) {
			const cipher = blockText.match(/DEK-Info:\s*([A-Za-z0-9-]+)/)?.[1] ?? 'unknown';
			throw new EdoCryptoError(
				'UNSUPPORTED_ALGORITHM',
				`The private key is encrypted with ${cipher}, which is not supported`,
				'Re-encrypt it as PKCS#8 with AES: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in <file>`.',
			);
		}
		throw wrongPassphrase();
	}
}

function describeKeyObject(key: PrivateKey): string {
	if (isGostPrivateKey(key)) return key.description;
	const details = key.asymmetricKeyDetails;
	switch (key.asymmetricKeyType) {
		case 'rsa':
			return `RSA-${details?.modulusLength ?? '?'}`;
		case 'ec': {
			const curves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
			const curve = details?.namedCurve ?? '?';
			return `ECDSA ${curves[curve] ?? curve}`;
		}
		default:
			return key.asymmetricKeyType ?? 'unknown';
	}
}
