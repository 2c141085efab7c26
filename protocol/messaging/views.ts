/**
 * What the messaging actors answer with and push: messages and rooms as
 * clients see them (results, `event` data, domain event data).
 */
import Type, { type Static } from 'typebox';
import { ClientMessageId, MessageSeq, RoomRole } from './commands.js';

const closed = { additionalProperties: false } as const;
const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' });

export const ReactionCount = Type.Object({
  reaction: Type.String(),
  /** Who reacted, in the order they did. */
  users: Type.Array(Type.String()),
}, closed);

/** A message. A deleted one keeps its place (seq) with empty text and `deletedAt`. */
export const Message = Type.Object({
  room: Type.String(),
  seq: MessageSeq,
  clientId: ClientMessageId,
  author: Type.String(),
  text: Type.String(),
  createdAt: EpochMs,
  editedAt: Type.Optional(EpochMs),
  deletedAt: Type.Optional(EpochMs),
  reactions: Type.Array(ReactionCount),
  /** Set when the message was not typed by `author`: "ai" = an AI answer posted on the author's behalf (protocol/messaging/aiAnswerPost.ts). */
  via: Type.Optional(Type.Literal('ai')),
}, closed);

export const RoomKind = Type.Union([Type.Literal('group'), Type.Literal('direct')]);

/** A room as one of its members sees it. */
export const RoomView = Type.Object({
  room: Type.String(),
  kind: RoomKind,
  title: Type.String(),
  public: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: EpochMs,
  /** Sequence number of the last message (0: none yet). */
  lastSeq: Type.Integer({ minimum: 0 }),
  members: Type.Array(Type.Object({ user: Type.String(), role: RoomRole }, closed)),
  /** Users invited who have not joined yet. */
  invited: Type.Array(Type.String()),
  /** The asking member: role, read marker, messages after it. */
  you: Type.Object({ role: RoomRole, readSeq: Type.Integer({ minimum: 0 }), unread: Type.Integer({ minimum: 0 }) }, closed),
}, closed);

/** The result of `history`. */
export const HistoryPage = Type.Object({
  messages: Type.Array(Message),
  /** The room's last committed sequence when the page was read: pages never show anything above it. */
  lastSeq: Type.Integer({ minimum: 0 }),
  /** More messages exist in the direction asked (below the first for `before`/latest, above the last for `after`). */
  hasMore: Type.Boolean(),
}, closed);

/** One room of `inbox.list`. */
export const InboxRoom = Type.Object({
  room: Type.String(),
  kind: RoomKind,
  title: Type.String(),
  role: RoomRole,
  lastSeq: Type.Integer({ minimum: 0 }),
  readSeq: Type.Integer({ minimum: 0 }),
  unread: Type.Integer({ minimum: 0 }),
}, closed);

export const InboxPage = Type.Object({
  rooms: Type.Array(InboxRoom),
  /** Pass as `after` for the next page; absent on the last page. */
  next: Type.Optional(Type.String()),
}, closed);

export type ReactionCount = Static<typeof ReactionCount>;
export type Message = Static<typeof Message>;
export type RoomKind = Static<typeof RoomKind>;
export type RoomView = Static<typeof RoomView>;
export type HistoryPage = Static<typeof HistoryPage>;
export type InboxRoom = Static<typeof InboxRoom>;
export type InboxPage = Static<typeof InboxPage>;
