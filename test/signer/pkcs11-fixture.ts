/**
 * The PKCS#11 signer as a child process for pkcs11-mode.test.ts: SoftHSM reads SOFTHSM2_CONF from the real
 * process environment at C_Initialize, and jest gives test files a copy of it. The test drives the service over
 * IPC: { id, command: 'unlock' | 'revoke' | 'unrevoke' | 'clock' | 'logs' | 'credentials' | 'stop', … }.
 */
import { generateTlsIdentity } from '../../signer/certificates';
import { Pkcs11Keystore } from '../../signer/pkcs11Keystore';
import { CscSignerService, startSignerServer } from '../../signer/server';

interface Command {
	id: number;
	command: string;
	credentialId?: string;
	offsetMs?: number;
}

async function main(): Promise<void> {
	const keystore = new Pkcs11Keystore({ modulePath: process.env.FIXTURE_MODULE as string, tokenLabel: 'edo' });
	const logs: string[] = [];
	let offsetMs = 0;
	const service = new CscSignerService({
		keystore,
		clients: [{ clientId: process.env.FIXTURE_CLIENT_ID as string, clientSecret: process.env.FIXTURE_CLIENT_SECRET as string }],
		tokens: ['fixture-static-token'],
		now: () => Date.now() + offsetMs,
		log: (line) => logs.push(line),
	});
	const tls = await generateTlsIdentity();
	const server = await startSignerServer(service, { tls });
	const reply = (id: number, result: unknown) => process.send?.({ id, result });
	process.on('message', (message: Command) => {
		void (async (): Promise<void> => {
			switch (message.command) {
				case 'unlock':
					service.unlock(message.credentialId as string);
					reply(message.id, true);
					return;
				case 'revoke':
					service.revoke(message.credentialId as string);
					reply(message.id, true);
					return;
				case 'unrevoke':
					service.unrevoke(message.credentialId as string);
					reply(message.id, true);
					return;
				case 'clock':
					offsetMs = message.offsetMs ?? 0;
					reply(message.id, offsetMs);
					return;
				case 'logs':
					reply(message.id, logs);
					return;
				case 'credentials':
					reply(message.id, (await keystore.list()).map((credential) => ({ id: credential.id, thumbprint: credential.certificate.thumbprint })));
					return;
				case 'stop':
					await server.close();
					await keystore.close();
					reply(message.id, true);
					process.exit(0);
					return;
				default:
					reply(message.id, `unknown command ${message.command}`);
			}
		})();
	});
	process.send?.({ ready: true, apiUrl: server.apiUrl, ca: tls.certPem, description: keystore.description });
}

main().catch((caught) => {
	process.send?.({ failed: caught instanceof Error ? caught.message : String(caught) });
	process.exit(1);
});
