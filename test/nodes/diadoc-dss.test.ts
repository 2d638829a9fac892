/**
 * DSS resource against the sandbox Diadoc emulator: Sign from every kind of file source, Get Result in every
 * status (names or numbers, both result field spellings), Sign and Wait with its timeout (nothing lost), the
 * shelf (single and multi-part, missing parts, limits), streaming in both binary modes, bad input. Every
 * signature is checked with `openssl cms -verify` against the sandbox DSS certificate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { entityIdContent, patchedContent, SANDBOX_FOREIGN_BOX_ID, SANDBOX_UNPAID_BOX_ID } from '../../sandbox/emulators/diadoc';
import { readBinary } from '../harness';
import { opensslVerify } from '../helpers/pki';
import { oauthCredential, runDiadoc, SANDBOX_BOX_ID, startDiadocSandbox, type DiadocSandbox } from './diadoc-fixtures';

let sandbox: DiadocSandbox;
beforeAll(async () => {
	sandbox = await startDiadocSandbox();
});
afterAll(async () => await sandbox.stop());
beforeEach(() => {
	sandbox.reset();
	sandbox.emulator.configureDss({ pollsInProgress: 0 });
});

const credentials = () => ({
	diadocOAuth2Api: oauthCredential(sandbox, { access_token: sandbox.emulator.issueToken({ kind: 'bearer' }), token_type: 'Bearer' }),
});
const dss = (operation: string, parameters: IDataObject = {}) => ({ resource: 'dss', operation, boxId: SANDBOX_BOX_ID, pollInterval: 0.01, timeout: 10, ...parameters });

async function signature(item: INodeExecutionData, property: string): Promise<Buffer> {
	return await readBinary(item.binary?.[property]);
}

function verifies(sig: Buffer, content: Buffer): boolean {
	return opensslVerify(sig, content, sandbox.dssCertificatePath).ok;
}

describe('DSS Sign + Get Result', () => {
	it('signs files from binary properties, base64, the shelf, an EntityId and a PatchedContentId, in order', async () => {
		const first = Buffer.from('<Файл>первый</Файл>');
		const second = randomBytes(5000);
		const inline = Buffer.from('inline content');
		const shelved = Buffer.from('shelf content');
		const messageId = randomUUID();
		const entityId = randomUUID();
		const patchedId = randomUUID();

		const upload = await runDiadoc(dss('shelfUpload', { binaryPropertyName: 'data' }), {
			credentials: credentials(),
			items: [{ binary: { data: { data: shelved, fileName: 'shelved.xml' } } }],
		});
		const nameOnShelf = String(upload.output[0][0].json.NameOnShelf);
		expect(upload.output[0][0].json).toMatchObject({ method: 'V2/ShelfUpload', parts: 1, size: shelved.length });

		const files = {
			file: [
				{ source: 'base64', content: inline.toString('base64'), fileName: 'inline.txt' },
				{ source: 'nameOnShelf', nameOnShelf, fileName: 'shelved.xml' },
				{ source: 'entityId', messageId, entityId, fileName: 'entity.xml' },
				{ source: 'patchedContentId', patchedContentId: patchedId },
			],
		};
		const signed = await runDiadoc(dss('sign', { binaryPropertyNames: 'data, attachment', files }), {
			credentials: credentials(),
			items: [{ binary: { data: { data: first, fileName: 'first.xml' }, attachment: { data: second, fileName: 'second.bin' } } }],
		});
		expect(signed.error).toBeUndefined();
		const task = signed.output[0][0].json;
		expect(task.TaskId).toMatch(/^[0-9a-f-]{36}$/);
		expect(task).toMatchObject({ BoxId: SANDBOX_BOX_ID, method: 'DssSign', FileNames: ['first.xml', 'second.bin', 'inline.txt', 'shelved.xml', 'entity.xml', 'file_6'] });
		const snapshot = sandbox.emulator.snapshot().dssTasks[0];
		expect(snapshot.files.map((file) => file.kind)).toEqual(['Content', 'Content', 'Content', 'NameOnShelf', 'EntityId', 'PatchedContentId']);

		// Empty Box ID / Task ID / File Names: taken from the item DSS Sign produced.
		const result = await runDiadoc(dss('getResult', { boxId: '' }), { credentials: credentials(), items: [{ json: task as IDataObject }] });
		expect(result.error).toBeUndefined();
		const item = result.output[0][0];
		expect(item.json).toMatchObject({ OperationStatus: 'Completed', TaskId: task.TaskId });
		const contents = [first, second, inline, shelved, entityIdContent(messageId, entityId), patchedContent(patchedId)];
		const entries = item.json.Files as IDataObject[];
		expect(entries.map((entry) => entry.FileSigningStatus)).toEqual(contents.map(() => 'SigningCompleted'));
		for (const [index, content] of contents.entries()) {
			const property = `signature_${index + 1}`;
			expect(entries[index].binaryProperty).toBe(property);
			expect(item.binary?.[property].fileName).toBe(`${(task.FileNames as string[])[index]}.sig`);
			const sig = await signature(item, property);
			expect(sig.toString('base64')).toBe(entries[index].Signature);
			expect(verifies(sig, content)).toBe(true);
		}
		// Swapped content must not verify: the order is the request order.
		expect(verifies(await signature(item, 'signature_1'), second)).toBe(false);
	});

	it('signs every binary property with "*" and streams inline content (chunked JSON) in both binary modes', async () => {
		for (const binaryDataMode of ['default', 'filesystem'] as const) {
			sandbox.reset();
			sandbox.emulator.configureDss({ pollsInProgress: 0 });
			const big = randomBytes(2 * 1024 * 1024 + 1);
			const small = Buffer.from('x');
			const { output, error } = await runDiadoc(dss('signAndWait', { binaryPropertyNames: '*' }), {
				credentials: credentials(),
				items: [{ binary: { big: { data: big, fileName: 'big.bin' }, small: { data: small, fileName: 'small.txt' } } }],
				binaryDataMode,
			});
			expect(error).toBeUndefined();
			expect(output[0][0].json.FileNames).toEqual(['big.bin', 'small.txt']);
			expect(verifies(await signature(output[0][0], 'signature_1'), big)).toBe(true);
			expect(verifies(await signature(output[0][0], 'signature_2'), small)).toBe(true);
			const request = sandbox.server.requests.find((entry) => entry.path.endsWith('/DssSign'));
			expect(request?.headers['transfer-encoding']).toBe('chunked');
			expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
		}
	});

	it('uses V2/DssSign with a certificate thumbprint or with Goskey and the SNILS', async () => {
		const data = { binary: { data: { data: Buffer.from('v2'), fileName: 'v2.xml' } } };
		const thumbprint = sandbox.emulator.dssCertificate.thumbprint.toLowerCase();
		const byCertificate = await runDiadoc(dss('sign', { apiVersion: 'v2', signDataSource: 'CertificateSign', certificateThumbprint: thumbprint }), { credentials: credentials(), items: [data] });
		expect(byCertificate.output[0][0].json.method).toBe('V2/DssSign');
		const byGosKey = await runDiadoc(dss('sign', { apiVersion: 'v2', signDataSource: 'GosKeySign', snils: '112-233-445 95', oid: '1.2.3' }), { credentials: credentials(), items: [data] });
		expect(byGosKey.error).toBeUndefined();
		const tasks = sandbox.emulator.snapshot().dssTasks;
		expect(tasks.map((task) => [task.version, task.signDataSource, task.certificateThumbprint])).toEqual([
			['V2', 'CertificateSign', thumbprint.toUpperCase()],
			['V2', 'GosKeySign', sandbox.emulator.dssCertificate.thumbprint],
		]);
		const bodies = sandbox.server.requests.filter((request) => request.path.endsWith('/V2/DssSign')).map((request) => request.json as IDataObject);
		expect(bodies[1]).toMatchObject({ SignDataSource: 'GosKeySign', GosKeyData: { Snils: '11223344595', Oid: '1.2.3' } });

		const mismatch = await runDiadoc(dss('sign', { apiVersion: 'v2', signDataSource: 'GosKeySign', snils: '000-000-000 00' }), { credentials: credentials(), items: [data] });
		expect(mismatch.error?.message).toMatch(/400 Bad Request to POST \/diadoc\/V2\/DssSign \(X-Diadoc-ErrorCode: Dss\.GosKeySnilsMismatch/);
	});

	it('resolves expressions per item (parameters without one are read once)', async () => {
		const items = [{ binary: { data: { data: 'one', fileName: 'one.txt' } } }, { binary: { data: { data: 'two', fileName: 'two.txt' } } }];
		const signed = await runDiadoc(dss('sign'), { credentials: credentials(), items });
		const tasks = signed.output[0].map((item) => ({ json: { id: item.json.TaskId, names: item.json.FileNames } as IDataObject }));
		const { output, error } = await runDiadoc(dss('getResult', { taskId: '={{ $json.id }}', fileNames: '={{ $json.names }}' }), { credentials: credentials(), items: tasks });
		expect(error).toBeUndefined();
		expect(output[0].map((item) => [item.json.TaskId, item.binary?.signature_1.fileName])).toEqual([
			[tasks[0].json.id, 'one.txt.sig'],
			[tasks[1].json.id, 'two.txt.sig'],
		]);
		expect(verifies(await signature(output[0][1], 'signature_1'), Buffer.from('two'))).toBe(true);
	});

	it('reports InProgress with how the owner must confirm, reading numeric enums and the old result field', async () => {
		sandbox.emulator.setOptions({ numericEnums: true });
		sandbox.emulator.configureDss({ pollsInProgress: 1, confirmType: 'Sms', operator: 'Megafon', phoneLastNumbers: '1234', legacyResultField: true });
		const signed = await runDiadoc(dss('sign'), { credentials: credentials(), items: [{ binary: { data: { data: 'abc', fileName: 'a.txt' } } }] });
		const task = signed.output[0][0].json as IDataObject;
		const pending = await runDiadoc(dss('getResult'), { credentials: credentials(), items: [{ json: task }] });
		expect(pending.output[0][0].json).toMatchObject({
			OperationStatus: 'InProgress',
			rawOperationStatus: 1,
			ConfirmType: 'Sms',
			Operator: 'Megafon',
			PhoneLastNumbers: '1234',
			confirmationPending: true,
			message: 'Waiting for the certificate owner to confirm the signing with the code from an SMS (phone ending 1234).',
			Files: [],
		});
		const done = await runDiadoc(dss('getResult'), { credentials: credentials(), items: [{ json: task }] });
		expect(done.output[0][0].json).toMatchObject({ OperationStatus: 'Completed', Files: [{ FileName: 'a.txt', FileSigningStatus: 'SigningCompleted', rawFileSigningStatus: 1 }] });
		expect(verifies(await signature(done.output[0][0], 'signature_1'), Buffer.from('abc'))).toBe(true);
	});
});

describe('Sign and Wait', () => {
	const item = () => ({ binary: { data: { data: Buffer.from('doc'), fileName: 'doc.xml' } } });

	it('polls through InProgress to Completed', async () => {
		sandbox.emulator.configureDss({ pollsInProgress: 3, confirmType: 'MyDss' });
		const { output, error } = await runDiadoc(dss('signAndWait'), { credentials: credentials(), items: [item()] });
		expect(error).toBeUndefined();
		expect(output[0][0].json).toMatchObject({ OperationStatus: 'Completed', polls: 4, FileNames: ['doc.xml'] });
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
	});

	it.each([
		['CanceledByUser', /rejected the confirmation request/],
		['Timeout', /did not confirm the operation in time/],
		['Crashed', /failed in Diadoc/],
		['UserHasUnconfirmedOperation', /another unconfirmed signing operation/],
		['OperationRetryRequired', /asks to repeat the operation/],
	] as const)('%s: a clear error that keeps the TaskId, or a result when asked', async (status, meaning) => {
		sandbox.emulator.configureDss({ pollsInProgress: 1, terminalStatus: status });
		const failed = await runDiadoc(dss('signAndWait'), { credentials: credentials(), items: [item()] });
		expect(failed.error?.message).toMatch(new RegExp(`^DSS signing ended with ${status}: `));
		expect(failed.error?.message).toMatch(meaning);
		const taskId = sandbox.emulator.snapshot().dssTasks[0].taskId;
		expect(failed.error?.description).toContain(`TaskId ${taskId}`);

		const continued = await runDiadoc(dss('signAndWait'), { credentials: credentials(), items: [item()], continueOnFail: true });
		expect(continued.output[0][0].json).toMatchObject({ OperationStatus: status, BoxId: SANDBOX_BOX_ID, FileNames: ['doc.xml'] });
		expect(continued.output[0][0].json.TaskId).toBe(sandbox.emulator.snapshot().dssTasks[1].taskId);
		expect(continued.output[0][0].json.error).toMatch(meaning);

		const returned = await runDiadoc(dss('signAndWait', { options: { returnUnfavourable: true } }), { credentials: credentials(), items: [item()] });
		expect(returned.error).toBeUndefined();
		expect(returned.output[0][0].json).toMatchObject({ OperationStatus: status });
		expect(returned.output[0][0].json.remedy).toBeTruthy();
	});

	it('reports files Diadoc could not sign', async () => {
		sandbox.emulator.configureDss({ failingFiles: ['bad.xml'] });
		const items = [{ binary: { good: { data: 'good', fileName: 'good.xml' }, bad: { data: 'bad', fileName: 'bad.xml' } } }];
		const failed = await runDiadoc(dss('signAndWait', { binaryPropertyNames: 'good,bad' }), { credentials: credentials(), items });
		expect(failed.error?.message).toBe('DSS signing completed, but 1 of 2 files were not signed: bad.xml');
		const returned = await runDiadoc(dss('signAndWait', { binaryPropertyNames: 'good,bad', options: { returnUnfavourable: true } }), { credentials: credentials(), items });
		const json = returned.output[0][0].json;
		expect((json.Files as IDataObject[]).map((file) => file.FileSigningStatus)).toEqual(['SigningCompleted', 'SigningError']);
		expect(json.unsignedFiles).toEqual(['bad.xml']);
		expect(Object.keys(returned.output[0][0].binary ?? {})).toEqual(['signature_1']);
	});

	it('on timeout outputs the pending task (nothing lost), which Get Result finishes later', async () => {
		sandbox.emulator.configureDss({ pollsInProgress: 0, secondsInProgress: 600, confirmType: 'MyDss', phoneLastNumbers: '9876' });
		const waited = await runDiadoc(dss('signAndWait', { pollInterval: 0.02, timeout: 0.1 }), { credentials: credentials(), items: [item()] });
		expect(waited.error).toBeUndefined();
		const pending = waited.output[0][0].json;
		expect(pending).toMatchObject({ OperationStatus: 'InProgress', waitTimedOut: true, BoxId: SANDBOX_BOX_ID, FileNames: ['doc.xml'], ConfirmType: 'MyDss', PhoneLastNumbers: '9876' });
		expect(pending.message).toMatch(/^Waiting for the certificate owner to confirm the signing in the MyDSS app \(phone ending 9876\)\. Stopped waiting after/);
		expect(pending.TaskId).toBe(sandbox.emulator.snapshot().dssTasks[0].taskId);

		sandbox.server.clock.advance(601_000);
		const finished = await runDiadoc(dss('getResult'), { credentials: credentials(), items: [{ json: pending }] });
		expect(finished.output[0][0].json).toMatchObject({ OperationStatus: 'Completed', TaskId: pending.TaskId });
		expect(finished.output[0][0].binary?.signature_1.fileName).toBe('doc.xml.sig');
		expect(verifies(await signature(finished.output[0][0], 'signature_1'), Buffer.from('doc'))).toBe(true);
	});

	it('on timeout can fail instead, with the TaskId in the error and the error item', async () => {
		sandbox.emulator.configureDss({ pollsInProgress: 1000 });
		const parameters = dss('signAndWait', { pollInterval: 0.01, timeout: 0.05, options: { onTimeout: 'error' } });
		const failed = await runDiadoc(parameters, { credentials: credentials(), items: [item()] });
		expect(failed.error?.message).toMatch(/^DSS signing did not finish within 0\.05 s \(still InProgress\)/);
		expect(failed.error?.description).toContain(`TaskId ${sandbox.emulator.snapshot().dssTasks[0].taskId}`);
		const continued = await runDiadoc(parameters, { credentials: credentials(), items: [item()], continueOnFail: true });
		expect(continued.output[0][0].json).toMatchObject({ TaskId: sandbox.emulator.snapshot().dssTasks[1].taskId, OperationStatus: 'InProgress', waitTimedOut: true });
	});

	it('keeps the TaskId when polling itself fails (a 500 answer)', async () => {
		sandbox.server.faults.add({ method: 'GET', path: '/diadoc/DssSignResult', status: 500, body: 'boom' });
		const { output } = await runDiadoc(dss('signAndWait'), { credentials: credentials(), items: [item()], continueOnFail: true });
		expect(output[0][0].json.error).toMatch(/Diadoc answered 500/);
		expect(output[0][0].json.TaskId).toBe(sandbox.emulator.snapshot().dssTasks[0].taskId);
	});
});

describe('bad input', () => {
	it('missing box id, nothing to sign, unknown task id, foreign and unpaid boxes', async () => {
		const item = { binary: { data: { data: 'x', fileName: 'x.txt' } } };
		const noBox = await runDiadoc(dss('sign', { boxId: '={{ "" }}' }), { credentials: credentials(), items: [item] });
		expect(noBox.error?.message).toBe('Box ID is empty');
		expect(noBox.error?.description).toMatch(/ID of the Diadoc box/);

		const nothing = await runDiadoc(dss('sign', { binaryPropertyNames: '' }), { credentials: credentials(), items: [{ json: {} }] });
		expect(nothing.error?.message).toBe('There is nothing to sign');
		const missing = await runDiadoc(dss('sign', { binaryPropertyNames: 'nope' }), { credentials: credentials(), items: [item] });
		expect(missing.error?.message).toBe('The item has no binary property "nope"');
		expect(missing.error?.description).toBe('Binary properties of this item: data.');

		const noTask = await runDiadoc(dss('getResult'), { credentials: credentials(), items: [{ json: { BoxId: SANDBOX_BOX_ID } }] });
		expect(noTask.error?.message).toBe('Task ID is empty');

		const noShelfFile = await runDiadoc(dss('sign', { binaryPropertyNames: '', files: { file: [{ source: 'nameOnShelf', nameOnShelf: 'api-missing.xml' }] } }), { credentials: credentials() });
		expect(noShelfFile.error?.message).toMatch(/X-Diadoc-ErrorCode: Shelf\.FileNotFound.*shelf file "api-missing\.xml" not found/);

		const unknownTask = randomUUID();
		const notFound = await runDiadoc(dss('getResult', { taskId: unknownTask, fileNames: '' }), { credentials: credentials(), continueOnFail: true });
		const json = notFound.output[0][0].json;
		expect(json.error).toMatch(/^Diadoc answered 404 Not Found to GET \/diadoc\/DssSignResult \(X-Diadoc-ErrorCode: Dss\.TaskNotFound/);
		expect(json.description).toMatch(/no such box, DSS certificate, task or shelf file/);
		expect(json).toMatchObject({ TaskId: unknownTask, BoxId: SANDBOX_BOX_ID, httpCode: '404', code: 'Dss.TaskNotFound' });
		expect(json.traceId).toMatch(/^[0-9a-f]{32}$/);

		const unpaid = await runDiadoc(dss('sign', { boxId: SANDBOX_UNPAID_BOX_ID }), { credentials: credentials(), items: [item] });
		expect(unpaid.error?.message).toMatch(/402 Payment Required/);
		expect(unpaid.error?.description).toMatch(/API subscription has ended/);
		const foreign = await runDiadoc(dss('sign', { boxId: SANDBOX_FOREIGN_BOX_ID }), { credentials: credentials(), items: [item] });
		expect(foreign.error?.description).toMatch(/no access to this box/);
	});

	it('a malformed DSS certificate thumbprint is refused before any call', async () => {
		const before = sandbox.server.requests.length;
		const { error } = await runDiadoc(dss('sign', { certificateThumbprint: 'abc' }), { credentials: credentials(), items: [{ binary: { data: { data: 'x' } } }] });
		expect(error?.message).toMatch(/must be 40 hexadecimal digits, found 3/);
		expect(sandbox.server.requests.length).toBe(before);
	});
});

describe('Shelf Upload', () => {
	it('uploads a large file in 3 MB parts from a stream, and DSS signs it by its shelf name', async () => {
		const content = randomBytes(7_000_123);
		const upload = await runDiadoc(dss('shelfUpload'), {
			credentials: credentials(),
			items: [{ binary: { data: { data: content, fileName: 'big.xml' } } }],
			binaryDataMode: 'filesystem',
		});
		expect(upload.error).toBeUndefined();
		expect(upload.output[0][0].json).toMatchObject({ method: 'ShelfUploadPartInit + ShelfUploadPart', parts: 3, size: content.length, FileName: 'big.xml', resentParts: [] });
		const name = String(upload.output[0][0].json.NameOnShelf);
		expect(name).toMatch(/\.xml$/);
		const parts = sandbox.server.requests.filter((request) => /ShelfUploadPart/.test(request.path));
		expect(parts.map((request) => [request.path.replace('/diadoc/', ''), request.query.partIndex ?? '0', request.query.isLastPart, request.bodySize])).toEqual([
			['ShelfUploadPartInit', '0', 'false', 3_000_000],
			['ShelfUploadPart', '1', 'false', 3_000_000],
			['ShelfUploadPart', '2', 'true', 1_000_123],
		]);

		const signed = await runDiadoc(dss('signAndWait', { binaryPropertyNames: '', files: { file: [{ source: 'nameOnShelf', nameOnShelf: name, fileName: 'big.xml' }] } }), {
			credentials: credentials(),
		});
		expect(verifies(await signature(signed.output[0][0], 'signature_1'), content)).toBe(true);
	});

	it('re-sends the parts Diadoc reports missing', async () => {
		// The first ShelfUploadPart is "accepted" by a fault without reaching the shelf: part 1 goes missing.
		sandbox.server.faults.add({ method: 'POST', path: '/diadoc/ShelfUploadPart', status: 200, body: '', times: 1 });
		const content = randomBytes(6_500_000);
		const upload = await runDiadoc(dss('shelfUpload', { fileExtension: 'bin' }), { credentials: credentials(), items: [{ binary: { data: { data: content } } }] });
		expect(upload.error).toBeUndefined();
		expect(upload.output[0][0].json).toMatchObject({ parts: 3, resentParts: [1] });
		const shelf = sandbox.emulator.snapshot().shelf[0];
		expect(shelf).toMatchObject({ complete: true, size: content.length, parts: 3 });
		expect(String(upload.output[0][0].json.NameOnShelf)).toMatch(/\.bin$/);
	});

	it("reports Diadoc's size limit clearly", async () => {
		sandbox.emulator.setOptions({ shelfFileMaxBytes: 5_000_000 });
		const { error } = await runDiadoc(dss('shelfUpload'), { credentials: credentials(), items: [{ binary: { data: { data: randomBytes(6_100_000), fileName: 'x.pdf' } } }] });
		expect(error?.message).toMatch(/Diadoc answered 400 Bad Request to POST \/diadoc\/ShelfUploadPart \(X-Diadoc-ErrorCode: Shelf\.FileTooLarge.*\): The file would exceed 5000000 bytes/);
	});
});
