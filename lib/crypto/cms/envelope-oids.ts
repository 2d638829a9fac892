/**
 * Object identifiers of the encryption side of CMS (EnvelopedData / AuthEnvelopedData). Kept apart from
 * oids.ts so this module can grow (GOST key transport and ciphers) without touching the shared list.
 */

// Content encryption (RFC 3565, RFC 5084, RFC 3370)
export const OID_AES128_CBC = '2.16.840.1.101.3.4.1.2';
export const OID_AES192_CBC = '2.16.840.1.101.3.4.1.22';
export const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';
export const OID_AES128_GCM = '2.16.840.1.101.3.4.1.6';
export const OID_AES192_GCM = '2.16.840.1.101.3.4.1.26';
export const OID_AES256_GCM = '2.16.840.1.101.3.4.1.46';
export const OID_DES_EDE3_CBC = '1.2.840.113549.3.7';

// Key wrap (RFC 3394, RFC 3217)
export const OID_AES128_WRAP = '2.16.840.1.101.3.4.1.5';
export const OID_AES192_WRAP = '2.16.840.1.101.3.4.1.25';
export const OID_AES256_WRAP = '2.16.840.1.101.3.4.1.45';
export const OID_CMS3DES_WRAP = '1.2.840.113549.1.9.16.3.6';

// RSA key transport (RFC 8017, RFC 4055)
export const OID_RSAES_OAEP = '1.2.840.113549.1.1.7';
export const OID_MGF1 = '1.2.840.113549.1.1.8';
export const OID_P_SPECIFIED = '1.2.840.113549.1.1.9';

// ECDH key agreement schemes (RFC 5753)
export const OID_ECDH_STD_SHA1KDF = '1.3.133.16.840.63.0.2';
export const OID_ECDH_STD_SHA224KDF = '1.3.132.1.11.0';
export const OID_ECDH_STD_SHA256KDF = '1.3.132.1.11.1';
export const OID_ECDH_STD_SHA384KDF = '1.3.132.1.11.2';
export const OID_ECDH_STD_SHA512KDF = '1.3.132.1.11.3';
export const OID_ECDH_COFACTOR_SHA1KDF = '1.3.133.16.840.63.0.3';
export const OID_ECDH_COFACTOR_SHA224KDF = '1.3.132.1.14.0';
export const OID_ECDH_COFACTOR_SHA256KDF = '1.3.132.1.14.1';
export const OID_ECDH_COFACTOR_SHA384KDF = '1.3.132.1.14.2';
export const OID_ECDH_COFACTOR_SHA512KDF = '1.3.132.1.14.3';

// Names
export const OID_COMMON_NAME = '2.5.4.3';

/** Names for OIDs that show up in error messages, including ones we recognise but do not support. */
const KNOWN_NAMES: Record<string, string> = {
	[OID_AES128_CBC]: 'AES-128-CBC',
	[OID_AES192_CBC]: 'AES-192-CBC',
	[OID_AES256_CBC]: 'AES-256-CBC',
	[OID_AES128_GCM]: 'AES-128-GCM',
	[OID_AES192_GCM]: 'AES-192-GCM',
	[OID_AES256_GCM]: 'AES-256-GCM',
	[OID_DES_EDE3_CBC]: 'DES-EDE3-CBC',
	[OID_AES128_WRAP]: 'AES-128 key wrap',
	[OID_AES192_WRAP]: 'AES-192 key wrap',
	[OID_AES256_WRAP]: 'AES-256 key wrap',
	[OID_CMS3DES_WRAP]: '3DES key wrap',
	[OID_RSAES_OAEP]: 'RSAES-OAEP',
	'1.2.840.113549.1.1.1': 'RSA PKCS#1 v1.5',
	'1.2.840.113549.3.2': 'RC2-CBC',
	'1.3.14.3.2.7': 'DES-CBC',
	'2.16.840.1.101.3.4.1.7': 'AES-128-CCM',
	'2.16.840.1.101.3.4.1.27': 'AES-192-CCM',
	'2.16.840.1.101.3.4.1.47': 'AES-256-CCM',
	'1.2.840.113549.1.9.16.3.18': 'ChaCha20-Poly1305',
	'1.2.643.2.2.21': 'GOST 28147-89',
	'1.2.643.7.1.1.5.1.1': 'Magma CTR-ACPKM',
	'1.2.643.7.1.1.5.1.2': 'Magma CTR-ACPKM-OMAC',
	'1.2.643.7.1.1.5.2.1': 'Kuznyechik CTR-ACPKM',
	'1.2.643.7.1.1.5.2.2': 'Kuznyechik CTR-ACPKM-OMAC',
	'1.2.643.2.2.19': 'GOST R 34.10-2001',
	'1.2.643.2.2.98': 'GOST R 34.10-2001 VKO',
	'1.2.643.7.1.1.1.1': 'GOST R 34.10-2012 256-bit',
	'1.2.643.7.1.1.1.2': 'GOST R 34.10-2012 512-bit',
	'1.2.643.7.1.1.6.1': 'GOST R 34.10-2012 256-bit VKO',
	'1.2.643.7.1.1.6.2': 'GOST R 34.10-2012 512-bit VKO',
	'1.2.643.7.1.1.7.1.1': 'Magma KExp15 key transport',
	'1.2.643.7.1.1.7.2.1': 'Kuznyechik KExp15 key transport',
	'1.3.133.16.840.63.0.16': 'ECMQV (sha1kdf)',
	'1.2.840.113549.1.7.1': 'Data',
	'1.2.840.113549.1.7.2': 'SignedData',
	'1.2.840.113549.1.7.3': 'EnvelopedData',
	'1.2.840.113549.1.7.4': 'SignedAndEnvelopedData',
	'1.2.840.113549.1.7.5': 'DigestedData',
	'1.2.840.113549.1.7.6': 'EncryptedData',
	'1.2.840.113549.1.9.16.1.2': 'AuthenticatedData',
	'1.2.840.113549.1.9.16.1.9': 'CompressedData',
	'1.2.840.113549.1.9.16.1.23': 'AuthEnvelopedData',
};

/** "1.2.3 (Name)" when the OID is known, else just the dotted form. */
export function describeOid(oid: string): string {
	const name = KNOWN_NAMES[oid];
	return name ? `${oid} (${name})` : oid;
}
