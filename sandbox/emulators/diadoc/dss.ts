/**
 * Cloud (DSS) signing:
 *
 *   POST /DssSign?boxId=…[&certificateThumbprint=…]   DssSignRequest {Files} → {TaskId}
 *   POST /V2/DssSign?boxId=…                          DssSignRequestV2 {Files, SignDataSource, CertificateData?,
 *                                                     GosKeyData?} → {TaskId}
 *   GET  /DssSignResult?boxId=…&taskId=…              DssSignResult
 *
 * Each file's Content_v3 has exactly one of Content (base64), NameOnShelf (a V2 shelf name, with or
 * without "__userId__/"), EntityId {MessageId, EntityId} and PatchedContentId. EntityId and
 * PatchedContentId stand for documents the sandbox does not hold, so their bytes are derived from the ids
 * (see entityIdContent / patchedContent) unless a test put explicit bytes with setEntityContent. An
 * unknown or incomplete shelf name is 400 Shelf.FileNotFound (the DssSign docs reserve 404 for the box and
 * the DSS certificate).
 *
 * A task answers InProgress (with ConfirmType, Operator, PhoneLastNumbers) for `pollsInProgress` polls
 * and at least `secondsInProgress` on the sandbox clock, then its terminal status; Completed carries one
 * FileSigningResult per file in request order, each a detached CMS by the sandbox DSS key over that
 * file's bytes. The scenario is fixed when the task is created.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxRequest } from '../../server';
import { requireBox } from './boxes';
import type { DiadocUser } from './config';
import {
	DSS_CONFIRM_TYPES,
	DSS_FILE_SIGNING_STATUSES,
	DSS_OPERATION_STATUSES,
	DSS_OPERATORS,
	DSS_SIGN_DATA_SOURCES,
	formatEnum,
	parseEnum,
} from './enums';
import { badRequest, decodeBase64Strict, fail, isGuid, parseThumbprint, readJsonObject, requireJsonAccept, requiredQuery } from './http';
import type { DiadocRoutes } from './routes';
import { findShelfFile } from './shelf';
import type { DiadocState, DssContentKind, DssFile, DssTask } from './state';

const CONTENT_KINDS: DssContentKind[] = ['Content', 'NameOnShelf', 'EntityId', 'PatchedContentId'];

/** The bytes the sandbox signs for an EntityId reference it holds no content for. */
export function entityIdContent(messageId: string, entityId: string): Buffer {
	return Buffer.from(`Sandbox entity content\nMessageId: ${messageId.toLowerCase()}\nEntityId: ${entityId.toLowerCase()}\n`, 'utf8');
}

/** The bytes the sandbox signs for a PatchedContentId. */
export function patchedContent(patchedContentId: string): Buffer {
	return Buffer.from(`Sandbox patched content\nPatchedContentId: ${patchedContentId.toLowerCase()}\n`, 'utf8');
}

export function entityKey(messageId: string, entityId: string): string {
	return `${messageId.toLowerCase()}/${entityId.toLowerCase()}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return !!value && typeof value === 'object' && !Array.isArray(value);
}

function guidField(object: Record<string, unknown>, name: string, where: string): string {
	const value = object[name];
	if (typeof value !== 'string' || !isGuid(value)) badRequest(`${where}.${name} must be a GUID.`);
	return value;
}

function readFile(state: DiadocState, user: DiadocUser, item: unknown, index: number): DssFile {
	const where = `Files[${index}]`;
	if (!isObject(item)) badRequest(`${where} must be an object.`);
	const content = item.Content;
	if (!isObject(content)) badRequest(`${where}.Content is required.`);
	const present = CONTENT_KINDS.filter((kind) => content[kind] !== undefined && content[kind] !== null);
	if (present.length !== 1) {
		badRequest(`${where}.Content must have exactly one of ${CONTENT_KINDS.join(', ')} (found ${present.length ? present.join(', ') : 'none'}).`);
	}
	const fileName = item.FileName;
	if (fileName !== undefined && fileName !== null && typeof fileName !== 'string') badRequest(`${where}.FileName must be a string.`);
	const named = (kind: DssContentKind, chunks: readonly Buffer[], size: number): DssFile => ({
		fileName: (fileName as string | null | undefined) ?? undefined,
		kind,
		chunks,
		size,
	});
	const kind = present[0];
	const value = content[kind];
	switch (kind) {
		case 'Content': {
			const bytes = typeof value === 'string' ? decodeBase64Strict(value) : undefined;
			if (!bytes) badRequest(`${where}.Content.Content must be base64 (standard alphabet, padded, no whitespace).`);
			return named(kind, [bytes], bytes.length);
		}
		case 'NameOnShelf': {
			if (typeof value !== 'string' || value === '') badRequest(`${where}.Content.NameOnShelf must be a shelf file name.`);
			const file = findShelfFile(state, user, value);
			if (!file) fail(400, 'Shelf.FileNotFound', `${where}: shelf file "${value}" not found (or its upload is incomplete).`);
			return named(kind, file.parts, file.size);
		}
		case 'EntityId': {
			if (!isObject(value)) badRequest(`${where}.Content.EntityId must be {MessageId, EntityId}.`);
			const messageId = guidField(value, 'MessageId', `${where}.Content.EntityId`);
			const entityId = guidField(value, 'EntityId', `${where}.Content.EntityId`);
			const bytes = state.entityContents.get(entityKey(messageId, entityId)) ?? entityIdContent(messageId, entityId);
			return named(kind, [bytes], bytes.length);
		}
		default: {
			if (typeof value !== 'string' || !isGuid(value)) badRequest(`${where}.Content.PatchedContentId must be a GUID.`);
			const bytes = patchedContent(value);
			return named(kind, [bytes], bytes.length);
		}
	}
}

function readFiles(state: DiadocState, user: DiadocUser, body: Record<string, unknown>): DssFile[] {
	const files = body.Files;
	if (!Array.isArray(files) || files.length === 0) badRequest('Files must be a non-empty list.');
	return files.map((item, index) => readFile(state, user, item, index));
}

/** A DSS certificate of the user by thumbprint (404 when it is not one), or the default one. */
function dssCertificate(state: DiadocState, user: DiadocUser, thumbprint: string | null | undefined, what: string): string {
	const mine = state.dssThumbprints(user);
	if (thumbprint === undefined || thumbprint === null || thumbprint === '') return mine[0];
	const normalized = parseThumbprint(thumbprint, what);
	if (!mine.includes(normalized)) fail(404, 'Dss.CertificateNotFound', `DSS certificate ${normalized} is not bound to the user.`);
	return normalized;
}

function createTask(
	state: DiadocState,
	user: DiadocUser,
	box: { boxId: string; key: string },
	version: DssTask['version'],
	signDataSource: DssTask['signDataSource'],
	certificateThumbprint: string,
	files: DssFile[],
) {
	const task: DssTask = {
		taskId: randomUUID(),
		boxKey: box.key,
		boxId: box.boxId,
		login: user.login,
		version,
		signDataSource,
		certificateThumbprint,
		createdAt: state.now(),
		polls: 0,
		scenario: structuredClone(state.config.dss),
		files,
	};
	state.dssTasks.set(task.taskId, task);
	return { status: 200, json: { TaskId: task.taskId } };
}

function isFailing(task: DssTask, file: DssFile, index: number): boolean {
	return task.scenario.failingFiles.some((entry) => entry === index || (typeof entry === 'string' && entry === file.fileName));
}

async function terminalAnswer(state: DiadocState, task: DssTask): Promise<Record<string, unknown>> {
	const numeric = state.config.options.numericEnums;
	const status = task.scenario.terminalStatus;
	const results: Record<string, unknown>[] = [];
	if (status === 'Completed') {
		const signingTime = new Date(state.now());
		for (const [index, file] of task.files.entries()) {
			if (isFailing(task, file, index)) {
				results.push({ FileSigningStatus: formatEnum(DSS_FILE_SIGNING_STATUSES, 'SigningError', numeric) });
				continue;
			}
			const signature = await state.dss.signDetached(file.chunks, signingTime);
			results.push({
				FileSigningStatus: formatEnum(DSS_FILE_SIGNING_STATUSES, 'SigningCompleted', numeric),
				Signature: signature.toString('base64'),
			});
		}
	}
	return {
		OperationStatus: formatEnum(DSS_OPERATION_STATUSES, status, numeric),
		[task.scenario.legacyResultField ? 'DssFileSigningResult' : 'FileSigningResults']: results,
	};
}

function stillInProgress(state: DiadocState, task: DssTask): boolean {
	return task.polls <= task.scenario.pollsInProgress || state.now() - task.createdAt < task.scenario.secondsInProgress * 1000;
}

function inProgressAnswer(state: DiadocState, task: DssTask): Record<string, unknown> {
	const numeric = state.config.options.numericEnums;
	const confirmType = task.signDataSource === 'GosKeySign' ? 'GosKey' : task.scenario.confirmType;
	const answer: Record<string, unknown> = {
		OperationStatus: formatEnum(DSS_OPERATION_STATUSES, 'InProgress', numeric),
		[task.scenario.legacyResultField ? 'DssFileSigningResult' : 'FileSigningResults']: [],
		ConfirmType: formatEnum(DSS_CONFIRM_TYPES, confirmType, numeric),
		Operator: formatEnum(DSS_OPERATORS, task.scenario.operator, numeric),
	};
	if (task.scenario.phoneLastNumbers) answer.PhoneLastNumbers = task.scenario.phoneLastNumbers;
	return answer;
}

const pendingResults = new WeakMap<DssTask, Promise<Record<string, unknown>>>();

function snilsDigits(value: string): string {
	return value.replace(/\D/g, '');
}

export function registerDssRoutes(routes: DiadocRoutes, state: DiadocState): void {
	const prepare = (request: SandboxRequest, user: DiadocUser) => {
		const body = readJsonObject(request);
		const box = requireBox(state, request, user);
		requireJsonAccept(request, state.config.options.requireJsonAccept);
		return { body, box: { boxId: box.box.boxId, key: box.key } };
	};

	routes.api('/DssSign', ['POST'], (request, { user }) => {
		const { body, box } = prepare(request, user);
		const thumbprint = dssCertificate(state, user, request.query.get('certificateThumbprint'), 'certificateThumbprint');
		return createTask(state, user, box, 'V1', 'CertificateSign', thumbprint, readFiles(state, user, body));
	});

	routes.api('/V2/DssSign', ['POST'], (request, { user }) => {
		const { body, box } = prepare(request, user);
		if (body.SignDataSource === undefined || body.SignDataSource === null) badRequest('SignDataSource is required (CertificateSign or GosKeySign).');
		const source = parseEnum(DSS_SIGN_DATA_SOURCES, body.SignDataSource);
		if (!source) badRequest('SignDataSource must be CertificateSign (0) or GosKeySign (1).');
		let thumbprint: string;
		if (source === 'GosKeySign') {
			const gosKey = body.GosKeyData;
			if (!isObject(gosKey) || typeof gosKey.Snils !== 'string' || gosKey.Snils === '') {
				badRequest('GosKeySign needs GosKeyData.Snils.');
			}
			if (gosKey.Oid !== undefined && gosKey.Oid !== null && typeof gosKey.Oid !== 'string') badRequest('GosKeyData.Oid must be a string.');
			if (snilsDigits(gosKey.Snils) !== snilsDigits(user.snils)) {
				fail(400, 'Dss.GosKeySnilsMismatch', 'GosKeyData.Snils does not match the SNILS in the user settings.');
			}
			thumbprint = state.dssThumbprints(user)[0];
		} else {
			const certificateData = body.CertificateData;
			if (certificateData !== undefined && certificateData !== null && !isObject(certificateData)) {
				badRequest('CertificateData must be {Thumbprint}.');
			}
			const requested = isObject(certificateData) ? certificateData.Thumbprint : undefined;
			if (requested !== undefined && requested !== null && typeof requested !== 'string') badRequest('CertificateData.Thumbprint must be a string.');
			thumbprint = dssCertificate(state, user, requested as string | undefined, 'CertificateData.Thumbprint');
		}
		return createTask(state, user, box, 'V2', source, thumbprint, readFiles(state, user, body));
	});

	routes.api('/DssSignResult', ['GET'], async (request, { user }) => {
		const box = requireBox(state, request, user);
		const taskId = requiredQuery(request, 'taskId');
		const task = state.dssTasks.get(taskId);
		if (!task || task.boxKey !== box.key) fail(404, 'Dss.TaskNotFound', `DSS operation ${taskId} not found in box ${box.box.boxId}.`);
		requireJsonAccept(request, state.config.options.requireJsonAccept);
		task.polls += 1;
		let pending = pendingResults.get(task);
		if (!pending) {
			if (stillInProgress(state, task)) return { status: 200, json: inProgressAnswer(state, task) };
			pending = terminalAnswer(state, task);
			pendingResults.set(task, pending);
			pending.then(
				(answer) => {
					task.result = answer;
				},
				// A failed signing is answered as a 500 by this poll; the next poll tries again.
				() => pendingResults.delete(task),
			);
		}
		return { status: 200, json: await pending };
	});
}
