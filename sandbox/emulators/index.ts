/**
 * Every emulator the sandbox CLI starts, with its mount prefix. A new emulator adds one line here.
 */
import type { SandboxEmulator, SandboxServer } from '../server';
import { createDiadocEmulator } from './diadoc';
import { createEchoEmulator } from './echo';
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
];

/** Mounts a fresh instance of every registered emulator. */
export function mountAllEmulators(server: SandboxServer): void {
	for (const entry of emulators) server.mount(entry.prefix, entry.create());
}
