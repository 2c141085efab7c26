/**
 * Bodies of the HTTP API beside the WebSocket (JSON). A command sent over
 * HTTP goes through the same pipeline as a `cmd` frame: same validation,
 * rate limit, de-duplication (`Nats-Msg-Id` = user + id) and the same
 * "202 only after the JetStream ack" rule.
 */
import Type, { type Static } from 'typebox';
import { COMMAND_FIELDS, CommandId, ErrorBodySchema, Seq } from './frames.js';

const closed = { additionalProperties: false } as const;

/** `POST /v1/commands` body: the fields of a `cmd` frame without `type`. */
export const HttpCommandRequest = Type.Object(COMMAND_FIELDS, closed);

/** `202 Accepted` answer of `POST /v1/commands`: the command is durable. */
export const HttpCommandAccepted = Type.Object({ id: CommandId, status: Type.Literal('accepted') }, closed);

/** The result part of a finished command, as in a `result` frame (without `type`/`id`). */
export const HttpCommandResult = Type.Object({
  seq: Seq,
  ok: Type.Boolean(),
  data: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorBodySchema),
}, closed);

/**
 * `GET /v1/commands/:id` answer: `accepted` while no result exists yet,
 * `done` with the result once the actor answered.
 */
export const HttpCommandStatus = Type.Object({
  id: CommandId,
  status: Type.Union([Type.Literal('accepted'), Type.Literal('done')]),
  result: Type.Optional(HttpCommandResult),
}, closed);

/** Body of every HTTP error answer (status from the error table). */
export const HttpErrorResponse = Type.Object({ error: ErrorBodySchema }, closed);

export const HTTP_BODIES = {
  HttpCommandRequest,
  HttpCommandAccepted,
  HttpCommandStatus,
  HttpErrorResponse,
} as const;

export type HttpCommandRequest = Static<typeof HttpCommandRequest>;
export type HttpCommandAccepted = Static<typeof HttpCommandAccepted>;
export type HttpCommandResult = Static<typeof HttpCommandResult>;
export type HttpCommandStatus = Static<typeof HttpCommandStatus>;
export type HttpErrorResponse = Static<typeof HttpErrorResponse>;
