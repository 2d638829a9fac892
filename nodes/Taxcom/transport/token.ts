/**
 * The encrypted access token of CertificateLogin/CloudCertificateLogin and its decrypted form.
 *
 * The docs say only that the token comes back "encrypted with the key of the certificate". What arrives is a
 * CMS EnvelopedData: as raw DER bytes, or (a .NET service returning byte[] or string) as base64 text, possibly
 * JSON-quoted, wrapped in a JSON object or in an XML element. All of these are accepted.
 */
import { decodeBinary, looksLikeDer } from '../../../lib/crypto/encoding';
import { EdoCryptoError } from '../../../lib/crypto/errors';

export type DecryptedTokenFormat = 'text' | 'base64';

const TOKEN_FIELDS = ['token', 'encryptedtoken', 'assistantkey', 'data', 'content', 'value', 'result'];
const ENVELOPE_HINT =
	'Check the server URL and API version in the Taxcom API credential: the login method must answer with the encrypted token (CMS EnvelopedData, DER or base64).';

function notAnEnvelope(method: string, detail: string): EdoCryptoError {
	return new EdoCryptoError('INVALID_CMS', `The answer of Taxcom ${method} is not an encrypted token: ${detail}`, ENVELOPE_HINT);
}

/** The base64 text inside a JSON string/object or an XML element, or the text itself. */
function unwrapText(text: string): string {
	const trimmed = text.replace(/^\uFEFF/, '').trim();
	if (trimmed.startsWith('"') || trimmed.startsWith('{')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(trimmed);
		} catch {
			return trimmed;
		}
		if (typeof parsed === 'string') return parsed;
		if (parsed && typeof parsed === 'object') {
			const entries = Object.entries(parsed as Record<string, unknown>).filter(([, value]) => typeof value === 'string');
			const named = entries.find(([key]) => TOKEN_FIELDS.includes(key.toLowerCase()));
			if (named) return named[1] as string;
			if (entries.length === 1) return entries[0][1] as string;
		}
		return trimmed;
	}
	if (trimmed.startsWith('<')) {
		const inner = /<(?:[\w.-]+:)?[\w.-]+(?:\s[^>]*)?>\s*([A-Za-z0-9+/=\s_-]+?)\s*<\//.exec(trimmed);
		if (inner) return inner[1];
	}
	return trimmed;
}

/**
 * The DER EnvelopedData of a login answer (bytes as received). Throws INVALID_CMS for an empty body or
 * anything that is neither DER nor base64 of DER.
 */
export function envelopeFromResponse(body: Buffer | string | undefined, method: string): Buffer {
	const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
	if (!bytes || bytes.length === 0) throw notAnEnvelope(method, 'the body is empty');
	if (looksLikeDer(bytes)) return bytes;
	const text = unwrapText(bytes.toString('utf8'));
	let der: Buffer;
	try {
		der = decodeBinary(text, 'encrypted token');
	} catch {
		throw notAnEnvelope(method, `the body (${bytes.length} bytes) is neither DER nor base64`);
	}
	if (!looksLikeDer(der)) throw notAnEnvelope(method, 'the decoded body is not an ASN.1 structure');
	return der;
}

/**
 * The envelope a user hands in (step-by-step flows): base64, PEM or DER bytes; same tolerance as a response.
 */
export function envelopeFromInput(value: Buffer | string, what = 'encrypted token'): Buffer {
	if (typeof value === 'string' && value.trim().length === 0) {
		throw new EdoCryptoError('INVALID_INPUT', `The ${what} is empty`, 'Map the encrypted token of the login step (base64), or choose its binary property.');
	}
	return envelopeFromResponse(value, 'login');
}

/**
 * The Assistant-Key value from the decrypted bytes. 'text': the token as UTF-8 (or UTF-16 with a BOM) text,
 * trimmed; it must be printable ASCII to travel in an HTTP header. 'base64': the bytes in base64.
 */
export function assistantKeyFromDecrypted(bytes: Buffer, format: DecryptedTokenFormat = 'text'): string {
	if (bytes.length === 0) {
		throw new EdoCryptoError('DECRYPTION_FAILED', 'The decrypted token is empty', 'Log in again; if it persists, Taxcom returned an empty token.');
	}
	if (format === 'base64') return bytes.toString('base64');
	let text: string;
	if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
	else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
	else text = bytes.toString('utf8').replace(/^\uFEFF/, '');
	// eslint-disable-next-line no-control-regex
	const token = text.replace(/^[\s\u0000]+|[\s\u0000]+$/g, '');
	if (!token || !/^[\x21-\x7e]+$/.test(token)) {
		throw new EdoCryptoError(
			'INVALID_INPUT',
			'The decrypted token is not printable text, so it cannot be sent as the Assistant-Key header',
			'Set the option "Decrypted Token As" to Base64 if Taxcom expects the token bytes in base64.',
		);
	}
	return token;
}
