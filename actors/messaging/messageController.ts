/**
 * messaging: the message handlers — post, edit, delete, reactions and
 * history.
 *
 * `post` stores the message in the side collection BEFORE the commit that
 * moves the room's lastSeq to it (messageStore.ts explains why that is
 * exactly-once). Edits, deletions and reactions change a committed message
 * in place, also before the commit: idempotent last-writer-wins updates
 * (a retry writes the same thing again); should the command's commit never
 * happen (it ends in the DLQ), the change stays — see README.md.
 */
import type { AiAnswerPost, Message } from '../../protocol/index.js';
import type { CommandContext, Decision } from '../runtime/index.js';
import type { MessagingDeps } from './dependencies.js';
import { historyPage, historyRange, isEmptyRange } from './historyService.js';
import * as messages from './messageService.js';
import type { RoomController } from './roomController.js';
import { committedEvents, roomEvent, type RoomEvent } from './roomEvents.js';
import type { RoomState } from './roomState.js';

export const postController: RoomController<'post'> = (room, data, ctx) => postMessage(room, ctx, ctx.user, data.clientId, data.text);

/** The AI answer relay's system command: the answer, posted on behalf of the user who asked (protocol/messaging/aiAnswerPost.ts). */
export const aiAnswerPostController = (room: RoomState, data: AiAnswerPost, ctx: CommandContext<MessagingDeps>): Promise<Decision<RoomState>> =>
  postMessage(room, ctx, data.user, data.clientId, data.text, 'ai');

/** Appends a message by `author`; a clientId the author already used answers the stored message again. */
async function postMessage(
  room: RoomState, ctx: CommandContext<MessagingDeps>, author: string, clientId: string, text: string, via?: Message['via'],
): Promise<Decision<RoomState>> {
  const store = ctx.deps.messages;
  const earlier = await store.byClientId(ctx.entity, author, clientId);
  if (earlier && earlier.seq <= room.lastSeq) return { result: messages.postResult(earlier, true) };
  const message = messages.nextMessage(room, ctx.entity, author, clientId, text, ctx.now, via);
  ctx.signal.throwIfAborted(); // never write ahead of a commit once the partition (or the attempt) is lost
  await store.put(message);
  return {
    state: messages.appendMessage(room, message),
    result: messages.postResult(message, false),
    ...committedEvents(ctx.entity, roomEvent('message.created', { room: ctx.entity, message })),
  };
};

/** Loads a committed message, applies `change`, stores it when it changed, and tells the room. */
async function changeMessage(
  room: RoomState,
  seq: number,
  ctx: CommandContext<MessagingDeps>,
  change: (message: Message) => { message: Message; event: RoomEvent },
): Promise<Decision<RoomState>> {
  const current = messages.requireCommitted(room, seq, await ctx.deps.messages.get(ctx.entity, seq));
  const { message, event } = change(current);
  if (message === current) return { result: { message } };
  ctx.signal.throwIfAborted();
  await ctx.deps.messages.update(message);
  return { result: { message }, ...committedEvents(ctx.entity, event) };
}

export const editController: RoomController<'edit'> = (room, data, ctx) => changeMessage(room, data.seq, ctx, (current) => {
  const message = messages.editMessage(room, current, ctx.user, data.text, ctx.now);
  return { message, event: roomEvent('message.edited', { room: ctx.entity, message }) };
});

export const deleteController: RoomController<'delete'> = (room, data, ctx) => changeMessage(room, data.seq, ctx, (current) => {
  const message = messages.deleteMessage(room, current, ctx.user, ctx.now);
  return { message, event: roomEvent('message.deleted', { room: ctx.entity, message, by: ctx.user }) };
});

export const reactController: RoomController<'react'> = (room, data, ctx) => changeMessage(room, data.seq, ctx, (current) => {
  const message = messages.addReaction(room, current, ctx.user, data.reaction);
  return { message, event: roomEvent('reaction.added', { room: ctx.entity, message, reaction: data.reaction, user: ctx.user }) };
});

export const unreactController: RoomController<'unreact'> = (room, data, ctx) => changeMessage(room, data.seq, ctx, (current) => {
  const message = messages.removeReaction(room, current, ctx.user, data.reaction);
  return { message, event: roomEvent('reaction.removed', { room: ctx.entity, message, reaction: data.reaction, user: ctx.user }) };
});

/** A page of committed history (never above the room's lastSeq): also how a client told `recovered: false` catches up. */
export const historyController: RoomController<'history'> = async (room, data, ctx) => {
  const range = historyRange(room.lastSeq, data ?? {});
  const read = isEmptyRange(range) ? [] : await ctx.deps.messages.read(ctx.entity, range);
  return { result: historyPage(range, read, room.lastSeq) };
};
