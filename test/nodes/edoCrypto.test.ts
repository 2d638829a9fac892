import type { INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { EdoCryptoError } from '../../lib/crypto/errors';
import * as localSigner from '../../lib/crypto/localSigner';
import { HttpError } from '../../lib/http/errors';
import { EdoCertificate } from '../../credentials/EdoCertificate.credentials';
import { EdoCrypto } from '../../nodes/EdoCrypto/EdoCrypto.node';
import * as binaryHelpers from '../../nodes/shared/binary';
import { errorItem, toNodeError } from '../../nodes/shared/errors';
import { clearCrlCache } from '../../lib/crypto/revocation';
import { CrlServer, OpensslCa, type IssuedCertificate } from '../helpers/crl';
import { createIdentity, openssl, opensslStatus, opensslVerify, RUSSIAN_SUBJECT, writeTemp } from '../helpers/pki';
import {
	opensslThumbprint,
	pemCredential,
	pfxCredential,
	readBinary,
	runNode,
	type RunNodeOptions,
	type TestItem,
} from '../harness';

const node = new EdoCrypto();
const rsa = createIdentity('rsa2048', { subject: RUSSIAN_SUBJECT });
const ec = createIdentity('p256');
const credentials = { edoCertificate: pemCredential(rsa) };

async function run(parameters: RunNodeOptions['parameters'], options: Partial<RunNodeOptions> = {}) {
	return await runNode(node, { credentials, credentialTypes: [new EdoCertificate()], ...options, parameters });
}

/** Runs the node and fails the test with the node's error if it did not succeed. */
async function runOk(parameters: RunNodeOptions['parameters'], options: Partial<RunNodeOptions> = {}) {
	const result = await run(parameters, options);
	if (result.error) throw new Error(`node failed: ${result.error.message} (${String(result.error.description)})`);
	const items = result.output[0];
	// Checked on what the node returned: the engine would fill in a missing pairedItem by itself.
	const raw = result.rawOutput?.[0] ?? [];
	expect(raw).toHaveLength(items.length);
	raw.forEach((item, index) => expect(item.pairedItem).toEqual({ item: index }));
	return items;
}

function expectNoSecret(text: unknown, ...secrets: string[]) {
	const haystack = JSON.stringify(text);
	for (const secret of secrets) expect(haystack).not.toContain(secret);
}

/** `openssl cms -encrypt` of the content to the identity's certificate (DER). */
function opensslEncrypt(content: Buffer | string, certPath: string): Buffer {
	return openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes256', '-recip', certPath], content);
}

/** `openssl cms -sign` with the identity (DER); detached unless `attached`. */
function opensslSign(content: Buffer | string, identity: typeof rsa, attached = false): Buffer {
	const args = ['cms', '-sign', '-binary', '-outform', 'DER', '-signer', identity.certPath, '-inkey', identity.keyPath, '-md', 'sha256'];
	if (attached) args.push('-nodetach');
	return openssl(args, content);
}

function cmsPrint(der: Buffer): string {
	return openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', writeTemp('print.der', der)]).toString();
}

describe('EDO Crypto node: description', () => {
	it('is a programmatic, tool-usable node with themed icons and the credential tested by the node', () => {
		const { description } = node;
		expect(description.name).toBe('edoCrypto');
		expect(description.displayName).toBe('EDO Crypto');
		expect(description.usableAsTool).toBe(true);
		expect(description.icon).toEqual({ light: 'file:edoCrypto.svg', dark: 'file:edoCrypto.dark.svg' });
		const operation = description.properties.find((property) => property.name === 'operation');
		expect(operation?.options?.map((option) => (option as { value: string }).value).sort()).toEqual([
			'certificateInfo',
			'decrypt',
			'sign',
			'verify',
		]);
	});
});

describe('EDO Crypto node: Certificate Info', () => {
	it('describes the credential certificate (saved without "format": the credential default applies)', async () => {
		const { format, ...withoutFormat } = pemCredential(rsa);
		expect(format).toBe('pem');
		const [item] = await runOk({ operation: 'certificateInfo' }, { credentials: { edoCertificate: withoutFormat } });
		expect(item.json.thumbprint).toBe(opensslThumbprint(rsa));
		expect(item.json.commonName).toBe('Иванов Иван Иванович');
		expect(item.json.inn).toBe('007701234567');
		expect(item.json.ogrn).toBe('1027700132195');
		expect(item.json.snils).toBe('11223344595');
		expect(item.json.validity).toBe('valid');
		expect(item.json.warnings).toEqual([]);
	});

	it('describes a PFX credential, including a legacy (RC2/3DES) one', async () => {
		for (const legacy of [false, true]) {
			const [item] = await runOk(
				{ operation: 'certificateInfo' },
				{ credentials: { edoCertificate: pfxCredential(ec, 'pfx-pass', { legacy }) } },
			);
			expect(item.json.thumbprint).toBe(opensslThumbprint(ec));
			expect(item.json.keyAlgorithm).toMatch(/P-256/);
		}
	});

	it('describes a certificate from a field or a binary file, without any credential', async () => {
		const [fromField] = await runOk(
			{ operation: 'certificateInfo', certificateSource: 'field', certificate: '={{ $json.pem }}' },
			{ credentials: undefined, items: [{ json: { pem: ec.certPem, keep: 1 } }] },
		);
		expect(fromField.json.thumbprint).toBe(opensslThumbprint(ec));
		expect(fromField.json.keep).toBe(1);

		const [fromBinary] = await runOk(
			{ operation: 'certificateInfo', certificateSource: 'binary', certificateBinaryPropertyName: 'cert' },
			{ credentials: undefined, items: [{ binary: { cert: { data: rsa.certDer, fileName: 'signer.cer' } } }] },
		);
		expect(fromBinary.json.thumbprint).toBe(opensslThumbprint(rsa));
	});

	it('reports an expired certificate with its warning', async () => {
		const expired = createIdentity('rsa2048', { startDaysAgo: 400, days: 30 });
		const [item] = await runOk({ operation: 'certificateInfo', certificateSource: 'field', certificate: expired.certPem });
		expect(item.json.validity).toBe('expired');
		expect((item.json.warnings as string[]).join(' ')).toMatch(/expired/);
	});

	it('names the item when the input is not a certificate', async () => {
		const { error, output } = await run(
			{ operation: 'certificateInfo', certificateSource: 'field', certificate: '={{ $json.pem }}' },
			{ items: [{ json: { pem: ec.certPem } }, { json: { pem: 'definitely not a certificate' } }] },
		);
		expect(output).toEqual([]);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.context?.itemIndex).toBe(1);
		expect(error?.description).toBeTruthy();
	});
});

describe('EDO Crypto node: Sign', () => {
	it('signs text, detached SHA-256 by default; OpenSSL verifies it', async () => {
		const [item] = await runOk(
			{ operation: 'sign', dataSource: 'text', text: '={{ $json.body }}' },
			{ items: [{ json: { body: 'Счёт-фактура №1' } }] },
		);
		const signature = Buffer.from(item.json.signature as string, 'base64');
		expect(opensslVerify(signature, Buffer.from('Счёт-фактура №1', 'utf8'), rsa.certPath).ok).toBe(true);
		expect(item.json).toMatchObject({ signatureType: 'detached', hashAlgorithm: 'SHA-256', signerThumbprint: opensslThumbprint(rsa) });
		expect(item.json.body).toBe('Счёт-фактура №1');
		expect(item.binary?.signature.fileName).toBe('signature.sig');
		expect(await readBinary(item.binary?.signature)).toEqual(signature);
		expect(cmsPrint(signature)).toMatch(/eContent: <ABSENT>/);
	});

	it('signs base64 data attached with SHA-384 and an EC key from a PFX', async () => {
		const content = Buffer.from([0, 1, 2, 250, 251, 252]);
		const [item] = await runOk(
			{ operation: 'sign', dataSource: 'base64', base64Data: content.toString('base64'), signatureType: 'attached', hashAlgorithm: 'SHA-384' },
			{ credentials: { edoCertificate: pfxCredential(ec, 'pfx-pass', { legacy: true }) } },
		);
		const signature = Buffer.from(item.json.signature as string, 'base64');
		expect(opensslVerify(signature, undefined, ec.certPath).ok).toBe(true);
		expect(cmsPrint(signature)).toMatch(/sha384/);
		expect(item.json.signatureType).toBe('attached');
	});

	it.each(['default', 'filesystem'] as const)(
		'signs a binary file detached (%s binary data mode) and keeps the input file',
		async (binaryDataMode) => {
			const document = Buffer.alloc(300_000, 'EDO document line\n');
			const digestSpy = jest.spyOn(binaryHelpers, 'digestBinaryProperty');
			const [item] = await runOk(
				{ operation: 'sign', dataSource: 'binary', binaryPropertyName: 'data', hashAlgorithm: 'SHA-512' },
				{ binaryDataMode, items: [{ binary: { data: { data: document, fileName: 'invoice.xml', mimeType: 'application/xml' } } }] },
			);
			// Stored by id (filesystem) the file is streamed into the hash; inline it is already in memory.
			expect(digestSpy).toHaveBeenCalledTimes(1);
			expect((await digestSpy.mock.results[0].value).streamed).toBe(binaryDataMode === 'filesystem');
			digestSpy.mockRestore();
			const signature = await readBinary(item.binary?.signature);
			expect(opensslVerify(signature, document, rsa.certPath).ok).toBe(true);
			expect(cmsPrint(signature)).toMatch(/sha512/);
			expect(item.binary?.signature.fileName).toBe('invoice.xml.sig');
			// Buffer#equals: jest's element-wise toEqual is slow on 300 kB.
			expect((await readBinary(item.binary?.data)).equals(document)).toBe(true);
		},
	);

	it('signs a binary file attached and honours the output options', async () => {
		const [item] = await runOk(
			{
				operation: 'sign',
				signatureType: 'attached',
				options: { signatureField: 'sig', signatureBinaryPropertyName: 'p7s', signatureFileName: 'out.p7s' },
			},
			{ items: [{ binary: { data: { data: 'attached content', fileName: 'a.txt' } } }] },
		);
		expect(item.json.signature).toBeUndefined();
		const signature = await readBinary(item.binary?.p7s);
		expect(Buffer.from(item.json.sig as string, 'base64')).toEqual(signature);
		expect(item.binary?.p7s.fileName).toBe('out.p7s');
		expect(opensslVerify(signature, undefined, rsa.certPath).ok).toBe(true);
	});

	it('loads the credential signer once per execution, not per item', async () => {
		const spy = jest.spyOn(localSigner, 'createLocalSigner');
		try {
			const items = await runOk(
				{ operation: 'sign', dataSource: 'text', text: '={{ $json.text }}' },
				{ items: [{ json: { text: 'a' } }, { json: { text: 'b' } }, { json: { text: 'c' } }] },
			);
			expect(items).toHaveLength(3);
			expect(spy).toHaveBeenCalledTimes(1);
		} finally {
			spy.mockRestore();
		}
	});

	it('fails with a clear error when the binary property is missing', async () => {
		const { error } = await run({ operation: 'sign', binaryPropertyName: 'missing' }, { items: [{ json: {} }] });
		expect(error?.message).toMatch(/missing/);
		expect(error?.context?.itemIndex).toBe(0);
	});
});

describe('EDO Crypto node: Sign → Verify', () => {
	async function signThenVerify(verifyItems: (signed: INodeExecutionData) => Promise<TestItem[]>, parameters = {}) {
		const [signed] = await runOk({ operation: 'sign' }, { items: [{ binary: { data: { data: 'contract v1', fileName: 'c.txt' } } }] });
		return await run({ operation: 'verify', ...parameters }, { credentials: undefined, items: await verifyItems(signed) });
	}

	it('verifies the node\'s own detached signature from binary fields (the defaults)', async () => {
		const result = await signThenVerify(async (signed) => [
			{
				binary: {
					data: { data: await readBinary(signed.binary?.data), fileName: 'c.txt' },
					signature: { data: await readBinary(signed.binary?.signature), fileName: 'c.txt.sig' },
				},
			},
		]);
		const [item] = result.output[0];
		expect(item.json.valid).toBe(true);
		expect(item.json.detached).toBe(true);
		const [signer] = item.json.signers as Array<Record<string, unknown>>;
		expect(signer).toMatchObject({ signatureValid: true, digestMatches: true, digestAlgorithm: 'SHA-256' });
		expect((signer.certificate as Record<string, unknown>).thumbprint).toBe(opensslThumbprint(rsa));
	});

	it('reports tampered data as invalid, or fails the item with "Error If Invalid"', async () => {
		const tampered = async (signed: INodeExecutionData): Promise<TestItem[]> => [
			{ json: { signature: signed.json.signature }, binary: { data: { data: 'contract v2' } } },
		];
		const soft = await signThenVerify(tampered, { signatureSource: 'field', signature: '={{ $json.signature }}' });
		expect(soft.error).toBeUndefined();
		expect(soft.output[0][0].json.valid).toBe(false);

		const strict = await signThenVerify(tampered, {
			signatureSource: 'field',
			signature: '={{ $json.signature }}',
			options: { errorIfInvalid: true },
		});
		expect(strict.error?.message).toBe('The signature is not valid');
		expect(strict.error?.context?.itemIndex).toBe(0);
	});
});

describe('EDO Crypto node: Verify', () => {
	describe('with Trusted Certificates', () => {
		const signature = () => opensslSign('trusted?', rsa).toString('base64');
		const verify = (options: Record<string, string | boolean>) =>
			run(
				{ operation: 'verify', signatureSource: 'field', signature: signature(), contentSource: 'text', contentText: 'trusted?', options },
				{ credentials: undefined },
			);

		it('is valid when the signer chains to a trusted certificate, and says so per signer', async () => {
			const { output, error } = await verify({ trustedCertificates: rsa.certPem });
			expect(error).toBeUndefined();
			const [item] = output[0];
			expect(item.json).toMatchObject({ valid: true, trustChainChecked: true });
			const [signer] = item.json.signers as Array<{ trustChain: Record<string, unknown> }>;
			expect(signer.trustChain).toMatchObject({ trusted: true, path: [{ thumbprint: opensslThumbprint(rsa) }] });
		});

		it('is not valid with other trusted certificates; "Error If Invalid" names the reason', async () => {
			const soft = await verify({ trustedCertificates: ec.certPem });
			expect(soft.output[0][0].json).toMatchObject({ valid: false, trustChainChecked: true });
			const [signer] = soft.output[0][0].json.signers as Array<Record<string, unknown>>;
			expect(signer.signatureValid).toBe(true);

			const strict = await verify({ trustedCertificates: ec.certPem, errorIfInvalid: true });
			expect(strict.error?.message).toBe('The signature is not valid');
			expect(String(strict.error?.description)).toContain('signer 1 is not trusted: no trusted certificate issued');
		});

		describe('and Check Revocation', () => {
			const server = new CrlServer();
			let ca: OpensslCa;
			let good: IssuedCertificate;
			let revoked: IssuedCertificate;

			beforeAll(async () => {
				const base = await server.start();
				ca = new OpensslCa('rsa', 'Node CRL CA', `${base}/node/ca.crl`, `${base}/node/ocsp`);
				good = ca.issue('node-good');
				revoked = ca.issue('node-revoked');
				ca.revoke(revoked.certPath, 'superseded');
				server.files.set('/node/ca.crl', ca.crl().der);
				server.handlers.set('/node/ocsp', (request) => ca.ocspRespond(request));
			});
			beforeEach(() => {
				server.requests.length = 0;
				clearCrlCache();
			});
			afterAll(async () => {
				await server.stop();
				clearCrlCache();
			});

			const verifySignedBy = (signer: IssuedCertificate, options: Record<string, string | boolean>) => {
				const signature = openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-signer', signer.certPath, '-inkey', signer.keyPath], 'crl?');
				return run(
					{ operation: 'verify', signatureSource: 'field', signature: signature.toString('base64'), contentSource: 'text', contentText: 'crl?', options },
					{ credentials: undefined },
				);
			};

			it('a good signer is valid, with its status from the OCSP responder', async () => {
				const { output, error } = await verifySignedBy(good, { trustedCertificates: ca.certificate.pem, revocationCheck: 'ocspThenCrl' });
				expect(error).toBeUndefined();
				expect(output[0][0].json.valid).toBe(true);
				const [signer] = output[0][0].json.signers as Array<{ revocation: Array<Record<string, unknown>> }>;
				expect(signer.revocation).toEqual([expect.objectContaining({ status: 'good', source: 'ocsp', thumbprint: good.certificate.thumbprint })]);
				expect(server.requests).toEqual(['POST /node/ocsp']);
			});

			it('"CRL Only" reads the CRL instead', async () => {
				const { output } = await verifySignedBy(good, { trustedCertificates: ca.certificate.pem, revocationCheck: 'crl' });
				const [signer] = output[0][0].json.signers as Array<{ revocation: Array<Record<string, unknown>> }>;
				expect(signer.revocation).toEqual([expect.objectContaining({ status: 'good', source: 'crl' })]);
				expect(server.requests).toEqual(['/node/ca.crl']);
			});

			it('a revoked signer is not valid; "Error If Invalid" says when and why', async () => {
				const soft = await verifySignedBy(revoked, { trustedCertificates: ca.certificate.pem, revocationCheck: 'ocspThenCrl' });
				expect(soft.output[0][0].json.valid).toBe(false);
				const strict = await verifySignedBy(revoked, { trustedCertificates: ca.certificate.pem, revocationCheck: 'ocspThenCrl', errorIfInvalid: true });
				expect(String(strict.error?.description)).toMatch(/signer 1: "CN=node-revoked" was revoked on \S+ \(superseded\)/);
			});

			it('asks for Trusted Certificates first', async () => {
				const { error } = await verifySignedBy(good, { revocationCheck: 'ocspThenCrl' });
				expect(error?.message).toBe('Check Revocation needs Trusted Certificates');
				expect(error?.context?.itemIndex).toBe(0);
			});
		});

		it('says what is wrong with unreadable trusted certificates, naming the item', async () => {
			const { error } = await verify({ trustedCertificates: 'not a certificate' });
			expect(error?.message).toContain('The trusted certificates could not be read');
			expect(String(error?.description)).toContain('PEM');
			expect(error?.context?.itemIndex).toBe(0);
		});
	});

	it('verifies an OpenSSL detached signature given as base64 text against text', async () => {
		const signature = opensslSign('hello EDO', ec);
		const [item] = await runOk(
			{ operation: 'verify', signatureSource: 'field', signature: signature.toString('base64'), contentSource: 'text', contentText: 'hello EDO' },
			{ credentials: undefined },
		);
		expect(item.json.valid).toBe(true);
	});

	it('verifies an OpenSSL attached signature from a binary file', async () => {
		const signature = opensslSign(Buffer.from('embedded'), rsa, true);
		const [item] = await runOk(
			{ operation: 'verify', contentSource: 'attached' },
			{ credentials: undefined, items: [{ binary: { signature: { data: signature, fileName: 'x.p7s' } } }] },
		);
		expect(item.json.valid).toBe(true);
		expect(item.json.detached).toBe(false);
	});

	it('verifies PEM signatures and checks base64 content', async () => {
		const content = Buffer.from([9, 8, 7]);
		const pem = openssl(['cms', '-sign', '-binary', '-outform', 'PEM', '-signer', rsa.certPath, '-inkey', rsa.keyPath], content).toString();
		const [item] = await runOk(
			{ operation: 'verify', signatureSource: 'field', signature: pem, contentSource: 'base64', contentBase64: content.toString('base64') },
			{ credentials: undefined },
		);
		expect(item.json.valid).toBe(true);
	});

	it('continues on fail: garbage CMS gives an error item, the other items succeed', async () => {
		const good = opensslSign('ok', rsa).toString('base64');
		const result = await run(
			{ operation: 'verify', signatureSource: 'field', signature: '={{ $json.sig }}', contentSource: 'text', contentText: 'ok' },
			{
				credentials: undefined,
				continueOnFail: true,
				items: [{ json: { sig: good } }, { json: { sig: Buffer.from('garbage bytes, not CMS').toString('base64') } }, { json: { sig: good } }],
			},
		);
		expect(result.error).toBeUndefined();
		const items = result.output[0];
		expect(result.rawOutput?.[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.valid).toBe(true);
		expect(items[1].json.error).toEqual(expect.any(String));
		expect(items[1].json.valid).toBeUndefined();
		expect(items[2].json.valid).toBe(true);

		const stopped = await run(
			{ operation: 'verify', signatureSource: 'field', signature: '={{ $json.sig }}', contentSource: 'text', contentText: 'ok' },
			{ credentials: undefined, items: [{ json: { sig: good } }, { json: { sig: 'AAECAwQF' } }] },
		);
		expect(stopped.output).toEqual([]);
		expect(stopped.error?.name).toBe('NodeOperationError');
		expect(stopped.error?.context?.itemIndex).toBe(1);
	});
});

describe('EDO Crypto node: Decrypt', () => {
	const token = 'session-token-0123456789';

	it('decrypts an OpenSSL envelope from a base64 field to text', async () => {
		const envelope = opensslEncrypt(token, rsa.certPath);
		const [item] = await runOk(
			{ operation: 'decrypt', envelopeSource: 'field', envelope: '={{ $json.encrypted }}', outputFormat: 'text' },
			{ items: [{ json: { encrypted: envelope.toString('base64') } }] },
		);
		expect(item.json.decrypted).toBe(token);
	});

	it('decrypts a binary envelope to a binary file and to base64, for RSA and EC recipients', async () => {
		const content = Buffer.from('%PDF-1.7 fake document');
		for (const identity of [rsa, ec]) {
			const envelope = opensslEncrypt(content, identity.certPath);
			const items: TestItem[] = [{ binary: { data: { data: envelope, fileName: 'doc.pdf.p7m' } } }];
			const edoCertificate = pemCredential(identity);
			const [asFile] = await runOk({ operation: 'decrypt' }, { items, credentials: { edoCertificate } });
			expect(await readBinary(asFile.binary?.data)).toEqual(content);
			expect(asFile.binary?.data.fileName).toBe('doc.pdf');

			const [asBase64] = await runOk(
				{ operation: 'decrypt', outputFormat: 'base64', outputField: 'plain' },
				{ items, credentials: { edoCertificate } },
			);
			expect(Buffer.from(asBase64.json.plain as string, 'base64')).toEqual(content);
		}
	});

	it('names the output file and binary field as asked', async () => {
		const envelope = opensslEncrypt('x', rsa.certPath);
		const [item] = await runOk(
			{ operation: 'decrypt', outputBinaryPropertyName: 'plain', options: { fileName: 'token.txt', mimeType: 'text/plain' } },
			{ items: [{ binary: { data: { data: envelope } } }] },
		);
		expect(item.binary?.plain).toMatchObject({ fileName: 'token.txt', mimeType: 'text/plain' });
		expect(item.binary?.data).toBeDefined();
	});

	it('fails on an envelope addressed to another certificate', async () => {
		const envelope = opensslEncrypt(token, ec.certPath);
		const { error } = await run({ operation: 'decrypt', envelopeSource: 'field', envelope: envelope.toString('base64') });
		expect(error?.context?.itemIndex).toBe(0);
		expect(error?.message).toBeTruthy();
	});
});

describe('EDO Crypto node: credential errors hold no secret', () => {
	it('wrong PFX password', async () => {
		const data = pfxCredential(rsa, 'the-right-one');
		const { error } = await run(
			{ operation: 'sign', dataSource: 'text', text: 'x' },
			{ credentials: { edoCertificate: { ...data, pfxPassword: 'Sup3r-Secret-Guess' } } },
		);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toMatch(/password/i);
		expect(error?.context?.itemIndex).toBe(0);
		expectNoSecret([error?.message, error?.description], 'Sup3r-Secret-Guess', 'the-right-one', String(data.pfxCertificate).slice(0, 40));
	});

	it('key not matching the certificate', async () => {
		const keyBody = ec.keyPem.split('\n')[1];
		const { error } = await run(
			{ operation: 'decrypt', envelopeSource: 'field', envelope: 'AAAA' },
			{ credentials: { edoCertificate: { ...pemCredential(rsa), privateKey: ec.keyPem } } },
		);
		expect(error?.message).toMatch(/match/i);
		expectNoSecret([error?.message, error?.description], keyBody, 'PRIVATE KEY');
	});

	it('continue on fail: each item reports the credential error, without the password', async () => {
		const data = { ...pfxCredential(rsa, 'pw-1'), pfxPassword: 'Other-Pw-2' };
		const result = await run(
			{ operation: 'sign', dataSource: 'text', text: 'x' },
			{ credentials: { edoCertificate: data }, continueOnFail: true, items: [{ json: {} }, { json: {} }] },
		);
		expect(result.output[0]).toHaveLength(2);
		for (const item of result.output[0]) {
			expect(item.json.error).toMatch(/password/i);
			expectNoSecret(item.json, 'Other-Pw-2', 'pw-1');
		}
	});
});

describe('EDO Crypto node: OpenSSL cross-check of the harness itself', () => {
	it('the CLI rejects a signature over different content (the verification can fail)', async () => {
		const [item] = await runOk({ operation: 'sign', dataSource: 'text', text: 'one' });
		const signature = Buffer.from(item.json.signature as string, 'base64');
		expect(opensslVerify(signature, Buffer.from('two'), rsa.certPath).ok).toBe(false);
		expect(opensslStatus(['version']).ok).toBe(true);
	});
});

describe('nodes/shared error conversion', () => {
	const n8nNode = { id: '1', name: 'EDO', type: 'n8n-nodes-edo.edoCrypto', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };

	it('turns an HttpError into a NodeApiError with status, service error code and trace id', () => {
		const httpError = new HttpError('Diadoc answered 403 Forbidden', {
			kind: 'http',
			serviceName: 'Diadoc',
			method: 'POST',
			url: 'https://diadoc-api.kontur.ru/V3/Authenticate',
			attempts: 1,
			status: 403,
			serviceErrorCode: 'Http.Forbidden',
			traceId: 'trace-42',
			hint: 'Check that the certificate is registered in Diadoc.',
		});
		const converted = toNodeError(n8nNode, httpError, 3);
		expect(converted).toBeInstanceOf(NodeApiError);
		expect((converted as NodeApiError).httpCode).toBe('403');
		expect(converted.message).toBe('Diadoc answered 403 Forbidden');
		expect(converted.description).toContain('Check that the certificate is registered in Diadoc.');
		expect(converted.description).toContain('Service error code: Http.Forbidden');
		expect(converted.description).toContain('Trace ID: trace-42');
		expect(converted.context.itemIndex).toBe(3);
		expect(errorItem(converted, 3)).toEqual({
			json: expect.objectContaining({ error: 'Diadoc answered 403 Forbidden', httpCode: '403', traceId: 'trace-42', code: 'Http.Forbidden' }),
			pairedItem: { item: 3 },
		});
	});

	it('turns an EdoCryptoError into a NodeOperationError whose description is the hint', () => {
		const converted = toNodeError(n8nNode, new EdoCryptoError('INVALID_CMS', 'Not a CMS message.', 'Provide a .p7s file.'), 2);
		expect(converted).toBeInstanceOf(NodeOperationError);
		expect(converted.message).toBe('Not a CMS message.');
		expect(converted.description).toBe('Provide a .p7s file.');
		expect(converted.context.itemIndex).toBe(2);
		expect(errorItem(converted, 2).json).toEqual({ error: 'Not a CMS message.', description: 'Provide a .p7s file.', code: 'INVALID_CMS' });
	});
});
