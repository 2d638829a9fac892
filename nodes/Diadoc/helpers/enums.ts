/**
 * Diadoc's protobuf enums as the JSON API sends them, read tolerantly: by name (any letter case), by number,
 * or by the number as a string. The docs' own C# sample spells `RegistrationIsInProcess`; the proto and the
 * OpenAPI say `RegistrationIsInProgress`: both are read as the latter.
 */

export interface EnumReading<Name extends string> {
	/** The canonical name; 'Unknown'-like fallback names are returned for values we cannot place. */
	name: Name;
	/** What the service sent, when it was not the canonical name (a number, a variant spelling). */
	raw?: string | number;
	recognized: boolean;
}

function readEnum<Name extends string>(
	table: Readonly<Record<Name, number>>,
	aliases: Readonly<Record<string, Name>>,
	fallback: Name,
	value: unknown,
): EnumReading<Name> {
	const names = Object.keys(table) as Name[];
	const byNumber = (number: number) => names.find((name) => table[name] === number);
	let found: Name | undefined;
	if (typeof value === 'number' && Number.isInteger(value)) found = byNumber(value);
	else if (typeof value === 'string') {
		const text = value.trim();
		if (/^-?\d+$/.test(text)) found = byNumber(Number(text));
		else {
			const lower = text.toLowerCase();
			found = names.find((name) => name.toLowerCase() === lower) ?? Object.entries(aliases).find(([alias]) => alias.toLowerCase() === lower)?.[1];
		}
	}
	if (found === undefined) {
		const raw = typeof value === 'string' || typeof value === 'number' ? value : value === undefined || value === null ? undefined : String(value);
		return { name: fallback, raw, recognized: false };
	}
	return value === found ? { name: found, recognized: true } : { name: found, raw: value as string | number, recognized: true };
}

// ---------------------------------------------------------------------------------------------------------
// Registration

export const REGISTRATION_STATUSES = {
	Unknown: 0,
	AccessIsDenied: 1,
	AccessRequestIsRejected: 2,
	CertificateOwnershipProofIsRequired: 3,
	CertificateIsNotQualified: 4,
	RegistrationIsCompleted: 5,
	RegistrationIsInProgress: 6,
	RegistrationInBranchIsForbidden: 7,
	AccessRequestIsPending: 8,
	OrganizationNotFound: 9,
} as const;
export type RegistrationStatus = keyof typeof REGISTRATION_STATUSES;

/** 'result': a final answer; 'proof' / 'progress': a step of the chain; 'unfavourable': an error by default. */
export type RegistrationOutcome = 'result' | 'proof' | 'progress' | 'unfavourable';

export interface StatusDescription {
	outcome: RegistrationOutcome;
	meaning: string;
	remedy: string;
}

/** Meaning and remedy of every status, after proto/RegistrationResponse.rst of the Diadoc docs. */
export const REGISTRATION_STATUS_INFO: Record<RegistrationStatus, StatusDescription> = {
	RegistrationIsCompleted: {
		outcome: 'result',
		meaning: 'The certificate owner is registered as an employee of the organization.',
		remedy: 'Use the BoxId.',
	},
	AccessRequestIsPending: {
		outcome: 'result',
		meaning: "An access request was sent to the organization's administrators.",
		remedy: 'Wait until an administrator approves it, or contact the administrator.',
	},
	CertificateOwnershipProofIsRequired: {
		outcome: 'proof',
		meaning: 'The certificate is bound, but possession of its private key has not been proven.',
		remedy: 'Sign DataToSign, call Confirm Registration, then Register again (Register With Ownership Proof does all three).',
	},
	RegistrationIsInProgress: {
		outcome: 'progress',
		meaning: 'Diadoc is checking the organization asynchronously (for active administrators).',
		remedy: 'Call Register again after a few seconds (Register With Ownership Proof waits and repeats).',
	},
	AccessIsDenied: {
		outcome: 'unfavourable',
		meaning: 'The certificate is not bound to the current user, or the user was removed from the organization.',
		remedy: 'Contact Diadoc support, or request access to the organization in the Diadoc web interface.',
	},
	AccessRequestIsRejected: {
		outcome: 'unfavourable',
		meaning: "An administrator of the organization rejected the access request.",
		remedy: "Contact the organization's administrator.",
	},
	CertificateIsNotQualified: {
		outcome: 'unfavourable',
		meaning: 'The certificate is not a valid qualified electronic signature certificate (КЭП).',
		remedy: 'Use a valid, non-revoked qualified certificate.',
	},
	RegistrationInBranchIsForbidden: {
		outcome: 'unfavourable',
		meaning: 'The organization belongs to a branch network, where self-registration is not possible.',
		remedy: "Ask the organization's administrator to add the employee.",
	},
	OrganizationNotFound: {
		outcome: 'unfavourable',
		meaning: "No organization was found for the INN in the certificate.",
		remedy: 'Check the certificate (its INN), or contact Diadoc support.',
	},
	Unknown: {
		outcome: 'unfavourable',
		meaning: 'Diadoc returned a status this client does not know (the docs: "the client SDK is too old").',
		remedy: 'Update the n8n-nodes-edo package; the raw status is in the output.',
	},
};

export function readRegistrationStatus(value: unknown): EnumReading<RegistrationStatus> {
	return readEnum(REGISTRATION_STATUSES, { RegistrationIsInProcess: 'RegistrationIsInProgress' }, 'Unknown', value);
}

// ---------------------------------------------------------------------------------------------------------
// DSS

export const DSS_OPERATION_STATUSES = {
	Unknown: 0,
	InProgress: 1,
	Completed: 2,
	CanceledByUser: 3,
	Timeout: 4,
	Crashed: 5,
	UserHasUnconfirmedOperation: 6,
	OperationRetryRequired: 7,
} as const;
export type DssOperationStatus = keyof typeof DSS_OPERATION_STATUSES;

export const DSS_OPERATION_STATUS_INFO: Record<DssOperationStatus, { terminal: boolean; favourable: boolean; meaning: string; remedy: string }> = {
	InProgress: {
		terminal: false,
		favourable: true,
		meaning: 'The signing operation is running, or is waiting for the certificate owner to confirm it.',
		remedy: 'Ask again later (Get Result), or use Sign and Wait.',
	},
	Completed: { terminal: true, favourable: true, meaning: 'The files are signed.', remedy: 'Use the signatures (post them with PostMessagePatch / SendDraft).' },
	CanceledByUser: {
		terminal: true,
		favourable: false,
		meaning: 'The certificate owner rejected the confirmation request.',
		remedy: 'Ask the certificate owner to confirm, then sign again.',
	},
	Timeout: {
		terminal: true,
		favourable: false,
		meaning: 'The certificate owner did not confirm the operation in time.',
		remedy: 'Sign again and confirm the request promptly.',
	},
	Crashed: { terminal: true, favourable: false, meaning: 'The signing operation failed in Diadoc.', remedy: 'Sign again; contact Diadoc support if it repeats.' },
	UserHasUnconfirmedOperation: {
		terminal: true,
		favourable: false,
		meaning: 'The certificate owner has another unconfirmed signing operation.',
		remedy: 'Confirm or reject the other operation in the confirmation app, then sign again.',
	},
	OperationRetryRequired: {
		terminal: true,
		favourable: false,
		meaning: 'Diadoc asks to repeat the operation.',
		remedy: 'Sign again in about 5 minutes.',
	},
	Unknown: {
		terminal: true,
		favourable: false,
		meaning: 'Diadoc returned an operation status this client does not know.',
		remedy: 'Update the n8n-nodes-edo package; the raw status is in the output.',
	},
};

export function readDssOperationStatus(value: unknown): EnumReading<DssOperationStatus> {
	// The proto default is Unknown; an absent status is Unknown too.
	return readEnum(DSS_OPERATION_STATUSES, {}, 'Unknown', value);
}

export const DSS_FILE_SIGNING_STATUSES = { UnknownSigningStatus: 0, SigningCompleted: 1, SigningError: 2 } as const;
export type DssFileSigningStatus = keyof typeof DSS_FILE_SIGNING_STATUSES;

export function readDssFileSigningStatus(value: unknown): EnumReading<DssFileSigningStatus> {
	return readEnum(DSS_FILE_SIGNING_STATUSES, {}, 'UnknownSigningStatus', value);
}

export const DSS_CONFIRM_TYPES = { ConfirmTypeUnknown: -1, None: 0, Sms: 1, MyDss: 2, Applet: 3, MobileSdk: 4, GosKey: 5 } as const;
export type DssConfirmType = keyof typeof DSS_CONFIRM_TYPES;

export function readDssConfirmType(value: unknown): EnumReading<DssConfirmType> {
	return readEnum(DSS_CONFIRM_TYPES, {}, 'ConfirmTypeUnknown', value);
}

/** How the certificate owner confirms, in words, for the "waiting for confirmation" message. */
export const CONFIRM_TYPE_WORDS: Record<DssConfirmType, string> = {
	ConfirmTypeUnknown: 'in the way Diadoc asks',
	None: 'without a confirmation step',
	Sms: 'with the code from an SMS',
	MyDss: 'in the MyDSS app',
	Applet: 'in the SIM-card applet',
	MobileSdk: 'in the Kontur.Podpis app',
	GosKey: 'in the Goskey app',
};

export const DSS_OPERATORS = { OperatorUnknown: 0, Megafon: 1, Kontur: 2 } as const;
export type DssOperator = keyof typeof DSS_OPERATORS;

export function readDssOperator(value: unknown): EnumReading<DssOperator> {
	return readEnum(DSS_OPERATORS, {}, 'OperatorUnknown', value);
}
