/**
 * `npm run signer -- …`: the remote-signing endpoint (CSC API v2 + x-edo/decrypt) over a PKCS#11 token or
 * software keys. See signer/README.md. Ctrl-C stops it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateTlsIdentity } from './certificates';
import type { Keystore } from './keystore';
import { Pkcs11Keystore } from './pkcs11Keystore';
import { CscSignerService, DECRYPT_METHOD, startSignerServer, type SignerClient, type SignerUser } from './server';
import { SoftwareKeystore } from './softwareKeystore';

const USAGE = `usage: npm run signer -- (--module LIB [--slot-label LABEL | --token-serial S | --slot-index N] | --software)
       [--host 127.0.0.1] [--port 8443] [--tls-cert FILE --tls-key FILE | --no-tls]
       [--client-id ID --client-secret SECRET] [--user NAME --password PASSWORD] [--token TOKEN]
       [--sad-lifetime 300] [--max-pin-attempts 3] [--multisign 100] [--revoked ID,THUMBPRINT] [--pin-format N|A]
       [--pin PIN (software mode)] [--quiet]
Secrets may come from the environment instead of the command line: EDO_SIGNER_CLIENT_SECRET, EDO_SIGNER_PASSWORD,
EDO_SIGNER_TOKEN, EDO_SIGNER_PIN (software mode).`;

interface CliOptions {
	module?: string;
	slotLabel?: string;
	tokenSerial?: string;
	slotIndex?: number;
	software: boolean;
	host: string;
	port: number;
	tls: boolean;
	tlsCert?: string;
	tlsKey?: string;
	clientId?: string;
	clientSecret?: string;
	user?: string;
	password?: string;
	tokens: string[];
	sadLifetime?: number;
	maxPinAttempts?: number;
	multisign?: number;
	revoked: string[];
	pinFormat?: 'N' | 'A';
	pin?: string;
	quiet: boolean;
}

function integer(flag: string, value: string | undefined, min: number, max: number): number {
	const number = Number(value);
	if (!Number.isInteger(number) || number < min || number > max) throw new Error(`${flag} needs a whole number from ${min} to ${max}\n${USAGE}`);
	return number;
}

export function parseSignerArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
	const options: CliOptions = {
		software: false,
		host: '127.0.0.1',
		port: 8443,
		tls: true,
		tokens: [],
		revoked: [],
		quiet: false,
		clientSecret: env.EDO_SIGNER_CLIENT_SECRET,
		password: env.EDO_SIGNER_PASSWORD,
		pin: env.EDO_SIGNER_PIN,
	};
	if (env.EDO_SIGNER_TOKEN) options.tokens.push(env.EDO_SIGNER_TOKEN);
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = () => {
			const next = inline ?? argv[++i];
			if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
			return next;
		};
		switch (flag) {
			case '--module':
				options.module = value();
				break;
			case '--slot-label':
			case '--token-label':
				options.slotLabel = value();
				break;
			case '--token-serial':
				options.tokenSerial = value();
				break;
			case '--slot-index':
				options.slotIndex = integer(flag, value(), 0, 1000);
				break;
			case '--software':
				options.software = true;
				break;
			case '--host':
				options.host = value();
				break;
			case '--port':
				options.port = integer(flag, value(), 0, 65535);
				break;
			case '--tls':
				options.tls = true;
				break;
			case '--no-tls':
				options.tls = false;
				break;
			case '--tls-cert':
				options.tlsCert = value();
				break;
			case '--tls-key':
				options.tlsKey = value();
				break;
			case '--client-id':
				options.clientId = value();
				break;
			case '--client-secret':
				options.clientSecret = value();
				break;
			case '--user':
				options.user = value();
				break;
			case '--password':
				options.password = value();
				break;
			case '--token':
				options.tokens.push(value());
				break;
			case '--sad-lifetime':
				options.sadLifetime = integer(flag, value(), 1, 86400);
				break;
			case '--max-pin-attempts':
				options.maxPinAttempts = integer(flag, value(), 0, 1000);
				break;
			case '--multisign':
				options.multisign = integer(flag, value(), 1, 100000);
				break;
			case '--revoked':
				options.revoked.push(...value().split(',').map((entry) => entry.trim()).filter(Boolean));
				break;
			case '--pin-format': {
				const format = value();
				if (format !== 'N' && format !== 'A') throw new Error(`--pin-format is N or A\n${USAGE}`);
				options.pinFormat = format;
				break;
			}
			case '--pin':
				options.pin = value();
				break;
			case '--quiet':
				options.quiet = true;
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
	if (!options.module === !options.software) throw new Error(`give either --module (a PKCS#11 library) or --software\n${USAGE}`);
	if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new Error(`--tls-cert and --tls-key go together\n${USAGE}`);
	if (options.clientId !== undefined && !options.clientSecret) throw new Error('--client-id needs --client-secret (or EDO_SIGNER_CLIENT_SECRET)');
	if (options.user !== undefined && !options.password) throw new Error('--user needs --password (or EDO_SIGNER_PASSWORD)');
	return options;
}

async function openKeystore(options: CliOptions): Promise<Keystore> {
	if (options.software) return SoftwareKeystore.generate({ pin: options.pin, prefix: 'soft' });
	return new Pkcs11Keystore({
		modulePath: options.module as string,
		tokenLabel: options.slotLabel,
		tokenSerial: options.tokenSerial,
		slotIndex: options.slotIndex,
		pinFormat: options.pinFormat,
	});
}

async function main(): Promise<void> {
	const options = parseSignerArgs(process.argv.slice(2));
	const keystore = await openKeystore(options);
	const clients: SignerClient[] = options.clientId ? [{ clientId: options.clientId, clientSecret: options.clientSecret as string }] : [];
	const users: SignerUser[] = options.user ? [{ username: options.user, password: options.password as string }] : [];
	let generatedToken: string | undefined;
	if (!clients.length && !users.length && !options.tokens.length) {
		generatedToken = randomBytes(32).toString('base64url');
		options.tokens.push(generatedToken);
	}
	const service = new CscSignerService({
		keystore,
		clients,
		users,
		tokens: options.tokens,
		sadLifetimeSeconds: options.sadLifetime,
		maxPinAttempts: options.maxPinAttempts,
		multisign: options.multisign,
		revoked: options.revoked,
		log: options.quiet ? undefined : (line) => console.error(`${new Date().toISOString()} ${line}`),
	});
	let tls: { certPem: string; keyPem: string } | undefined;
	let caFile: string | undefined;
	if (options.tls) {
		if (options.tlsCert && options.tlsKey) {
			tls = { certPem: readFileSync(options.tlsCert, 'utf8'), keyPem: readFileSync(options.tlsKey, 'utf8') };
		} else {
			tls = await generateTlsIdentity(['localhost', '127.0.0.1', '::1', options.host]);
			caFile = join(tmpdir(), `edo-signer-ca-${process.pid}.pem`);
			writeFileSync(caFile, tls.certPem);
		}
	}
	const server = await startSignerServer(service, { host: options.host, port: options.port, tls });
	const credentials = await keystore.list();
	console.log(`EDO remote signer (CSC API v2) on ${server.apiUrl}  [${keystore.description}]`);
	if (caFile) console.log(`TLS: self-signed certificate; trust it with the CA file ${caFile}`);
	if (!options.tls) console.log('TLS is off: use this only on a trusted loopback.');
	if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
		console.log(`Listening on ${options.host}: reachable from other machines; keep TLS on and restrict the callers.`);
	}
	console.log(`Credentials: ${credentials.map((credential) => `${credential.id} (${credential.certificate.keyAlgorithm.description}, ${credential.certificate.thumbprint})`).join(', ') || 'none'}`);
	if (clients.length) console.log(`OAuth2 client credentials: POST ${server.apiUrl}oauth2/token (client ${clients[0].clientId})`);
	if (users.length) console.log(`auth/login (HTTP Basic): user ${users[0].username}`);
	if (generatedToken) console.log(`No caller credentials given; static bearer token for this run: ${generatedToken}`);
	if (options.software) console.log(`Software keys: PIN ${options.pin ? '(from --pin / EDO_SIGNER_PIN)' : '1234'}`);
	console.log(`Decrypt extension: POST ${server.apiUrl}${DECRYPT_METHOD}`);
	const shutdown = () => {
		if (caFile) rmSync(caFile, { force: true });
		void server
			.close()
			.then(() => keystore.close())
			.then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

if (require.main === module) {
	main().catch((caught) => {
		console.error(caught instanceof Error ? caught.message : String(caught));
		process.exit(1);
	});
}
