/**
 * Everything the Diadoc emulator remembers between requests, and the lookups the routes share. Expiry is
 * always measured on the sandbox clock.
 */
import { TestClock } from '../../clock';
import { boxKey } from './http';
import { defaultConfig, SANDBOX_SNILS, type CertificateScenario, type DiadocBox, type DiadocConfig, type DiadocUser, type DssScenario } from './config';
import { createDssIdentity, type DssIdentity } from './dss-key';
import type { RegistrationStatus } from './enums';

export interface LegacyToken {
	login: string;
	clientId: string;
	expiresAt: number;
	via: 'password' | 'certificate' | 'issued';
}

export interface OidcToken {
	login: string;
	clientId: string;
	scopes: string[];
	expiresAt: number;
}

export interface AuthorizationCode extends OidcToken {
	redirectUri: string;
	codeChallenge?: string;
	codeChallengeMethod?: 'S256' | 'plain';
	nonce?: string;
	used: boolean;
}

/** A certificate-authentication challenge: the random bytes encrypted to the certificate. */
export interface CertificateChallenge {
	thumbprint: string;
	login: string;
	clientId: string;
	secret: Buffer;
	expiresAt: number;
	used: boolean;
}

export interface CertificateAuthRecord {
	thumbprint: string;
	phase: 'authenticate' | 'confirm';
	ok: boolean;
	saveBinding?: boolean;
	reason?: string;
}

export interface RegistrationState {
	thumbprint: string;
	certificateDer?: Buffer;
	proven: boolean;
	/** DataToSign values issued and not yet confirmed (base64 as sent). */
	issued: string[];
	/** RegistrationIsInProgress answers given so far. */
	inProgressServed: number;
}

export interface RegisterCallRecord {
	thumbprint: string;
	by: 'Thumbprint' | 'CertificateContent';
	status: RegistrationStatus;
	boxId?: string;
	dataToSign?: string;
}

export interface ConfirmationRecord {
	thumbprint: string;
	by: 'Thumbprint' | 'CertificateContent';
	accepted: boolean;
	status: number;
	reason?: string;
	/** Whether the received CMS was detached (undefined when it could not be parsed). */
	detached?: boolean;
	signerThumbprints: string[];
	dataToSign: string;
	signatureBytes: number;
}

export type DssContentKind = 'Content' | 'NameOnShelf' | 'EntityId' | 'PatchedContentId';

export interface DssFile {
	fileName?: string;
	kind: DssContentKind;
	/** The bytes to sign, as chunks (shelf files are referenced, not copied). */
	chunks: readonly Buffer[];
	size: number;
}

export interface DssTask {
	taskId: string;
	boxKey: string;
	boxId: string;
	login: string;
	version: 'V1' | 'V2';
	signDataSource: 'CertificateSign' | 'GosKeySign';
	certificateThumbprint: string;
	createdAt: number;
	polls: number;
	scenario: DssScenario;
	files: DssFile[];
	/** Filled once the terminal answer has been computed, so repeated polls agree. */
	result?: Record<string, unknown>;
}

export interface ShelfFile {
	name: string;
	ownerLogin: string;
	parts: Buffer[];
	/** Number of parts once a part was flagged last (the highest such index + 1). */
	partCount?: number;
	size: number;
	createdAt: number;
	complete: boolean;
	via: 'V2/ShelfUpload' | 'ShelfUploadPart';
}

export class DiadocState {
	config: DiadocConfig = defaultConfig();
	clock: TestClock = new TestClock();
	readonly dss: DssIdentity;
	readonly legacyTokens = new Map<string, LegacyToken>();
	readonly accessTokens = new Map<string, OidcToken>();
	readonly refreshTokens = new Map<string, OidcToken>();
	readonly authorizationCodes = new Map<string, AuthorizationCode>();
	readonly challenges: CertificateChallenge[] = [];
	readonly certificateAuth: CertificateAuthRecord[] = [];
	readonly registrations = new Map<string, RegistrationState>();
	readonly registerCalls: RegisterCallRecord[] = [];
	readonly confirmations: ConfirmationRecord[] = [];
	readonly dssTasks = new Map<string, DssTask>();
	readonly shelf = new Map<string, ShelfFile>();
	/** Explicit contents for EntityId references (key "messageId/entityId", lower case). */
	readonly entityContents = new Map<string, Buffer>();
	readonly rateWindow: number[] = [];

	constructor() {
		this.dss = createDssIdentity({ commonName: 'Sandbox DSS signer', snils: SANDBOX_SNILS });
	}

	now(): number {
		return this.clock.now();
	}

	/** Forgets tokens, registrations, tasks and shelf files and restores the default configuration. */
	reset(): void {
		this.config = defaultConfig();
		this.legacyTokens.clear();
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.authorizationCodes.clear();
		this.challenges.length = 0;
		this.certificateAuth.length = 0;
		this.registrations.clear();
		this.registerCalls.length = 0;
		this.confirmations.length = 0;
		this.dssTasks.clear();
		this.shelf.clear();
		this.entityContents.clear();
		this.rateWindow.length = 0;
	}

	findUser(login: string): DiadocUser | undefined {
		const wanted = login.toLowerCase();
		return this.config.users.find((user) => user.login.toLowerCase() === wanted);
	}

	userOrThrow(login: string): DiadocUser {
		const user = this.findUser(login);
		if (!user) throw new Error(`no sandbox user "${login}"`);
		return user;
	}

	findBox(boxId: string): DiadocBox | undefined {
		const key = boxKey(boxId);
		return key === undefined ? undefined : this.config.boxes.find((box) => boxKey(box.boxId) === key);
	}

	userHasBox(user: DiadocUser, box: DiadocBox): boolean {
		const key = boxKey(box.boxId);
		return user.boxIds.some((id) => boxKey(id) === key);
	}

	/** The user's DSS certificates: the sandbox DSS certificate first, then any configured extra thumbprints. */
	dssThumbprints(user: DiadocUser): string[] {
		return [this.dss.thumbprint, ...(user.dssCertificateThumbprints ?? []).map((thumbprint) => thumbprint.toUpperCase())];
	}

	registrationFor(thumbprint: string): RegistrationState {
		let registration = this.registrations.get(thumbprint);
		if (!registration) {
			registration = { thumbprint, proven: false, issued: [], inProgressServed: 0 };
			this.registrations.set(thumbprint, registration);
		}
		return registration;
	}

	/** Possession of the certificate's key is proven: Register stops asking for RegisterConfirm. */
	markOwnershipProven(thumbprint: string): void {
		const registration = this.registrationFor(thumbprint);
		registration.proven = true;
		registration.issued = [];
	}

	scenarioFor(thumbprint: string): CertificateScenario {
		return { ...this.config.certificateDefaults, ...this.config.certificates[thumbprint.toUpperCase()] };
	}
}
