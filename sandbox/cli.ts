/**
 * `npm run sandbox -- [--port 8080] [--host 127.0.0.1] [--tls]`: starts the sandbox with every registered
 * emulator and prints the base URL, the routes and the admin endpoints. Ctrl-C stops it.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountAllEmulators } from './emulators';
import { SandboxServer } from './server';
import { generateSelfSignedCert } from './tls';

interface CliOptions {
	port: number;
	host: string;
	tls: boolean;
}

const USAGE = 'usage: npm run sandbox -- [--port N] [--host ADDRESS] [--tls]';

function parseArgs(argv: string[]): CliOptions {
	const options: CliOptions = { port: 0, host: '127.0.0.1', tls: false };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--port': {
				const port = Number(value());
				if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number\n${USAGE}`);
				options.port = port;
				break;
			}
			case '--host':
				options.host = value() ?? options.host;
				break;
			case '--tls':
				options.tls = true;
				break;
			case '--help':
			case '-h':
				console.log(USAGE);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
		}
	}
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const tls = options.tls ? generateSelfSignedCert({ altNames: ['localhost', '127.0.0.1', '::1', options.host] }) : undefined;
	const server = new SandboxServer({ tls });
	const mounted = mountAllEmulators(server);
	const baseUrl = await server.start({ port: options.port, host: options.host });

	console.log(`EDO sandbox listening on ${baseUrl}`);
	if (tls) {
		const caPath = join(tmpdir(), `edo-sandbox-ca-${process.pid}.pem`);
		writeFileSync(caPath, tls.certPem);
		console.log(`TLS: self-signed certificate, trust it with the CA file ${caPath}`);
	}
	console.log('\nRoutes:');
	for (const route of server.listRoutes()) {
		console.log(`  ${route.method.padEnd(7)} ${baseUrl}${route.pattern}${route.emulator ? `  (${route.emulator})` : ''}`);
	}
	for (const emulator of mounted.values()) {
		if (emulator.describe) console.log(`\n${emulator.describe(baseUrl)}`);
	}
	console.log('\nAdmin:');
	console.log(`  GET    ${baseUrl}/__sandbox/requests     DELETE to clear`);
	console.log(`  POST   ${baseUrl}/__sandbox/faults       {"path":"/echo/*","status":503,"times":2}; GET lists, DELETE clears`);
	console.log(`  GET    ${baseUrl}/__sandbox/clock        POST {"advanceMs":3600000} | {"set":"2030-01-01T00:00:00Z"} | {"reset":true}`);
	console.log(`  POST   ${baseUrl}/__sandbox/reset        requests, faults, clock and emulator state`);
	console.log('\nCtrl-C stops the sandbox.');

	const shutdown = () => {
		void server.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((caught) => {
	console.error(caught instanceof Error ? caught.message : String(caught));
	process.exit(1);
});
