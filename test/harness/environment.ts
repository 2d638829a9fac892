/**
 * One n8n "instance" per test process: a private user folder (so nothing touches ~/.n8n), an encryption key,
 * and n8n-core's own BinaryDataService from the DI container, switchable between the in-memory 'default'
 * mode (binary data inline as base64) and the 'filesystem' mode (binary data by id, streamable).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type BinaryDataMode = 'default' | 'filesystem';

let userFolder: string | undefined;

/** Must run before n8n-core builds its configuration (it reads the environment once, on first use). */
export function ensureTestInstanceEnvironment(): void {
	if (userFolder) return;
	userFolder = mkdtempSync(join(tmpdir(), 'edo-n8n-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.env.N8N_ENCRYPTION_KEY ??= 'edo-test-instance-encryption-key';
	process.env.N8N_LOG_LEVEL ??= 'silent';
	const folder = userFolder;
	const remove = () => rmSync(folder, { recursive: true, force: true });
	// Jest's sandboxed `process` does not see the worker exit; its afterAll does run, once per test file.
	if (typeof afterAll === 'function') {
		try {
			afterAll(remove);
		} catch {
			process.on('exit', remove);
		}
	} else {
		process.on('exit', remove);
	}
}

ensureTestInstanceEnvironment();

// Imported only after the environment is in place.
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

let currentMode: BinaryDataMode | undefined;

/** Configures n8n-core's BinaryDataService (the one `this.helpers` uses) for the given mode. */
export async function useBinaryDataMode(mode: BinaryDataMode): Promise<BinaryDataService> {
	releaseBackgroundTimers();
	const service = Container.get(BinaryDataService);
	if (currentMode !== mode) {
		const config = Container.get(BinaryDataConfig);
		config.mode = mode;
		config.availableModes = ['filesystem'];
		await service.init();
		currentMode = mode;
	}
	return service;
}

let timersReleased = false;

/**
 * Every execution context asks the container for n8n-core's SSH client manager, whose stale-connection sweep is
 * an interval that n8n stops at shutdown; a test process has no shutdown, so the interval must not keep it alive.
 */
export function releaseBackgroundTimers(): void {
	if (timersReleased) return;
	const manager = Container.get(SSHClientsManager) as unknown as { cleanupTimer?: NodeJS.Timeout };
	manager.cleanupTimer?.unref();
	timersReleased = true;
}
