/**
 * The outbox, in one place (ARCHITECTURE guarantees 8 and 9): what a commit
 * owes the world, how it is stored, how what is still owed is told apart
 * from what was published, and how it is carried out.
 *
 * - A commit stores the entries of its commands in the entity's document
 *   (the same write as the state). Each entry carries `seq`, the CMD stream
 *   sequence of the command that owes it.
 * - After the commit the entries are carried out — NATS publishes with
 *   Nats-Msg-Id = the entry's stable id (JetStream drops a repeat inside its
 *   duplicate window), timer changes as idempotent writes — and only then
 *   are the commands acked. The stored copy is never cleared by a write of
 *   its own: the entity's next commit replaces it.
 * - So a stored entry is still owed exactly while its command is still in
 *   the CMD work queue (acked = deleted = published). When an entity is
 *   loaded, `owed` keeps the entries committed within half the duplicate
 *   window (publishing them again is harmless: JetStream drops the repeat)
 *   and, for older ones, asks the CMD stream whether their command is still
 *   there. An entry without `seq` (older documents, a crash test's
 *   hand-made one) is owed.
 *
 * At least once; receivers deduplicate by id and `seq`. Publishes are
 * issued in order on one connection and their acks awaited together, so
 * one entity's pushes keep their order in OUT.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../../protocol/index.js';
import { actorOutboxLag, natsHeadersOf } from '../../platform/index.js';
import { timerId, type TimerStore } from './timerStore.js';

interface EntryBase {
  /** Unique and stable per command (the Nats-Msg-Id of a publish). */
  id: string;
  /** Commit time, epoch ms (outbox lag; whether a repeat is still inside the duplicate window). */
  at: number;
  /** CMD stream sequence of the command that owes the entry: owed while that message is in CMD. */
  seq?: number;
}

/** A NATS publish the commit owes: subject, JSON body, headers. */
export interface PublishEntry extends EntryBase {
  kind: 'publish';
  subject: string;
  body: string;
  headers?: Record<string, string>;
}

/** A durable timer to (re)set for this entity: applied to the timers collection. */
export interface TimerSetEntry extends EntryBase {
  kind: 'timer.set';
  timer: { key: string; name: string; due: number; data?: unknown };
}

export interface TimerCancelEntry extends EntryBase {
  kind: 'timer.cancel';
  key: string;
}

export type OutboxEntry = PublishEntry | TimerSetEntry | TimerCancelEntry;

export class Outbox {
  constructor(
    private readonly actor: string,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly timers: TimerStore,
    /** The JetStream duplicate window, ms. */
    private readonly duplicateWindowMs: number,
  ) {}

  /** The stored entries still owed (see the header); throws when the CMD stream cannot be asked. */
  async owed(stored: readonly OutboxEntry[], now = Date.now()): Promise<OutboxEntry[]> {
    const recent = now - this.duplicateWindowMs / 2;
    const toCheck = [...new Set(stored.flatMap((e) => (e.seq !== undefined && e.at < recent ? [e.seq] : [])))];
    const gone = new Set<number>();
    await Promise.all(toCheck.map(async (seq) => {
      if (!(await this.commandStillQueued(seq))) gone.add(seq);
    }));
    return stored.filter((e) => e.seq === undefined || !gone.has(e.seq));
  }

  /**
   * Carries out `entries` (throws if any fails). Timer changes first, so
   * whoever sees the result can rely on its timers.
   */
  async deliver(entity: string, entries: readonly OutboxEntry[]): Promise<void> {
    await settleAll(entries.flatMap((entry) => {
      if (entry.kind === 'timer.set') return [this.timers.set({ _id: timerId(this.actor, entity, entry.timer.key), actor: this.actor, entity, ...entry.timer })];
      if (entry.kind === 'timer.cancel') return [this.timers.cancel(timerId(this.actor, entity, entry.key))];
      return [];
    }));
    await settleAll(entries.flatMap((entry) => (entry.kind === 'publish' ? [this.publish(entry)] : [])));
  }

  private async commandStillQueued(seq: number): Promise<boolean> {
    // null = no message at that sequence: acked (a work queue deletes on ack), so published.
    return (await this.jsm.streams.getMessage(STREAMS.commands, { seq })) !== null;
  }

  private async publish(entry: PublishEntry): Promise<void> {
    await this.js.publish(entry.subject, entry.body, entry.headers ? { msgID: entry.id, headers: natsHeadersOf(entry.headers) } : { msgID: entry.id });
    actorOutboxLag.observe({ actor: this.actor }, Math.max(0, Date.now() - entry.at) / 1000);
  }
}

/** Waits for all, then throws the first failure (so no promise is left unobserved). */
async function settleAll(pending: Array<Promise<unknown>>): Promise<void> {
  if (pending.length === 0) return;
  const outcomes = await Promise.allSettled(pending);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
