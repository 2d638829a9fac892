/**
 * DSS (cloud) signing: building DssSign / V2/DssSign requests from the item, reading DssSignResult (both the
 * proto's `FileSigningResults` and the older docs' `DssFileSigningResult`, enums as names or numbers), and
 * turning a result into an output item with one `<file name>.sig` binary per signed file.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { normalizeThumbprint } from '../../../lib/crypto/certificate';
import type { DiadocClient } from '../transport/client';
import { DiadocUsageError } from '../transport/errors';
import { openBinary, selectBinaryProperties, type BinarySource } from './binarySource';
import { decodeBase64, param } from './environment';
import {
	CONFIRM_TYPE_WORDS,
	DSS_OPERATION_STATUS_INFO,
	readDssConfirmType,
	readDssFileSigningStatus,
	readDssOperationStatus,
	readDssOperator,
	type DssConfirmType,
	type DssFileSigningStatus,
	type DssOperationStatus,
} from './enums';
import { StreamedJsonBody } from './jsonStream';

/** Files up to this size are put into the DssSign body as a string; larger ones are streamed into it. */
const INLINE_LIMIT = 1024 * 1024;

async function joinBase64(source: BinarySource): Promise<string> {
	let text = '';
	for await (const piece of source.base64()) text += piece;
	return text;
}

export interface PreparedSignRequest {
	path: '/DssSign' | '/V2/DssSign';
	query: Record<string, string>;
	boxId: string;
	fileNames: string[];
	/** The JSON body, or a factory of its stream when it carries binary content. */
	body: unknown | (() => unknown);
	streaming: boolean;
}

interface FileEntry {
	source?: string;
	fileName?: string;
	content?: string;
	nameOnShelf?: string;
	messageId?: string;
	entityId?: string;
	patchedContentId?: string;
}

/** A parameter's text, or (when the parameter is empty) the field `fromItem` of the input item. */
export function textOrItemField(ctx: IExecuteFunctions, name: string, itemIndex: number, fromItem?: string): string {
	const value = param(ctx, name, itemIndex, '');
	let text = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
	if (!text && fromItem) {
		const field = ctx.getInputData()[itemIndex]?.json?.[fromItem];
		if (typeof field === 'string' || typeof field === 'number') text = String(field).trim();
	}
	return text;
}

export function requiredText(ctx: IExecuteFunctions, name: string, itemIndex: number, label: string, hint: string, fromItem?: string): string {
	const text = textOrItemField(ctx, name, itemIndex, fromItem);
	if (!text) throw new DiadocUsageError(`${label} is empty`, hint);
	return text;
}

const BOX_ID_HINT = 'Enter the ID of the Diadoc box (a GUID or "<32 hex digits>@diadoc.ru"), e.g. the BoxId Register returned.';

/** The box ID parameter; with `fromItem`, an empty parameter means the input item's BoxId. */
export function boxIdOf(ctx: IExecuteFunctions, itemIndex: number, fromItem = false): string {
	return requiredText(ctx, 'boxId', itemIndex, 'Box ID', BOX_ID_HINT, fromItem ? 'BoxId' : undefined);
}

export async function prepareSignRequest(ctx: IExecuteFunctions, itemIndex: number): Promise<PreparedSignRequest> {
	const boxId = boxIdOf(ctx, itemIndex);
	const version = param<string>(ctx, 'apiVersion', itemIndex, 'v1');
	const streamed = new StreamedJsonBody();
	const files: IDataObject[] = [];
	const fileNames: string[] = [];
	const add = (content: IDataObject, fileName: string | undefined) => {
		const name = fileName?.trim() || `file_${files.length + 1}`;
		files.push({ Content: content, FileName: name });
		fileNames.push(name);
	};

	for (const property of selectBinaryProperties(ctx, itemIndex, String(param(ctx, 'binaryPropertyNames', itemIndex, '') ?? ''))) {
		const source = await openBinary(ctx, itemIndex, property);
		if (source.size === 0) throw new DiadocUsageError(`The binary property "${property}" is empty`, 'DSS cannot sign an empty file.');
		// Small files go into the body as a string (a plain, retryable request); large ones are streamed.
		const content = source.size <= INLINE_LIMIT ? await joinBase64(source) : streamed.placeholder(() => source.base64());
		add({ Content: content }, source.fileName ?? property);
	}

	const entries = ((param<IDataObject>(ctx, 'files', itemIndex, {})).file ?? []) as FileEntry[];
	for (const [index, entry] of entries.entries()) {
		const where = `File ${index + 1} of "Other Files"`;
		switch (entry.source ?? 'base64') {
			case 'base64':
				add({ Content: decodeBase64(ctx, entry.content, `The content of ${where}`, itemIndex).toString('base64') }, entry.fileName);
				break;
			case 'nameOnShelf':
				if (!entry.nameOnShelf?.trim()) throw new DiadocUsageError(`${where} has no name on the shelf`, 'Use the NameOnShelf a Shelf Upload returned.');
				add({ NameOnShelf: entry.nameOnShelf.trim() }, entry.fileName);
				break;
			case 'entityId':
				if (!entry.messageId?.trim() || !entry.entityId?.trim()) {
					throw new DiadocUsageError(`${where} needs both a message ID and an entity ID`, 'Take them from the Diadoc message that holds the document.');
				}
				add({ EntityId: { MessageId: entry.messageId.trim(), EntityId: entry.entityId.trim() } }, entry.fileName);
				break;
			case 'patchedContentId':
				if (!entry.patchedContentId?.trim()) throw new DiadocUsageError(`${where} has no patched content ID`, 'Use the PatchedContentId that PrepareDocumentsToSign returned.');
				add({ PatchedContentId: entry.patchedContentId.trim() }, entry.fileName);
				break;
			default:
				throw new DiadocUsageError(`${where} has an unknown source "${entry.source}"`, 'Choose Base64, Name on Shelf, Entity ID or Patched Content ID.');
		}
	}
	if (files.length === 0) {
		throw new DiadocUsageError('There is nothing to sign', 'Name at least one binary property of the item (or * for all), or add a file under "Other Files".');
	}

	const thumbprintText = String(param(ctx, 'certificateThumbprint', itemIndex, '') ?? '').trim();
	const thumbprint = thumbprintText ? normalizeThumbprint(thumbprintText) : undefined;
	let path: PreparedSignRequest['path'] = '/DssSign';
	const query: Record<string, string> = { boxId };
	const body: IDataObject = { Files: files };
	if (version === 'v2') {
		path = '/V2/DssSign';
		const source = param<string>(ctx, 'signDataSource', itemIndex, 'CertificateSign');
		body.SignDataSource = source;
		if (source === 'GosKeySign') {
			const snils = requiredText(ctx, 'snils', itemIndex, 'SNILS', 'Goskey signing needs the SNILS from the user settings in Diadoc (11 digits).');
			const digits = snils.replace(/\D/g, '');
			const oid = String(param(ctx, 'oid', itemIndex, '') ?? '').trim();
			body.GosKeyData = { Snils: digits.length === 11 ? digits : snils, ...(oid ? { Oid: oid } : {}) };
		} else if (thumbprint) {
			body.CertificateData = { Thumbprint: thumbprint };
		}
	} else if (thumbprint) {
		query.certificateThumbprint = thumbprint;
	}
	return {
		path,
		query,
		boxId,
		fileNames,
		body: streamed.streaming ? () => streamed.stream(body) : body,
		streaming: streamed.streaming,
	};
}

/** POST (V2/)DssSign: the TaskId of the started operation. Never retried: a repeat would start a second one. */
export async function startSigning(client: DiadocClient, request: PreparedSignRequest): Promise<string> {
	const answer = await client.json<Record<string, unknown>>({
		method: 'POST',
		path: request.path,
		query: request.query,
		body: request.body,
		headers: request.streaming ? { 'content-type': 'application/json; charset=utf-8' } : undefined,
		idempotent: false,
	});
	const taskId = answer?.TaskId;
	if (typeof taskId !== 'string' || !taskId) {
		throw new DiadocUsageError('Diadoc started DSS signing but returned no TaskId', 'Check the API base URL of the credential; contact Diadoc support if it repeats.');
	}
	return taskId;
}

export interface FileResult {
	status: DssFileSigningStatus;
	rawStatus?: string | number;
	signature?: Buffer;
	/** The signature as Diadoc sent it (base64), kept to avoid encoding it again for the output. */
	signatureBase64?: string;
}

export interface DssResult {
	status: DssOperationStatus;
	rawStatus?: string | number;
	confirmType?: DssConfirmType;
	operator?: string;
	phoneLastNumbers?: string;
	files: FileResult[];
}

/** One GET /DssSignResult (a GET: lib/http retries it on 429/5xx and connection drops). */
export async function fetchResult(client: DiadocClient, boxId: string, taskId: string): Promise<DssResult> {
	const body = await client.json<Record<string, unknown>>({ method: 'GET', path: '/DssSignResult', query: { boxId, taskId } });
	const status = readDssOperationStatus(body?.OperationStatus);
	const list = (Array.isArray(body?.FileSigningResults) ? body.FileSigningResults : Array.isArray(body?.DssFileSigningResult) ? body.DssFileSigningResult : []) as Array<
		Record<string, unknown>
	>;
	const result: DssResult = {
		status: status.name,
		files: list.map((entry) => {
			const fileStatus = readDssFileSigningStatus(entry?.FileSigningStatus);
			const file: FileResult = { status: fileStatus.name };
			if (fileStatus.raw !== undefined) file.rawStatus = fileStatus.raw;
			if (typeof entry?.Signature === 'string' && entry.Signature) {
				file.signature = Buffer.from(entry.Signature, 'base64');
				file.signatureBase64 = entry.Signature;
			}
			return file;
		}),
	};
	if (status.raw !== undefined) result.rawStatus = status.raw;
	if (body?.ConfirmType !== undefined && body.ConfirmType !== null) result.confirmType = readDssConfirmType(body.ConfirmType).name;
	if (body?.Operator !== undefined && body.Operator !== null) result.operator = readDssOperator(body.Operator).name;
	if (typeof body?.PhoneLastNumbers === 'string' && body.PhoneLastNumbers) result.phoneLastNumbers = body.PhoneLastNumbers;
	return result;
}

/** "Waiting for the certificate owner to confirm in the MyDSS app (phone ending 4567)." */
export function confirmationMessage(result: DssResult): string {
	const how = CONFIRM_TYPE_WORDS[result.confirmType ?? 'ConfirmTypeUnknown'];
	const phone = result.phoneLastNumbers ? ` (phone ending ${result.phoneLastNumbers})` : '';
	return `Waiting for the certificate owner to confirm the signing ${how}${phone}.`;
}

export interface TaskReference {
	TaskId: string;
	BoxId: string;
	FileNames: string[];
}

/** File names as Sign output them: a list, a JSON list, or a comma-separated string. */
export function fileNamesFrom(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((name) => String(name));
	if (typeof value !== 'string' || !value.trim()) return [];
	const text = value.trim();
	if (text.startsWith('[')) {
		try {
			const parsed = JSON.parse(text);
			if (Array.isArray(parsed)) return parsed.map((name) => String(name));
		} catch {
			// a name that starts with "[": treat as a comma list
		}
	}
	return text.split(',').map((name) => name.trim());
}

/** The JSON of a result (no binaries). `unsigned` lists the files that were not signed in a completed operation. */
export function resultJson(reference: TaskReference, result: DssResult, binaryPrefix: string, includeBase64: boolean): { json: IDataObject; unsigned: string[] } {
	const info = DSS_OPERATION_STATUS_INFO[result.status];
	const json: IDataObject = { ...reference, OperationStatus: result.status };
	if (result.rawStatus !== undefined) json.rawOperationStatus = result.rawStatus;
	if (result.confirmType) json.ConfirmType = result.confirmType;
	if (result.operator) json.Operator = result.operator;
	if (result.phoneLastNumbers) json.PhoneLastNumbers = result.phoneLastNumbers;
	json.statusMeaning = info.meaning;
	if (result.status === 'InProgress') {
		json.confirmationPending = true;
		json.message = confirmationMessage(result);
	} else if (!info.favourable) {
		json.remedy = info.remedy;
	}
	const unsigned: string[] = [];
	json.Files = result.files.map((file, index) => {
		const FileName = reference.FileNames[index] ?? `file_${index + 1}`;
		const entry: IDataObject = { FileName, FileSigningStatus: file.status };
		if (file.rawStatus !== undefined) entry.rawFileSigningStatus = file.rawStatus;
		if (file.signature) {
			if (includeBase64) entry.Signature = file.signatureBase64 ?? file.signature.toString('base64');
			entry.binaryProperty = `${binaryPrefix}_${index + 1}`;
		} else if (result.status === 'Completed') {
			unsigned.push(FileName);
		}
		return entry;
	});
	if (result.status === 'Completed' && result.files.length < reference.FileNames.length) {
		unsigned.push(...reference.FileNames.slice(result.files.length));
	}
	if (unsigned.length) json.unsignedFiles = unsigned;
	return { json, unsigned };
}

export async function resultBinaries(ctx: IExecuteFunctions, reference: TaskReference, result: DssResult, binaryPrefix: string): Promise<Record<string, IBinaryData>> {
	const binary: Record<string, IBinaryData> = {};
	for (const [index, file] of result.files.entries()) {
		if (!file.signature) continue;
		const name = reference.FileNames[index] ?? `file_${index + 1}`;
		binary[`${binaryPrefix}_${index + 1}`] = await ctx.helpers.prepareBinaryData(file.signature, `${name}.sig`, 'application/pkcs7-signature');
	}
	return binary;
}

export interface ResultOptions {
	returnUnfavourable: boolean;
	binaryPrefix: string;
	includeBase64: boolean;
}

export function resultOptions(options: IDataObject): ResultOptions {
	const prefix = typeof options.binaryPropertyPrefix === 'string' && options.binaryPropertyPrefix.trim() ? options.binaryPropertyPrefix.trim() : 'signature';
	return { returnUnfavourable: options.returnUnfavourable === true, binaryPrefix: prefix, includeBase64: options.includeSignatureBase64 !== false };
}

/** Why a result is not a success, or undefined when it is one (InProgress is neither: the caller decides). */
export function unfavourableReason(result: DssResult, unsigned: string[]): { message: string; hint: string } | undefined {
	const info = DSS_OPERATION_STATUS_INFO[result.status];
	if (result.status === 'InProgress') return undefined;
	if (!info.favourable) {
		const raw = result.rawStatus !== undefined ? ` (Diadoc sent ${JSON.stringify(result.rawStatus)})` : '';
		return { message: `DSS signing ended with ${result.status}${raw}: ${info.meaning}`, hint: info.remedy };
	}
	if (unsigned.length) {
		return {
			message: `DSS signing completed, but ${unsigned.length} of ${Math.max(result.files.length, unsigned.length)} files were not signed: ${unsigned.join(', ')}`,
			hint: 'Check those files (format, size) and sign them again.',
		};
	}
	return undefined;
}

export async function resultItem(
	ctx: IExecuteFunctions,
	reference: TaskReference,
	result: DssResult,
	options: ResultOptions,
): Promise<{ item: INodeExecutionData; problem?: { message: string; hint: string } }> {
	const { json, unsigned } = resultJson(reference, result, options.binaryPrefix, options.includeBase64);
	const problem = unfavourableReason(result, unsigned);
	const item: INodeExecutionData = { json };
	const binary = await resultBinaries(ctx, reference, result, options.binaryPrefix);
	if (Object.keys(binary).length) item.binary = binary;
	return { item, problem };
}
