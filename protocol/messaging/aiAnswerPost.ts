/**
 * The system command that posts an AI answer into a room (`ai.answer`, to
 * the room actor). The messaging feature's AI answer relay sends it for each
 * `evt.ai.answer.completed` event that carries `postTo` (protocol/ai.ts);
 * clients cannot: the room actor takes it only with the system origin and
 * from the sender below (protocol/systemCommands.ts).
 *
 * The message is posted on behalf of `user` (who asked the question), marked
 * `via: "ai"`, with the event's stable `clientId` — so a redelivered event
 * posts nothing new. It is refused (and nothing is posted) when `user` is no
 * longer a member of the room.
 */
import Type, { type Static } from 'typebox';
import { ClientMessageId, MessageText, MessagingUserId } from './commands.js';

export const AI_ANSWER_POST_COMMAND = 'ai.answer';
export const AI_ANSWER_POST_SENDER = 'system:ai-answers';

export const AiAnswerPost = Type.Object({
  user: MessagingUserId,
  clientId: ClientMessageId,
  text: MessageText,
  /** The AI conversation the answer came from. */
  conversation: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });

export type AiAnswerPost = Static<typeof AiAnswerPost>;

/**
 * Id and Nats-Msg-Id of the post command for one answer event. It holds a
 * '/', which no client command key (`<user token>:<command id>`) can.
 */
export function aiAnswerPostCommandId(eventId: string): string {
  return `ai-answer/${eventId}`;
}
