/**
 * Answers of the Taxcom emulator. Successful bodies are XML, as the API's are. The wire format of Taxcom
 * errors is not documented (its .NET SDK reports an ApiErrorCode besides the HTTP status); the sandbox sends
 * `<Error><Code>…</Code><Message>…</Message></Error>`, and clients should rely on the status only.
 */
import type { SandboxResponse } from '../../server';

export const XML_TYPE = 'application/xml; charset=utf-8';

export function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (character) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[character]};`);
}

export function xml(status: number, document: string, headers: Record<string, string> = {}): SandboxResponse {
	return { status, body: `<?xml version="1.0" encoding="utf-8"?>\n${document}\n`, headers: { 'content-type': XML_TYPE, ...headers } };
}

export type TaxcomErrorCode =
	| 'NotFound'
	| 'MethodNotAllowed'
	| 'IntegratorIdMissing'
	| 'IntegratorIdInvalid'
	| 'IntegratorIdUnknown'
	| 'UnsupportedMediaType'
	| 'BadRequest'
	| 'CertificateInvalid'
	| 'CertificateUnsupported'
	| 'CertificateNotRegistered'
	| 'CertificateNotValidNow'
	| 'CloudCredentialsInvalid'
	| 'CloudCertificateNotFound'
	| 'PinInvalid'
	| 'TrustedCertificateInvalid'
	| 'AssistantKeyMissing'
	| 'AssistantKeyInvalid'
	| 'AssistantKeyExpired'
	| 'SessionNotActivated'
	| 'TooManyRequests';

export function taxcomError(status: number, code: TaxcomErrorCode, message: string, headers: Record<string, string> = {}): SandboxResponse {
	return xml(status, `<Error>\n  <Code>${code}</Code>\n  <Message>${escapeXml(message)}</Message>\n</Error>`, headers);
}
