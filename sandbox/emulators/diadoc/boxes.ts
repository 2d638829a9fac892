/** The boxId checks every box-scoped method makes, with the documented status codes. */
import type { SandboxRequest } from '../../server';
import type { DiadocBox, DiadocUser } from './config';
import { badRequest, boxKey, fail, requireJsonAccept, requiredQuery } from './http';
import type { DiadocRoutes } from './routes';
import type { DiadocState } from './state';

/**
 * The box named by ?boxId: 400 when missing or not a box id, 404 when unknown, 403 when the user has no
 * access to it, 402 when its organization's API subscription has ended.
 */
export function requireBox(state: DiadocState, request: SandboxRequest, user: DiadocUser): { box: DiadocBox; key: string } {
	const boxId = requiredQuery(request, 'boxId');
	const key = boxKey(boxId);
	if (key === undefined) badRequest('boxId must be a GUID or "<32 hex digits>@diadoc.ru".');
	const box = state.findBox(boxId);
	if (!box) fail(404, 'Box.NotFound', `Box ${boxId} not found.`);
	if (!state.userHasBox(user, box)) fail(403, 'Box.AccessDenied', `Access to box ${boxId} is denied for this token.`);
	if (!box.apiSubscription) fail(402, 'Box.NoApiSubscription', `The API subscription of the organization of box ${boxId} has ended.`);
	return { box, key };
}

/**
 * GET /GetMyOrganizations: the organizations whose boxes the token's user can open (the cheap authenticated call
 * a client uses to test its credentials). Shape as in the docs' OrganizationList, trimmed to what is emulated.
 */
export function registerOrganizationRoutes(routes: DiadocRoutes, state: DiadocState): void {
	routes.api('/GetMyOrganizations', ['GET'], (request, { user }) => {
		requireJsonAccept(request, state.config.options.requireJsonAccept);
		const boxes = user.boxIds.map((boxId) => state.findBox(boxId)).filter((box): box is DiadocBox => box !== undefined);
		const organizations = boxes.map((box) => ({ FullName: box.title, ShortName: box.title, Boxes: [{ BoxId: box.boxId, Title: box.title }] }));
		return { status: 200, json: { Organizations: organizations } };
	});
}
