/** Object identifiers used by the CMS code (dotted form). A flat list: add, never rename. */

// CMS content types (RFC 5652, RFC 5083, RFC 3274)
export const OID_DATA = '1.2.840.113549.1.7.1';
export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
export const OID_SIGNED_AND_ENVELOPED_DATA = '1.2.840.113549.1.7.4';
export const OID_DIGESTED_DATA = '1.2.840.113549.1.7.5';
export const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
export const OID_AUTHENTICATED_DATA = '1.2.840.113549.1.9.16.1.2';
export const OID_COMPRESSED_DATA = '1.2.840.113549.1.9.16.1.9';
export const OID_AUTH_ENVELOPED_DATA = '1.2.840.113549.1.9.16.1.23';

// Signed attributes (RFC 5652, RFC 2634, RFC 5035)
export const OID_ATTR_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_ATTR_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_ATTR_SIGNING_TIME = '1.2.840.113549.1.9.5';
export const OID_ATTR_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
export const OID_ATTR_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

// Digest algorithms
export const OID_SHA1 = '1.3.14.3.2.26';
export const OID_SHA224 = '2.16.840.1.101.3.4.2.4';
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
export const OID_SHA384 = '2.16.840.1.101.3.4.2.2';
export const OID_SHA512 = '2.16.840.1.101.3.4.2.3';

// Public key and signature algorithms
export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_SHA1_WITH_RSA = '1.2.840.113549.1.1.5';
export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const OID_SHA384_WITH_RSA = '1.2.840.113549.1.1.12';
export const OID_SHA512_WITH_RSA = '1.2.840.113549.1.1.13';
export const OID_SHA224_WITH_RSA = '1.2.840.113549.1.1.14';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_ECDSA_WITH_SHA1 = '1.2.840.10045.4.1';
export const OID_ECDSA_WITH_SHA224 = '1.2.840.10045.4.3.1';
export const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
export const OID_ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';
export const OID_ECDSA_WITH_SHA512 = '1.2.840.10045.4.3.4';

// X.509 extensions
export const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
