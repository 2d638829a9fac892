/**
 * The software-key mode: keys in process memory, one PIN per credential (compared in constant time). For the
 * sandbox, the demo and machines without a PKCS#11 token: RSA, EC and GOST R 34.10-2012 keys (GOST with our own
 * implementation: signHash over a Streebog digest gives s || r; x-edo/decrypt opens GOST envelopes).
 */
import { constants, createHash, privateEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';

import { Certificate, loadCertificate, loadCertificates } from '../lib/crypto/certificate';
import { decryptCms } from '../lib/crypto/cms/decrypt';
import { getParamSet } from '../lib/crypto/gost/curves';
import { GostPrivateKey } from '../lib/crypto/gost/gostKey';
import * as GOST_OID from '../lib/crypto/gost/oids';
import { createGostSelfSignedCertificate } from '../lib/crypto/gost/selfSigned';
import type { PrivateKey } from '../lib/crypto/keys';
import { assertKeyMatchesCertificate, loadPrivateKey } from '../lib/crypto/privateKey';
import { generateKey, selfSignedCertificate } from './certificates';
import { rawEcdsaSigner } from './ecdsa';
import { credentialKeyOf, KeystoreError, type Keystore, type KeystoreCredential, type SignOperation } from './keystore';

export const DEFAULT_SOFTWARE_PIN = '1234';

export interface SoftwareCredentialInput {
	id: string;
	label?: string;
	/** DER, PEM or base64. */
	certificate: Buffer | string;
	/** A KeyObject, a GOST key or an unencrypted PEM (PKCS#8, PKCS#1, SEC 1; GOST keys as PKCS#8). */
	privateKey: KeyObject | GostPrivateKey | string;
	/** Issuer certificates (DER, PEM, base64; a PEM bundle may hold several). */
	chain?: Array<Buffer | string>;
	/** This credential's PIN; the keystore's default PIN otherwise. */
	pin?: string;
}

interface Entry {
	credential: KeystoreCredential;
	key: PrivateKey;
	pinDigest?: Buffer;
	ecdsa?: (digest: Buffer) => Buffer;
}

function pinDigest(pin: string): Buffer {
	return createHash('sha256').update('edo-signer-pin\0').update(pin, 'utf8').digest();
}

function parseCertificates(inputs: Array<Buffer | string>): Certificate[] {
	return inputs.flatMap((input) => (typeof input === 'string' ? loadCertificates(input) : [loadCertificate(input)]));
}

export const SANDBOX_SUBJECT: Array<[string, string]> = [
	['2.5.4.3', 'Иванов Иван Иванович'],
	['2.5.4.10', 'ООО «Ромашка»'],
	['2.5.4.6', 'RU'],
	['1.2.643.100.4', '7701234567'],
	['1.2.643.100.1', '1027700132195'],
	['1.2.643.100.3', '11223344595'],
];

export class SoftwareKeystore implements Keystore {
	readonly description = 'software keys (in memory)';
	private readonly entries = new Map<string, Entry>();
	private defaultPinDigest: Buffer;
	private numericPins: boolean;

	constructor(options: { pin?: string; credentials?: SoftwareCredentialInput[] } = {}) {
		const pin = options.pin ?? DEFAULT_SOFTWARE_PIN;
		this.defaultPinDigest = pinDigest(pin);
		this.numericPins = /^\d+$/.test(pin);
		for (const input of options.credentials ?? []) this.add(input);
	}

	/**
	 * RSA-2048 and P-256 keys with self-signed certificates (ids `<prefix>-rsa`, `<prefix>-ec`); with `gost`, also
	 * GOST R 34.10-2012 keys (`<prefix>-gost` 256-bit CryptoPro-A, `<prefix>-gost512` TC26-512-A).
	 */
	static async generate(options: { pin?: string; prefix?: string; now?: number; gost?: boolean } = {}): Promise<SoftwareKeystore> {
		const keystore = new SoftwareKeystore({ pin: options.pin });
		const prefix = options.prefix ?? 'sandbox';
		const now = options.now ?? Date.now();
		for (const kind of ['RSA', 'EC'] as const) {
			const key = await generateKey(kind);
			const certificate = await selfSignedCertificate(key, {
				subject: [...SANDBOX_SUBJECT, ['2.5.4.11', `EDO remote signer ${kind === 'RSA' ? 'RSA-2048' : 'ECDSA P-256'}`]],
				notBefore: new Date(now - 86_400_000),
				notAfter: new Date(now + 365 * 86_400_000),
			});
			keystore.add({ id: `${prefix}-${kind.toLowerCase()}`, label: `${kind === 'RSA' ? 'RSA-2048' : 'ECDSA P-256'} software key`, certificate, privateKey: key });
		}
		if (options.gost) {
			const sets = [
				['gost', GOST_OID.GOST_R3410_2001_CRYPTOPRO_A_PARAMSET],
				['gost512', GOST_OID.TC26_GOST_3410_12_512_PARAMSET_A],
			] as const;
			for (const [suffix, paramSetOid] of sets) {
				const key = GostPrivateKey.generate(getParamSet(paramSetOid));
				const certificate = createGostSelfSignedCertificate(key, {
					subject: [...SANDBOX_SUBJECT, ['2.5.4.11', `EDO remote signer ${key.description}`]],
					notBefore: new Date(now - 86_400_000),
					notAfter: new Date(now + 365 * 86_400_000),
				});
				keystore.add({ id: `${prefix}-${suffix}`, label: `${key.description} software key`, certificate, privateKey: key });
			}
		}
		return keystore;
	}

	get pinFormat(): 'N' | 'A' {
		return this.numericPins ? 'N' : 'A';
	}

	add(input: SoftwareCredentialInput): KeystoreCredential {
		if (!/^[\w.:@-]{1,128}$/.test(input.id)) throw new Error('a credential id is 1 to 128 letters, digits or . : @ _ -');
		const certificate = parseCertificates([input.certificate])[0];
		const key = typeof input.privateKey === 'string' ? loadPrivateKey(input.privateKey) : input.privateKey;
		assertKeyMatchesCertificate(key, certificate);
		const family = credentialKeyOf(certificate);
		if (!family) {
			throw new Error(`the software keystore signs with RSA, EC and GOST R 34.10-2012 keys; this certificate has a ${certificate.keyAlgorithm.description} key`);
		}
		const chain = parseCertificates(input.chain ?? []).filter((other) => !other.der.equals(certificate.der));
		const credential: KeystoreCredential = { id: input.id, label: input.label, certificate, chain, key: family };
		this.entries.set(input.id, {
			credential,
			key,
			pinDigest: input.pin !== undefined ? pinDigest(input.pin) : undefined,
			ecdsa: family.family === 'EC' && !(key instanceof GostPrivateKey) ? rawEcdsaSigner(key) : undefined,
		});
		if (input.pin !== undefined && !/^\d+$/.test(input.pin)) this.numericPins = false;
		return credential;
	}

	remove(id: string): boolean {
		return this.entries.delete(id);
	}

	has(id: string): boolean {
		return this.entries.has(id);
	}

	/** Sets the PIN of one credential, or the default PIN (and drops every per-credential PIN) when id is omitted. */
	setPin(pin: string, id?: string): void {
		if (id === undefined) {
			this.defaultPinDigest = pinDigest(pin);
			for (const entry of this.entries.values()) entry.pinDigest = undefined;
			this.numericPins = /^\d+$/.test(pin);
			return;
		}
		this.entry(id).pinDigest = pinDigest(pin);
		if (!/^\d+$/.test(pin)) this.numericPins = false;
	}

	/** Replaces the certificate of a credential with another one for the same key (e.g. a re-issued validity). */
	replaceCertificate(id: string, certificate: Buffer | string): void {
		const entry = this.entry(id);
		const parsed = parseCertificates([certificate])[0];
		assertKeyMatchesCertificate(entry.key, parsed);
		entry.credential = { ...entry.credential, certificate: parsed };
	}

	/** Re-issues the self-signed certificate of a credential with this validity (the key stays). */
	async reissue(id: string, notBefore: Date, notAfter: Date): Promise<Certificate> {
		const entry = this.entry(id);
		const subject = entry.credential.certificate.subjectRdns.flat().map((attribute): [string, string] => [attribute.oid, attribute.value]);
		const der =
			entry.key instanceof GostPrivateKey
				? createGostSelfSignedCertificate(entry.key, { subject, notBefore, notAfter })
				: await selfSignedCertificate(entry.key, { subject, notBefore, notAfter });
		this.replaceCertificate(id, der);
		return this.entry(id).credential.certificate;
	}

	async list(): Promise<KeystoreCredential[]> {
		return [...this.entries.values()].map((entry) => entry.credential);
	}

	async checkPin(credentialId: string, pin: string): Promise<void> {
		const entry = this.entry(credentialId);
		if (!timingSafeEqual(pinDigest(pin), entry.pinDigest ?? this.defaultPinDigest)) {
			throw new KeystoreError('pin_incorrect', 'The PIN is invalid');
		}
	}

	async sign(credentialId: string, pin: string, operations: SignOperation[]): Promise<Buffer[]> {
		await this.checkPin(credentialId, pin);
		const entry = this.entry(credentialId);
		return operations.map((operation) => {
			switch (operation.scheme) {
				case 'rsa-pkcs1':
					if (entry.key instanceof GostPrivateKey) throw new KeystoreError('unsupported', 'RSA signatures need an RSA key');
					// Block type 1 padding over the DigestInfo: exactly RSASSA-PKCS1-v1_5.
					return privateEncrypt({ key: entry.key, padding: constants.RSA_PKCS1_PADDING }, operation.input);
				case 'ecdsa':
					if (!entry.ecdsa) throw new KeystoreError('unsupported', 'ECDSA needs an EC key');
					return entry.ecdsa(operation.input);
				case 'gost':
					// The bare Streebog digest, as CKM_GOSTR3410 takes it; the value is s || r (RFC 4491 / RFC 9215).
					if (!(entry.key instanceof GostPrivateKey)) {
						throw new KeystoreError('unsupported', 'GOST R 34.10-2012 signing (CKM_GOSTR3410) needs a GOST key; this credential has another key type');
					}
					return entry.key.signDigest(operation.input);
			}
		});
	}

	async decrypt(credentialId: string, pin: string, envelope: Buffer): Promise<Buffer> {
		await this.checkPin(credentialId, pin);
		const entry = this.entry(credentialId);
		return decryptCms(envelope, { certificateDer: entry.credential.certificate.der, key: entry.key });
	}

	async close(): Promise<void> {
		this.entries.clear();
	}

	private entry(id: string): Entry {
		const entry = this.entries.get(id);
		if (!entry) throw new KeystoreError('key_not_found', `No credential ${id}`);
		return entry;
	}
}
