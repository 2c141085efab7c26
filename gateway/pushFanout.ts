/**
 * The gateway's NATS side of pushes: one core NATS subscription per pushed
 * subject that some local socket needs (`live.s.<session>` per local
 * session, `live.u.<user>` and `live.t.<topic>` refcounted over the local
 * sockets), each message handed once to the local deliveries, which fan it
 * out to every local subscriber in one pass (uWS topics).
 *
 * The OUT stream republishes every stored push to `live.<same suffix>`
 * with its stream sequence in `Nats-Sequence`: that sequence becomes the
 * frame's `seq`, spliced into the body's JSON without re-encoding it.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { HEADERS, subjects } from '../protocol/index.js';

/** One push as received from NATS (live) or read from OUT (replay). */
export interface Push {
  /** The `out.` subject it was stored under. */
  subject: string;
  seq: number;
  /** The complete frame text, `seq` included. */
  text: string;
  /** The frame type (`result`, `event`, `progress`). */
  type: string;
  /** Sy-Cmd: the command id of a result or progress push. */
  commandId: string | undefined;
  /** Sy-Accepted-At (epoch ms), for the result latency. */
  acceptedAt: number | undefined;
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
  return {
    subject,
    seq,
    text,
    type: frameType(body),
    commandId: headers?.get(HEADERS.commandId) || undefined,
    acceptedAt: acceptedAt > 0 ? acceptedAt : undefined,
    traceparent: headers?.get(HEADERS.traceparent) || undefined,
  };
}

export type PushListener = (push: Push) => void;

export class PushFanout {
  private readonly subscriptions = new Map<string, { sub: Subscription; refs: number }>();

  constructor(private readonly nc: NatsConnection, private readonly listener: PushListener) {}

  /** Ensures pushes stored under `outSubject` reach the listener; pair every call with release(). */
  retain(outSubject: string): void {
    const entry = this.subscriptions.get(outSubject);
    if (entry) {
      entry.refs++;
      return;
    }
    const sub = this.nc.subscribe(subjects.live(outSubject), {
      callback: (err, msg) => {
        if (err) return;
        const seq = Number(msg.headers?.get(HEADERS.streamSequence));
        if (!(seq > 0)) return;
        const push = pushFromMessage(outSubject, seq, msg.string(), msg.headers);
        if (push) this.listener(push);
      },
    });
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

  get size(): number {
    return this.subscriptions.size;
  }

  close(): void {
    for (const { sub } of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
  }
}
