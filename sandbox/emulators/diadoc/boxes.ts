/** The boxId checks every box-scoped method makes, with the documented status codes. */
import type { SandboxRequest } from '../../server';
import type { DiadocBox, DiadocUser } from './config';
import { badRequest, boxKey, fail, requiredQuery } from './http';
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
