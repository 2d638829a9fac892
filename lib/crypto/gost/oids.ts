/**
 * GOST object identifiers (RFC 4357, RFC 7836, RFC 9215, R 1323565.1.024-2019), one flat list. Names follow
 * the ASN.1 modules (id-... in SCREAMING_SNAKE_CASE).
 */

// Public key algorithms.
export const GOST_R3410_2001 = '1.2.643.2.2.19';
export const GOST_R3410_2001_DH = '1.2.643.2.2.98';
export const TC26_GOST_3410_12_256 = '1.2.643.7.1.1.1.1';
export const TC26_GOST_3410_12_512 = '1.2.643.7.1.1.1.2';
export const TC26_AGREEMENT_GOST_3410_12_256 = '1.2.643.7.1.1.6.1';
export const TC26_AGREEMENT_GOST_3410_12_512 = '1.2.643.7.1.1.6.2';

// Digests and MACs.
export const GOST_R3411_94 = '1.2.643.2.2.9';
export const GOST_R3411_94_CRYPTOPRO_PARAMSET = '1.2.643.2.2.30.1';
export const TC26_GOST_3411_12_256 = '1.2.643.7.1.1.2.2';
export const TC26_GOST_3411_12_512 = '1.2.643.7.1.1.2.3';
export const TC26_HMAC_GOST_3411_12_256 = '1.2.643.7.1.1.4.1';
export const TC26_HMAC_GOST_3411_12_512 = '1.2.643.7.1.1.4.2';

// Signature algorithms.
export const GOST_R3411_94_WITH_GOST_R3410_2001 = '1.2.643.2.2.3';
export const TC26_SIGNWITHDIGEST_GOST_3410_12_256 = '1.2.643.7.1.1.3.2';
export const TC26_SIGNWITHDIGEST_GOST_3410_12_512 = '1.2.643.7.1.1.3.3';

// GOST R 34.10 parameter sets.
export const GOST_R3410_2001_TEST_PARAMSET = '1.2.643.2.2.35.0';
export const GOST_R3410_2001_CRYPTOPRO_A_PARAMSET = '1.2.643.2.2.35.1';
export const GOST_R3410_2001_CRYPTOPRO_B_PARAMSET = '1.2.643.2.2.35.2';
export const GOST_R3410_2001_CRYPTOPRO_C_PARAMSET = '1.2.643.2.2.35.3';
export const GOST_R3410_2001_CRYPTOPRO_XCHA_PARAMSET = '1.2.643.2.2.36.0';
export const GOST_R3410_2001_CRYPTOPRO_XCHB_PARAMSET = '1.2.643.2.2.36.1';
export const TC26_GOST_3410_12_256_PARAMSET_A = '1.2.643.7.1.2.1.1.1';
export const TC26_GOST_3410_12_256_PARAMSET_B = '1.2.643.7.1.2.1.1.2';
export const TC26_GOST_3410_12_256_PARAMSET_C = '1.2.643.7.1.2.1.1.3';
export const TC26_GOST_3410_12_256_PARAMSET_D = '1.2.643.7.1.2.1.1.4';
export const TC26_GOST_3410_12_512_PARAMSET_TEST = '1.2.643.7.1.2.1.2.0';
export const TC26_GOST_3410_12_512_PARAMSET_A = '1.2.643.7.1.2.1.2.1';
export const TC26_GOST_3410_12_512_PARAMSET_B = '1.2.643.7.1.2.1.2.2';
export const TC26_GOST_3410_12_512_PARAMSET_C = '1.2.643.7.1.2.1.2.3';

// Block ciphers (GOST R 34.12-2015).
export const TC26_CIPHER_GOSTR3412_2015_MAGMA = '1.2.643.7.1.1.5.1';
export const TC26_CIPHER_GOSTR3412_2015_KUZNYECHIK = '1.2.643.7.1.1.5.2';
