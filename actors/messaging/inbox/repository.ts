/**
 * messaging inbox: the per-user entity. It has no state of its own (the
 * room list is the membership index, checked against committed rooms); it
 * exists so that a user's room list is a command with a target, like
 * everything else a client asks.
 */
import { entityRepository } from '../../runtime/index.js';

export type InboxState = Record<string, never>;

export const inboxRepository = entityRepository<InboxState>({
  collection: 'entities_messaging_inbox',
  initialState: () => ({}),
});
