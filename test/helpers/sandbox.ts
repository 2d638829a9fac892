import { SandboxServer, type SandboxEmulator } from '../../sandbox/server';

/**
 * A sandbox server for the tests of the describe block it is called in, with the emulators mounted by path
 * prefix: started before the tests, reset before each one (jest runs this reset before the block's own
 * beforeEach hooks declared after the call), stopped after them.
 */
export function sandboxForSuite(mounts: Record<string, SandboxEmulator>): SandboxServer {
	const server = new SandboxServer();
	for (const [prefix, emulator] of Object.entries(mounts)) server.mount(prefix, emulator);
	beforeAll(async () => {
		await server.start();
	});
	afterAll(async () => {
		await server.stop();
	});
	beforeEach(() => server.reset());
	return server;
}
