/**
 * The data of every command of the messaging actors, as TypeBox schemas.
 * The room actor (`actor: "messaging"`, `entity: <room id>`) and the inbox
 * actor (`actor: "inbox"`, `entity: <the user's subject token>`) validate
 * commands against these before any business rule; protocol/messaging.md
 * describes them with their results.
 */
import Type, { type Static } from 'typebox';
import { MESSAGING_LIMITS as L } from './limits.js';

const closed = { additionalProperties: false } as const;

/** A user id as commands name it (the JWT `sub` of that user). */
export const MessagingUserId = Type.String({ minLength: 1, maxLength: L.userIdLength });
/** A room-local message sequence number: 1 for the first message of a room. */
export const MessageSeq = Type.Integer({ minimum: 1 });
export const MessageText = Type.String({ minLength: 1, maxLength: L.textLength });
export const ClientMessageId = Type.String({ minLength: 1, maxLength: L.clientIdLength, pattern: '^[A-Za-z0-9_:@=+-]+$' });
/** An emoji or a short name; no whitespace. */
export const Reaction = Type.String({ minLength: 1, maxLength: L.reactionLength, pattern: '^\\S+$' });
export const RoomRole = Type.Union([Type.Literal('owner'), Type.Literal('member')]);
/** Commands without data accept no data or an empty object. */
const NoData = Type.Union([Type.Undefined(), Type.Object({}, closed)]);

export const RoomCommands = {
  /** Creates a group room with the sender as its owner. `public` rooms can be joined without an invitation. */
  create: Type.Object({ title: Type.String({ minLength: 1, maxLength: L.titleLength }), public: Type.Optional(Type.Boolean()) }, closed),
  /** Opens (creating if needed) the direct room of the sender and `with`; the entity must be directRoomId(sender, with). */
  'direct.open': Type.Object({ with: MessagingUserId }, closed),
  /** Owner only: lets `user` join. */
  invite: Type.Object({ user: MessagingUserId }, closed),
  /** Joins a room the sender was invited to (or a public one). */
  join: NoData,
  /** Leaves the room. The last owner must name another owner first. */
  leave: NoData,
  /** Owner only: removes a member or withdraws an invitation. */
  remove: Type.Object({ user: MessagingUserId }, closed),
  /** Owner only: makes a member an owner or an owner a member. */
  role: Type.Object({ user: MessagingUserId, role: RoomRole }, closed),
  /** The room as the sender may see it. */
  get: NoData,
  /** Sends a message. Sending the same `clientId` again stores nothing new and answers the stored message. */
  post: Type.Object({ clientId: ClientMessageId, text: MessageText }, closed),
  /** The author changes the text of a message. */
  edit: Type.Object({ seq: MessageSeq, text: MessageText }, closed),
  /** The author (or an owner) deletes a message; it stays in the history as a tombstone. */
  delete: Type.Object({ seq: MessageSeq }, closed),
  react: Type.Object({ seq: MessageSeq, reaction: Reaction }, closed),
  unreact: Type.Object({ seq: MessageSeq, reaction: Reaction }, closed),
  /**
   * A page of committed messages in sequence order: with `before`, the
   * latest ones below it; with `after`, the first ones above it (both: the
   * range between); with neither, the latest ones.
   */
  history: Type.Union([Type.Undefined(), Type.Object({
    before: Type.Optional(MessageSeq),
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: L.historyLimit })),
  }, closed)]),
  /** Moves the sender's read marker forward to `seq` (never back; capped at the last message). */
  read: Type.Object({ seq: Type.Integer({ minimum: 0 }) }, closed),
  /** "I have this room open": send every `heartbeatMs` (from the result). With `list: true` the result also says who is online. */
  'presence.heartbeat': Type.Union([Type.Undefined(), Type.Object({ list: Type.Optional(Type.Boolean()) }, closed)]),
  /** Ephemeral: tells the room the sender is typing (or stopped). Never stored. */
  typing: Type.Object({ active: Type.Boolean() }, closed),
} as const;

export const InboxCommands = {
  /** The sender's rooms with unread counts, ordered by room id, `after` a room id for the next page. */
  list: Type.Object({
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: L.inboxLimit })),
  }, closed),
} as const;

export type RoomCommandName = keyof typeof RoomCommands;
export type RoomCommandData<N extends RoomCommandName> = Static<(typeof RoomCommands)[N]>;
export type RoomRole = Static<typeof RoomRole>;
export type InboxCommandName = keyof typeof InboxCommands;
export type InboxCommandData<N extends InboxCommandName> = Static<(typeof InboxCommands)[N]>;
