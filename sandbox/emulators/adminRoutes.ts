/**
 * The control routes the Taxcom and Transcrypt emulators share under `<prefix>/__sandbox`, for tests in other
 * processes (no authentication): GET state | describe, POST config | certificates | expire | reset,
 * DELETE certificates/:thumbprint.
 */
import type { Certificate } from '../../lib/crypto/certificate';
import { isEdoCryptoError } from '../../lib/crypto/errors';
import { error, json, text, type SandboxEmulator, type SandboxRouter } from '../server';

/** The body of POST certificates: the certificate (PEM or base64 DER) and whatever else the emulator reads. */
export interface CertificateUpload {
	certificate: string;
	[field: string]: unknown;
}

export interface ControlledEmulator extends SandboxEmulator {
	unregisterCertificate(thumbprint: string): boolean;
	expireAll(): void;
	describe(): string;
}

/** What the routes cannot take from the emulator's public surface. */
export interface AdminControls {
	/** The body of GET state. */
	state(): unknown;
	/** Merges a configuration patch as sent and returns the configuration; throws when the patch is invalid. */
	configure(patch: unknown): unknown;
	/** Whether `configure` refused the patch: answered 400, nothing changed. */
	isConfigError(caught: unknown): caught is Error;
	/** The 400 answer to a POST certificates body without a certificate. */
	certificateUsage: string;
	registerCertificate(upload: CertificateUpload): Certificate;
}

export function registerAdminRoutes(router: SandboxRouter, emulator: ControlledEmulator, controls: AdminControls): void {
	router.route('GET', '/__sandbox/state', () => json(200, controls.state()));
	router.route('POST', '/__sandbox/config', (request) => {
		try {
			return json(200, controls.configure(request.json()));
		} catch (caught) {
			if (controls.isConfigError(caught)) return error(400, caught.message);
			throw caught;
		}
	});
	router.route('POST', '/__sandbox/certificates', (request) => {
		const body = request.json<Partial<CertificateUpload> | null>();
		if (!body || typeof body.certificate !== 'string') return error(400, controls.certificateUsage);
		try {
			const certificate = controls.registerCertificate({ ...body, certificate: body.certificate });
			return json(201, { thumbprint: certificate.thumbprint, subject: certificate.subject });
		} catch (caught) {
			if (isEdoCryptoError(caught)) return error(400, caught.message);
			throw caught;
		}
	});
	router.route('DELETE', '/__sandbox/certificates/:thumbprint', (request) =>
		emulator.unregisterCertificate(request.params.thumbprint) ? { status: 204 } : error(404, 'no such certificate'),
	);
	router.route('GET', '/__sandbox/describe', () => text(200, emulator.describe()));
	router.route('POST', '/__sandbox/expire', () => {
		emulator.expireAll();
		return { status: 204 };
	});
	router.route('POST', '/__sandbox/reset', () => {
		emulator.reset?.();
		return { status: 204 };
	});
}
