/**
 * The wire models of Transcrypt API v2 as its ASP.NET help pages show them (AuthSucceedModel, Organization),
 * the ASP.NET Web API error shape ({"Message": …}), and sample organizations derived from a certificate.
 */
import crypto from 'node:crypto';
import type { Certificate } from '../../../lib/crypto/certificate';
import { json, type SandboxResponse } from '../../server';

export interface TranscryptOrganization {
	Id: string;
	Name: string;
	DocflowMemberId: string;
	OrganizationJur: { Inn: string; Kpp: string } | null;
	OrganizationNat: { Inn: string } | null;
}

export interface AuthSucceedModel {
	Token: string;
	Organizations: TranscryptOrganization[];
	NeedSignLicense: boolean;
	IsNewClient: boolean;
	IsNewEmployee: boolean;
	IsNewCertificate: boolean;
	CertificateNotFound: boolean;
	Error: string | null;
}

/** What .NET serializes for a Guid that was never set: the answer's Token when no session was opened. */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

export function authModel(fields: Partial<AuthSucceedModel>): AuthSucceedModel {
	return {
		Token: EMPTY_GUID,
		Organizations: [],
		NeedSignLicense: false,
		IsNewClient: false,
		IsNewEmployee: false,
		IsNewCertificate: false,
		CertificateNotFound: false,
		Error: null,
		...fields,
	};
}

/**
 * A refused login: the AuthSucceedModel with Error set (no token), plus the ASP.NET `Message`, so a client
 * reading either field finds the reason.
 */
export function authFailure(status: number, message: string): SandboxResponse {
	return json(status, { ...authModel({ Error: message }), Message: message });
}

/** ASP.NET Web API HttpError: `{"Message": …}`, with ModelState for validation failures. */
export function httpError(status: number, message: string, modelState?: Record<string, string[]>, headers?: Record<string, string>): SandboxResponse {
	return json(status, modelState ? { Message: message, ModelState: modelState } : { Message: message }, headers);
}

export function invalidModel(field: string, problem: string): SandboxResponse {
	return httpError(400, 'The request is invalid.', { [`model.${field}`]: [problem] });
}

/** A GUID that stays the same for the same seed (certificate thumbprint, login). */
export function stableGuid(seed: string): string {
	const hex = crypto.createHash('sha1').update(seed).digest('hex');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A 10-digit legal-entity INN with a correct check digit, derived from the seed (so no real company's). */
export function sampleLegalInn(seed: string): string {
	const digest = crypto.createHash('sha1').update(`inn:${seed}`).digest();
	const digits = Array.from(digest.subarray(0, 9), (byte) => byte % 10);
	digits[0] = 9; // 99xx is not a real region code: sample INNs cannot collide with real organizations.
	digits[1] = 9;
	const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
	const check = (digits.reduce((sum, digit, index) => sum + digit * weights[index], 0) % 11) % 10;
	return [...digits, check].join('');
}

function organization(seed: string, name: string, jur: { Inn: string; Kpp: string } | null, nat: { Inn: string } | null): TranscryptOrganization {
	return {
		Id: stableGuid(`organization:${seed}`),
		Name: name,
		DocflowMemberId: `sandbox-${crypto.createHash('sha1').update(`member:${seed}`).digest('hex').slice(0, 16)}`,
		OrganizationJur: jur,
		OrganizationNat: nat,
	};
}

/**
 * The organization a certificate speaks for: INN-LE (1.2.643.100.4) makes a legal entity (KPP = its tax
 * office + "01001"), a personal INN alone an individual; a certificate without either gets a sample one.
 */
export function organizationsForCertificate(certificate: Certificate): TranscryptOrganization[] {
	const info = certificate.info();
	const name = info.organization ?? info.commonName ?? 'Sandbox organization';
	// Older certificates carry a legal entity's INN in the INN attribute as "00" + 10 digits.
	const legacyLegalInn = info.inn && /^00\d{10}$/.test(info.inn) ? info.inn.slice(2) : undefined;
	const legalInn = info.innLe ?? legacyLegalInn;
	if (legalInn) return [organization(certificate.thumbprint, name, { Inn: legalInn, Kpp: `${legalInn.slice(0, 4)}01001` }, null)];
	if (info.inn) return [organization(certificate.thumbprint, name, null, { Inn: info.inn })];
	const inn = sampleLegalInn(certificate.thumbprint);
	return [organization(certificate.thumbprint, name, { Inn: inn, Kpp: `${inn.slice(0, 4)}01001` }, null)];
}

export function organizationsForLogin(login: string): TranscryptOrganization[] {
	const inn = sampleLegalInn(`login:${login}`);
	return [organization(`login:${login}`, `ООО «Песочница ${login}»`, { Inn: inn, Kpp: `${inn.slice(0, 4)}01001` }, null)];
}
