/**
 * messaging: the room handlers — create, direct rooms, invitations,
 * joining, leaving, roles, the room view and read markers. Each one calls
 * the pure room service, writes the per-user membership index before the
 * commit (membershipIndex.ts), and returns the decision whose events are
 * published after the commit.
 */
import { BusinessError, type CommandContext, type Controller, type Decision } from '../runtime/index.js';
import { directRoomId, userTopic, type RoomCommandData, type RoomCommandName } from '../../protocol/index.js';
import type { MessagingDeps } from './dependencies.js';
import { committedEvents, roomEvent, type CommittedEvents } from './roomEvents.js';
import * as rooms from './roomService.js';
import type { RoomState } from './roomState.js';

export type RoomController<N extends RoomCommandName> = Controller<RoomState, RoomCommandData<N>, MessagingDeps>;

/** Also pushes the events to a user's own topic (someone not subscribed to the room yet). */
function alsoToUser(events: CommittedEvents, user: string, names: string[]): CommittedEvents {
  const extra = events.events.filter((e) => names.includes(e.name)).map((e) => ({ ...e, topic: userTopic(user) }));
  return { ...events, events: [...events.events, ...extra] };
}

export const createController: RoomController<'create'> = async (room, data, ctx) => {
  const next = rooms.createGroupRoom(room, ctx.user, data.title, data.public ?? false, ctx.now);
  await ctx.deps.memberships.record(ctx.entity, [ctx.user], true);
  return {
    state: next,
    result: { room: rooms.roomView(next, ctx.entity, ctx.user) },
    ...committedEvents(ctx.entity,
      roomEvent('room.created', { room: ctx.entity, kind: 'group', title: next.title, public: next.public, createdBy: ctx.user, members: [ctx.user] }),
      roomEvent('member.joined', { room: ctx.entity, user: ctx.user, role: 'owner' })),
  };
};

export const directOpenController: RoomController<'direct.open'> = async (room, data, ctx) => {
  const expected = await directRoomId(ctx.user, data.with);
  if (ctx.entity !== expected) {
    throw new BusinessError('VALIDATION', 'The entity of direct.open must be the direct room id of you and `with`.', { details: { expected } });
  }
  const { room: next, created } = rooms.openDirectRoom(room, ctx.user, data.with, ctx.now);
  const result = { room: rooms.roomView(next, ctx.entity, ctx.user), created };
  if (!created) return { result };
  await ctx.deps.memberships.record(ctx.entity, [ctx.user, data.with], true);
  const events = committedEvents(ctx.entity,
    roomEvent('room.created', { room: ctx.entity, kind: 'direct', title: '', public: false, createdBy: ctx.user, members: [ctx.user, data.with] }),
    roomEvent('member.joined', { room: ctx.entity, user: ctx.user, role: 'member' }),
    roomEvent('member.joined', { room: ctx.entity, user: data.with, role: 'member' }));
  return { state: next, result, ...alsoToUser(events, data.with, ['room.created']) };
};

export const inviteController: RoomController<'invite'> = (room, data, ctx) => {
  const next = rooms.invite(room, ctx.user, data.user, ctx.now);
  const result = { user: data.user, invited: true };
  if (next === room) return { result };
  const events = committedEvents(ctx.entity, roomEvent('member.invited', { room: ctx.entity, user: data.user, by: ctx.user }));
  return { state: next, result, ...alsoToUser(events, data.user, ['member.invited']) };
};

export const joinController: RoomController<'join'> = async (room, _data, ctx) => {
  const { room: next, joined } = rooms.join(room, ctx.user, ctx.now);
  const result = { room: rooms.roomView(next, ctx.entity, ctx.user) };
  if (!joined) return { result };
  await ctx.deps.memberships.record(ctx.entity, [ctx.user], true);
  return { state: next, result, ...committedEvents(ctx.entity, roomEvent('member.joined', { room: ctx.entity, user: ctx.user, role: 'member' })) };
};

/** Leaving or being removed: out of the index and of presence, then told to the room. */
async function departure(next: RoomState, user: string, by: string, reason: 'left' | 'removed', ctx: CommandContext<MessagingDeps>): Promise<Decision<RoomState>> {
  await ctx.deps.memberships.record(ctx.entity, [user], false);
  if (await ctx.deps.presence.leave(ctx.entity, user)) ctx.deps.ephemeral.publish(ctx.entity, 'presence.left', { room: ctx.entity, user, reason: 'left' });
  return { state: next, ...committedEvents(ctx.entity, roomEvent('member.left', { room: ctx.entity, user, by, reason })) };
}

export const leaveController: RoomController<'leave'> = async (room, _data, ctx) => {
  const next = rooms.leave(room, ctx.user);
  return { ...await departure(next, ctx.user, ctx.user, 'left', ctx), result: { left: true } };
};

export const removeController: RoomController<'remove'> = async (room, data, ctx) => {
  const { room: next, wasMember } = rooms.remove(room, ctx.user, data.user);
  const result = { user: data.user, removed: true, wasMember };
  if (!wasMember) return { state: next, result };
  return { ...await departure(next, data.user, ctx.user, 'removed', ctx), result };
};

export const roleController: RoomController<'role'> = (room, data, ctx) => {
  const { room: next, changed } = rooms.setRole(room, ctx.user, data.user, data.role);
  const result = { user: data.user, role: data.role };
  if (!changed) return { result };
  return { state: next, result, ...committedEvents(ctx.entity, roomEvent('member.role', { room: ctx.entity, user: data.user, role: data.role, by: ctx.user })) };
};

export const getController: RoomController<'get'> = (room, _data, ctx) => ({ result: { room: rooms.roomView(room, ctx.entity, ctx.user) } });

export const readController: RoomController<'read'> = (room, data, ctx) => {
  const { room: next, member } = rooms.markRead(room, ctx.user, data.seq);
  const result = { readSeq: member.readSeq, unread: rooms.unread(member, next.lastSeq) };
  return next === room ? { result } : { state: next, result };
};
