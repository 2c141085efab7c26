/**
 * messaging: room membership and roles — pure functions of the room state
 * and the acting user (ctx.user, from the gateway's headers). Refusals are
 * BusinessErrors (an ok:false result, never retried).
 *
 * Non-members get FORBIDDEN whether or not the room exists, so nobody can
 * probe which rooms (or which direct conversations) exist.
 */
import { MESSAGING_LIMITS, subjectToken, type RoomRole, type RoomView } from '../../protocol/index.js';
import { BusinessError } from '../runtime/index.js';
import type { RoomMember, RoomState } from './roomState.js';

/** The key of a user in `members` and `invited`. */
export function memberKey(user: string): string {
  return subjectToken(user);
}

export function memberOf(room: RoomState, user: string): RoomMember | undefined {
  const key = memberKey(user);
  return Object.hasOwn(room.members, key) ? room.members[key] : undefined;
}

export function isInvited(room: RoomState, user: string): boolean {
  return Object.hasOwn(room.invited, memberKey(user));
}

export function exists(room: RoomState): boolean {
  return room.kind !== '';
}

function notAMember(): BusinessError {
  return new BusinessError('FORBIDDEN', 'You are not a member of this room (or it does not exist).');
}

/** The acting member, or FORBIDDEN. */
export function requireMember(room: RoomState, user: string): RoomMember {
  const member = memberOf(room, user);
  if (!member) throw notAMember();
  return member;
}

export function requireOwner(room: RoomState, user: string): RoomMember {
  const member = requireMember(room, user);
  if (member.role !== 'owner') throw new BusinessError('FORBIDDEN', 'Only an owner of the room may do this.');
  return member;
}

function requireGroup(room: RoomState, what: string): void {
  if (room.kind === 'direct') throw new BusinessError('CONFLICT', `A direct room has exactly its two members: ${what} is not possible.`);
}

function owners(room: RoomState): number {
  return Object.values(room.members).filter((m) => m.role === 'owner').length;
}

function requireRoomFor(room: RoomState, newcomers: number): void {
  const taken = Object.keys(room.members).length + Object.keys(room.invited).length;
  if (taken + newcomers > MESSAGING_LIMITS.membersPerRoom) {
    throw new BusinessError('CONFLICT', `A room holds at most ${MESSAGING_LIMITS.membersPerRoom} members and invitations.`, { details: { limit: MESSAGING_LIMITS.membersPerRoom } });
  }
}

function withMember(room: RoomState, member: RoomMember): RoomState {
  const key = memberKey(member.user);
  const invited = { ...room.invited };
  delete invited[key];
  return { ...room, members: { ...room.members, [key]: member }, invited };
}

function withoutUser(room: RoomState, user: string): RoomState {
  const key = memberKey(user);
  const members = { ...room.members };
  const invited = { ...room.invited };
  delete members[key];
  delete invited[key];
  return { ...room, members, invited };
}

/** A new group room owned by its creator. */
export function createGroupRoom(room: RoomState, creator: string, title: string, isPublic: boolean, now: number): RoomState {
  if (exists(room)) throw new BusinessError('CONFLICT', 'A room with this id exists already.');
  const created: RoomState = { ...room, kind: 'group', title, public: isPublic, createdBy: creator, createdAt: now };
  return withMember(created, { user: creator, role: 'owner', joinedAt: now, readSeq: 0 });
}

/**
 * The direct room of two users (the caller checked that the entity is
 * their directRoomId). Opening it again is not an error: `created` tells.
 */
export function openDirectRoom(room: RoomState, user: string, other: string, now: number): { room: RoomState; created: boolean } {
  if (user === other) throw new BusinessError('VALIDATION', 'A direct room needs two different users.');
  if (exists(room)) {
    if (room.kind !== 'direct' || !memberOf(room, user) || !memberOf(room, other)) throw notAMember();
    return { room, created: false };
  }
  let created: RoomState = { ...room, kind: 'direct', title: '', public: false, createdBy: user, createdAt: now };
  for (const u of [user, other]) created = withMember(created, { user: u, role: 'member', joinedAt: now, readSeq: 0 });
  return { room: created, created: true };
}

export function invite(room: RoomState, by: string, user: string, now: number): RoomState {
  requireOwner(room, by);
  requireGroup(room, 'inviting');
  if (memberOf(room, user)) throw new BusinessError('CONFLICT', 'This user is a member already.');
  if (isInvited(room, user)) return room;
  requireRoomFor(room, 1);
  return { ...room, invited: { ...room.invited, [memberKey(user)]: { user, by, at: now } } };
}

/**
 * Joins an invited or public room; a new member starts with everything
 * before the join marked read. Joining again as a member changes nothing
 * (`joined: false`).
 */
export function join(room: RoomState, user: string, now: number): { room: RoomState; joined: boolean } {
  if (memberOf(room, user)) return { room, joined: false };
  if (!exists(room) || room.kind !== 'group' || !(room.public || isInvited(room, user))) {
    throw new BusinessError('FORBIDDEN', 'You were not invited to this room (or it does not exist).');
  }
  if (!isInvited(room, user)) requireRoomFor(room, 1);
  return { room: withMember(room, { user, role: 'member', joinedAt: now, readSeq: room.lastSeq }), joined: true };
}

export function leave(room: RoomState, user: string): RoomState {
  const member = requireMember(room, user);
  requireGroup(room, 'leaving');
  if (member.role === 'owner' && owners(room) === 1 && Object.keys(room.members).length > 1) {
    throw new BusinessError('CONFLICT', 'You are the last owner: make another member an owner before leaving.');
  }
  return withoutUser(room, user);
}

/** Removes a member or withdraws an invitation. */
export function remove(room: RoomState, by: string, user: string): { room: RoomState; wasMember: boolean } {
  requireOwner(room, by);
  requireGroup(room, 'removing a member');
  if (user === by) throw new BusinessError('VALIDATION', 'To remove yourself, leave the room.');
  const wasMember = memberOf(room, user) !== undefined;
  if (!wasMember && !isInvited(room, user)) throw new BusinessError('NOT_FOUND', 'This user is neither a member nor invited.');
  return { room: withoutUser(room, user), wasMember };
}

export function setRole(room: RoomState, by: string, user: string, role: RoomRole): { room: RoomState; changed: boolean } {
  requireOwner(room, by);
  requireGroup(room, 'changing roles');
  const member = memberOf(room, user);
  if (!member) throw new BusinessError('NOT_FOUND', 'This user is not a member.');
  if (member.role === role) return { room, changed: false };
  if (member.role === 'owner' && owners(room) === 1) throw new BusinessError('CONFLICT', 'A room needs at least one owner: make another member an owner first.');
  return { room: withMember(room, { ...member, role }), changed: true };
}

/** Moves the member's read marker forward (never back), capped at the last message. */
export function markRead(room: RoomState, user: string, seq: number): { room: RoomState; member: RoomMember } {
  const member = requireMember(room, user);
  const readSeq = Math.max(member.readSeq, Math.min(seq, room.lastSeq));
  if (readSeq === member.readSeq) return { room, member };
  const next = { ...member, readSeq };
  return { room: withMember(room, next), member: next };
}

/** Messages after the member's read marker (deleted ones count: they took a place in the sequence). */
export function unread(member: Pick<RoomMember, 'readSeq'>, lastSeq: number): number {
  return Math.max(0, lastSeq - member.readSeq);
}

export function roomView(room: RoomState, id: string, user: string): RoomView {
  const you = requireMember(room, user);
  return {
    room: id,
    kind: room.kind === '' ? 'group' : room.kind,
    title: room.title,
    public: room.public,
    createdBy: room.createdBy,
    createdAt: room.createdAt,
    lastSeq: room.lastSeq,
    members: Object.values(room.members).map((m) => ({ user: m.user, role: m.role })),
    invited: Object.values(room.invited).map((i) => i.user),
    you: { role: you.role, readSeq: you.readSeq, unread: unread(you, room.lastSeq) },
  };
}

/** Users to tell about a change of the room (its members). */
export function memberUsers(room: RoomState): string[] {
  return Object.values(room.members).map((m) => m.user);
}
