/**
 * messaging: rooms, membership, messages, history, read markers, presence
 * and typing — the model feature module (README.md explains its design).
 *
 * - `messaging` (entity = room id): the room actor; protocol/messaging.md
 *   lists its commands, results and events.
 * - `messaging_inbox` (entity = the user's subject token): the user's rooms.
 * - services: the `svc.acl.room` responder, the ACL invalidation relay and
 *   the AI answer relay (posts `evt.ai.answer.completed` answers into rooms).
 */
import { ROOM_ACTOR } from '../../protocol/index.js';
import { defineActor } from '../runtime/index.js';
import { messagingDependencies } from './dependencies.js';
import { inboxActor } from './inbox/index.js';
import { roomRepository } from './roomRepository.js';
import { roomRouter } from './router.js';

export const roomActor = defineActor({
  name: ROOM_ACTOR,
  repository: roomRepository,
  router: roomRouter,
  dependencies: messagingDependencies,
});

export const messagingActors = [roomActor, inboxActor] as const;
export { messagingServices } from './services.js';
export { MESSAGING_METRICS } from './metrics.js';
export { MESSAGING_CONFIG } from './config.js';
