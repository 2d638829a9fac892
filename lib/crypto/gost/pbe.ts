/**
 * The Russian PKCS#12 / PKCS#8 password profile (R 50.1.112-2016, and what OpenSSL's GOST engine writes), as
 * entries of pkcs12.ts's algorithm tables:
 * - digests Streebog-256/512 with HMAC-Streebog as PBKDF2 PRFs (id-tc26-hmac-gost-3411-12-256/512);
 * - the PFX MAC with a Streebog digest: its key is NOT the PKCS#12 KDF's but the last 32 bytes of
 *   PBKDF2-HMAC-Streebog(password as UTF-8, salt, iterations, 96 bytes), as OpenSSL and CryptoPro compute it;
 * - PBES2 ciphers: GOST 28147-89 CFB (1.2.643.2.2.21, parameters SEQUENCE { iv, encryptionParamSet }, CryptoPro
 *   key meshing except for the test S-box) and Kuznyechik / Magma CTR-ACPKM (parameters SEQUENCE { ukm }: the
 *   IV is its first half-block). The -omac variants are not offered: OpenSSL's engine writes them without the
 *   MAC and cannot read its own files back.
 */
import { Asn1Error, Tag, type Asn1Node } from '../encoding';
import type { PbeDigest, Pbes2Cipher } from '../pkcs12';
import { gost28147SboxByOid, gost89Decrypt } from './gost89';
import { HmacStreebog, pbkdf2Streebog } from './hmac';
import { blockCipherFactory, ctrAcpkmCrypt, type Gost2015CipherName } from './modes2015';
import * as OID from './oids';
import { Streebog, type StreebogSize } from './streebog';

/** The registration functions of pkcs12.ts (passed in, so this module does not import it at run time). */
export interface PbeRegistry {
	registerDigest(oid: string, digest: PbeDigest, hmacOid?: string): void;
	registerPbes2Cipher(oid: string, cipher: Pbes2Cipher): void;
}

const GOST_MAC_KEY_SOURCE_LENGTH = 96;
const GOST_MAC_KEY_LENGTH = 32;

/** Section sizes of the engine's EVP CTR-ACPKM ciphers (what PBES2 runs them with). */
const PBE_ACPKM_SECTION: Record<Gost2015CipherName, number> = { kuznyechik: 4096, magma: 1024 };

function streebogDigest(size: StreebogSize): PbeDigest {
	return {
		name: `STREEBOG-${size}`,
		outputLength: size / 8,
		blockLength: 64,
		hash: (data) => new Streebog(size).update(data).digest(),
		hmac: (key, data) => new HmacStreebog(size, key).mac(data),
		pbkdf2: (password, salt, iterations, length) => pbkdf2Streebog(size, password, salt, iterations, length),
		macKey: (password, salt, iterations) =>
			pbkdf2Streebog(size, password.utf8, salt, iterations, GOST_MAC_KEY_SOURCE_LENGTH).subarray(-GOST_MAC_KEY_LENGTH),
	};
}

function sequenceFields(parameters: Asn1Node | undefined, what: string): Asn1Node[] {
	if (!parameters?.is(Tag.sequence)) throw new Asn1Error(`${what} parameters are missing`);
	return parameters.children;
}

const gost89Cipher: Pbes2Cipher = {
	name: 'GOST 28147-89',
	keyLength: () => 32,
	decrypt(key, parameters, data) {
		const [iv, paramSet] = sequenceFields(parameters, 'GOST 28147-89');
		const ivBytes = iv?.expect(Tag.octetString).bytes;
		if (!ivBytes || ivBytes.length !== 8) throw new Asn1Error('the GOST 28147-89 IV is not 8 bytes');
		const sbox = gost28147SboxByOid(paramSet ? paramSet.oid : '1.2.643.2.2.31.1');
		return Buffer.from(gost89Decrypt('cfb', key, ivBytes, data, { sbox, meshing: sbox !== 'Test' }));
	},
};

function ctrAcpkmCipher(cipher: Gost2015CipherName): Pbes2Cipher {
	const halfBlock = cipher === 'kuznyechik' ? 8 : 4;
	return {
		name: `${cipher}-ctr-acpkm`,
		keyLength: () => 32,
		decrypt(key, parameters, data) {
			const ukm = sequenceFields(parameters, cipher)[0]?.expect(Tag.octetString).bytes;
			if (!ukm || ukm.length < halfBlock) throw new Asn1Error(`the ${cipher} parameters carry no IV`);
			return Buffer.from(ctrAcpkmCrypt(blockCipherFactory(cipher), key, ukm.subarray(0, halfBlock), data, PBE_ACPKM_SECTION[cipher]));
		},
	};
}

/** Adds the GOST entries to pkcs12.ts's tables. */
export function registerGostPbe(registry: PbeRegistry): void {
	registry.registerDigest(OID.TC26_GOST_3411_12_256, streebogDigest(256), OID.TC26_HMAC_GOST_3411_12_256);
	registry.registerDigest(OID.TC26_GOST_3411_12_512, streebogDigest(512), OID.TC26_HMAC_GOST_3411_12_512);
	registry.registerPbes2Cipher('1.2.643.2.2.21', gost89Cipher);
	registry.registerPbes2Cipher('1.2.643.7.1.1.5.2.1', ctrAcpkmCipher('kuznyechik'));
	registry.registerPbes2Cipher('1.2.643.7.1.1.5.1.1', ctrAcpkmCipher('magma'));
}
