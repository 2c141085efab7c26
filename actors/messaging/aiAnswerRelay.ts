/**
 * messaging: posts AI answers into rooms. A durable JetStream consumer
 * (shared by all workers) reads `evt.ai.answer.completed` from the EVT
 * stream — published only after the AI conversation's commit — and, for
 * each event whose `postTo` names a room, sends the room actor the system
 * command `ai.answer` (protocol/messaging/aiAnswerPost.ts), then acks.
 *
 * Exactly one message per answer: the command's Nats-Msg-Id is derived from
 * the event id (JetStream drops a repeat inside its duplicate window), and
 * past it the room posts nothing new for a `clientId` its author already
 * used. A publish that fails naks the event, which comes back later.
 * Features never import each other: this reads the AI feature's event only
 * through its documented schema in protocol/.
 */
import { jetstream, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Compile } from 'typebox/compile';
import {
  AI_ANSWER_POST_COMMAND, AI_ANSWER_POST_SENDER, AiAnswerCompletedEvent, MESSAGING_LIMITS, ROOM_ACTOR, aiAnswerPostCommandId,
  commandMessage, type AiAnswerPost,
} from '../../protocol/index.js';
import { publishCommand, type Logger } from '../../platform/index.js';
import { messagingAiAnswerPosts } from './metrics.js';
import { DurableEventConsumer } from './durableEventConsumer.js';

export const AI_ANSWER_CONSUMER = 'messaging_ai_answers';
const ANSWER_EVENTS = 'evt.ai.answer.completed';
/** A failed publish is tried again after this long (the event stays unacked). */
const RETRY_DELAY_MS = 1000;

const isAnswerEvent = Compile(AiAnswerCompletedEvent);

export class AiAnswerRelay extends DurableEventConsumer {
  readonly name = 'messaging-ai-answers';
  private readonly js: JetStreamClient;

  constructor(nc: NatsConnection, private readonly partitions: number, logger: Logger) {
    super(nc, { durable: AI_ANSWER_CONSUMER, filter: ANSWER_EVENTS, ackWaitMs: 30_000, maxMessages: 64 }, logger);
    this.js = jetstream(nc);
  }

  protected async handle(msg: JsMsg): Promise<void> {
    let event: unknown;
    try {
      event = msg.json();
    } catch {
      event = undefined;
    }
    if (!isAnswerEvent.Check(event)) {
      this.logger.error({ subject: msg.subject, seq: msg.seq }, 'evt.ai.answer.completed does not match its schema; dropped');
      msg.term('schema');
      return;
    }
    const { postTo } = event.data;
    if (!postTo || event.data.answer.trim() === '') {
      msg.ack();
      return;
    }
    const data: AiAnswerPost = {
      user: event.data.user,
      clientId: postTo.clientId,
      text: event.data.answer.slice(0, MESSAGING_LIMITS.textLength),
      conversation: event.entity,
    };
    const cmd = { id: aiAnswerPostCommandId(event.id), actor: ROOM_ACTOR, entity: postTo.room, name: AI_ANSWER_POST_COMMAND, data };
    try {
      await publishCommand(this.js, commandMessage(cmd, { kind: 'system', sender: AI_ANSWER_POST_SENDER, receivedAt: Date.now() }, this.partitions));
      messagingAiAnswerPosts.inc();
      msg.ack();
    } catch (err) {
      this.logger.warn({ err, room: postTo.room, event: event.id }, 'posting an AI answer failed; the event comes back');
      msg.nak(RETRY_DELAY_MS);
    }
  }
}
