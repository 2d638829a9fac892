/**
 * Every emulator the sandbox CLI starts, with its mount prefix. A new emulator adds one line here.
 */
import type { SandboxEmulator, SandboxServer } from '../server';
import { createEchoEmulator } from './echo';

export interface EmulatorEntry {
	prefix: string;
	create(): SandboxEmulator;
}

export const emulators: EmulatorEntry[] = [
	{ prefix: '/echo', create: createEchoEmulator },
];

/** Mounts a fresh instance of every registered emulator. */
export function mountAllEmulators(server: SandboxServer): void {
	for (const entry of emulators) server.mount(entry.prefix, entry.create());
}
