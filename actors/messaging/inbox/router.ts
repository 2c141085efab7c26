/** messaging inbox: its one command. */
import { defineRouter, route } from '../../runtime/index.js';
import { listController } from './controller.js';
import type { InboxDeps } from './dependencies.js';
import type { InboxState } from './repository.js';
import { listValidator } from './validator.js';

export const inboxRouter = defineRouter<InboxState, InboxDeps>({
  list: route(listValidator, listController),
});
