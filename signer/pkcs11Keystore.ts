/**
 * Keys in a PKCS#11 token (SoftHSM2, Rutoken, JaCarta, an HSM) through the `pkcs11js` addon. The shape of real
 * hardware: the private key never leaves the token; each operation opens a session, logs in with the user
 * PIN the caller gave at credentials/authorize (C_Login), runs, logs out and closes the session.
 *
 * Credentials are the token's X.509 certificates (CKO_CERTIFICATE) that share their CKA_ID with a key object;
 * the private key is the CKO_PRIVATE_KEY with that CKA_ID. Other certificates on the token (a CA) form chains.
 *
 * Mechanisms: CKM_RSA_PKCS (sign a DigestInfo; decrypt a PKCS#1 v1.5 key transport), CKM_RSA_PKCS_OAEP
 * (RSAES-OAEP key transport), CKM_ECDSA (raw digest; r||s turned into DER), CKM_ECDH1_DERIVE with CKD_NULL
 * (the ECDH secret; KDF and key unwrap run in software), CKM_GOSTR3410 (0x1201) and CKM_GOSTR3410_512
 * (0xD4321006) for GOST R 34.10-2012 256/512 over a Streebog digest, when the token offers them.
 *
 * pkcs11js calls are synchronous, so one operation (login … logout) never interleaves with another: the
 * token's login state, which PKCS#11 shares between all sessions of the application, stays consistent.
 */
import 'reflect-metadata';
import { randomBytes, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type * as Pkcs11Types from 'pkcs11js';

import { Certificate } from '../lib/crypto/certificate';
import { decryptCms, type CmsExternalPrivateKey } from '../lib/crypto/cms/decrypt';
import type { KeyTransportScheme } from '../lib/crypto/cms/key-transport';
import { ecdsaRawToDer } from './ecdsa';
import { credentialKeyOf, KeystoreError, type Keystore, type KeystoreCredential, type SignOperation } from './keystore';

type Pkcs11Module = typeof Pkcs11Types;
type Handle = Buffer;

/** GOST mechanisms (PKCS#11 2.40 and the TC 26 vendor range 0xD4321000). */
export const GOST_MECHANISMS = {
	CKM_GOSTR3410: 0x1201,
	CKM_GOSTR3410_WITH_GOSTR3411: 0x1202,
	CKM_GOSTR3410_DERIVE: 0x1204,
	CKM_GOSTR3410_512: 0xd4321006,
	CKM_GOSTR3410_12_DERIVE: 0xd4321007,
	CKM_GOSTR3410_WITH_GOSTR3411_12_256: 0xd4321008,
	CKM_GOSTR3410_WITH_GOSTR3411_12_512: 0xd4321009,
} as const;

export interface Pkcs11KeystoreOptions {
	/** Path of the vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so, /usr/lib/librtpkcs11ecp.so. */
	modulePath: string;
	/** The token label (CK_TOKEN_INFO.label, trailing blanks ignored). */
	tokenLabel?: string;
	/** The token serial number, instead of the label. */
	tokenSerial?: string;
	/** Position in the list of slots with a token, when neither label nor serial is given (default 0). */
	slotIndex?: number;
	/** CSC PIN.format: 'N' (digits) by default. */
	pinFormat?: 'N' | 'A';
	/** How long credentials/list results are reused, default 10 s. */
	listCacheMs?: number;
}

interface TokenObject {
	handle: Handle;
	ckaId: Buffer;
	label: string;
}

interface TokenCredential extends KeystoreCredential {
	ckaId: Buffer;
}

/** One process-wide C_Initialize per library path; pkcs11js instances of the same path share it. */
const initialized = new Map<string, number>();

function loadAddon(): Pkcs11Module {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require('pkcs11js') as Pkcs11Module;
	} catch {
		throw new KeystoreError(
			'token_error',
			'The pkcs11js addon is not installed or not built. Run: npm install pkcs11js && npm rebuild pkcs11js --ignore-scripts=false (needs g++, make, python3)',
		);
	}
}

function errorName(caught: unknown): string {
	return caught instanceof Error ? caught.message.split(/[\s:]/)[0] : String(caught);
}

/** PKCS#11 return values as keystore errors; the text names the CKR_ code only. */
function tokenError(caught: unknown, action: string): KeystoreError {
	const name = errorName(caught);
	if (['CKR_PIN_INCORRECT', 'CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE'].includes(name)) return new KeystoreError('pin_incorrect', 'The PIN is invalid');
	if (['CKR_PIN_LOCKED', 'CKR_PIN_EXPIRED'].includes(name)) return new KeystoreError('pin_locked', `The token refuses the PIN (${name})`);
	if (['CKR_MECHANISM_INVALID', 'CKR_MECHANISM_PARAM_INVALID', 'CKR_KEY_TYPE_INCONSISTENT', 'CKR_KEY_FUNCTION_NOT_PERMITTED', 'CKR_ARGUMENTS_BAD'].includes(name)) {
		return new KeystoreError('unsupported', `The token cannot ${action} with this key (${name})`);
	}
	return new KeystoreError('token_error', `The token failed to ${action} (${/^CKR_\w+$/.test(name) ? name : 'library error'})`);
}

function isCertificateAuthority(der: Buffer): boolean {
	try {
		return new x509.X509Certificate(der).getExtension(x509.BasicConstraintsExtension)?.ca === true;
	} catch {
		return false;
	}
}

export class Pkcs11Keystore implements Keystore {
	readonly description: string;
	readonly pinFormat: 'N' | 'A';
	private readonly pkcs11: Pkcs11Module;
	private readonly library: Pkcs11Types.PKCS11;
	private readonly slot: Handle;
	private readonly mechanisms: Set<number>;
	private readonly modulePath: string;
	private readonly listCacheMs: number;
	private cache?: { at: number; credentials: TokenCredential[] };
	private closed = false;

	constructor(options: Pkcs11KeystoreOptions) {
		this.pkcs11 = loadAddon();
		this.modulePath = options.modulePath;
		this.pinFormat = options.pinFormat ?? 'N';
		this.listCacheMs = options.listCacheMs ?? 10_000;
		this.library = new this.pkcs11.PKCS11();
		try {
			this.library.load(options.modulePath);
		} catch {
			throw new KeystoreError('token_error', `Cannot load the PKCS#11 library ${options.modulePath} (check the path and that it matches this machine)`);
		}
		try {
			this.library.C_Initialize();
		} catch (caught) {
			if (errorName(caught) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw tokenError(caught, 'initialize');
		}
		initialized.set(this.modulePath, (initialized.get(this.modulePath) ?? 0) + 1);
		try {
			this.slot = this.findSlot(options);
			const token = this.library.C_GetTokenInfo(this.slot);
			this.description = `PKCS#11 token '${token.label.trim()}' (${token.manufacturerID.trim()} ${token.model.trim()})`;
			this.mechanisms = new Set(this.library.C_GetMechanismList(this.slot));
		} catch (caught) {
			this.finalize();
			throw caught;
		}
	}

	/** Whether the token offers a mechanism (CKM_ value). */
	offers(mechanism: number): boolean {
		return this.mechanisms.has(mechanism);
	}

	private findSlot(options: Pkcs11KeystoreOptions): Handle {
		const slots = this.library.C_GetSlotList(true);
		const described = slots.map((slot) => ({ slot, info: this.library.C_GetTokenInfo(slot) }));
		let found: Handle | undefined;
		if (options.tokenLabel !== undefined) found = described.find(({ info }) => info.label.trim() === options.tokenLabel)?.slot;
		else if (options.tokenSerial !== undefined) found = described.find(({ info }) => info.serialNumber.trim() === options.tokenSerial)?.slot;
		else found = slots[options.slotIndex ?? 0];
		if (!found) {
			const present = described.map(({ info }) => `'${info.label.trim()}' (serial ${info.serialNumber.trim()})`).join(', ') || 'none';
			const wanted = options.tokenLabel ?? options.tokenSerial ?? `#${options.slotIndex ?? 0}`;
			throw new KeystoreError('token_error', `No token ${wanted} in ${this.modulePath}; tokens present: ${present}`);
		}
		return found;
	}

	// ------------------------------------------------------------------ sessions

	private openSession(): Handle {
		if (this.closed) throw new KeystoreError('token_error', 'The keystore is closed');
		try {
			return this.library.C_OpenSession(this.slot, this.pkcs11.CKF_SERIAL_SESSION);
		} catch (caught) {
			throw tokenError(caught, 'open a session');
		}
	}

	private withSession<T>(action: (session: Handle) => T): T {
		const session = this.openSession();
		try {
			return action(session);
		} finally {
			try {
				this.library.C_CloseSession(session);
			} catch {
				// The token went away; nothing to close.
			}
		}
	}

	/** Opens a session, logs the user in with `pin`, runs `action`, logs out and closes the session. */
	private withLogin<T>(pin: string, action: (session: Handle) => T): T {
		return this.withSession((session) => {
			try {
				this.library.C_Login(session, this.pkcs11.CKU_USER, pin);
			} catch (caught) {
				if (errorName(caught) !== 'CKR_USER_ALREADY_LOGGED_IN') throw tokenError(caught, 'log in');
				// A login left over from a crash: start from a clean state, so this PIN is really checked.
				this.library.C_Logout(session);
				try {
					this.library.C_Login(session, this.pkcs11.CKU_USER, pin);
				} catch (again) {
					throw tokenError(again, 'log in');
				}
			}
			try {
				return action(session);
			} finally {
				try {
					this.library.C_Logout(session);
				} catch {
					// Already logged out (the token was removed).
				}
			}
		});
	}

	private findObjects(session: Handle, template: Pkcs11Types.Template): Handle[] {
		this.library.C_FindObjectsInit(session, template);
		try {
			const found: Handle[] = [];
			for (;;) {
				const batch = this.library.C_FindObjects(session, 64);
				found.push(...batch);
				if (batch.length < 64) return found;
			}
		} finally {
			this.library.C_FindObjectsFinal(session);
		}
	}

	private attributes(session: Handle, handle: Handle, types: number[]): Map<number, Buffer> {
		const result = new Map<number, Buffer>();
		for (const type of types) {
			try {
				const [attribute] = this.library.C_GetAttributeValue(session, handle, [{ type }]);
				if (attribute?.value) result.set(type, attribute.value);
			} catch {
				// Attribute not present or not readable: left out.
			}
		}
		return result;
	}

	private keyObjects(session: Handle, objectClass: number): TokenObject[] {
		const { CKA_CLASS, CKA_ID, CKA_LABEL } = this.pkcs11;
		return this.findObjects(session, [{ type: CKA_CLASS, value: objectClass }]).map((handle) => {
			const values = this.attributes(session, handle, [CKA_ID, CKA_LABEL]);
			return { handle, ckaId: values.get(CKA_ID) ?? Buffer.alloc(0), label: values.get(CKA_LABEL)?.toString('utf8') ?? '' };
		});
	}

	// ------------------------------------------------------------------ credentials

	async list(): Promise<KeystoreCredential[]> {
		return this.tokenCredentials();
	}

	private tokenCredentials(): TokenCredential[] {
		if (this.cache && Date.now() - this.cache.at < this.listCacheMs) return this.cache.credentials;
		const credentials = this.withSession((session) => this.readCredentials(session));
		this.cache = { at: Date.now(), credentials };
		return credentials;
	}

	/** Forgets the cached credential list (after objects were added to the token). */
	refresh(): void {
		this.cache = undefined;
	}

	private readCredentials(session: Handle): TokenCredential[] {
		const { CKA_VALUE, CKA_CERTIFICATE_TYPE, CKC_X_509, CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY } = this.pkcs11;
		const certificates: Array<TokenObject & { certificate: Certificate }> = [];
		for (const object of this.keyObjects(session, CKO_CERTIFICATE)) {
			const values = this.attributes(session, object.handle, [CKA_VALUE, CKA_CERTIFICATE_TYPE]);
			const type = values.get(CKA_CERTIFICATE_TYPE);
			const der = values.get(CKA_VALUE);
			if (!der || (type && type.readUIntLE(0, Math.min(type.length, 6)) !== CKC_X_509)) continue;
			try {
				certificates.push({ ...object, certificate: Certificate.fromDer(der) });
			} catch {
				// Not a certificate we can read: not offered as a credential.
			}
		}
		const keyIds = new Set([...this.keyObjects(session, CKO_PUBLIC_KEY), ...this.keyObjects(session, CKO_PRIVATE_KEY)].map((key) => key.ckaId.toString('hex')));
		const isCredential = (entry: (typeof certificates)[number]) =>
			entry.ckaId.length > 0 && (keyIds.size > 0 ? keyIds.has(entry.ckaId.toString('hex')) : !isCertificateAuthority(entry.certificate.der));
		const leaves = certificates
			.filter(isCredential)
			.filter((entry) => credentialKeyOf(entry.certificate) !== undefined)
			// Tokens return objects in no particular order: list by CKA_ID, then label, so ids and order are stable.
			.sort((a, b) => Buffer.compare(a.ckaId, b.ckaId) || a.label.localeCompare(b.label));
		const labelCounts = new Map<string, number>();
		for (const leaf of leaves) labelCounts.set(leaf.label, (labelCounts.get(leaf.label) ?? 0) + 1);
		return leaves.map((leaf) => {
			const usableLabel = /^[\w.:@-]{1,64}$/.test(leaf.label) && labelCounts.get(leaf.label) === 1;
			return {
				id: usableLabel ? leaf.label : `id-${leaf.ckaId.toString('hex')}`,
				label: leaf.label || undefined,
				ckaId: leaf.ckaId,
				certificate: leaf.certificate,
				chain: this.chainOf(leaf.certificate, certificates.map((entry) => entry.certificate)),
				key: credentialKeyOf(leaf.certificate)!,
			};
		});
	}

	private chainOf(leaf: Certificate, pool: Certificate[]): Certificate[] {
		const chain: Certificate[] = [];
		let current = leaf;
		while (!current.isSelfIssued && chain.length < 8) {
			const issuer = pool.find((candidate) => candidate.subjectNameDer.equals(current.issuerNameDer) && !candidate.der.equals(current.der));
			if (!issuer || chain.some((known) => known.der.equals(issuer.der))) break;
			chain.push(issuer);
			current = issuer;
		}
		return chain;
	}

	private credential(id: string): TokenCredential {
		const found = this.tokenCredentials().find((credential) => credential.id === id);
		if (!found) throw new KeystoreError('key_not_found', `No credential ${id} on the token`);
		return found;
	}

	private privateKey(session: Handle, credential: TokenCredential): { handle: Handle; alwaysAuthenticate: boolean } {
		const { CKA_CLASS, CKA_ID, CKO_PRIVATE_KEY, CKA_ALWAYS_AUTHENTICATE } = this.pkcs11;
		const [handle] = this.findObjects(session, [
			{ type: CKA_CLASS, value: CKO_PRIVATE_KEY },
			{ type: CKA_ID, value: credential.ckaId },
		]);
		if (!handle) throw new KeystoreError('key_not_found', `The token holds no private key with the CKA_ID of credential ${credential.id}`);
		const always = this.attributes(session, handle, [CKA_ALWAYS_AUTHENTICATE]).get(CKA_ALWAYS_AUTHENTICATE);
		return { handle, alwaysAuthenticate: always !== undefined && always.some((byte) => byte !== 0) };
	}

	// ------------------------------------------------------------------ operations

	async checkPin(credentialId: string, pin: string): Promise<void> {
		const credential = this.credential(credentialId);
		this.withLogin(pin, (session) => this.privateKey(session, credential));
	}

	async sign(credentialId: string, pin: string, operations: SignOperation[]): Promise<Buffer[]> {
		const credential = this.credential(credentialId);
		return this.withLogin(pin, (session) => {
			const key = this.privateKey(session, credential);
			return operations.map((operation) => this.signOne(session, key, credential, operation, pin));
		});
	}

	private signOne(session: Handle, key: { handle: Handle; alwaysAuthenticate: boolean }, credential: TokenCredential, operation: SignOperation, pin: string): Buffer {
		const { CKM_RSA_PKCS, CKM_ECDSA } = this.pkcs11;
		let mechanism: number;
		switch (operation.scheme) {
			case 'rsa-pkcs1':
				mechanism = CKM_RSA_PKCS;
				break;
			case 'ecdsa':
				mechanism = CKM_ECDSA;
				break;
			case 'gost':
				mechanism = credential.key.bits === 512 ? GOST_MECHANISMS.CKM_GOSTR3410_512 : GOST_MECHANISMS.CKM_GOSTR3410;
				break;
		}
		if (!this.offers(mechanism)) {
			throw new KeystoreError('unsupported', `The token does not offer mechanism 0x${mechanism.toString(16)} for ${operation.scheme} signatures`);
		}
		let signature: Buffer;
		try {
			this.library.C_SignInit(session, { mechanism }, key.handle);
			// Keys with CKA_ALWAYS_AUTHENTICATE (qualified-signature keys) want the PIN again for every signature.
			if (key.alwaysAuthenticate) this.library.C_Login(session, this.pkcs11.CKU_CONTEXT_SPECIFIC, pin);
			signature = this.library.C_Sign(session, operation.input, Buffer.alloc(1024));
		} catch (caught) {
			throw tokenError(caught, 'sign');
		}
		return operation.scheme === 'ecdsa' ? ecdsaRawToDer(signature) : signature;
	}

	async decrypt(credentialId: string, pin: string, envelope: Buffer): Promise<Buffer> {
		const credential = this.credential(credentialId);
		return this.withLogin(pin, (session) => {
			const key = this.privateKey(session, credential);
			// decryptCms turns any failure inside the private-key step into one generic "decryption failed";
			// a token problem (a missing mechanism) is kept here and reported instead.
			let tokenProblem: KeystoreError | undefined;
			const external = this.externalKey(session, key.handle, (problem) => {
				tokenProblem = problem;
			});
			try {
				return decryptCms(envelope, { certificateDer: credential.certificate.der, key: external });
			} catch (caught) {
				throw tokenProblem ?? caught;
			}
		});
	}

	private externalKey(session: Handle, key: Handle, report: (problem: KeystoreError) => void): CmsExternalPrivateKey {
		const problem = (caught: unknown, action: string): never => {
			const error = caught instanceof KeystoreError ? caught : tokenError(caught, action);
			report(error);
			throw error;
		};
		return {
			decryptKeyTransport: (scheme: KeyTransportScheme, encryptedKey: Buffer, keyLength: number) => {
				if (scheme.padding === 'pkcs1') return this.decryptPkcs1(session, key, encryptedKey, keyLength, problem);
				try {
					this.library.C_DecryptInit(session, { mechanism: this.pkcs11.CKM_RSA_PKCS_OAEP, parameter: this.oaepParameters(scheme) }, key);
				} catch (caught) {
					return problem(caught, `decrypt RSAES-OAEP with ${scheme.hash}`);
				}
				try {
					return this.library.C_Decrypt(session, encryptedKey, Buffer.alloc(encryptedKey.length));
				} catch (caught) {
					if (['CKR_ARGUMENTS_BAD', 'CKR_MECHANISM_PARAM_INVALID', 'CKR_MECHANISM_INVALID'].includes(errorName(caught))) {
						return problem(caught, `decrypt RSAES-OAEP with ${scheme.hash}`);
					}
					throw caught;
				}
			},
			deriveSharedSecret: (originatorKey: KeyObject) => this.deriveSharedSecret(session, key, originatorKey, problem),
		};
	}

	/**
	 * CKM_RSA_PKCS decryption. A padding failure gives a random key of the expected length instead of an error
	 * (implicit rejection), so the content decryption fails like with any wrong key and the answer is no padding
	 * oracle. SoftHSM reports bad padding as CKR_GENERAL_ERROR, tokens as CKR_ENCRYPTED_DATA_INVALID.
	 */
	private decryptPkcs1(session: Handle, key: Handle, encryptedKey: Buffer, keyLength: number, problem: (caught: unknown, action: string) => never): Buffer {
		try {
			this.library.C_DecryptInit(session, { mechanism: this.pkcs11.CKM_RSA_PKCS }, key);
		} catch (caught) {
			return problem(caught, 'decrypt RSA PKCS#1 v1.5');
		}
		try {
			return this.library.C_Decrypt(session, encryptedKey, Buffer.alloc(encryptedKey.length));
		} catch (caught) {
			if (['CKR_ENCRYPTED_DATA_INVALID', 'CKR_ENCRYPTED_DATA_LEN_RANGE', 'CKR_GENERAL_ERROR'].includes(errorName(caught))) return randomBytes(keyLength);
			return problem(caught, 'decrypt RSA PKCS#1 v1.5');
		}
	}

	private oaepParameters(scheme: Extract<KeyTransportScheme, { padding: 'oaep' }>): Pkcs11Types.RsaOAEP {
		const p = this.pkcs11;
		const hashes: Record<string, [number, number]> = {
			sha1: [p.CKM_SHA_1, p.CKG_MGF1_SHA1],
			sha224: [p.CKM_SHA224, p.CKG_MGF1_SHA224],
			sha256: [p.CKM_SHA256, p.CKG_MGF1_SHA256],
			sha384: [p.CKM_SHA384, p.CKG_MGF1_SHA384],
			sha512: [p.CKM_SHA512, p.CKG_MGF1_SHA512],
		};
		const [hashAlg, mgf] = hashes[scheme.hash] ?? hashes.sha1;
		// CKZ_DATA_SPECIFIED = 1: the label is the encoding parameter.
		return { type: p.CK_PARAMS_RSA_OAEP, hashAlg, mgf, source: 1, sourceData: scheme.label };
	}

	/** CKM_ECDH1_DERIVE with CKD_NULL into a session secret, read back and destroyed: the ECDH x coordinate. */
	private deriveSharedSecret(session: Handle, key: Handle, originatorKey: KeyObject, problem: (caught: unknown, action: string) => never): Buffer {
		const p = this.pkcs11;
		const jwk = originatorKey.export({ format: 'jwk' });
		const x = Buffer.from(jwk.x as string, 'base64url');
		const y = Buffer.from(jwk.y as string, 'base64url');
		const size = Math.ceil(({ 'P-256': 256, 'P-384': 384, 'P-521': 521 }[jwk.crv as string] ?? 256) / 8);
		const point = Buffer.concat([Buffer.from([4]), Buffer.alloc(size - x.length), x, Buffer.alloc(size - y.length), y]);
		const template: Pkcs11Types.Template = [
			{ type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
			{ type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
			{ type: p.CKA_TOKEN, value: false },
			{ type: p.CKA_SENSITIVE, value: false },
			{ type: p.CKA_EXTRACTABLE, value: true },
			{ type: p.CKA_VALUE_LEN, value: size },
		];
		// Most tokens take the bare point; some want it DER-wrapped in an OCTET STRING (PKCS#11 allows both).
		const candidates = [point, Buffer.concat([Buffer.from([0x04, point.length]), point])];
		let lastError: unknown;
		for (const publicData of candidates) {
			let secret: Handle | undefined;
			try {
				const parameter: Pkcs11Types.ECDH1 = { type: p.CK_PARAMS_EC_DH, kdf: p.CKD_NULL, publicData };
				secret = this.library.C_DeriveKey(session, { mechanism: p.CKM_ECDH1_DERIVE, parameter }, key, template);
				const [value] = this.library.C_GetAttributeValue(session, secret, [{ type: p.CKA_VALUE }]);
				if (!value?.value) throw new Error('CKR_ATTRIBUTE_SENSITIVE');
				return Buffer.from(value.value);
			} catch (caught) {
				lastError = caught;
			} finally {
				if (secret) this.library.C_DestroyObject(session, secret);
			}
		}
		return problem(lastError, 'derive an ECDH secret (CKM_ECDH1_DERIVE)');
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.finalize();
	}

	private finalize(): void {
		const count = (initialized.get(this.modulePath) ?? 1) - 1;
		if (count > 0) {
			initialized.set(this.modulePath, count);
			return;
		}
		initialized.delete(this.modulePath);
		try {
			this.library.C_Finalize();
		} catch {
			// Already finalized.
		}
	}
}
