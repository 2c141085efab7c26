/**
 * messaging: messages and reactions — pure functions. A message's place in
 * its room is its `seq`, handed out by the room actor in command order
 * (lastSeq + 1), so every member sees the same order.
 */
import { MESSAGING_LIMITS, type Message } from '../../protocol/index.js';
import { BusinessError } from '../runtime/index.js';
import type { RoomMember, RoomState } from './roomState.js';
import { memberKey, memberOf, requireMember } from './roomService.js';

/** A text must say something: whitespace alone is refused. */
export function requireText(text: string): void {
  if (text.trim() === '') throw new BusinessError('VALIDATION', 'A message needs some text (not only whitespace).', { details: { path: '/text' } });
}

/** The next message of the room, authored by `author`. */
export function nextMessage(room: RoomState, id: string, author: string, clientId: string, text: string, now: number, via?: Message['via']): Message {
  const message: Message = { room: id, seq: room.lastSeq + 1, clientId, author, text, createdAt: now, reactions: [] };
  return via ? { ...message, via } : message;
}

/**
 * The answer to `post`: where the message went, not the message itself —
 * the sender has its text, and every result is kept in the room's entity
 * document for redeliveries, so the most frequent one stays small.
 */
export function postResult(message: Message, duplicate: boolean): { seq: number; clientId: string; createdAt: number; duplicate: boolean } {
  return { seq: message.seq, clientId: message.clientId, createdAt: message.createdAt, duplicate };
}

/** The room after `message` was appended: lastSeq moves to it, and its author (when they typed it) has read up to it. */
export function appendMessage(room: RoomState, message: Message): RoomState {
  if (message.seq !== room.lastSeq + 1) throw new Error(`message ${message.seq} does not follow ${room.lastSeq}`);
  const author = message.via ? undefined : memberOf(room, message.author);
  const members = author ? { ...room.members, [memberKey(author.user)]: { ...author, readSeq: message.seq } satisfies RoomMember } : room.members;
  return { ...room, lastSeq: message.seq, members };
}

/** A message the room has committed (seq <= lastSeq); NOT_FOUND for anything above or missing. */
export function requireCommitted(room: RoomState, seq: number, message: Message | undefined): Message {
  if (seq > room.lastSeq || !message) throw new BusinessError('NOT_FOUND', `Message ${seq} does not exist in this room.`, { details: { seq } });
  return message;
}

function requireNotDeleted(message: Message): void {
  if (message.deletedAt !== undefined) throw new BusinessError('CONFLICT', 'The message was deleted.', { details: { seq: message.seq } });
}

/** Only the author edits a message (an owner may delete it, not put words in its author's mouth). */
export function editMessage(room: RoomState, message: Message, by: string, text: string, now: number): Message {
  requireMember(room, by);
  requireNotDeleted(message);
  if (message.author !== by) throw new BusinessError('FORBIDDEN', 'Only the author may edit a message.');
  requireText(text);
  if (message.text === text) return message;
  return { ...message, text, editedAt: now };
}

/**
 * The author or an owner deletes a message: it keeps its seq, loses its
 * text and reactions. Deleting again changes nothing (the same object comes
 * back, as from every function here when nothing changes).
 */
export function deleteMessage(room: RoomState, message: Message, by: string, now: number): Message {
  const member = requireMember(room, by);
  if (message.author !== by && member.role !== 'owner') throw new BusinessError('FORBIDDEN', 'Only the author or an owner may delete a message.');
  if (message.deletedAt !== undefined) return message;
  return { ...message, text: '', reactions: [], deletedAt: now };
}

/** Adds `user`'s reaction; reacting twice the same way changes nothing. */
export function addReaction(room: RoomState, message: Message, user: string, reaction: string): Message {
  requireMember(room, user);
  requireNotDeleted(message);
  const existing = message.reactions.find((r) => r.reaction === reaction);
  if (existing?.users.includes(user)) return message;
  if (!existing && message.reactions.length >= MESSAGING_LIMITS.reactionsPerMessage) {
    throw new BusinessError('CONFLICT', `A message carries at most ${MESSAGING_LIMITS.reactionsPerMessage} different reactions.`, { details: { limit: MESSAGING_LIMITS.reactionsPerMessage } });
  }
  const reactions = existing
    ? message.reactions.map((r) => (r === existing ? { reaction, users: [...r.users, user] } : r))
    : [...message.reactions, { reaction, users: [user] }];
  return { ...message, reactions };
}

/** Removes `user`'s reaction; removing one that is not there changes nothing. */
export function removeReaction(room: RoomState, message: Message, user: string, reaction: string): Message {
  requireMember(room, user);
  requireNotDeleted(message);
  const existing = message.reactions.find((r) => r.reaction === reaction);
  if (!existing?.users.includes(user)) return message;
  const users = existing.users.filter((u) => u !== user);
  const reactions = users.length === 0
    ? message.reactions.filter((r) => r !== existing)
    : message.reactions.map((r) => (r === existing ? { reaction, users } : r));
  return { ...message, reactions };
}
