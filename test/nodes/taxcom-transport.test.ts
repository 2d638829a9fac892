/**
 * The Taxcom transport pieces on their own: settings (Integrator-Id, base URL), the tolerant reading of the
 * encrypted token, the decrypted Assistant-Key, and the session cache (sliding expiry, one login at a time).
 */
import { encryptCms } from '../../lib/crypto/cms/encrypt';
import { TaxcomSessionCache } from '../../nodes/Taxcom/transport/sessions';
import { normalizeIntegratorId, sessionKey, taxcomBaseUrl, taxcomSettings } from '../../nodes/Taxcom/transport/settings';
import { assistantKeyFromDecrypted, envelopeFromResponse } from '../../nodes/Taxcom/transport/token';
import { createIdentity, openssl, writeTemp } from '../helpers/pki';

const GUID = '5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

describe('Taxcom settings', () => {
	it('normalizes the Integrator-Id (any company prefix, GUID upper-cased) and names the form when it is wrong', () => {
		expect(normalizeIntegratorId(` COMPANY_${GUID} `)).toBe(`COMPANY_${GUID.toUpperCase()}`);
		expect(normalizeIntegratorId(`TaxcomFiler_${GUID}`)).toBe(`TaxcomFiler_${GUID.toUpperCase()}`);
		for (const bad of [GUID, `COMPANY_${GUID.slice(1)}`, `COMPANY ${GUID}`, '_' + GUID, '']) {
			expect(() => normalizeIntegratorId(bad)).toThrow(/Integrator ID/);
		}
		try {
			normalizeIntegratorId('COMPANY_x');
		} catch (error) {
			expect((error as Error).message).toContain('COMPANY_AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA');
			expect((error as { hint?: string }).hint).toMatch(/prefix, an underscore and a GUID/);
		}
	});

	it('builds https://<server>/v<version>/API/ and keeps a URL that already has it', () => {
		expect(taxcomBaseUrl('https://api-invoice.taxcom.ru', '1.3')).toBe('https://api-invoice.taxcom.ru/v1.3/API/');
		expect(taxcomBaseUrl('https://api-invoice.taxcom.ru/', 'v1.3')).toBe('https://api-invoice.taxcom.ru/v1.3/API/');
		expect(taxcomBaseUrl('https://x.taxcom.ru/v1.3/api/', '2')).toBe('https://x.taxcom.ru/v1.3/api/');
		expect(taxcomBaseUrl('http://127.0.0.1:1/taxcom', '')).toBe('http://127.0.0.1:1/taxcom/');
		expect(() => taxcomBaseUrl('https://x', '1,3')).toThrow(/digits and dots/);
		expect(() => taxcomBaseUrl('', '1.3')).toThrow(/Server URL/);
	});

	it('reads the session lifetime (default 2 minutes) and keys sessions by a hash, not by secrets', () => {
		const base = { serverUrl: 'https://x.taxcom.ru', apiVersion: '1.3', integratorId: `COMPANY_${GUID}`, cloudLogin: 'l', cloudPassword: 'very-secret' };
		expect(taxcomSettings(base).sessionLifetimeMs).toBe(120_000);
		expect(taxcomSettings({ ...base, sessionLifetimeMinutes: 5 }).sessionLifetimeMs).toBe(300_000);
		const key = sessionKey(taxcomSettings(base), 'cloud', 'AB'.repeat(20));
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(sessionKey(taxcomSettings({ ...base, cloudPassword: 'other' }), 'cloud', 'AB'.repeat(20))).not.toBe(key);
		expect(sessionKey(taxcomSettings(base), 'cloud', 'CD'.repeat(20))).not.toBe(key);
	});
});

describe('the encrypted token of a login answer', () => {
	const identity = createIdentity('rsa2048');
	const envelope = encryptCms(Buffer.from('TOKEN-1'), identity.certDer);
	const base64 = envelope.toString('base64');

	it('accepts DER, base64, base64 with line breaks, a JSON string, a JSON object and an XML element', () => {
		const wrapped = base64.replace(/(.{64})/g, '$1\r\n');
		for (const body of [
			envelope,
			Buffer.from(base64),
			Buffer.from(wrapped),
			Buffer.from(JSON.stringify(base64)),
			Buffer.from(JSON.stringify({ Token: base64 })),
			Buffer.from(`<?xml version="1.0"?><base64Binary xmlns="http://schemas.microsoft.com/2003/10/Serialization/">${base64}</base64Binary>`),
		]) {
			expect(envelopeFromResponse(body, 'CloudCertificateLogin').equals(envelope)).toBe(true);
		}
		// openssl reads what was extracted: the same envelope, decryptable with the key.
		const plain = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', writeTemp('t.p7m', envelopeFromResponse(Buffer.from(base64), 'x')), '-inkey', identity.keyPath]);
		expect(plain.toString()).toBe('TOKEN-1');
	});

	it('refuses an empty body, garbage, and base64 of something that is not ASN.1', () => {
		expect(() => envelopeFromResponse(Buffer.alloc(0), 'CloudCertificateLogin')).toThrow(/CloudCertificateLogin is not an encrypted token: the body is empty/);
		expect(() => envelopeFromResponse(Buffer.from('<html>Service Unavailable</html>'), 'CertificateLogin')).toThrow(/neither DER nor base64/);
		expect(() => envelopeFromResponse(Buffer.from(Buffer.from('hello world!').toString('base64')), 'x')).toThrow(/not an ASN.1 structure/);
	});
});

describe('the Assistant-Key from the decrypted token', () => {
	it('is the trimmed text (UTF-8, UTF-16 with BOM), or base64 on request', () => {
		expect(assistantKeyFromDecrypted(Buffer.from(' ABC123\r\n\u0000'))).toBe('ABC123');
		expect(assistantKeyFromDecrypted(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ABC')]))).toBe('ABC');
		expect(assistantKeyFromDecrypted(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ABC', 'utf16le')]))).toBe('ABC');
		expect(assistantKeyFromDecrypted(Buffer.from([1, 2, 250]), 'base64')).toBe('AQL6');
	});

	it('refuses bytes that cannot travel in a header, naming the option', () => {
		expect(() => assistantKeyFromDecrypted(Buffer.from([1, 2, 250]))).toThrow(/not printable text/);
		expect(() => assistantKeyFromDecrypted(Buffer.alloc(0))).toThrow(/empty/);
	});
});

describe('TaxcomSessionCache', () => {
	it('keeps a session while it is used (sliding) and drops it a safety margin before it would expire', () => {
		const cache = new TaxcomSessionCache();
		let now = 1_000_000;
		cache.now = () => now;
		const session = cache.put('k', 'KEY', 120_000);
		now += 100_000;
		expect(cache.get('k')).toBe(session);
		cache.touch(session);
		now += 100_000;
		expect(cache.get('k')?.assistantKey).toBe('KEY');
		now += 19_000; // 1 s before the end, inside the 10 s margin
		expect(cache.get('k')).toBeUndefined();
	});

	it('merges concurrent logins for the same key into one', async () => {
		const cache = new TaxcomSessionCache();
		let logins = 0;
		const login = async () => {
			logins += 1;
			await new Promise((resolve) => setImmediate(resolve));
			return `KEY${logins}`;
		};
		const sessions = await Promise.all([cache.obtain('k', 60_000, login), cache.obtain('k', 60_000, login), cache.obtain('k', 60_000, login)]);
		expect(logins).toBe(1);
		expect(new Set(sessions.map((session) => session.assistantKey))).toEqual(new Set(['KEY1']));
		cache.invalidate('k', 'OTHER');
		expect(cache.get('k')).toBeDefined();
		cache.invalidate('k', 'KEY1');
		expect(cache.get('k')).toBeUndefined();
	});

	it('forgets a failed login so the next caller tries again', async () => {
		const cache = new TaxcomSessionCache();
		await expect(cache.obtain('k', 60_000, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
		await expect(cache.obtain('k', 60_000, async () => 'KEY')).resolves.toMatchObject({ assistantKey: 'KEY' });
	});
});
