/**
 * messaging inbox (`actor: "messaging_inbox"`, `entity: <your subject
 * token>`): `list` answers the sender's rooms with unread counts. Part of
 * the messaging feature; see ../README.md.
 */
import { defineActor } from '../../runtime/index.js';
import { inboxDependencies } from './dependencies.js';
import { inboxRepository } from './repository.js';
import { inboxRouter } from './router.js';

export const inboxActor = defineActor({
  name: 'messaging_inbox',
  repository: inboxRepository,
  router: inboxRouter,
  dependencies: inboxDependencies,
});
