/**
 * PKCS#12 (.pfx/.p12) reader. pkijs parses the container; its decryption paths do not cover what users
 * actually have (legacy RC2-40/3DES files from Windows and old OpenSSL, modern PBES2/AES files from OpenSSL 3),
 * so every password-based algorithm runs here, through small lookup tables; the GOST profile (PBES2 with GOST
 * ciphers, HMAC-Streebog, gost/pbe.ts) extends them with the register* functions. Keys come out as Node
 * KeyObjects, GOST R 34.10-2012 keys as GostPrivateKey.
 */
import crypto from 'node:crypto';
import forge from 'node-forge';
import {
	AlgorithmIdentifier,
	AuthenticatedSafe,
	EncryptedData,
	MacData,
	PBES2Params,
	PBKDF2Params,
	PFX,
	PKCS8ShroudedKeyBag,
	PrivateKeyInfo,
} from 'pkijs';

import { Certificate } from './certificate';
import { Asn1Error, Asn1Node, Tag, TagClass, decodeBinary, octets, parametersOf, readDer, readFirst } from './encoding';
import { EdoCryptoError } from './errors';
import { GostPrivateKey } from './gost/gostKey';
import { isGostKeyAlgorithm } from './gost/keys';
import { registerGostPbe } from './gost/pbe';
import { keyMatchesCertificate, type PrivateKey } from './keys';

export interface PfxContents {
	key: PrivateKey;
	certificate: Certificate;
	/** The other certificates of the file, issuers of the leaf first. */
	chain: Certificate[];
}

// ---------------------------------------------------------------------------------------------------------
// Algorithm tables

/** A hash usable for the PKCS#12 KDF, the MAC and PBKDF2. */
export interface PbeDigest {
	name: string;
	/** Output length in bytes (u in RFC 7292 appendix B). */
	outputLength: number;
	/** Input block length in bytes (v in RFC 7292 appendix B). */
	blockLength: number;
	hash(data: Buffer): Buffer;
	hmac(key: Buffer, data: Buffer): Buffer;
	pbkdf2(password: Buffer, salt: Buffer, iterations: number, length: number): Buffer;
	/** The PFX MAC key, when this digest's profile does not use the PKCS#12 KDF (the GOST profile). */
	macKey?(password: PbePassword, salt: Buffer, iterations: number): Buffer;
}

/** The two encodings a password takes: UTF-8 for PBES2/PBKDF2, BMPString for the PKCS#12 KDF. */
export interface PbePassword {
	utf8: Buffer;
	bmp: Buffer;
}

/** A password-based encryption scheme, keyed by its AlgorithmIdentifier OID. */
export interface PbeScheme {
	name: string;
	decrypt(parameters: Asn1Node | undefined, password: PbePassword, data: Buffer): Buffer;
}

/** A block cipher usable as a PBES2 encryption scheme. */
export interface Pbes2Cipher {
	name: string;
	/** Key length when PBKDF2 parameters do not state one. */
	keyLength(parameters: Asn1Node | undefined): number;
	decrypt(key: Buffer, parameters: Asn1Node | undefined, data: Buffer): Buffer;
}

/** A PBES2 key derivation function. */
export interface Pbes2Kdf {
	name: string;
	/** `defaultKeyLength` is the cipher's; the KDF parameters may state another. */
	deriveKey(parameters: Asn1Node | undefined, password: PbePassword, defaultKeyLength: number): Buffer;
}

/** Raised when decryption produced no valid plaintext: a wrong password, or damaged data. */
export class PbeDecryptionError extends Error {
	constructor() {
		super('decryption failed');
		this.name = 'PbeDecryptionError';
	}
}

const digests = new Map<string, PbeDigest>();
const hmacPrfs = new Map<string, string>();
const pbeSchemes = new Map<string, PbeScheme>();
const pbes2Ciphers = new Map<string, Pbes2Cipher>();
const pbes2Kdfs = new Map<string, Pbes2Kdf>();

export function registerDigest(oid: string, digest: PbeDigest, hmacOid?: string): void {
	digests.set(oid, digest);
	if (hmacOid) hmacPrfs.set(hmacOid, oid);
}

export function registerPbeScheme(oid: string, scheme: PbeScheme): void {
	pbeSchemes.set(oid, scheme);
}

export function registerPbes2Cipher(oid: string, cipher: Pbes2Cipher): void {
	pbes2Ciphers.set(oid, cipher);
}

export function registerPbes2Kdf(oid: string, kdf: Pbes2Kdf): void {
	pbes2Kdfs.set(oid, kdf);
}

/** Work factors beyond this are refused: a hostile file could otherwise stall the process. */
const MAX_ITERATIONS = 10_000_000;

function nodeDigest(name: string, outputLength: number, blockLength: number): PbeDigest {
	return {
		name: name.toUpperCase(),
		outputLength,
		blockLength,
		hash: (data) => crypto.createHash(name).update(data).digest(),
		hmac: (key, data) => crypto.createHmac(name, key).update(data).digest(),
		pbkdf2: (password, salt, iterations, length) => crypto.pbkdf2Sync(password, salt, iterations, length, name),
	};
}

registerDigest('1.2.840.113549.2.5', nodeDigest('md5', 16, 64));
registerDigest('1.3.14.3.2.26', nodeDigest('sha1', 20, 64), '1.2.840.113549.2.7');
registerDigest('2.16.840.1.101.3.4.2.4', nodeDigest('sha224', 28, 64), '1.2.840.113549.2.8');
registerDigest('2.16.840.1.101.3.4.2.1', nodeDigest('sha256', 32, 64), '1.2.840.113549.2.9');
registerDigest('2.16.840.1.101.3.4.2.2', nodeDigest('sha384', 48, 128), '1.2.840.113549.2.10');
registerDigest('2.16.840.1.101.3.4.2.3', nodeDigest('sha512', 64, 128), '1.2.840.113549.2.11');
registerDigest('2.16.840.1.101.3.4.2.5', nodeDigest('sha512-224', 28, 128), '1.2.840.113549.2.12');
registerDigest('2.16.840.1.101.3.4.2.6', nodeDigest('sha512-256', 32, 128), '1.2.840.113549.2.13');

const SHA1 = '1.3.14.3.2.26';

function nodeCbcCipher(name: string, keyLength: number): Pbes2Cipher {
	return {
		name: name.toUpperCase(),
		keyLength: () => keyLength,
		decrypt: (key, parameters, data) => nodeDecrypt(name, key, ivOf(parameters), data),
	};
}

registerPbes2Cipher('2.16.840.1.101.3.4.1.2', nodeCbcCipher('aes-128-cbc', 16));
registerPbes2Cipher('2.16.840.1.101.3.4.1.22', nodeCbcCipher('aes-192-cbc', 24));
registerPbes2Cipher('2.16.840.1.101.3.4.1.42', nodeCbcCipher('aes-256-cbc', 32));
registerPbes2Cipher('1.2.840.113549.3.7', nodeCbcCipher('des-ede3-cbc', 24));
registerPbes2Cipher('1.2.840.113549.3.2', {
	name: 'RC2-CBC',
	keyLength: () => 16,
	decrypt: (key, parameters, data) => {
		// RC2CBCParameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING } (RFC 8018 B.2.3)
		const fields = parameters?.is(Tag.sequence) ? parameters.children : [];
		const iv = fields[fields.length - 1]?.expect(Tag.octetString).bytes;
		if (!iv) throw new Asn1Error('RC2 parameters without IV');
		const version = fields.length > 1 ? fields[0].integer : 32;
		const effectiveBits: Record<number, number> = { 160: 40, 120: 64, 58: 128 };
		return rc2Decrypt(key, iv, effectiveBits[version] ?? version, data);
	},
});

const PBKDF2 = '1.2.840.113549.1.5.12';

registerPbes2Kdf(PBKDF2, {
	name: 'PBKDF2',
	deriveKey(parameters, password, defaultKeyLength) {
		const p = pbkdf2Parameters(parameters);
		return p.digest.pbkdf2(password.utf8, p.salt, p.iterations, p.keyLength ?? defaultKeyLength);
	},
});

registerPbeScheme('1.2.840.113549.1.5.13', {
	name: 'PBES2',
	decrypt(parameters, password, data) {
		const { keyDerivationFunc, encryptionScheme } = new PBES2Params({ schema: requireSequence(parameters, 'PBES2 parameters').block });
		const kdf = lookup(pbes2Kdfs, keyDerivationFunc.algorithmId, 'key derivation function');
		const cipher = lookup(pbes2Ciphers, encryptionScheme.algorithmId, 'cipher');
		const cipherParameters = parametersOf(encryptionScheme);
		const key = kdf.deriveKey(parametersOf(keyDerivationFunc), password, cipher.keyLength(cipherParameters));
		return cipher.decrypt(key, cipherParameters, data);
	},
});

/** The PKCS#12 v1 PBE schemes (RFC 7292 appendix C): SHA-1 + PKCS#12 KDF + a legacy cipher. */
function pkcs12Pbe(name: string, keyLength: number, decrypt: (key: Buffer, iv: Buffer, data: Buffer) => Buffer): PbeScheme {
	return {
		name,
		decrypt(parameters, password, data) {
			const fields = requireSequence(parameters, `${name} parameters`);
			const salt = fields.child(0).expect(Tag.octetString).bytes;
			const iterations = checkIterations(fields.children[1]?.integer ?? 1);
			const digest = lookup(digests, SHA1, 'digest');
			const key = pkcs12Kdf(digest, password.bmp, salt, 1, iterations, keyLength);
			const iv = pkcs12Kdf(digest, password.bmp, salt, 2, iterations, 8);
			return decrypt(key, iv, data);
		},
	};
}

registerPbeScheme('1.2.840.113549.1.12.1.3', pkcs12Pbe('pbeWithSHAAnd3-KeyTripleDES-CBC', 24, (key, iv, data) => nodeDecrypt('des-ede3-cbc', key, iv, data)));
registerPbeScheme('1.2.840.113549.1.12.1.4', pkcs12Pbe('pbeWithSHAAnd2-KeyTripleDES-CBC', 16, (key, iv, data) => nodeDecrypt('des-ede-cbc', key, iv, data)));
registerPbeScheme('1.2.840.113549.1.12.1.5', pkcs12Pbe('pbeWithSHAAnd128BitRC2-CBC', 16, (key, iv, data) => rc2Decrypt(key, iv, 128, data)));
registerPbeScheme('1.2.840.113549.1.12.1.6', pkcs12Pbe('pbeWithSHAAnd40BitRC2-CBC', 5, (key, iv, data) => rc2Decrypt(key, iv, 40, data)));

registerGostPbe({ registerDigest, registerPbes2Cipher });

const KNOWN_UNSUPPORTED: Record<string, string> = {
	'1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4',
	'1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4',
	'1.2.840.113549.1.5.3': 'pbeWithMD5AndDES-CBC',
	'1.2.840.113549.1.5.10': 'pbeWithSHA1AndDES-CBC',
	'1.2.840.113549.1.5.14': 'PBMAC1',
	'1.3.14.3.2.7': 'DES-CBC',
	'1.2.643.2.2.9': 'GOST R 34.11-94',
	'1.2.643.7.1.1.5.1.2': 'Magma CTR-ACPKM-OMAC',
	'1.2.643.7.1.1.5.2.2': 'Kuznyechik CTR-ACPKM-OMAC',
};

// ---------------------------------------------------------------------------------------------------------
// Primitives

/** The PKCS#12 key derivation function (RFC 7292 appendix B.2). id: 1 key, 2 IV, 3 MAC key. */
export function pkcs12Kdf(digest: PbeDigest, bmpPassword: Buffer, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
	const v = digest.blockLength;
	const repeatToBlocks = (source: Buffer): Buffer => {
		const out = Buffer.alloc(source.length === 0 ? 0 : v * Math.ceil(source.length / v));
		for (let i = 0; i < out.length; i++) out[i] = source[i % source.length];
		return out;
	};
	const diversifier = Buffer.alloc(v, id);
	const input = Buffer.concat([repeatToBlocks(salt), repeatToBlocks(bmpPassword)]);
	const blocks: Buffer[] = [];
	let produced = 0;
	while (produced < length) {
		let a = digest.hash(Buffer.concat([diversifier, input]));
		for (let round = 1; round < iterations; round++) a = digest.hash(a);
		blocks.push(a);
		produced += a.length;
		if (produced >= length) break;
		// I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, where B is A repeated to v bytes.
		const b = Buffer.alloc(v);
		for (let i = 0; i < v; i++) b[i] = a[i % a.length];
		for (let offset = 0; offset < input.length; offset += v) {
			let carry = 1;
			for (let i = v - 1; i >= 0; i--) {
				const sum = input[offset + i] + b[i] + carry;
				input[offset + i] = sum & 0xff;
				carry = sum >> 8;
			}
		}
	}
	return Buffer.concat(blocks).subarray(0, length);
}

/** BMPString form of a password as the PKCS#12 KDF takes it: UTF-16BE with a two-byte terminator. */
export function bmpPassword(password: string): Buffer {
	const utf16 = Buffer.from(`${password}\u0000`, 'utf16le');
	return utf16.swap16();
}

function nodeDecrypt(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
	let decipher: crypto.Decipher;
	try {
		decipher = crypto.createDecipheriv(name, key, iv);
	} catch {
		throw new Asn1Error(`bad ${name} key or IV length`);
	}
	try {
		return Buffer.concat([decipher.update(data), decipher.final()]);
	} catch {
		throw new PbeDecryptionError();
	}
}

/** RC2-CBC through node-forge (Node's OpenSSL 3 has RC2 only in the legacy provider, which is not loaded). */
function rc2Decrypt(key: Buffer, iv: Buffer, effectiveBits: number, data: Buffer): Buffer {
	if (data.length === 0 || data.length % 8 !== 0 || iv.length !== 8) throw new PbeDecryptionError();
	const decipher = forge.rc2.createDecryptionCipher(key.toString('binary'), effectiveBits);
	decipher.start(iv.toString('binary'));
	decipher.update(forge.util.createBuffer(data.toString('binary')));
	decipher.finish(() => true); // padding is checked below, strictly
	return removePkcs7Padding(Buffer.from(decipher.output.getBytes(), 'binary'), 8);
}

function removePkcs7Padding(plain: Buffer, blockLength: number): Buffer {
	const count = plain[plain.length - 1];
	if (!count || count > blockLength || count > plain.length) throw new PbeDecryptionError();
	for (let i = plain.length - count; i < plain.length; i++) if (plain[i] !== count) throw new PbeDecryptionError();
	return plain.subarray(0, plain.length - count);
}

function pbkdf2Parameters(parameters: Asn1Node | undefined): { salt: Buffer; iterations: number; keyLength?: number; digest: PbeDigest } {
	const fields = new PBKDF2Params({ schema: requireSequence(parameters, 'PBKDF2 parameters').block });
	const { keyLength } = fields;
	if (keyLength !== undefined && !(keyLength >= 1 && keyLength <= 256)) throw new Asn1Error('implausible PBKDF2 key length');
	const prfOid = fields.prf?.algorithmId ?? '1.2.840.113549.2.7'; // hmacWithSHA1, the default
	const digestOid = hmacPrfs.get(prfOid);
	if (!digestOid) throw unsupported(prfOid, 'PBKDF2 pseudo-random function');
	const salt = octets(fields.salt);
	return { salt, iterations: checkIterations(fields.iterationCount), keyLength, digest: lookup(digests, digestOid, 'digest') };
}

function checkIterations(iterations: number): number {
	if (!(iterations >= 1 && iterations <= MAX_ITERATIONS)) {
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The file asks for ${iterations} key derivation iterations, outside the supported range 1..${MAX_ITERATIONS}`,
			'Export the key again with default settings.',
		);
	}
	return iterations;
}

function ivOf(node: Asn1Node | undefined): Buffer {
	if (!node?.is(Tag.octetString)) throw new Asn1Error('IV is missing');
	return node.bytes;
}

function requireSequence(node: Asn1Node | undefined, what: string): Asn1Node {
	if (!node?.is(Tag.sequence)) throw new Asn1Error(`${what} are missing`);
	return node;
}

function lookup<T>(table: Map<string, T>, oid: string, what: string): T {
	const entry = table.get(oid);
	if (!entry) throw unsupported(oid, what);
	return entry;
}

function unsupported(oid: string, what: string): EdoCryptoError {
	const name = KNOWN_UNSUPPORTED[oid];
	return new EdoCryptoError(
		'UNSUPPORTED_ALGORITHM',
		`The ${what} ${name ? `${name} (${oid})` : oid} is not supported`,
		'Export the key again with a common algorithm, e.g. `openssl pkcs12 -export` defaults (PBES2, AES-256, HMAC-SHA256).',
	);
}

/** Decrypts data protected by a password-based AlgorithmIdentifier (PBES2 or a PKCS#12 PBE). */
export function decryptWithPassword(algorithm: AlgorithmIdentifier, password: PbePassword, data: Buffer): Buffer {
	const scheme = lookup(pbeSchemes, algorithm.algorithmId, 'encryption algorithm');
	return scheme.decrypt(parametersOf(algorithm), password, data);
}

/** Password encodings to try: the standard one first, then the forms other writers are known to use. */
function passwordCandidates(password: string): PbePassword[] {
	const utf8 = Buffer.from(password, 'utf8');
	const candidates: PbePassword[] = [{ utf8, bmp: bmpPassword(password) }];
	// An empty password is sometimes encoded as no bytes at all instead of the lone terminator.
	if (password === '') candidates.push({ utf8, bmp: Buffer.alloc(0) });
	// OpenSSL before 1.1 widened each UTF-8 byte to a BMP character.
	if (/[^\p{ASCII}]/u.test(password)) candidates.push({ utf8, bmp: bmpPassword(utf8.toString('latin1')) });
	return candidates;
}

/** Like decryptWithPassword, but plaintext that is not one DER SEQUENCE also counts as a failed decryption. */
function decryptToDer(algorithm: AlgorithmIdentifier, password: PbePassword, data: Buffer): Buffer {
	const plain = decryptWithPassword(algorithm, password, data);
	try {
		readDer(plain).expect(Tag.sequence);
	} catch {
		// The padding was valid by chance with a wrong key: the plaintext is noise.
		throw new PbeDecryptionError();
	}
	return plain;
}

/**
 * Decrypts a PKCS#8 EncryptedPrivateKeyInfo (DER) and returns the PrivateKeyInfo DER. Throws
 * PbeDecryptionError for a wrong password, Asn1Error for malformed input, EdoCryptoError for unknown algorithms.
 */
export function decryptEncryptedPrivateKeyInfo(der: Buffer, password: string): Buffer {
	// EncryptedPrivateKeyInfo has the structure of a pkcs8ShroudedKeyBag value.
	const info = new PKCS8ShroudedKeyBag({ schema: readDer(der).block });
	const algorithm = info.encryptionAlgorithm;
	const encrypted = octets(info.encryptedData);
	for (const candidate of passwordCandidates(password)) {
		try {
			return decryptToDer(algorithm, candidate, encrypted);
		} catch (error) {
			if (!(error instanceof PbeDecryptionError)) throw error;
		}
	}
	throw new PbeDecryptionError();
}

// ---------------------------------------------------------------------------------------------------------
// The container

const OID = {
	data: '1.2.840.113549.1.7.1',
	signedData: '1.2.840.113549.1.7.2',
	envelopedData: '1.2.840.113549.1.7.3',
	encryptedData: '1.2.840.113549.1.7.6',
	keyBag: '1.2.840.113549.1.12.10.1.1',
	pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
	certBag: '1.2.840.113549.1.12.10.1.3',
	x509Certificate: '1.2.840.113549.1.9.22.1',
	safeContentsBag: '1.2.840.113549.1.12.10.1.6',
	localKeyId: '1.2.840.113549.1.9.21',
};

interface KeyEntry {
	pkcs8: Buffer;
	localKeyId?: Buffer;
	/** Came out of a password-encrypted bag (so a load failure may mean a wrong password). */
	wasEncrypted: boolean;
}

interface CertificateEntry {
	der: Buffer;
	localKeyId?: Buffer;
}

interface Bags {
	keys: KeyEntry[];
	certificates: CertificateEntry[];
}

const WRONG_PASSWORD_HINT =
	'Check the PFX password (it is case-sensitive; try typing it instead of pasting). If it is surely right, the file may be damaged: export it again.';

function wrongPassword(): EdoCryptoError {
	return new EdoCryptoError('WRONG_PASSWORD', 'The password does not open this PFX file', WRONG_PASSWORD_HINT);
}

function damaged(detail?: string): EdoCryptoError {
	return new EdoCryptoError(
		'PFX_INTEGRITY',
		`The PFX file is damaged or truncated${detail ? ` (${detail})` : ''}`,
		'Export or download the .pfx/.p12 file again and make sure it is passed whole (binary, or base64 without changes).',
	);
}

function notAPfx(detail: string): EdoCryptoError {
	return new EdoCryptoError(
		'INVALID_INPUT',
		`The data is not a PKCS#12 (.pfx/.p12) file: ${detail}`,
		'Provide the .pfx/.p12 file itself (binary or base64). A certificate and key in PEM form go into the certificate and private key fields.',
	);
}

/** Opens a PFX with its password and returns the private key, its certificate and the other certificates. */
export function loadPfx(data: Buffer | Uint8Array | string, password: string): PfxContents {
	// Raw bytes stay as they are (a truncated file must still read as a damaged PFX); base64 text is decoded.
	const bytes = decodeBinary(data, 'PFX file');
	if (typeof password !== 'string') password = '';

	const authSafeContent = readOuterStructure(bytes);
	const candidates = passwordCandidates(password);
	let verified: PbePassword | undefined;
	if (authSafeContent.macData) {
		verified = verifyMac(authSafeContent.macData, authSafeContent.content, candidates);
		if (!verified) throw wrongPassword();
	}

	let bags: Bags | undefined;
	for (const candidate of verified ? [verified] : candidates) {
		try {
			bags = readAuthenticatedSafe(authSafeContent.content, candidate);
			break;
		} catch (error) {
			if (!(error instanceof PbeDecryptionError)) throw error;
			// With a verified MAC the password is right, so failed decryption means damaged contents.
			if (verified) throw damaged('encrypted contents do not decrypt');
		}
	}
	if (!bags) throw wrongPassword();
	return assemble(bags, !verified);
}

interface OuterStructure {
	/** The authSafe data octets: what the MAC covers and what holds the AuthenticatedSafe. */
	content: Buffer;
	macData?: MacData;
}

function readOuterStructure(bytes: Buffer): OuterStructure {
	let pfx: Asn1Node;
	try {
		pfx = readFirst(bytes);
	} catch (error) {
		if (error instanceof Asn1Error && error.truncated && bytes[0] === 0x30) throw damaged('the file ends too early');
		throw notAPfx('it is not DER/BER-encoded data');
	}
	const fields = pfx.is(Tag.sequence) ? pfx.children : undefined;
	const version = fields?.[0]?.is(Tag.integer) ? fields[0].content : undefined;
	if (!fields || !version || version.length !== 1 || version[0] !== 3 || !fields[1]?.is(Tag.sequence)) {
		if (fields?.[0]?.is(Tag.sequence)) throw notAPfx('it looks like a certificate or a signature');
		if (fields?.[0]?.is(Tag.integer)) throw notAPfx('it looks like a private key');
		throw notAPfx('its structure is not PFX');
	}
	try {
		const { authSafe, macData } = new PFX({ schema: pfx.block });
		if (authSafe.contentType === OID.signedData) {
			throw new EdoCryptoError(
				'UNSUPPORTED_ALGORITHM',
				'PFX files protected by a public-key signature (instead of a password MAC) are not supported',
				'Export the key again with password protection.',
			);
		}
		if (authSafe.contentType !== OID.data) throw damaged(`unexpected content type ${authSafe.contentType}`);
		return { content: octets(authSafe.content), macData };
	} catch (error) {
		if (error instanceof EdoCryptoError) throw error;
		throw damaged();
	}
}

function verifyMac(macData: MacData, content: Buffer, candidates: PbePassword[]): PbePassword | undefined {
	const digest = lookup(digests, macData.mac.digestAlgorithm.algorithmId, 'MAC algorithm');
	const expected = octets(macData.mac.digest);
	const salt = octets(macData.macSalt);
	const iterations = checkIterations(macData.iterations ?? 1);
	for (const candidate of candidates) {
		const key = digest.macKey
			? digest.macKey(candidate, salt, iterations)
			: pkcs12Kdf(digest, candidate.bmp, salt, 3, iterations, digest.outputLength);
		const actual = digest.hmac(key, content);
		if (actual.length === expected.length && crypto.timingSafeEqual(actual, expected)) return candidate;
	}
	return undefined;
}

function readAuthenticatedSafe(content: Buffer, password: PbePassword): Bags {
	const bags: Bags = { keys: [], certificates: [] };
	let contentInfos: AuthenticatedSafe['safeContents'];
	try {
		contentInfos = new AuthenticatedSafe({ schema: readDer(content).block }).safeContents;
	} catch {
		throw damaged('the list of contents is malformed');
	}
	for (const { contentType, content: value } of contentInfos) {
		let safeContents: Buffer;
		try {
			if (contentType === OID.data) {
				safeContents = octets(value);
			} else if (contentType === OID.encryptedData) {
				const { contentEncryptionAlgorithm, encryptedContent } = new EncryptedData({ schema: value }).encryptedContentInfo;
				safeContents = decryptToDer(contentEncryptionAlgorithm, password, octets(encryptedContent));
			} else if (contentType === OID.envelopedData) {
				throw new EdoCryptoError(
					'UNSUPPORTED_ALGORITHM',
					'PFX contents encrypted to a public key (envelopedData) are not supported',
					'Export the key again with password protection.',
				);
			} else {
				continue;
			}
		} catch (error) {
			if (error instanceof EdoCryptoError || error instanceof PbeDecryptionError) throw error;
			throw damaged('a content block is malformed');
		}
		let safeBags: Asn1Node[];
		try {
			safeBags = readDer(safeContents).expect(Tag.sequence).children;
		} catch {
			throw damaged('a bag list is malformed');
		}
		readSafeBags(safeBags, password, bags, contentType === OID.encryptedData);
	}
	return bags;
}

/**
 * SafeBags are read with our asn1js view rather than pkijs's SafeBag/CertBag classes: those reject a certificate
 * held as a BER constructed OCTET STRING (what Windows and Java exports write) and keep no bytes of a key bag.
 */
function readSafeBags(safeBags: Asn1Node[], password: PbePassword, bags: Bags, insideEncrypted: boolean): void {
	for (const safeBag of safeBags) {
		try {
			const bagId = safeBag.child(0).oid;
			const bagValue = safeBag.child(1).expect(0, TagClass.context).child(0);
			const localKeyId = readLocalKeyId(safeBag.children[2]);
			if (bagId === OID.keyBag) {
				bags.keys.push({ pkcs8: bagValue.raw, localKeyId, wasEncrypted: insideEncrypted });
			} else if (bagId === OID.pkcs8ShroudedKeyBag) {
				const encryptionAlgorithm = new AlgorithmIdentifier({ schema: bagValue.child(0).block });
				const encryptedData = bagValue.child(1).expect(Tag.octetString).bytes;
				bags.keys.push({ pkcs8: decryptToDer(encryptionAlgorithm, password, encryptedData), localKeyId, wasEncrypted: true });
			} else if (bagId === OID.certBag) {
				const certValue = bagValue.child(1).expect(0, TagClass.context).child(0).expect(Tag.octetString);
				if (bagValue.child(0).oid === OID.x509Certificate) bags.certificates.push({ der: certValue.bytes, localKeyId });
			} else if (bagId === OID.safeContentsBag) {
				readSafeBags(bagValue.children, password, bags, insideEncrypted);
			} // CRLs, secrets and SDSI certificates are not needed for signing
		} catch (error) {
			if (error instanceof EdoCryptoError || error instanceof PbeDecryptionError) throw error;
			throw damaged('a bag is malformed');
		}
	}
}

function readLocalKeyId(attributes: Asn1Node | undefined): Buffer | undefined {
	if (!attributes?.is(Tag.set)) return undefined;
	const attribute = attributes.children.find((candidate) => candidate.child(0).oid === OID.localKeyId);
	const first = attribute?.child(1).children[0];
	return first?.is(Tag.octetString) ? first.bytes : undefined;
}

function assemble(bags: Bags, unverifiedPassword: boolean): PfxContents {
	if (bags.keys.length === 0) {
		throw new EdoCryptoError(
			'PFX_NO_KEY',
			`The PFX file contains no private key (only ${bags.certificates.length} certificate${bags.certificates.length === 1 ? '' : 's'})`,
			'Export the certificate together with its private key (in Windows: "Yes, export the private key").',
		);
	}
	const certificates = bags.certificates.map((entry) => ({ entry, certificate: loadBagCertificate(entry.der) }));
	if (certificates.length === 0) {
		throw new EdoCryptoError(
			'PFX_NO_CERTIFICATE',
			'The PFX file contains a private key but no certificate',
			'Export the certificate together with its private key, or give the certificate separately.',
		);
	}
	const keys = bags.keys.map((entry) => ({ entry, key: loadBagKey(entry, unverifiedPassword) }));

	for (const { entry, key } of keys) {
		const publicKey = key instanceof GostPrivateKey ? undefined : spkiOf(key);
		const comparable = key instanceof GostPrivateKey || publicKey !== undefined;
		const byId = entry.localKeyId
			? certificates.filter((candidate) => candidate.entry.localKeyId?.equals(entry.localKeyId as Buffer))
			: [];
		const byPublicKey = certificates.filter((candidate) =>
			key instanceof GostPrivateKey ? gostKeyMatches(key, candidate.certificate) : publicKey && certificateSpki(candidate.certificate)?.equals(publicKey),
		);
		const match = byPublicKey[0] ?? (comparable ? undefined : byId[0]);
		if (match) {
			const others = certificates.filter((candidate) => candidate !== match).map((candidate) => candidate.certificate);
			return { key, certificate: match.certificate, chain: orderChain(match.certificate, others) };
		}
	}
	throw new EdoCryptoError(
		'KEY_MISMATCH',
		`The private key in the PFX file belongs to none of its ${certificates.length} certificate(s)`,
		'Export the certificate together with its own private key.',
	);
}

function loadBagCertificate(der: Buffer): Certificate {
	try {
		return Certificate.fromDer(der);
	} catch {
		throw damaged('a certificate inside it cannot be read');
	}
}

function loadBagKey(entry: KeyEntry, unverifiedPassword: boolean): PrivateKey {
	let algorithm: string | undefined;
	try {
		algorithm = new PrivateKeyInfo({ schema: readDer(entry.pkcs8).block }).privateKeyAlgorithm.algorithmId;
	} catch {
		algorithm = undefined;
	}
	if (algorithm && isGostKeyAlgorithm(algorithm)) {
		try {
			return GostPrivateKey.fromPkcs8(entry.pkcs8);
		} catch (error) {
			if (entry.wasEncrypted && unverifiedPassword) throw wrongPassword();
			throw error;
		}
	}
	try {
		return crypto.createPrivateKey({ key: entry.pkcs8, format: 'der', type: 'pkcs8' });
	} catch {
		if (entry.wasEncrypted && unverifiedPassword) throw wrongPassword();
		if (!algorithm) throw damaged('the private key inside it cannot be read');
		throw new EdoCryptoError(
			'UNSUPPORTED_ALGORITHM',
			`The private key algorithm ${algorithm} in the PFX file is not supported`,
			'Use a certificate with an RSA, ECDSA (P-256, P-384, P-521) or GOST R 34.10-2012 key.',
		);
	}
}

function gostKeyMatches(key: GostPrivateKey, certificate: Certificate): boolean {
	try {
		return keyMatchesCertificate(key, certificate);
	} catch {
		return false;
	}
}

function spkiOf(key: crypto.KeyObject): Buffer | undefined {
	try {
		return crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
	} catch {
		return undefined;
	}
}

function certificateSpki(certificate: Certificate): Buffer | undefined {
	if (certificate.isGost) return undefined;
	try {
		return certificate.publicKey.export({ type: 'spki', format: 'der' });
	} catch {
		return undefined;
	}
}

/** Issuer of the leaf first, then its issuer, ...; certificates outside the path keep their order at the end. */
function orderChain(leaf: Certificate, others: Certificate[]): Certificate[] {
	const ordered: Certificate[] = [];
	const remaining = [...others];
	let current = leaf;
	for (;;) {
		if (current.isSelfIssued) break;
		const index = remaining.findIndex((candidate) => candidate.subjectNameDer.equals(current.issuerNameDer));
		if (index < 0) break;
		current = remaining.splice(index, 1)[0];
		ordered.push(current);
	}
	return [...ordered, ...remaining];
}
