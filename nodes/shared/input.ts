import { EdoCryptoError } from '../../lib/crypto/errors';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64 (or base64url) text strictly: Node's decoder silently skips invalid characters, which would
 * sign or decrypt something other than what the user meant. Whitespace and line breaks are allowed.
 */
export function decodeBase64Strict(value: string, what: string): Buffer {
	const compact = (typeof value === 'string' ? value : '').replace(/\s+/g, '');
	const hint = `Provide the ${what} as base64 (A–Z, a–z, 0–9, +, /, with = padding), or pick another input type.`;
	if (compact.length === 0) throw new EdoCryptoError('INVALID_INPUT', `The ${what} is empty.`, hint);
	const isBase64 = BASE64.test(compact) && compact.length % 4 === 0;
	const isBase64Url = !isBase64 && BASE64URL.test(compact) && compact.length % 4 !== 1;
	if (!isBase64 && !isBase64Url) {
		throw new EdoCryptoError('INVALID_INPUT', `The ${what} is not valid base64.`, hint);
	}
	return Buffer.from(compact, isBase64 ? 'base64' : 'base64url');
}

/** Text as UTF-8 bytes, or base64 decoded strictly. */
export function bytesFromField(value: unknown, encoding: 'text' | 'base64', what: string): Buffer {
	const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
	if (encoding === 'base64') return decodeBase64Strict(text, what);
	return Buffer.from(text, 'utf8');
}
