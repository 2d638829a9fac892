/**
 * The Transcrypt transport pieces on their own: GUIDs in every .NET form, the tolerant reading of
 * AuthSucceedModel, and the judgement of a login answer.
 */
import { judgeLogin, readAuthAnswer } from '../../nodes/Transcrypt/transport/models';
import { normalizeGuid, transcryptSettings } from '../../nodes/Transcrypt/transport/settings';

describe('Transcrypt settings', () => {
	it('accepts the D, N, B and P forms of a GUID and refuses anything else with an example', () => {
		const d = 'fd1fcd39-171e-4af5-9110-457215e20cc0';
		expect(normalizeGuid(d.toUpperCase(), 'App ID')).toBe(d);
		expect(normalizeGuid(d.replace(/-/g, ''), 'App ID')).toBe(d);
		expect(normalizeGuid(`{${d}}`, 'App ID')).toBe(d);
		expect(normalizeGuid(`(${d})`, 'App ID')).toBe(d);
		expect(() => normalizeGuid('fd1fcd39', 'App ID')).toThrow(/App ID must be a GUID/);
		expect(() => normalizeGuid('', 'App Instance')).toThrow(/App Instance of the Transcrypt API credential is empty/);
	});

	it('adds a trailing slash to the base URL and defaults the token header', () => {
		const settings = transcryptSettings({ baseUrl: 'http://demo.tcrypt.ru:42136', appId: 'fd1fcd39-171e-4af5-9110-457215e20cc0', appInstance: '7d359f83-fb28-4b35-bb82-8f5f78f18c08' });
		expect(settings.baseUrl).toBe('http://demo.tcrypt.ru:42136/');
		expect(settings.tokenHeader).toBe('Authorization');
		expect(settings.tokenScheme).toBe('Bearer');
		expect(settings.appInfo).toEqual({ AppId: 'fd1fcd39-171e-4af5-9110-457215e20cc0', AppInstance: '7d359f83-fb28-4b35-bb82-8f5f78f18c08' });
	});
});

describe('AuthSucceedModel', () => {
	it('is read case-insensitively, with INN/KPP of legal entities and individuals flattened', () => {
		const answer = readAuthAnswer({
			token: '69d6c1aa-dff2-462e-86ef-66012d44612c',
			organizations: [
				{ id: '7c3e616c-605c-46be-8c62-4fb21490b1d5', name: 'ООО Ромашка', organizationJur: { inn: '7701234567', kpp: '770101001' }, organizationNat: null },
				{ Id: 'x', Name: 'ИП Иванов', OrganizationJur: null, OrganizationNat: { Inn: '770123456789' } },
			],
			needSignLicense: 'true',
			IsNewClient: true,
		});
		expect(answer.Token).toBe('69d6c1aa-dff2-462e-86ef-66012d44612c');
		expect(answer.Organizations.map((org) => [org.Inn, org.Kpp, org.Type])).toEqual([
			['7701234567', '770101001', 'legal'],
			['770123456789', null, 'individual'],
		]);
		expect(answer.NeedSignLicense).toBe(true);
		expect(answer.IsNewClient).toBe(true);
		expect(answer.CertificateNotFound).toBe(false);
	});

	it('treats the empty GUID as no token', () => {
		expect(readAuthAnswer({ Token: '00000000-0000-0000-0000-000000000000' }).Token).toBeNull();
	});

	it('judges: success, Error text, CertificateNotFound, HTTP refusals with ModelState, and no token', () => {
		expect(judgeLogin(200, { Token: '69d6c1aa-dff2-462e-86ef-66012d44612c' }, 'signature').problem).toBeUndefined();
		expect(judgeLogin(200, { Error: 'Нет лицензии' }, 'signature').problem?.message).toBe('Transcrypt refused the signature login: Нет лицензии');
		expect(judgeLogin(200, { CertificateNotFound: true }, 'signature', 'AB'.repeat(20)).problem?.message).toMatch(/does not know the certificate ABAB/);
		expect(judgeLogin(400, { Message: 'The request is invalid.', ModelState: { 'model.Signature': ['bad'] } }, 'signature').problem?.message).toBe(
			'Transcrypt refused the signature login (HTTP 400): The request is invalid. — Signature: bad',
		);
		expect(judgeLogin(200, {}, 'password').problem?.message).toBe('Transcrypt answered the password login without a token');
		expect(judgeLogin(200, {}, 'password').problem?.code).toBe('LOGIN_REFUSED');
	});
});
