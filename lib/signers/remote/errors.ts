/**
 * Turns what a CSC endpoint answers into errors that say what failed: the access token, the PIN, an unknown
 * or unusable credential, another refusal. Transport failures (endpoint down, too slow, 5xx) stay
 * HttpErrors, which already name the endpoint, the method and the status. No message carries a PIN, OTP,
 * SAD, token or secret: the service's own words are redacted before they are quoted.
 */
import { EdoCryptoError, type CryptoErrorCode } from '../../crypto/errors';
import { HttpError, isHttpError, redactSecrets } from '../../http';

/** The CSC call (or token request) that failed, as it appears in messages. */
export type CscStep =
	| 'info'
	| 'oauth2/token'
	| 'auth/login'
	| 'credentials/list'
	| 'credentials/info'
	| 'credentials/authorize'
	| 'signatures/signHash'
	| 'x-edo/decrypt';

export interface FailureContext {
	step: CscStep;
	serviceName: string;
	credentialId?: string;
	/** Every secret in play (PIN, OTP, SAD, token, client secret, password). */
	secrets: readonly string[];
}

/** The service's error code and text, lower-cased, for matching. */
function serviceText(error: HttpError): string {
	return `${error.serviceErrorCode ?? ''} ${error.serviceMessage ?? ''} ${error.bodyExcerpt ?? ''}`.toLowerCase();
}

const MENTIONS_PIN = /\b(pin|otp|passcode|one[- ]time password|authdata|auth_data)\b/;
const MENTIONS_SAD = /\bsad\b|signature activation/;
const UNUSABLE = /\b(revoked|expired|suspended|disabled|not yet valid|on hold)\b/;
const MENTIONS_CREDENTIAL = /credential|certificate|\bkey\b/;
const NOT_FOUND = /\b(unknown|not found|does not exist|no such|invalid parameter credential ?id|invalid credential ?id)\b/;
const TOKEN_PROBLEM = /invalid_token|expired_token|token (is )?(expired|invalid|revoked)|access token/;

/** Whether a 401 is about the access token (worth one refresh) rather than the PIN or the credential. */
export function isTokenRejection(error: unknown): boolean {
	if (!isHttpError(error) || error.kind !== 'http' || error.status !== 401) return false;
	const text = serviceText(error);
	return TOKEN_PROBLEM.test(text) || !MENTIONS_PIN.test(text);
}

/** Whether signHash/decrypt refused the SAD itself (expired, used up): worth one new authorization. */
export function isSadRejection(error: unknown): boolean {
	if (!isHttpError(error) || error.kind !== 'http' || error.status === undefined || error.status >= 500) return false;
	const text = serviceText(error);
	return MENTIONS_SAD.test(text) && !MENTIONS_PIN.test(text);
}

function quote(error: HttpError, context: FailureContext): string {
	const parts = [error.serviceErrorCode, error.serviceMessage && error.serviceMessage !== error.serviceErrorCode ? error.serviceMessage : undefined]
		.filter((part): part is string => Boolean(part))
		.map((part) => redactSecrets(part, context.secrets));
	return `${context.step}, HTTP ${error.status}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function build(code: CryptoErrorCode, message: string, hint: string, context: FailureContext): EdoCryptoError {
	return new EdoCryptoError(code, redactSecrets(message, context.secrets), redactSecrets(hint, context.secrets));
}

function credentialName(context: FailureContext): string {
	return context.credentialId ? `credential "${context.credentialId}"` : 'the credential';
}

/**
 * The error to report for a failed call. HttpErrors of the transport (network, timeout, TLS) and 5xx answers
 * are returned as they are; refusals (4xx) become EdoCryptoErrors with a code per cause.
 */
export function cscFailure(error: unknown, context: FailureContext): Error {
	if (!isHttpError(error)) {
		if (error instanceof EdoCryptoError) return error;
		return build('REMOTE_SIGNER_PROTOCOL', `${context.serviceName}: ${context.step} failed unexpectedly`, 'Check the base URL of the EDO Remote Signer credential.', context);
	}
	if (error.kind !== 'http' || error.status === undefined || error.status >= 500) return error;
	const { serviceName } = context;
	const status = error.status;
	const text = serviceText(error);
	const why = quote(error, context);

	if (context.step === 'oauth2/token' || context.step === 'auth/login') {
		const what = context.step === 'oauth2/token' ? 'the OAuth2 client id or secret' : 'the user name or password';
		return build(
			'REMOTE_SIGNER_AUTH',
			`${serviceName} refused ${what} (${why})`,
			context.step === 'oauth2/token'
				? 'Check the token URL, client id, client secret and scope in the EDO Remote Signer credential.'
				: 'Check the user name and password of the EDO Remote Signer credential.',
			context,
		);
	}
	if (MENTIONS_PIN.test(text) && !MENTIONS_SAD.test(text)) {
		const blocked = /\b(locked|blocked)\b/.test(text);
		return build(
			'REMOTE_SIGNER_PIN',
			blocked ? `${serviceName} reports the PIN of ${credentialName(context)} as blocked (${why})` : `${serviceName} refused the PIN or OTP of ${credentialName(context)} (${why})`,
			blocked
				? 'Too many wrong PINs: unblock the key on the signer (PUK or administrator), then set the right PIN in the credential.'
				: 'Set the right PIN (and the current OTP, if the credential needs one) in the EDO Remote Signer credential. Repeated wrong PINs may block the key.',
			context,
		);
	}
	if (status === 401) {
		return build(
			'REMOTE_SIGNER_AUTH',
			`${serviceName} refused the access token (${why})`,
			'Check the authentication of the EDO Remote Signer credential: the token is wrong or has expired, or the client may not use this endpoint.',
			context,
		);
	}
	if (UNUSABLE.test(text) && MENTIONS_CREDENTIAL.test(text) && !MENTIONS_SAD.test(text)) {
		return build(
			'REMOTE_CREDENTIAL_UNUSABLE',
			`${serviceName} cannot sign with ${credentialName(context)}: ${UNUSABLE.exec(text)?.[1] ?? 'unusable'} (${why})`,
			'Renew the certificate or choose another credential on the signer; a revoked or expired certificate cannot sign.',
			context,
		);
	}
	if (status === 404 && context.step === 'x-edo/decrypt') {
		return build(
			'REMOTE_SIGNER_REFUSED',
			`${serviceName} does not offer decryption (x-edo/decrypt answered 404)`,
			'Decryption is an extension of CSC (POST <base>/x-edo/decrypt, see the README); use a signer that implements it, or the EDO Certificate with a local key.',
			context,
		);
	}
	if ((status === 404 || NOT_FOUND.test(text)) && /credential/.test(`${text} ${context.step}`)) {
		return build(
			'REMOTE_CREDENTIAL_NOT_FOUND',
			`${serviceName} does not know ${credentialName(context)} (${why})`,
			'Check the credential id in the EDO Remote Signer credential (or leave it empty and give the certificate thumbprint).',
			context,
		);
	}
	if (status === 403) {
		return build(
			'REMOTE_SIGNER_AUTH',
			`${serviceName} does not allow this account to use ${credentialName(context)} (${why})`,
			'The service account may not use this credential: check its rights on the signer.',
			context,
		);
	}
	if (context.step === 'x-edo/decrypt') {
		return build(
			'DECRYPTION_FAILED',
			`${serviceName} could not decrypt the data with ${credentialName(context)} (${why})`,
			"Check that the data is a CMS envelope (DER) encrypted to this credential's certificate.",
			context,
		);
	}
	return build(
		'REMOTE_SIGNER_REFUSED',
		`${serviceName} refused ${context.step} for ${credentialName(context)} (${why})`,
		context.step === 'signatures/signHash'
			? "Check that the credential's key supports the chosen hash algorithm, and the CSC version and field names of the EDO Remote Signer credential."
			: 'Check the EDO Remote Signer credential (base URL, CSC version, field names) against the signer.',
		context,
	);
}

/** A broken answer: a field the protocol requires is missing or malformed. */
export function protocolError(context: FailureContext, what: string): EdoCryptoError {
	return build(
		'REMOTE_SIGNER_PROTOCOL',
		`${context.serviceName} answered ${context.step} without ${what}`,
		'Check that the base URL points at a CSC API (…/csc/v2 or …/csc/v1) and the CSC version setting of the credential.',
		context,
	);
}

/** signHash or decrypt refused the SAD (expired, used up, unknown): the signer asks for a new one once. */
export class SadRejectedError extends EdoCryptoError {
	constructor(context: FailureContext, cause: HttpError) {
		super(
			'REMOTE_SIGNER_REFUSED',
			redactSecrets(`${context.serviceName} refused the signature activation data for ${credentialName(context)} (${quote(cause, context)})`, context.secrets),
			'The authorization expired or was used up; run again. If it persists, check the multisign setting of the credential on the signer.',
		);
		this.name = 'EdoCryptoError';
	}
}
