/**
 * Every frame on the client ↔ gateway WebSocket, as TypeBox schemas.
 *
 * These schemas are the contract: protocol/README.md describes them for
 * people, `npm run schema` exports them as JSON Schema (protocol/schema/),
 * and the gateway validates every client frame against them.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ERROR_CODE_NAMES, type ErrorCode } from './errors.js';

/** Limits that are part of the contract (a gateway may be configured lower, never higher). */
export const PROTOCOL_LIMITS = {
  /** Longest client command id, in characters. */
  commandIdLength: 64,
  /** Longest entity id. */
  entityLength: 128,
  /** Longest topic name. */
  topicLength: 128,
  /** Longest token in `hello`. */
  tokenLength: 8192,
  /** Deepest nesting of objects and arrays in `cmd.data` (MongoDB documents stop at 100). */
  dataDepth: 32,
} as const;

/** Characters allowed in ids that become NATS subject tokens: no '.', '*', '>' or whitespace. */
const SUBJECT_TOKEN = '[A-Za-z0-9_:@=+-]';

export const CommandId = Type.String({ minLength: 1, maxLength: PROTOCOL_LIMITS.commandIdLength, pattern: `^${SUBJECT_TOKEN}+$` });
export const ActorName = Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z][a-z0-9_]*$' });
export const EntityId = Type.String({ minLength: 1, maxLength: PROTOCOL_LIMITS.entityLength, pattern: `^${SUBJECT_TOKEN}+$` });
export const CommandName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][A-Za-z0-9_]*(\\.[a-z][A-Za-z0-9_]*)*$' });
/** A topic: a kind and up to four id tokens, e.g. `room.r-42`. */
export const TopicName = Type.String({ minLength: 1, maxLength: PROTOCOL_LIMITS.topicLength, pattern: `^[a-z][a-z0-9_]*(\\.${SUBJECT_TOKEN}+){0,4}$` });
export const Seq = Type.Integer({ minimum: 0 });
/** W3C trace context `traceparent` header value. */
export const TraceParent = Type.String({ pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' });

export const ErrorBodySchema = Type.Object({
  code: Type.Unsafe<ErrorCode>(Type.Enum(ERROR_CODE_NAMES)),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

const closed = { additionalProperties: false } as const;

// ---- client → gateway ----

/** A client's resume request (`hello.resume`, Socket.IO `auth.resume`): the session it held and the highest seq it received. */
export const ResumeRequest = Type.Object({ session: Type.String({ minLength: 1, maxLength: 64 }), seq: Seq }, closed);

export const HelloFrame = Type.Object({
  type: Type.Literal('hello'),
  token: Type.String({ minLength: 1, maxLength: PROTOCOL_LIMITS.tokenLength }),
  resume: Type.Optional(ResumeRequest),
}, closed);

/** The fields of a command, shared by the `cmd` frame, the HTTP API and the Socket.IO `cmd` event. */
export const COMMAND_FIELDS = {
  id: CommandId,
  actor: ActorName,
  entity: EntityId,
  name: CommandName,
  data: Type.Optional(Type.Unknown()),
  traceparent: Type.Optional(TraceParent),
};

export const CmdFrame = Type.Object({ type: Type.Literal('cmd'), ...COMMAND_FIELDS }, closed);

export const SubFrame = Type.Object({ type: Type.Literal('sub'), topic: TopicName }, closed);
export const UnsubFrame = Type.Object({ type: Type.Literal('unsub'), topic: TopicName }, closed);
export const PingFrame = Type.Object({ type: Type.Literal('ping') }, closed);

export const CLIENT_FRAMES = { hello: HelloFrame, cmd: CmdFrame, sub: SubFrame, unsub: UnsubFrame, ping: PingFrame } as const;
export type ClientFrameType = keyof typeof CLIENT_FRAMES;
export type HelloFrame = Static<typeof HelloFrame>;
export type ResumeRequest = Static<typeof ResumeRequest>;
export type CmdFrame = Static<typeof CmdFrame>;
export type SubFrame = Static<typeof SubFrame>;
export type UnsubFrame = Static<typeof UnsubFrame>;
export type PingFrame = Static<typeof PingFrame>;
export type ClientFrame = HelloFrame | CmdFrame | SubFrame | UnsubFrame | PingFrame;

// ---- gateway → client ----

export const WelcomeFrame = Type.Object({
  type: Type.Literal('welcome'),
  session: Type.String(),
  node: Type.String(),
  user: Type.String(),
  /** True when `hello.resume` named a session that was resumed. */
  resumed: Type.Boolean(),
  /** With `resumed`: true when every push after `resume.seq` is replayed; false when some fell out of retention. */
  recovered: Type.Boolean(),
  /** The client's position from now on: a new session's is the OUT stream's last sequence at welcome; a resumed one's is where the replay starts (pushes above it follow). */
  seq: Seq,
  limits: Type.Object({ maxFrameBytes: Type.Integer(), maxInFlight: Type.Integer(), maxSubscriptions: Type.Integer(), idleTimeoutMs: Type.Integer() }),
}, closed);

export const AcceptedFrame = Type.Object({ type: Type.Literal('accepted'), id: CommandId }, closed);
export const RejectedFrame = Type.Object({ type: Type.Literal('rejected'), id: Type.String(), error: ErrorBodySchema }, closed);
export const ResultFrame = Type.Object({
  type: Type.Literal('result'),
  id: CommandId,
  seq: Seq,
  ok: Type.Boolean(),
  data: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorBodySchema),
}, closed);
export const EventFrame = Type.Object({ type: Type.Literal('event'), seq: Seq, topic: Type.String(), name: Type.String(), data: Type.Optional(Type.Unknown()) }, closed);
export const ProgressFrame = Type.Object({ type: Type.Literal('progress'), id: CommandId, seq: Seq, data: Type.Optional(Type.Unknown()) }, closed);
export const SubscribedFrame = Type.Object({ type: Type.Literal('subscribed'), topic: TopicName }, closed);
export const UnsubscribedFrame = Type.Object({ type: Type.Literal('unsubscribed'), topic: TopicName }, closed);
export const ErrorFrame = Type.Object({ type: Type.Literal('error'), error: ErrorBodySchema, topic: Type.Optional(Type.String()) }, closed);
export const PongFrame = Type.Object({ type: Type.Literal('pong') }, closed);

export const SERVER_FRAMES = {
  welcome: WelcomeFrame,
  accepted: AcceptedFrame,
  rejected: RejectedFrame,
  result: ResultFrame,
  event: EventFrame,
  progress: ProgressFrame,
  subscribed: SubscribedFrame,
  unsubscribed: UnsubscribedFrame,
  error: ErrorFrame,
  pong: PongFrame,
} as const satisfies Record<string, TSchema>;
export type WelcomeFrame = Static<typeof WelcomeFrame>;
export type AcceptedFrame = Static<typeof AcceptedFrame>;
export type RejectedFrame = Static<typeof RejectedFrame>;
export type ResultFrame = Static<typeof ResultFrame>;
export type EventFrame = Static<typeof EventFrame>;
export type ProgressFrame = Static<typeof ProgressFrame>;
export type SubscribedFrame = Static<typeof SubscribedFrame>;
export type UnsubscribedFrame = Static<typeof UnsubscribedFrame>;
export type ErrorFrame = Static<typeof ErrorFrame>;
export type PongFrame = Static<typeof PongFrame>;
export type ServerFrame =
  | WelcomeFrame | AcceptedFrame | RejectedFrame | ResultFrame | EventFrame
  | ProgressFrame | SubscribedFrame | UnsubscribedFrame | ErrorFrame | PongFrame;
