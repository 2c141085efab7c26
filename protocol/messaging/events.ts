/**
 * Events of the messaging feature.
 *
 * Topic events: `event` frames on topic `room.<room>` (NATS `out.t.room.<room>`)
 * for the room's subscribed members. Committed ones are published from the
 * actor's outbox after the change is stored (at least once, with a `seq`,
 * recoverable on resume); ephemeral ones (presence, typing) are published
 * directly and never stored in MongoDB.
 *
 * Domain events: `evt.messaging.<name>` on the EVT stream for any NATS
 * subscriber, body = MessagingDomainEvent (the runtime's DomainEventBody
 * with `data` as below), published after the commit, at least once: dedupe
 * by `id` (also the Nats-Msg-Id).
 */
import Type, { type Static, type TSchema } from 'typebox';
import { RoomRole } from './commands.js';
import { Message, RoomKind } from './views.js';
import { domainEventSchema } from '../messages.js';

const closed = { additionalProperties: false } as const;

const Room = Type.String({ description: 'room id' });
const User = Type.String({ description: 'user id' });

export const MessageChanged = Type.Object({ room: Room, message: Message }, closed);
export const MessageDeleted = Type.Object({ room: Room, message: Message, by: User }, closed);
export const ReactionChanged = Type.Object({ room: Room, message: Message, reaction: Type.String(), user: User }, closed);
export const RoomCreated = Type.Object({ room: Room, kind: RoomKind, title: Type.String(), public: Type.Boolean(), createdBy: User, members: Type.Array(User) }, closed);
export const MemberInvited = Type.Object({ room: Room, user: User, by: User }, closed);
export const MemberJoined = Type.Object({ room: Room, user: User, role: RoomRole }, closed);
export const MemberLeft = Type.Object({ room: Room, user: User, by: User, reason: Type.Union([Type.Literal('left'), Type.Literal('removed')]) }, closed);
export const MemberRoleChanged = Type.Object({ room: Room, user: User, role: RoomRole, by: User }, closed);
export const PresenceChanged = Type.Object({ room: Room, user: User }, closed);
export const PresenceLeft = Type.Object({ room: Room, user: User, reason: Type.Union([Type.Literal('left'), Type.Literal('expired')]) }, closed);
export const Typing = Type.Object({ room: Room, user: User, active: Type.Boolean() }, closed);

/** Committed changes: pushed to the room topic and published as `evt.messaging.<name>`. */
export const MESSAGING_DOMAIN_EVENTS = {
  'room.created': RoomCreated,
  'member.invited': MemberInvited,
  'member.joined': MemberJoined,
  'member.left': MemberLeft,
  'member.role': MemberRoleChanged,
  'message.created': MessageChanged,
  'message.edited': MessageChanged,
  'message.deleted': MessageDeleted,
  'reaction.added': ReactionChanged,
  'reaction.removed': ReactionChanged,
} as const satisfies Record<string, TSchema>;

/** Ephemeral pushes on the room topic only: never stored, not domain events. */
export const MESSAGING_EPHEMERAL_EVENTS = {
  'presence.joined': PresenceChanged,
  'presence.left': PresenceLeft,
  typing: Typing,
} as const satisfies Record<string, TSchema>;

export type MessagingDomainEventName = keyof typeof MESSAGING_DOMAIN_EVENTS;
export type MessagingEphemeralEventName = keyof typeof MESSAGING_EPHEMERAL_EVENTS;
export type MessagingEventData<N extends MessagingDomainEventName | MessagingEphemeralEventName> =
  N extends MessagingDomainEventName ? Static<(typeof MESSAGING_DOMAIN_EVENTS)[N]>
    : N extends MessagingEphemeralEventName ? Static<(typeof MESSAGING_EPHEMERAL_EVENTS)[N]> : never;

/**
 * The whole body of `evt.messaging.<name>` for one event name: the
 * runtime's domain event envelope (further fields may be added) with this
 * feature's `data`.
 */
export function messagingDomainEvent<N extends MessagingDomainEventName>(name: N) {
  return domainEventSchema('messaging', name, MESSAGING_DOMAIN_EVENTS[name], 'The room.');
}
