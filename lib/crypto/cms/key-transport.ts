import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { AlgorithmIdentifier, RSAESOAEPParams } from 'pkijs';
import { Tag, octets, type Asn1Node } from '../encoding';
import { EdoCryptoError } from '../errors';
import { DER_NULL, algorithmIdentifier, explicit, sequence } from './der';
import { invalidCms, keyTypeMismatch, unsupportedAlgorithm } from './envelope-errors';
import { OID_MGF1, OID_P_SPECIFIED, OID_RSAES_OAEP } from './envelope-oids';
import { OID_RSA_ENCRYPTION, OID_SHA1, OID_SHA224, OID_SHA256, OID_SHA384, OID_SHA512 } from './oids';
import { rsaPkcs1v15DecryptKey } from './rsa-pkcs1';

/**
 * RSA key transport algorithms (KeyTransRecipientInfo.keyEncryptionAlgorithm), by OID. The GOST transports
 * (VKO + CryptoPro key wrap, KExp15) are in gost-key-transport.ts: their private-key step is a key agreement.
 */
type KeyTransportDecryptor = (
	key: KeyObject,
	parameters: Asn1Node | undefined,
	encryptedKey: Buffer,
	keyLength: number,
) => Buffer;

const KEY_TRANSPORT_DECRYPTORS: Record<string, KeyTransportDecryptor> = {
	[OID_RSA_ENCRYPTION]: (key, _parameters, encryptedKey, keyLength) => {
		requireRsaKey(key);
		return rsaPkcs1v15DecryptKey(key, encryptedKey, keyLength);
	},
	[OID_RSAES_OAEP]: (key, parameters, encryptedKey) => {
		requireRsaKey(key);
		const { hash, label } = readOaepParameters(parameters);
		// OAEP is CCA-secure: reporting a failed padding check immediately is not an oracle.
		return privateDecrypt(
			{ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: label },
			encryptedKey,
		);
	},
};

export const SUPPORTED_KEY_TRANSPORTS =
	'RSA PKCS#1 v1.5, RSAES-OAEP (SHA-1/224/256/384/512 with MGF1 of the same hash), GOST R 34.10-2012 (VKO with the CryptoPro key wrap, KExp15)';

export function decryptKeyTransport(
	key: KeyObject,
	oid: string,
	parameters: Asn1Node | undefined,
	encryptedKey: Buffer,
	keyLength: number,
): Buffer {
	const decryptor = KEY_TRANSPORT_DECRYPTORS[oid];
	if (!decryptor) throw unsupportedAlgorithm('key transport algorithm', oid, SUPPORTED_KEY_TRANSPORTS);
	return decryptor(key, parameters, encryptedKey, keyLength);
}

/** What a token needs to decrypt a KeyTransRecipientInfo itself (PKCS#11 CKM_RSA_PKCS or CKM_RSA_PKCS_OAEP). */
export type KeyTransportScheme =
	| { padding: 'pkcs1' }
	| { padding: 'oaep'; hash: string; label?: Buffer };

export function keyTransportScheme(oid: string, parameters: Asn1Node | undefined): KeyTransportScheme {
	if (oid === OID_RSA_ENCRYPTION) return { padding: 'pkcs1' };
	if (oid === OID_RSAES_OAEP) return { padding: 'oaep', ...readOaepParameters(parameters) };
	throw unsupportedAlgorithm('key transport algorithm', oid, SUPPORTED_KEY_TRANSPORTS);
}

export type RsaPadding = 'pkcs1' | 'oaep';
export type OaepHash = 'sha1' | 'sha256';

export function encryptKeyTransport(
	publicKey: KeyObject,
	contentKey: Buffer,
	padding: RsaPadding,
	oaepHash: OaepHash,
): { algorithmIdentifier: Buffer; encryptedKey: Buffer } {
	if (padding === 'oaep') {
		const encryptedKey = publicEncrypt(
			{ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
			contentKey,
		);
		return { algorithmIdentifier: algorithmIdentifier(OID_RSAES_OAEP, oaepParameters(oaepHash)), encryptedKey };
	}
	const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, contentKey);
	return { algorithmIdentifier: algorithmIdentifier(OID_RSA_ENCRYPTION, DER_NULL), encryptedKey };
}

const HASH_BY_OID: Record<string, string> = {
	[OID_SHA1]: 'sha1',
	[OID_SHA224]: 'sha224',
	[OID_SHA256]: 'sha256',
	[OID_SHA384]: 'sha384',
	[OID_SHA512]: 'sha512',
};
const OID_BY_HASH: Record<OaepHash, string> = { sha1: OID_SHA1, sha256: OID_SHA256 };

/** RSAES-OAEP-params with every field written out except the defaults (SHA-1, MGF1-SHA-1, empty label). */
function oaepParameters(hash: OaepHash): Buffer {
	if (hash === 'sha1') return sequence();
	const hashAlgorithm = algorithmIdentifier(OID_BY_HASH[hash]);
	return sequence(explicit(0, hashAlgorithm), explicit(1, algorithmIdentifier(OID_MGF1, hashAlgorithm)));
}

/** RFC 8017 A.2.1 RSAES-OAEP-params; absent or NULL parameters mean all defaults. */
function readOaepParameters(parameters: Asn1Node | undefined): { hash: string; label?: Buffer } {
	if (!parameters || parameters.is(Tag.null)) return { hash: 'sha1' };
	let hashOid: string;
	let mgfHashOid: string;
	let label: Buffer;
	try {
		const oaep = new RSAESOAEPParams({ schema: parameters.block });
		hashOid = oaep.hashAlgorithm.algorithmId;
		const mgf = oaep.maskGenAlgorithm;
		if (mgf.algorithmId !== OID_MGF1) throw unsupportedAlgorithm('OAEP mask generation function', mgf.algorithmId, 'MGF1');
		if (!mgf.algorithmParams) throw invalidCms('the RSAES-OAEP parameters are malformed (MGF1 without its hash algorithm)');
		mgfHashOid = new AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId;
		const source = oaep.pSourceAlgorithm;
		if (source.algorithmId !== OID_P_SPECIFIED) throw unsupportedAlgorithm('OAEP label source', source.algorithmId, 'pSpecified');
		// pkijs defaults pSourceAlgorithm to a label of SHA-1(""); RFC 8017's default is the empty label.
		label = parameters.children.some((field) => field.isContext(2)) ? octets(source.algorithmParams) : Buffer.alloc(0);
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw invalidCms('the RSAES-OAEP parameters are malformed');
	}
	const hash = HASH_BY_OID[hashOid];
	if (!hash) throw unsupportedAlgorithm('OAEP hash algorithm', hashOid, 'SHA-1, SHA-224, SHA-256, SHA-384, SHA-512');
	// node:crypto ties MGF1's hash to the OAEP hash.
	if (mgfHashOid !== hashOid)
		throw unsupportedAlgorithm('OAEP MGF1 hash (different from the OAEP hash)', mgfHashOid, 'MGF1 with the OAEP hash');
	return { hash, label: label.length > 0 ? label : undefined };
}

function requireRsaKey(key: KeyObject): void {
	if (key.asymmetricKeyType !== 'rsa') throw keyTypeMismatch('RSA key transport', key);
}
