/** messaging inbox: the user's rooms with unread counts, one page at a time. */
import { MESSAGING_LIMITS, type InboxCommandData, type InboxPage } from '../../../protocol/index.js';
import type { Controller } from '../../runtime/index.js';
import type { InboxDeps } from './dependencies.js';
import { inboxRoom, nextCursor } from './inboxService.js';
import type { InboxState } from './repository.js';

export const listController: Controller<InboxState, InboxCommandData<'list'>, InboxDeps> = async (_state, data, ctx) => {
  const limit = data.limit ?? MESSAGING_LIMITS.inboxLimit;
  const candidates = await ctx.deps.memberships.roomsOf(ctx.user, data.after, limit);
  const summaries = await ctx.deps.rooms.summaries(candidates.slice(0, limit), ctx.user);
  const next = nextCursor(candidates, limit);
  const page: InboxPage = next === undefined ? { rooms: summaries.map(inboxRoom) } : { rooms: summaries.map(inboxRoom), next };
  return { result: page };
};
