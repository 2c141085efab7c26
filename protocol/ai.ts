/**
 * The AI feature's contract (actor `ai`, entity = a conversation id the
 * client picks): command data, the `progress` payload, results, and the
 * domain event other features consume. actors/ai/README.md describes the
 * flow; the actor validates commands against these schemas and tests check
 * its pushes against them.
 *
 * Commands: `chat` (ask; the answer streams as `progress`, then one
 * `result`), `history` (the stored turns), and the runtime's `cancel`
 * (`data: {id}` = the id of a running `chat`; that chat then ends with a
 * CANCELLED result).
 */
import Type, { type Static } from 'typebox';
import { EntityId } from './frames.js';
import { domainEventSchema } from './messages.js';

const closed = { additionalProperties: false } as const;

/** Limits that are part of the contract. */
export const AI_LIMITS = {
  /** Longest `chat.text`, in UTF-16 code units. */
  messageChars: 8000,
  /** Longest answer stored and returned; a longer one is cut there (finishReason `length`). */
  answerChars: 16_000,
  /** Turns (questions and answers) a conversation keeps; older ones are dropped from storage. */
  storedTurns: 200,
  /**
   * Characters of turns a conversation keeps; older exchanges are dropped
   * beyond it (the latest always stays). With answerChars it keeps a
   * conversation's MongoDB document, which also holds the recent results,
   * well under the 16 MB document limit.
   */
  storedChars: 256_000,
  /** Most turns one `history` page returns, and the default. */
  historyLimit: 50,
} as const;

export const AiPostTo = Type.Object({
  /** The messaging room to post the answer into, on behalf of the sender (who must be a member). */
  room: EntityId,
}, closed);

export const AiCommands = {
  /**
   * Appends `text` as the sender's question, asks the model with the
   * conversation's recent turns as context, streams the answer as
   * `progress` pushes and ends with one `result` (AiChatResult). The first
   * `chat` makes the sender the conversation's owner; nobody else may use it.
   */
  chat: Type.Object({
    text: Type.String({ minLength: 1, maxLength: AI_LIMITS.messageChars }),
    postTo: Type.Optional(AiPostTo),
  }, closed),
  /** The latest stored turns (owner only). */
  history: Type.Union([Type.Undefined(), Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AI_LIMITS.historyLimit })),
  }, closed)]),
} as const;

/**
 * `progress.data` of a `chat`: the answer text that arrived since the last
 * push (coalesced: not one push per token) and where it starts in the
 * answer. A client appends `delta` when `offset` equals the length it has,
 * starts over when `offset` is 0 (a retried or restarted generation), and
 * ignores anything else. The `result` carries the whole answer either way.
 */
export const AiChatProgress = Type.Object({
  delta: Type.String(),
  offset: Type.Integer({ minimum: 0 }),
}, closed);

export const AiUsage = Type.Object({
  promptTokens: Type.Integer({ minimum: 0 }),
  completionTokens: Type.Integer({ minimum: 0 }),
  /** True when the provider reported no usage and the counts are estimates. */
  estimated: Type.Boolean(),
}, closed);

/** `result.data` of a successful `chat`. */
export const AiChatResult = Type.Object({
  answer: Type.String(),
  /** 1-based number of this answer in the conversation. */
  turn: Type.Integer({ minimum: 1 }),
  provider: Type.Union([Type.Literal('openai-compatible'), Type.Literal('simulated')]),
  model: Type.String(),
  /** True when no model was called (the development provider): never show such an answer as a model's. */
  simulated: Type.Boolean(),
  /** `stop`, `length` (cut at the token or character limit), or what the provider said. */
  finishReason: Type.Union([Type.String(), Type.Null()]),
  usage: AiUsage,
  /** How much of the conversation was sent as context: earlier turns included, and dropped for the budget. */
  context: Type.Object({ turns: Type.Integer({ minimum: 0 }), dropped: Type.Integer({ minimum: 0 }) }, closed),
}, closed);

export const AiTurn = Type.Object({
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
  text: Type.String(),
  /** Epoch ms. */
  at: Type.Number(),
  /** The `chat` command id that produced the turn. */
  command: Type.String(),
  simulated: Type.Optional(Type.Boolean()),
}, closed);

/** `result.data` of `history`. */
export const AiHistoryResult = Type.Object({
  turns: Type.Array(AiTurn),
  /** Answers stored in the conversation so far (also those dropped from storage). */
  answers: Type.Integer({ minimum: 0 }),
}, closed);

/**
 * `evt.ai.answer.completed`: committed with the answer, published at least
 * once (dedupe by the envelope's `id`). When the sender asked for it,
 * `postTo` names the room and a message `clientId` (stable per chat
 * command) for the messaging feature to post the answer with, so a
 * redelivered event posts nothing new.
 */
export const AiAnswerCompleted = Type.Object({
  conversation: Type.String(),
  user: Type.String(),
  /** The `chat` command id. */
  command: Type.String(),
  turn: Type.Integer({ minimum: 1 }),
  answer: Type.String(),
  model: Type.String(),
  simulated: Type.Boolean(),
  postTo: Type.Optional(Type.Object({ room: Type.String(), clientId: Type.String({ pattern: '^[A-Za-z0-9_:@=+-]{1,64}$' }) }, closed)),
}, closed);

export const AI_DOMAIN_EVENTS = { 'answer.completed': AiAnswerCompleted } as const;

/** The whole body of `evt.ai.answer.completed`: the runtime's domain event envelope with this data. */
export const AiAnswerCompletedEvent = domainEventSchema('ai', 'answer.completed', AiAnswerCompleted, 'The conversation.');

export type AiCommandName = keyof typeof AiCommands;
export type AiCommandData<N extends AiCommandName> = Static<(typeof AiCommands)[N]>;
export type AiChatProgress = Static<typeof AiChatProgress>;
export type AiUsage = Static<typeof AiUsage>;
export type AiChatResult = Static<typeof AiChatResult>;
export type AiTurn = Static<typeof AiTurn>;
export type AiHistoryResult = Static<typeof AiHistoryResult>;
export type AiAnswerCompleted = Static<typeof AiAnswerCompleted>;
export type AiAnswerCompletedEvent = Static<typeof AiAnswerCompletedEvent>;
