/**
 * Sample data behind GetContacts, CheckContragent and GetMessageList. Root elements and namespaces follow
 * what a production client deserializes (Contacts in http://api-invoice.taxcom.ru/contacts,
 * ContainerDescription in http://api-invoice.taxcom.ru/meta); the rest of each shape is the sandbox's own.
 */
import crypto from 'node:crypto';
import { escapeXml } from './replies';

export const CONTACTS_NS = 'http://api-invoice.taxcom.ru/contacts';
export const META_NS = 'http://api-invoice.taxcom.ru/meta';

export interface SampleParticipant {
	name: string;
	inn: string;
	kpp: string;
	/** Taxcom's own cabinets start with 2AL; other prefixes are roaming cabinets (reported without activity). */
	edxClientId: string;
	active: boolean;
	contactState?: 'Sent' | 'Incoming' | 'Accepted' | 'Rejected' | 'Error';
}

export interface SampleDocflow {
	id: string;
	title: string;
	direction: 'Ingoing' | 'Outgoing';
	status: 'InProgress' | 'Succeed' | 'Warning' | 'Error' | 'NotStarted';
	reglamentCode: string;
	transactionCode: string;
	/** Clock time of the last status change; GetMessageList?DATE= returns later ones. */
	changedAt: number;
}

function digest(seed: string): Buffer {
	return crypto.createHash('sha256').update(seed).digest();
}

function guid(seed: string): string {
	const hex = digest(seed).toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A well-formed 10-digit INN in the unused region 99, so samples never name a real organization. */
function sampleInn(seed: string): string {
	const digits = [9, 9, ...Array.from(digest(seed).subarray(0, 7), (byte) => byte % 10)];
	const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
	const check = (digits.reduce((sum, digit, index) => sum + digit * weights[index], 0) % 11) % 10;
	return [...digits, check].join('');
}

function participant(seed: string, name: string, prefix: string, active: boolean, contactState?: SampleParticipant['contactState']): SampleParticipant {
	const inn = sampleInn(seed);
	return { name, inn, kpp: `${inn.slice(0, 4)}01001`, edxClientId: `${prefix}-${guid(seed).toUpperCase()}-00000`, active, contactState };
}

/** Who CheckContragent knows; those with a contactState are also this cabinet's contacts (GetContacts). */
export function defaultParticipants(): SampleParticipant[] {
	return [
		participant('alpha', 'ООО «Альфа-Песочница»', '2AL', true, 'Accepted'),
		participant('beta', 'АО «Бета-Песочница»', '2AL', false, 'Incoming'),
		participant('gamma', 'ООО «Гамма (роуминг)»', '2BM', false),
	];
}

export function defaultDocflows(now: number): SampleDocflow[] {
	const day = 86_400_000;
	return [
		{ title: 'Счёт-фактура № 1', direction: 'Ingoing', status: 'InProgress', reglamentCode: 'Invoice', transactionCode: 'Invoice', days: 3 },
		{ title: 'УПД № 2', direction: 'Ingoing', status: 'Succeed', reglamentCode: 'UniversalTransferDocument', transactionCode: 'SellerTitle', days: 2 },
		{ title: 'Письмо № 3', direction: 'Outgoing', status: 'Succeed', reglamentCode: 'Nonformalized', transactionCode: 'PostDocument', days: 1 },
	].map(({ days, ...fields }, index) => ({
		id: guid(`docflow:${index}`),
		...fields,
		direction: fields.direction as SampleDocflow['direction'],
		status: fields.status as SampleDocflow['status'],
		changedAt: now - days * day,
	}));
}

/** .NET DateTime text ("o" format, UTC). */
function dateTime(ms: number): string {
	return new Date(ms).toISOString().replace('Z', '0000Z');
}

export function contactsXml(participants: SampleParticipant[], now: number, withActivity: boolean): string {
	const contacts = participants.map((entry) => {
		const lines = ['  <Contact>'];
		if (entry.contactState && !withActivity) lines.push(`    <State Code="${entry.contactState}" Changed="${dateTime(now)}" />`);
		lines.push(
			`    <Name>${escapeXml(entry.name)}</Name>`,
			`    <Inn>${entry.inn}</Inn>`,
			`    <Kpp>${entry.kpp}</Kpp>`,
			`    <EDXClientId>${entry.edxClientId}</EDXClientId>`,
		);
		if (withActivity && entry.edxClientId.startsWith('2AL-')) lines.push(`    <IsActive>${entry.active}</IsActive>`);
		lines.push('  </Contact>');
		return lines.join('\n');
	});
	return [`<Contacts xmlns="${CONTACTS_NS}" Asof="${dateTime(now)}">`, ...contacts, '</Contacts>'].join('\n');
}

/** ContainerDescription of the docflows changed after `since`, at most `limit`, oldest first. */
export function messageListXml(docflows: SampleDocflow[], since: number, direction: string | undefined, now: number, limit = 500): string {
	const matching = docflows
		.filter((docflow) => docflow.changedAt > since && (!direction || docflow.direction === direction))
		.sort((a, b) => a.changedAt - b.changedAt);
	const page = matching.slice(0, limit);
	const last = page[page.length - 1];
	const attributes = [`RequestDateTime="${dateTime(now)}"`, `IsLast="${matching.length <= limit}"`];
	if (last) attributes.push(`LastRecordDateTime="${dateTime(last.changedAt)}"`);
	const flows = page.map((docflow) =>
		[
			`  <DocFlow Id="${docflow.id}" Status="${docflow.status}" StatusChangeDateTime="${dateTime(docflow.changedAt)}">`,
			`    <Description Title="${escapeXml(docflow.title)}" Date="${dateTime(docflow.changedAt)}" />`,
			'    <Documents>',
			`      <Document ReglamentCode="${docflow.reglamentCode}" TransactionCode="${docflow.transactionCode}">`,
			`        <Status OrderInDocFlow="1" Direction="${docflow.direction}" TransactionResultType="Completed" />`,
			'      </Document>',
			'    </Documents>',
			'  </DocFlow>',
		].join('\n'),
	);
	return [`<ContainerDescription xmlns="${META_NS}" ${attributes.join(' ')}>`, ...flows, '</ContainerDescription>'].join('\n');
}

/** The INN/KPP pairs of a CheckContragent body: <Contact> elements with <Inn> and <Kpp> (any namespace prefix). */
export function readContragentPairs(body: string): Array<{ inn: string; kpp?: string }> {
	const pairs: Array<{ inn: string; kpp?: string }> = [];
	const text = (element: string, name: string) =>
		new RegExp(`<(?:[\\w.-]+:)?${name}\\b[^>]*>\\s*([^<]*?)\\s*</(?:[\\w.-]+:)?${name}>`).exec(element)?.[1];
	for (const match of body.matchAll(/<(?:[\w.-]+:)?Contact\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?Contact>/g)) {
		pairs.push({ inn: text(match[1], 'Inn') ?? '', kpp: text(match[1], 'Kpp') || undefined });
	}
	return pairs;
}
