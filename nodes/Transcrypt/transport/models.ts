/**
 * AuthSucceedModel as the Transcrypt help pages describe it, read tolerantly (Json.NET binds names
 * case-insensitively; a Guid never set is all zeros), and the decision whether a login answer is a success.
 */
import { EdoCryptoError } from '../../../lib/crypto/errors';

export interface TranscryptOrganization {
	Id: string | null;
	Name: string | null;
	DocflowMemberId: string | null;
	/** INN of the legal entity (OrganizationJur) or of the individual (OrganizationNat). */
	Inn: string | null;
	Kpp: string | null;
	Type: 'legal' | 'individual' | null;
	OrganizationJur: { Inn: string | null; Kpp: string | null } | null;
	OrganizationNat: { Inn: string | null } | null;
}

export interface AuthAnswer {
	Token: string | null;
	Organizations: TranscryptOrganization[];
	NeedSignLicense: boolean;
	IsNewClient: boolean;
	IsNewEmployee: boolean;
	IsNewCertificate: boolean;
	CertificateNotFound: boolean;
	Error: string | null;
}

const EMPTY_GUID = /^0{8}-?0{4}-?0{4}-?0{4}-?0{12}$/;

/** A property matched case-insensitively. */
export function field(object: unknown, name: string): unknown {
	if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
	const record = object as Record<string, unknown>;
	if (name in record) return record[name];
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(record)) if (key.toLowerCase() === wanted) return value;
	return undefined;
}

function stringOrNull(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (typeof value === 'number') return String(value);
	return null;
}

function flag(value: unknown): boolean {
	return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

function organization(value: unknown): TranscryptOrganization {
	const jur = field(value, 'OrganizationJur');
	const nat = field(value, 'OrganizationNat');
	const jurInn = stringOrNull(field(jur, 'Inn'));
	const natInn = stringOrNull(field(nat, 'Inn'));
	const kpp = stringOrNull(field(jur, 'Kpp'));
	return {
		Id: stringOrNull(field(value, 'Id')),
		Name: stringOrNull(field(value, 'Name')),
		DocflowMemberId: stringOrNull(field(value, 'DocflowMemberId')),
		Inn: jurInn ?? natInn,
		Kpp: jurInn ? kpp : null,
		Type: jurInn ? 'legal' : natInn ? 'individual' : null,
		OrganizationJur: jur && typeof jur === 'object' ? { Inn: jurInn, Kpp: kpp } : null,
		OrganizationNat: nat && typeof nat === 'object' ? { Inn: natInn } : null,
	};
}

export function readAuthAnswer(body: unknown): AuthAnswer {
	const token = stringOrNull(field(body, 'Token'));
	const organizations = field(body, 'Organizations');
	return {
		Token: token && !EMPTY_GUID.test(token.trim()) ? token.trim() : null,
		Organizations: Array.isArray(organizations) ? organizations.map(organization) : [],
		NeedSignLicense: flag(field(body, 'NeedSignLicense')),
		IsNewClient: flag(field(body, 'IsNewClient')),
		IsNewEmployee: flag(field(body, 'IsNewEmployee')),
		IsNewCertificate: flag(field(body, 'IsNewCertificate')),
		CertificateNotFound: flag(field(body, 'CertificateNotFound')),
		Error: stringOrNull(field(body, 'Error')),
	};
}

/** ASP.NET's `{"Message", "ModelState"}` as one line. */
export function webApiMessage(body: unknown): string | undefined {
	const message = stringOrNull(field(body, 'Message'));
	const modelState = field(body, 'ModelState');
	const details: string[] = [];
	if (modelState && typeof modelState === 'object' && !Array.isArray(modelState)) {
		for (const [key, value] of Object.entries(modelState as Record<string, unknown>)) {
			const problems = Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
			if (problems.length) details.push(`${key.replace(/^model\./i, '')}: ${problems.join('; ')}`);
		}
	}
	const parts = [message, details.join(', ')].filter((part): part is string => Boolean(part));
	return parts.length ? parts.join(' — ') : undefined;
}

export interface LoginOutcome {
	status: number;
	answer: AuthAnswer;
	/** Why this answer is not a session, or undefined for a success. */
	problem?: EdoCryptoError;
}

/** Classifies a login answer (any status the client let through) into success or a clear refusal. */
export function judgeLogin(status: number, body: unknown, kind: 'signature' | 'password', certificate?: string): LoginOutcome {
	const answer = readAuthAnswer(body);
	const who = kind === 'signature' ? 'the signature login' : 'the password login';
	const serviceText = answer.Error ?? webApiMessage(body);
	let problem: EdoCryptoError | undefined;
	if (answer.CertificateNotFound) {
		problem = new EdoCryptoError(
			'LOGIN_REFUSED',
			`Transcrypt does not know the certificate${certificate ? ` ${certificate}` : ''} (CertificateNotFound)${answer.Error ? `: ${answer.Error}` : ''}`,
			'Register the certificate with Taxnet Transcrypt first, or sign with the certificate that is registered there.',
		);
	} else if (status >= 400 || answer.Error) {
		const hint =
			kind === 'password'
				? 'Check Login and Password, App ID and App Instance in the Transcrypt API credential.'
				: 'Get a fresh Secret and sign exactly its text (try the UTF-16LE option if Transcrypt expects it); check App ID and App Instance.';
		problem = new EdoCryptoError('LOGIN_REFUSED', `Transcrypt refused ${who}${status >= 400 ? ` (HTTP ${status})` : ''}${serviceText ? `: ${serviceText}` : ''}`, hint);
	} else if (!answer.Token) {
		problem = new EdoCryptoError('LOGIN_REFUSED', `Transcrypt answered ${who} without a token`, 'Check the Base URL of the Transcrypt API credential and the answer flags (e.g. NeedSignLicense).');
	}
	return { status, answer, problem };
}
