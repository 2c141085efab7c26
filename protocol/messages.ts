/**
 * Bodies of the messages switchyard puts on NATS (JSON). Routing data lives
 * in the subject and headers (see subjects.ts, headers.ts); bodies carry
 * only what the receiver needs.
 */
import Type, { type TSchema } from 'typebox';
import type { ErrorBody } from './errors.js';

/** Body of `cmd.<actor>.<partition>.<entity>`. User, session and timing are headers. */
export interface CommandBody {
  /** The client's command id. */
  id: string;
  name: string;
  data?: unknown;
}

/**
 * Bodies of `out.*` pushes: the gateway frame without `seq`, which the
 * gateway adds from the OUT stream sequence. Kept as the frame's JSON so the
 * gateway can forward it without re-encoding.
 */
export type PushBody =
  | { type: 'result'; id: string; ok: true; data?: unknown }
  | { type: 'result'; id: string; ok: false; error: ErrorBody }
  | { type: 'event'; topic: string; name: string; data?: unknown }
  | { type: 'progress'; id: string; data?: unknown };

/** Body of `evt.<actor>.<event>` domain events. */
export interface DomainEventBody {
  /** Unique event id (also its Nats-Msg-Id). */
  id: string;
  actor: string;
  entity: string;
  name: string;
  /** When the change was committed, epoch ms. */
  at: number;
  data?: unknown;
}

/**
 * The JSON Schema of one domain event's whole body (`evt.<actor>.<name>`):
 * the envelope above with `data` of the feature's schema. Receivers accept
 * further envelope fields (the object is open), so the runtime may add some.
 */
export function domainEventSchema<A extends string, N extends string, D extends TSchema>(actor: A, name: N, data: D, entityIs: string) {
  return Type.Object({
    /** Unique event id, also the message's Nats-Msg-Id: receivers dedupe by it. */
    id: Type.String({ minLength: 1 }),
    actor: Type.Literal(actor),
    entity: Type.String({ description: entityIs }),
    name: Type.Literal(name),
    /** Commit time, epoch ms. */
    at: Type.Number(),
    data,
  });
}
