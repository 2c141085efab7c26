/**
 * messaging: presence and typing — ephemeral. The room actor only checks
 * membership and answers; presence lives in Redis (presenceStore.ts) and
 * the pushes go straight to the room topic (ephemeralPushes.ts), nothing
 * is stored with the room.
 */
import { presenceTiming } from './presenceService.js';
import type { RoomController } from './roomController.js';

/**
 * Extends the sender's presence, drops expired members (telling the room)
 * and answers how often to beat — and who is online when asked (`list`):
 * a client asks once when it opens the room and follows the presence
 * events from then on, so the result kept for each heartbeat stays small.
 */
export const heartbeatController: RoomController<'presence.heartbeat'> = async (_room, data, ctx) => {
  const { presence, ephemeral } = ctx.deps;
  const outcome = await presence.heartbeat(ctx.entity, ctx.user);
  for (const user of outcome.expired) ephemeral.publish(ctx.entity, 'presence.left', { room: ctx.entity, user, reason: 'expired' });
  if (outcome.fresh) ephemeral.publish(ctx.entity, 'presence.joined', { room: ctx.entity, user: ctx.user });
  const timing = presenceTiming(presence.ttlMs);
  return { result: data?.list ? { ...timing, online: outcome.online } : timing };
};

export const typingController: RoomController<'typing'> = (_room, data, ctx) => {
  ctx.deps.ephemeral.publish(ctx.entity, 'typing', { room: ctx.entity, user: ctx.user, active: data.active });
  return { result: { active: data.active } };
};
