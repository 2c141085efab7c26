/**
 * Replays from the OUT stream what a resuming session missed.
 *
 * The session's subjects (its session, its user and its topics) are read
 * with one ephemeral consumer filtered to exactly those subjects, starting
 * after the client's `seq` and ending at the stream's last sequence taken
 * when the replay began (everything after it arrives live, buffered by the
 * caller meanwhile). Whether the window still covers the client is judged
 * from the stream's first sequence: when first_seq > seq + 1, pushes after
 * the client's seq may have expired, and the client is told
 * `recovered: false` (what is still stored is replayed all the same).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../protocol/index.js';
import { pushFromMessage, type Push } from './pushFanout.js';

export interface StreamBounds {
  /** Lowest sequence still stored (last + 1 when the stream is empty). */
  firstSeq: number;
  /** Highest sequence stored so far. */
  lastSeq: number;
}

/** Pushes fetched per pull request. */
const REPLAY_BATCH = 256;
/** Consumers a replay may use before it gives up (see replay()). */
const REPLAY_ATTEMPTS = 4;
/**
 * How long a JetStream API request of this module waits (nats.js: 5 s). A
 * replay consumer is placed on a random replica of OUT, and for a while after
 * a replica dies the server may still pick it: that create is never
 * answered. Asking again soon, for a new placement, beats waiting.
 */
const API_TIMEOUT_MS = 2000;
/**
 * How long bounds() asks again while OUT does not answer: a stream without a
 * leader answers nothing until its replicas elect one (about a second with
 * the raft timers of deploy/local/servers.ts, 4-9 s with nats-server's), and
 * a caller that gave up at once would close sockets that only had to wait.
 */
const BOUNDS_PATIENCE_MS = 5000;
const BOUNDS_RETRY_MS = 200;

interface BoundsWaiter {
  resolve: (bounds: StreamBounds) => void;
  reject: (err: unknown) => void;
}

export class OutReplay {
  /** Callers of bounds() waiting for the next stream-info request. */
  private waiting: BoundsWaiter[] = [];
  private requesting = false;

  private constructor(private readonly js: JetStreamClient, private readonly jsm: JetStreamManager) {}

  static async create(nc: NatsConnection): Promise<OutReplay> {
    return new OutReplay(jetstream(nc), await jetstreamManager(nc, { timeout: API_TIMEOUT_MS }));
  }

  /**
   * The stream's bounds, read by a stream-info request sent after this call
   * (so they are at least as recent as the call, as if it had sent its own).
   * Calls made while a request is under way share the next one: a burst of
   * hellos (15,000 sockets connecting at once) costs a few JetStream API
   * requests instead of one each, which overflowed the server's API queue
   * (timeouts, UNAVAILABLE, reconnect storms) and the gateway's memory.
   * A request that fails is sent again for BOUNDS_PATIENCE_MS; then the
   * callers it served are rejected.
   */
  bounds(): Promise<StreamBounds> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.requesting) this.requestBounds();
    });
  }

  private requestBounds(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.requesting = true;
    this.readBounds().then(
      (bounds) => { for (const w of batch) w.resolve(bounds); },
      (err: unknown) => { for (const w of batch) w.reject(err); },
    ).finally(() => {
      this.requesting = false;
      if (this.waiting.length > 0) this.requestBounds();
    });
  }

  /** One stream-info request, sent again every BOUNDS_RETRY_MS while it fails, for BOUNDS_PATIENCE_MS. */
  private async readBounds(): Promise<StreamBounds> {
    const giveUpAt = Date.now() + BOUNDS_PATIENCE_MS;
    for (;;) {
      try {
        const info = await this.jsm.streams.info(STREAMS.pushes);
        return { firstSeq: info.state.first_seq, lastSeq: info.state.last_seq };
      } catch (err) {
        if (Date.now() + BOUNDS_RETRY_MS >= giveUpAt) throw err;
        await delay(BOUNDS_RETRY_MS);
      }
    }
  }

  /** True when every push after `seq` is still stored. */
  static covers(bounds: StreamBounds, seq: number): boolean {
    return bounds.firstSeq <= seq + 1;
  }

  /**
   * Calls `deliver` for every push on `outSubjects` with afterSeq < seq ≤ upTo,
   * in sequence order; awaits `deliver` (so a socket under backpressure paces
   * the replay). Stops early when `cancelled()` turns true. Resolves with the
   * last sequence delivered (afterSeq when none).
   *
   * Never skips a push silently. The replay consumer acks nothing, so the
   * server counts a push delivered once it wrote it out: a push lost on its
   * way (a JetStream server dying) shows as a hole in the consumer's
   * delivery sequence, and a failover can leave a fetch empty while pushes
   * are pending or the consumer's create unanswered. Either way the replay
   * goes on from the last push delivered with a new consumer,
   * REPLAY_ATTEMPTS times at most, and then rejects
   * (the caller closes the socket UNAVAILABLE: its client resumes from the
   * last seq it has).
   */
  async replay(outSubjects: string[], afterSeq: number, upTo: number, deliver: (push: Push) => void | Promise<void>, cancelled: () => boolean): Promise<number> {
    let last = afterSeq;
    for (let attempt = 1; ; attempt++) {
      const pass = await this.replayPass(outSubjects, last, upTo, deliver, cancelled);
      last = pass.last;
      if (pass.complete || cancelled()) return last;
      if (attempt >= REPLAY_ATTEMPTS) throw new Error(`replay from OUT stopped at seq ${last} of ${upTo}: ${pass.why}`);
    }
  }

  /** One consumer's pass; `complete` when every push up to `upTo` was delivered. */
  private async replayPass(outSubjects: string[], afterSeq: number, upTo: number, deliver: (push: Push) => void | Promise<void>, cancelled: () => boolean): Promise<{ last: number; complete: boolean; why?: string }> {
    if (upTo <= afterSeq || outSubjects.length === 0) return { last: afterSeq, complete: true };
    let info;
    try {
      info = await this.jsm.consumers.add(STREAMS.pushes, {
        filter_subjects: outSubjects,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: afterSeq + 1,
        ack_policy: AckPolicy.None,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: nanos(30_000),
      });
    } catch (err) {
      return { last: afterSeq, complete: false, why: `the replay consumer was not created: ${String(err)}` };
    }
    let last = afterSeq;
    let received = 0;
    try {
      const consumer = this.js.consumers.getConsumerFromInfo(info);
      while (received < info.num_pending && last < upTo && !cancelled()) {
        const messages = await consumer.fetch({ max_messages: Math.min(REPLAY_BATCH, info.num_pending - received), expires: 5000 });
        let got = 0;
        for await (const msg of messages) {
          got++;
          received++;
          if (msg.info.deliverySequence !== received) return { last, complete: false, why: `deliveries ${received}–${msg.info.deliverySequence - 1} were lost on their way` };
          const seq = msg.info.streamSequence;
          if (seq > upTo || cancelled()) return { last, complete: true };
          last = seq;
          const push = pushFromMessage(msg.subject, seq, msg.string(), msg.headers);
          if (push) await deliver(push);
        }
        if (got === 0) return { last, complete: false, why: `a fetch came back empty with ${info.num_pending - received} pushes pending` };
      }
      return { last, complete: true };
    } finally {
      await this.jsm.consumers.delete(STREAMS.pushes, info.name).catch(() => false);
    }
  }
}
