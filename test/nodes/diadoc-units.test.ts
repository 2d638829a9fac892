/**
 * Unit tests of the Diadoc node's pieces that need no sandbox: tolerant enum reading, the streamed JSON body,
 * binary sources in both n8n binary modes, shelf answers, the legacy token cache.
 */
import { Readable } from 'node:stream';
import type { IExecuteFunctions } from 'n8n-workflow';

import { openBinary } from '../../nodes/Diadoc/helpers/binarySource';
import { fileNamesFrom, resultJson, unfavourableReason, type DssResult } from '../../nodes/Diadoc/helpers/dss';
import {
	readDssConfirmType,
	readDssFileSigningStatus,
	readDssOperationStatus,
	readRegistrationStatus,
	REGISTRATION_STATUS_INFO,
	REGISTRATION_STATUSES,
} from '../../nodes/Diadoc/helpers/enums';
import { StreamedJsonBody } from '../../nodes/Diadoc/helpers/jsonStream';
import { extensionOf, missingPartsFrom, SHELF_MAX_BYTES, uploadToShelf } from '../../nodes/Diadoc/helpers/shelf';
import type { DiadocClient } from '../../nodes/Diadoc/transport/client';
import { DiadocUsageError } from '../../nodes/Diadoc/transport/errors';
import { cachedToken, clearTokenCache, forgetToken, secretFingerprint, tokenCacheKey } from '../../nodes/Diadoc/transport/tokenCache';

async function collect(stream: Readable): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
	return Buffer.concat(chunks).toString('utf8');
}

describe('enum reading (names, numbers, numeric strings, the seed spelling)', () => {
	it('reads every RegistrationStatus by name and by number', () => {
		for (const [name, number] of Object.entries(REGISTRATION_STATUSES)) {
			expect(readRegistrationStatus(name)).toEqual({ name, recognized: true });
			expect(readRegistrationStatus(number)).toEqual({ name, raw: number, recognized: true });
			expect(readRegistrationStatus(String(number)).name).toBe(name);
			expect(REGISTRATION_STATUS_INFO[name as keyof typeof REGISTRATION_STATUSES].remedy.length).toBeGreaterThan(10);
		}
	});

	it('reads RegistrationIsInProcess (the docs sample) as RegistrationIsInProgress, and any letter case', () => {
		expect(readRegistrationStatus('RegistrationIsInProcess')).toEqual({ name: 'RegistrationIsInProgress', raw: 'RegistrationIsInProcess', recognized: true });
		expect(readRegistrationStatus('registrationiscompleted').name).toBe('RegistrationIsCompleted');
	});

	it('maps unknown values to Unknown and keeps what was sent', () => {
		expect(readRegistrationStatus('SomethingNew')).toEqual({ name: 'Unknown', raw: 'SomethingNew', recognized: false });
		expect(readRegistrationStatus(42)).toEqual({ name: 'Unknown', raw: 42, recognized: false });
		expect(readDssOperationStatus(undefined)).toEqual({ name: 'Unknown', raw: undefined, recognized: false });
	});

	it('classifies the statuses as the docs do', () => {
		const outcome = (name: keyof typeof REGISTRATION_STATUSES) => REGISTRATION_STATUS_INFO[name].outcome;
		expect(outcome('RegistrationIsCompleted')).toBe('result');
		expect(outcome('AccessRequestIsPending')).toBe('result');
		expect(outcome('CertificateOwnershipProofIsRequired')).toBe('proof');
		expect(outcome('RegistrationIsInProgress')).toBe('progress');
		for (const name of ['AccessIsDenied', 'AccessRequestIsRejected', 'CertificateIsNotQualified', 'RegistrationInBranchIsForbidden', 'OrganizationNotFound', 'Unknown'] as const) {
			expect(outcome(name)).toBe('unfavourable');
		}
	});

	it('reads DSS enums by number', () => {
		expect(readDssOperationStatus(2).name).toBe('Completed');
		expect(readDssOperationStatus('7').name).toBe('OperationRetryRequired');
		expect(readDssFileSigningStatus(2).name).toBe('SigningError');
		expect(readDssConfirmType(-1).name).toBe('ConfirmTypeUnknown');
		expect(readDssConfirmType(5).name).toBe('GosKey');
	});
});

describe('StreamedJsonBody', () => {
	it('produces exactly the JSON of the body with the base64 inlined, for awkward file names too', async () => {
		const bytes = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 256));
		const streamed = new StreamedJsonBody();
		const body = {
			Files: [
				{ Content: { Content: streamed.placeholder(async function* () { yield bytes.subarray(0, 300).toString('base64'); yield bytes.subarray(300).toString('base64'); }) }, FileName: 'a "quoted" \\ name.xml' },
				{ Content: { NameOnShelf: 'x' }, FileName: 'второй.xml' },
				{ Content: { Content: streamed.placeholder(async function* () { yield 'AAEC'; }) }, FileName: '' },
			],
			SignDataSource: 'CertificateSign',
		};
		const text = await collect(streamed.stream(body));
		const parsed = JSON.parse(text);
		expect(parsed.Files[0].Content.Content).toBe(bytes.toString('base64'));
		expect(parsed.Files[0].FileName).toBe('a "quoted" \\ name.xml');
		expect(parsed.Files[1]).toEqual({ Content: { NameOnShelf: 'x' }, FileName: 'второй.xml' });
		expect(parsed.Files[2].Content.Content).toBe('AAEC');
		expect(parsed.SignDataSource).toBe('CertificateSign');
		// A second stream (a retry after re-authentication) is complete too.
		expect(await collect(streamed.stream(body))).toBe(text);
	});
});

/** The slice of IExecuteFunctions a binary source uses, over n8n's two binary shapes. */
function fakeContext(binary: Record<string, unknown>, files: Record<string, Buffer> = {}): IExecuteFunctions {
	return {
		getInputData: () => [{ json: {}, binary }],
		getNode: () => ({ name: 'Diadoc' }),
		helpers: {
			getBinaryMetadata: async (id: string) => ({ fileSize: files[id].length }),
			getBinaryStream: async (id: string, chunkSize = 64 * 1024) => {
				const bytes = files[id];
				const pieces: Buffer[] = [];
				for (let offset = 0; offset < bytes.length; offset += chunkSize) pieces.push(bytes.subarray(offset, offset + chunkSize));
				return Readable.from(pieces);
			},
		},
	} as unknown as IExecuteFunctions;
}

describe('binary sources', () => {
	const bytes = Buffer.from(Array.from({ length: 10_007 }, (_, index) => (index * 7) % 256));

	it.each([
		['in-memory base64 (default mode)', { data: { data: bytes.toString('base64'), mimeType: 'application/octet-stream', fileName: 'x.bin' } }, {}],
		['stored by id (filesystem mode)', { data: { id: 'fs:1', data: 'filesystem-v2', mimeType: 'application/octet-stream', fileName: 'x.bin' } }, { 'fs:1': bytes }],
	])('%s: size, exact parts, single parts and base64', async (_label, binary, files) => {
		const source = await openBinary(fakeContext(binary, files as Record<string, Buffer>), 0, 'data');
		expect(source.size).toBe(bytes.length);
		expect(source.fileName).toBe('x.bin');
		const parts: Buffer[] = [];
		for await (const part of source.parts(3000)) parts.push(part);
		expect(parts.map((part) => part.length)).toEqual([3000, 3000, 3000, 1007]);
		expect(Buffer.concat(parts).equals(bytes)).toBe(true);
		expect((await source.part(2, 3000)).equals(bytes.subarray(6000, 9000))).toBe(true);
		let base64 = '';
		for await (const piece of source.base64()) base64 += piece;
		expect(base64).toBe(bytes.toString('base64'));
	});

	it('names a missing binary property and lists the present ones', async () => {
		await expect(openBinary(fakeContext({ other: { data: '' } }), 0, 'data')).rejects.toThrow(/no binary property "data"/);
	});
});

describe('DSS results', () => {
	const reference = { TaskId: 't', BoxId: 'b', FileNames: ['a.xml', 'b.xml'] };

	it('reads file names from a list, a JSON list or a comma list', () => {
		expect(fileNamesFrom(['a', 'b'])).toEqual(['a', 'b']);
		expect(fileNamesFrom('["a,1", "b"]')).toEqual(['a,1', 'b']);
		expect(fileNamesFrom('a.xml, b.xml')).toEqual(['a.xml', 'b.xml']);
		expect(fileNamesFrom(undefined)).toEqual([]);
	});

	it('reports files left unsigned by a completed operation', () => {
		const result: DssResult = { status: 'Completed', files: [{ status: 'SigningCompleted', signature: Buffer.from([1]) }, { status: 'SigningError' }] };
		const { json, unsigned } = resultJson(reference, result, 'signature', true);
		expect(unsigned).toEqual(['b.xml']);
		expect(json.unsignedFiles).toEqual(['b.xml']);
		expect(unfavourableReason(result, unsigned)?.message).toMatch(/1 of 2 files were not signed: b\.xml/);
	});

	it('says how the owner must confirm while in progress', () => {
		const { json } = resultJson(reference, { status: 'InProgress', confirmType: 'Sms', phoneLastNumbers: '1234', files: [] }, 'signature', true);
		expect(json.confirmationPending).toBe(true);
		expect(json.message).toBe('Waiting for the certificate owner to confirm the signing with the code from an SMS (phone ending 1234).');
	});
});

describe('shelf helpers', () => {
	it('reads the missing parts in any form', () => {
		expect(missingPartsFrom([])).toEqual([]);
		expect(missingPartsFrom('[1, 3]')).toEqual([1, 3]);
		expect(missingPartsFrom(Buffer.from('[2]'))).toEqual([2]);
		expect(missingPartsFrom('')).toEqual([]);
		expect(missingPartsFrom(undefined)).toEqual([]);
		expect(missingPartsFrom({ MissingParts: [4] })).toEqual([4]);
	});

	it('takes the extension from the file name', () => {
		expect(extensionOf('invoice.final.xml')).toBe('.xml');
		expect(extensionOf('README')).toBeUndefined();
		expect(extensionOf(undefined)).toBeUndefined();
	});

	it('refuses a file above 400 MB before sending anything', async () => {
		const calls: unknown[] = [];
		const client = { call: async (call: unknown) => calls.push(call) } as unknown as DiadocClient;
		const source = { property: 'data', fileName: 'huge.bin', size: SHELF_MAX_BYTES + 1 } as never;
		const error = await uploadToShelf(client, source, '.bin').catch((caught) => caught);
		expect(error).toBeInstanceOf(DiadocUsageError);
		expect(error.message).toMatch(/too large for the Diadoc shelf: 419430401 bytes, at most 400 MB/);
		expect(calls).toEqual([]);
	});
});

describe('legacy token cache', () => {
	beforeEach(() => clearTokenCache());

	it('shares one authentication among concurrent callers and reuses the token', async () => {
		let calls = 0;
		const obtain = async () => {
			calls++;
			await new Promise((resolve) => setImmediate(resolve));
			return `token-${calls}`;
		};
		const key = tokenCacheKey(['https://x', 'client', 'password', 'login', secretFingerprint('pw')]);
		const tokens = await Promise.all([cachedToken(key, obtain), cachedToken(key, obtain), cachedToken(key, obtain)]);
		expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
		expect(await cachedToken(key, obtain)).toBe('token-1');
		forgetToken(key, 'token-1');
		expect(await cachedToken(key, obtain)).toBe('token-2');
		expect(calls).toBe(2);
	});

	it('expires entries and keys them by hashes, never by the secret', async () => {
		let now = 1000;
		const key = tokenCacheKey(['a', 'b']);
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(secretFingerprint('secret')).not.toContain('secret');
		expect(tokenCacheKey(['a', 'b'])).toBe(key);
		expect(tokenCacheKey(['ab', ''])).not.toBe(key);
		let count = 0;
		const obtain = async () => `t${++count}`;
		expect(await cachedToken(key, obtain, 100, () => now)).toBe('t1');
		now += 50;
		expect(await cachedToken(key, obtain, 100, () => now)).toBe('t1');
		now += 100;
		expect(await cachedToken(key, obtain, 100, () => now)).toBe('t2');
	});
});
