/**
 * The gateway's NATS side of pushes: two standing wildcard subscriptions
 * (the sessions this gateway minted, `live.s.<route>.*`, and every user,
 * `live.u.*`) plus one refcounted subscription per topic some local socket
 * joined (`live.t.<topic>`) and per local session minted elsewhere (a
 * resumed one). Each message is handed once to the local deliveries, which
 * look its session or user up, or fan a topic push out to every local
 * member in one pass (uWS topics). An idle socket costs no subscription.
 *
 * The OUT stream republishes every stored push to `live.<same suffix>`
 * with its stream sequence in `Nats-Sequence`: that sequence becomes the
 * frame's `seq`, spliced into the body's JSON without re-encoding it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { HEADERS, pushAudience, sessionRoute, subjects, type PushAudience } from '../protocol/index.js';

/** One push as received from NATS (live) or read from OUT (replay). */
export interface Push {
  /** The `out.` subject it was stored under. */
  subject: string;
  /** Who the subject's pushes are for (pushAudience of `subject`, read once per push). */
  audience: PushAudience | undefined;
  seq: number;
  /** The complete frame text, `seq` included. */
  text: string;
  /** The frame type (`result`, `event`, `progress`). */
  type: string;
  /** Sy-Cmd: the command id of a result or progress push. */
  commandId: string | undefined;
  /** Sy-Accepted-At (epoch ms), for the result latency. */
  acceptedAt: number | undefined;
  /** Live pushes only (Nats-Last-Sequence): the seq of the push stored before it under the same subject, 0 for none. */
  previousSeq: number | undefined;
  traceparent: string | undefined;
}

/** Splices `"seq":N` into a push body (a JSON object) without parsing it. */
export function frameText(body: string, seq: number): string | undefined {
  if (body.length < 3 || body[0] !== '{') return undefined;
  return `{"seq":${seq},${body.slice(1)}`;
}

const TYPE_PREFIX = '{"type":"';

/** The `type` of a push body: read from its first key when it is `type` (as actors write it), else parsed. */
function frameType(body: string): string {
  if (body.startsWith(TYPE_PREFIX)) {
    const end = body.indexOf('"', TYPE_PREFIX.length);
    if (end > 0) return body.slice(TYPE_PREFIX.length, end);
  }
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === 'string' ? type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Reads a push from a NATS message with headers (live or stored); undefined when it is not one. */
export function pushFromMessage(subject: string, seq: number, body: string, headers: Msg['headers']): Push | undefined {
  const text = frameText(body, seq);
  if (text === undefined) return undefined;
  const acceptedAt = Number(headers?.get(HEADERS.acceptedAt));
  const previous = headers?.get(HEADERS.previousOnSubject);
  return {
    subject,
    audience: pushAudience(subject),
    seq,
    text,
    type: frameType(body),
    commandId: headers?.get(HEADERS.commandId) || undefined,
    acceptedAt: acceptedAt > 0 ? acceptedAt : undefined,
    previousSeq: previous ? Number(previous) : undefined,
    traceparent: headers?.get(HEADERS.traceparent) || undefined,
  };
}

/** Where received pushes go: `wants` is asked first, so a push nobody here holds is dropped before its body is decoded. */
export interface PushListener {
  wants(outSubject: string): boolean;
  deliver(push: Push): void;
}

/**
 * The route of a gateway (sessionRoute): 8 characters derived from its
 * node id, so a gateway restarted under the same SY_NODE_ID receives the
 * pushes of the sessions it minted before without a subscription each.
 */
export function gatewayRoute(nodeId: string): string {
  return createHash('sha256').update(nodeId).digest('base64url').slice(0, 8);
}

/** A new session id routed to this gateway: `<route>.<128 random bits>`. */
export function newSessionId(route: string): string {
  return `${route}.${randomBytes(16).toString('base64url')}`;
}

export class PushFanout {
  /** The two standing wildcard subscriptions (this gateway's sessions, every user). */
  private readonly standing: Subscription[] = [];
  /** Exact subscriptions some local socket needs: topics, and sessions minted by another gateway. */
  private readonly subscriptions = new Map<string, { sub: Subscription; refs: number }>();

  constructor(private readonly nc: NatsConnection, readonly route: string, private readonly listener: PushListener) {}

  /**
   * Subscribes `live.s.<route>.*` (every session this gateway minted: the
   * session is looked up locally) and `live.u.*` (user pushes: every
   * gateway receives each one and delivers it to the user's local sockets,
   * if any — the price of no subscription per user; pushes to a user are
   * rare next to session results and topic events).
   */
  start(): void {
    for (const outSubject of [subjects.routedSessionPushes(this.route), subjects.allUserPushes]) {
      this.standing.push(this.nc.subscribe(subjects.live(outSubject), { callback: (err, msg) => { if (!err) this.received(msg); } }));
    }
  }

  /** True when pushes of `session` reach this gateway without a subscription of its own. */
  routesHere(session: string): boolean {
    return sessionRoute(session) === this.route;
  }

  /** Ensures pushes stored under `outSubject` reach the listener; pair every call with release(). */
  retain(outSubject: string): void {
    const entry = this.subscriptions.get(outSubject);
    if (entry) {
      entry.refs++;
      return;
    }
    const sub = this.nc.subscribe(subjects.live(outSubject), { callback: (err, msg) => { if (!err) this.received(msg); } });
    this.subscriptions.set(outSubject, { sub, refs: 1 });
  }

  release(outSubject: string): void {
    const entry = this.subscriptions.get(outSubject);
    if (!entry) return;
    if (--entry.refs > 0) return;
    entry.sub.unsubscribe();
    this.subscriptions.delete(outSubject);
  }

  /** Resolves once the server has every subscription made so far (call before reading the stream's last seq). */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /** Exact subscriptions held (the standing wildcards not counted). */
  get size(): number {
    return this.subscriptions.size;
  }

  close(): void {
    for (const sub of this.standing) sub.unsubscribe();
    this.standing.length = 0;
    for (const { sub } of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
  }

  private received(msg: Msg): void {
    const outSubject = subjects.outOfLive(msg.subject);
    if (!this.listener.wants(outSubject)) return;
    const seq = Number(msg.headers?.get(HEADERS.streamSequence));
    if (!(seq > 0)) return;
    const push = pushFromMessage(outSubject, seq, msg.string(), msg.headers);
    if (push) this.listener.deliver(push);
  }
}
