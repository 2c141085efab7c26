/**
 * JetStream publishes pipelined over one connection, without a request
 * object or a timer per publish.
 *
 * A JetStream publish is, on the wire, a core publish whose reply subject
 * receives the stream's PubAck. Here every publish gets the reply subject
 * `<inbox>.<n>` under this process's own inbox, one wildcard subscription
 * receives every PubAck, and one interval fails the publishes whose ack did
 * not arrive within the timeout. Publishes are written to the socket as
 * they come (nats.js coalesces them into large writes) and their acks
 * settle in any order: how many wait at once is bounded by the caller
 * (CommandIntake's SY_MAX_PENDING_PUBLISHES).
 *
 * A 503 (no responders: no stream leader takes the subject right now, as
 * while a replicated stream elects a new leader) is not final: the same
 * message is published again every NO_RESPONDERS_RETRY_MS until its
 * deadline; so is every publish still waiting when the connection comes
 * back after a break (one written into the dying socket never reached a
 * server). The caller's Nats-Msg-Id header makes a repeat that was stored
 * after all a duplicate, not a second message.
 */
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';

export interface PubAck {
  /** Stream sequence of the stored message. */
  seq: number;
  /** True when the stream recognised a Nats-Msg-Id seen within its duplicate window. */
  duplicate: boolean;
}

/** A publish that was not stored: no stream answered (503), the stream refused it, or no ack came in time. */
export class PublishNotAckedError extends Error {
  override readonly name = 'PublishNotAckedError';
}

const NO_RESPONDERS_RETRY_MS = 100;

interface Waiting {
  resolve: (ack: PubAck) => void;
  reject: (err: Error) => void;
  deadline: number;
  /** What to publish again after a 503 or a reconnect. */
  message: { subject: string; payload: string; headers: MsgHdrs };
}

export class JetStreamAckWindow {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private readonly sweep: NodeJS.Timeout;
  /** Insertion order is deadline order (one timeout for all), so expiry stops at the first live entry. */
  private readonly waiting = new Map<number, Waiting>();
  private next = 0;
  private closed = false;

  constructor(private readonly nc: NatsConnection, private readonly timeoutMs: number) {
    this.prefix = `${createInbox()}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => { if (!err) this.acked(msg); } });
    this.sweep = setInterval(() => this.expire(), Math.max(10, Math.min(250, timeoutMs / 4)));
    this.sweep.unref();
    void (async () => {
      for await (const status of nc.status()) {
        if (this.closed) return;
        if (status.type === 'reconnect') for (const id of this.waiting.keys()) this.send(id);
      }
    })();
  }

  /** Resolves with the PubAck; rejects with PublishNotAckedError. */
  publish(subject: string, payload: string, headers: MsgHdrs): Promise<PubAck> {
    const id = ++this.next;
    return new Promise<PubAck>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, deadline: Date.now() + this.timeoutMs, message: { subject, payload, headers } });
      this.send(id);
    });
  }

  private send(id: number): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return; // expired or closed while a retry was scheduled
    const { subject, payload, headers } = waiting.message;
    try {
      this.nc.publish(subject, payload, { reply: `${this.prefix}${id}`, headers });
    } catch (err) {
      this.waiting.delete(id);
      waiting.reject(new PublishNotAckedError(`publish to ${subject} failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Fails every publish still waiting and stops receiving acks. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweep);
    this.sub.unsubscribe();
    for (const waiting of this.waiting.values()) waiting.reject(new PublishNotAckedError('the publisher was closed before the ack arrived'));
    this.waiting.clear();
  }

  private acked(msg: Msg): void {
    const id = Number(msg.subject.slice(this.prefix.length));
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    if (msg.headers?.code === 503 && Date.now() + NO_RESPONDERS_RETRY_MS < waiting.deadline) {
      setTimeout(() => this.send(id), NO_RESPONDERS_RETRY_MS).unref();
      return;
    }
    this.waiting.delete(id);
    if (msg.headers?.hasError) {
      waiting.reject(new PublishNotAckedError(`no stream stored the message (${msg.headers.code} ${msg.headers.description})`));
      return;
    }
    let ack: { seq?: unknown; duplicate?: unknown; error?: { code?: number; description?: string } };
    try {
      ack = JSON.parse(msg.string()) as typeof ack;
    } catch {
      waiting.reject(new PublishNotAckedError('the PubAck was not JSON'));
      return;
    }
    if (ack.error || typeof ack.seq !== 'number') {
      waiting.reject(new PublishNotAckedError(`the stream refused the message: ${ack.error?.description ?? 'no sequence in the PubAck'}`));
      return;
    }
    waiting.resolve({ seq: ack.seq, duplicate: ack.duplicate === true });
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, waiting] of this.waiting) {
      if (waiting.deadline > now) return;
      this.waiting.delete(id);
      waiting.reject(new PublishNotAckedError(`no ack within ${this.timeoutMs} ms`));
    }
  }
}
