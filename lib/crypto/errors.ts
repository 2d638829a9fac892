/**
 * Every failure the crypto core reports to a user is an EdoCryptoError: a stable code, a message that says
 * what is wrong, and a hint that says how to fix it. Neither may contain a secret (password, PIN, key bytes).
 */
export type CryptoErrorCode =
	| 'INVALID_INPUT'
	| 'NOT_A_CERTIFICATE'
	| 'NOT_A_PRIVATE_KEY'
	| 'WRONG_PASSWORD'
	| 'PFX_INTEGRITY'
	| 'PFX_NO_KEY'
	| 'PFX_NO_CERTIFICATE'
	| 'KEY_MISMATCH'
	| 'INVALID_THUMBPRINT'
	| 'UNSUPPORTED_ALGORITHM'
	| 'INVALID_CMS'
	| 'SIGNATURE_INVALID'
	| 'NO_MATCHING_RECIPIENT'
	| 'DECRYPTION_FAILED'
	/** A service answered a login without a session (its own error text, an unknown certificate, no token). */
	| 'LOGIN_REFUSED'
	/** Remote signer (CSC): the access token, client secret or login was refused. */
	| 'REMOTE_SIGNER_AUTH'
	/** Remote signer: the PIN or OTP of the credential was refused. */
	| 'REMOTE_SIGNER_PIN'
	/** Remote signer: no credential with this id, or none with this certificate thumbprint. */
	| 'REMOTE_CREDENTIAL_NOT_FOUND'
	/** Remote signer: the credential's certificate is revoked, expired or suspended, or its key is disabled. */
	| 'REMOTE_CREDENTIAL_UNUSABLE'
	/** Remote signer: any other refusal of a request (4xx with a CSC error). */
	| 'REMOTE_SIGNER_REFUSED'
	/** Remote signer: an answer that breaks the protocol (missing fields, a signature of the wrong length). */
	| 'REMOTE_SIGNER_PROTOCOL';

export class EdoCryptoError extends Error {
	readonly code: CryptoErrorCode;
	readonly hint?: string;

	constructor(code: CryptoErrorCode, message: string, hint?: string) {
		super(message);
		this.name = 'EdoCryptoError';
		this.code = code;
		this.hint = hint;
	}
}

export function isEdoCryptoError(error: unknown): error is EdoCryptoError {
	return error instanceof EdoCryptoError;
}
