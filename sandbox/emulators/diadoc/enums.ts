/**
 * Diadoc protobuf enums with their numbers (proto/RegistrationResponse, proto/DssSign). Responses name them
 * (the JSON of the real API), or number them when the `numericEnums` option asks; requests may carry either.
 */

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
/** What a finished operation may end with (InProgress and Unknown are not endings). */
export type DssTerminalStatus = Exclude<DssOperationStatus, 'InProgress' | 'Unknown'>;

export const DSS_FILE_SIGNING_STATUSES = { UnknownSigningStatus: 0, SigningCompleted: 1, SigningError: 2 } as const;
export type DssFileSigningStatus = keyof typeof DSS_FILE_SIGNING_STATUSES;

export const DSS_CONFIRM_TYPES = {
	ConfirmTypeUnknown: -1,
	None: 0,
	Sms: 1,
	MyDss: 2,
	Applet: 3,
	MobileSdk: 4,
	GosKey: 5,
} as const;
export type DssConfirmType = keyof typeof DSS_CONFIRM_TYPES;

export const DSS_OPERATORS = { OperatorUnknown: 0, Megafon: 1, Kontur: 2 } as const;
export type DssOperator = keyof typeof DSS_OPERATORS;

export const DSS_SIGN_DATA_SOURCES = { CertificateSign: 0, GosKeySign: 1 } as const;
export type DssSignDataSource = keyof typeof DSS_SIGN_DATA_SOURCES;

export type EnumTable = Readonly<Record<string, number>>;

export function isEnumName<T extends EnumTable>(table: T, value: unknown): value is keyof T & string {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(table, value);
}

/**
 * A request enum: its name (any letter case, as the .NET JSON reader accepts), its number, or the number as
 * a string. Undefined when it is none of those.
 */
export function parseEnum<T extends EnumTable>(table: T, value: unknown): (keyof T & string) | undefined {
	const names = Object.keys(table) as (keyof T & string)[];
	if (typeof value === 'number' && Number.isInteger(value)) return names.find((name) => table[name] === value);
	if (typeof value !== 'string') return undefined;
	const trimmed = value.trim();
	if (/^-?\d+$/.test(trimmed)) return names.find((name) => table[name] === Number(trimmed));
	return names.find((name) => name.toLowerCase() === trimmed.toLowerCase());
}

/** A response enum: the name, or the number when `numeric`. */
export function formatEnum<T extends EnumTable>(table: T, name: keyof T & string, numeric: boolean): string | number {
	return numeric ? table[name] : name;
}
