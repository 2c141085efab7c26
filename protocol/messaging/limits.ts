/**
 * Limits of the messaging feature that are part of the contract: clients
 * can rely on them, the room actor enforces them (VALIDATION or CONFLICT).
 */
import { subjectToken } from '../subjects.js';

/** The room actor's name (`actor` of its commands, `evt.messaging.*`). */
export const ROOM_ACTOR = 'messaging';

export const MESSAGING_LIMITS = {
  /** Longest message text, in UTF-16 code units (what `String.length` counts). */
  textLength: 4000,
  /** Longest client-supplied message id (`post.clientId`). */
  clientIdLength: 64,
  /** Longest room title. */
  titleLength: 100,
  /** Longest user id that can be invited or named in a command. */
  userIdLength: 128,
  /** Most messages one history page returns (`history.limit`). */
  historyLimit: 100,
  /** `history.limit` when not given. */
  historyDefaultLimit: 50,
  /**
   * A history page stops early (hasMore: true) once the JSON of its
   * messages passes this many characters; it always holds at least one
   * message. Keeps every stored result small (see actors/messaging/README.md).
   */
  historyPageChars: 32_768,
  /** Longest reaction (an emoji or a short name such as `:+1:`). */
  reactionLength: 32,
  /** Distinct reactions one message can carry. */
  reactionsPerMessage: 20,
  /** Members (and open invitations) one room can hold. */
  membersPerRoom: 256,
  /** Rooms one `inbox.list` page returns at most. */
  inboxLimit: 100,
} as const;

/** Room ids starting with this are direct (1:1) rooms; see directRoomId. */
export const DIRECT_ROOM_PREFIX = 'dm-';

/** The topic of a room's pushes (`out.t.room.<room>`), which members `sub`scribe to. */
export function roomTopic(room: string): string {
  return `room.${room}`;
}

/**
 * A user's own topic (`user.<subject token>`, which the gateway lets only
 * that user join): invitations and new direct rooms are pushed there, since
 * the user is not subscribed to the room yet.
 */
export function userTopic(user: string): string {
  return `user.${subjectToken(user)}`;
}

/** The room of a `room.<room>` topic; undefined for any other topic. */
export function roomOfTopic(topic: string): string | undefined {
  const parts = topic.split('.');
  return parts.length === 2 && parts[0] === 'room' && parts[1] !== '' ? parts[1] : undefined;
}
