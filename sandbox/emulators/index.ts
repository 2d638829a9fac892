/**
 * Every emulator the sandbox CLI starts, with its mount prefix. A new emulator adds one line here.
 */
import type { SandboxEmulator, SandboxServer } from '../server';
import { createDiadocEmulator } from './diadoc';
import { createEchoEmulator } from './echo';
import { createSignerEmulator } from './signer';
import { createTaxcomEmulator } from './taxcom';
import { createTranscryptEmulator } from './transcrypt';

export interface EmulatorEntry {
	prefix: string;
	create(): SandboxEmulator;
}

export const emulators: EmulatorEntry[] = [
	{ prefix: '/echo', create: createEchoEmulator },
	{ prefix: '/diadoc', create: () => createDiadocEmulator() },
	{ prefix: '/taxcom', create: createTaxcomEmulator },
	{ prefix: '/transcrypt', create: createTranscryptEmulator },
	{ prefix: '/signer', create: () => createSignerEmulator() },
];

/** Mounts a fresh instance of every registered emulator and returns them by prefix. */
export function mountAllEmulators(server: SandboxServer): Map<string, SandboxEmulator> {
	const mounted = new Map<string, SandboxEmulator>();
	for (const entry of emulators) {
		const emulator = entry.create();
		server.mount(entry.prefix, emulator);
		mounted.set(entry.prefix, emulator);
	}
	return mounted;
}
