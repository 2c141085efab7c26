/**
 * Drives actors without a gateway: publishes commands to JetStream with the
 * headers the gateway sets (Sy-User, Sy-Session, Sy-Cmd, Sy-Accepted-At,
 * Nats-Msg-Id = commandKey(userToken, id)), listens to a session's live
 * pushes, and reads everything a session ever got from the OUT stream.
 */
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import {
  HEADERS, STREAMS, commandMessage, subjects, type PushBody,
} from '../../protocol/index.js';
import { publishCommand } from '../../platform/index.js';

export interface TestCommand {
  actor: string;
  entity: string;
  name: string;
  id: string;
  data?: unknown;
  /** @default 'tester' */
  user?: string;
  /** @default the driver's session */
  session?: string;
  traceparent?: string;
}

export interface Push {
  subject: string;
  /** OUT stream sequence. */
  seq: number;
  body: PushBody;
  headers: Record<string, string>;
}

export class CommandDriver {
  readonly js: JetStreamClient;
  readonly live: Push[] = [];
  private sub: Subscription | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly nc: NatsConnection, readonly partitions: number, readonly session: string) {
    this.js = jetstream(nc);
  }

  /** Connects and subscribes to `live.s.<session>` (every push to the session, with its seq). */
  static async connect(natsUrl: string, options: { partitions: number; session?: string }): Promise<CommandDriver> {
    const nc = await connect({ servers: natsUrl });
    const driver = new CommandDriver(nc, options.partitions, options.session ?? `s-${Math.random().toString(36).slice(2, 10)}`);
    driver.sub = nc.subscribe(subjects.live(subjects.sessionPush(driver.session)), {
      callback: (_err, msg) => {
        driver.live.push({ subject: msg.subject, seq: Number(msg.headers?.get(HEADERS.streamSequence) ?? 0), body: msg.json<PushBody>(), headers: headerRecord(msg.headers) });
        driver.wake();
      },
    });
    await nc.flush();
    return driver;
  }

  /** Publishes one command; resolves after the JetStream ack (like the gateway's `accepted`). */
  async send(cmd: TestCommand): Promise<{ seq: number; duplicate: boolean }> {
    return publishCommand(this.js, commandMessage(cmd, {
      kind: 'client', user: cmd.user ?? 'tester', session: cmd.session ?? this.session, receivedAt: Date.now(),
      ...(cmd.traceparent ? { traceparent: cmd.traceparent } : {}),
    }, this.partitions));
  }

  /** The first live push matching `match`, waiting up to `timeoutMs`. */
  async next(match: (p: Push) => boolean, timeoutMs = 30_000): Promise<Push> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.live.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a push; last: ${JSON.stringify(this.live.slice(-3).map((p) => p.body))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** The result for command `id` (live). */
  result(id: string, timeoutMs = 30_000): Promise<Push> {
    return this.next((p) => p.body.type === 'result' && p.body.id === id, timeoutMs);
  }

  /** Every push ever stored in OUT under `subjectFilter` (default: this session), in seq order. */
  async readOut(subjectFilter = subjects.sessionPush(this.session)): Promise<Push[]> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(STREAMS.pushes, { subjects_filter: subjectFilter });
    const expected = Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
    if (expected === 0) return [];
    const consumer = await this.js.consumers.get(STREAMS.pushes, { filter_subjects: [subjectFilter], deliver_policy: DeliverPolicy.All });
    const out: Push[] = [];
    const messages = await consumer.consume();
    for await (const m of messages) {
      out.push({ subject: m.subject, seq: m.seq, body: m.json<PushBody>(), headers: headerRecord(m.headers) });
      if (out.length >= expected) break;
    }
    await messages.close();
    return out;
  }

  async close(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function headerRecord(h: { keys(): string[]; get(k: string): string } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of h?.keys() ?? []) out[k] = h!.get(k);
  return out;
}

/** Reads a process's /metrics (a worker's metrics port, a gateway's port) and sums the samples of `name` whose labels include `labels`. */
export async function processMetric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

/**
 * Polls `check` until it returns a value other than undefined or false, or
 * throws after `timeoutMs` with `what` (and the last error `check` threw).
 * The one polling helper of the tests.
 */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
