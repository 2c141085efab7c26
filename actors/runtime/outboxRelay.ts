/**
 * Outbox relay (ARCHITECTURE guarantee 9): after a commit, every outbox
 * entry is carried out — NATS publishes with Nats-Msg-Id = the entry's
 * stable id (JetStream drops a repeat inside its duplicate window), timer
 * changes as idempotent writes — and only then is the outbox cleared and
 * the command acked. A crash anywhere in between leaves the entries in the
 * document; the next activation of the entity (by this or the next owner)
 * publishes them first. At least once; receivers deduplicate by id / seq.
 *
 * Publishes are issued in order on one connection and their acks awaited
 * together, so one entity's pushes keep their order in OUT.
 */
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { actorOutboxLag } from '../../platform/index.js';
import type { EntityRecord, EntityStore, OutboxEntry, PublishEntry } from './entityStore.js';
import { timerId, type TimerStore } from './timerStore.js';

export class OutboxRelay {
  constructor(
    private readonly actor: string,
    private readonly js: JetStreamClient,
    private readonly timers: TimerStore,
  ) {}

  /**
   * Carries out `entries` (throws if any fails; nothing is cleared then).
   * Timer changes first, so whoever sees the result can rely on its timers.
   */
  async deliver(entity: string, entries: readonly OutboxEntry[]): Promise<void> {
    await settleAll(entries.flatMap((entry) => {
      if (entry.kind === 'timer.set') return [this.timers.set({ _id: timerId(this.actor, entity, entry.timer.key), actor: this.actor, entity, ...entry.timer })];
      if (entry.kind === 'timer.cancel') return [this.timers.cancel(timerId(this.actor, entity, entry.key))];
      return [];
    }));
    await settleAll(entries.flatMap((entry) => (entry.kind === 'publish' ? [this.publish(entry)] : [])));
  }

  /** Delivers the record's unpublished entries; the stored copy is cleared later (see `settle`). */
  async relay<S>(record: EntityRecord<S>): Promise<EntityRecord<S>> {
    if (record.outbox.length === 0) return record;
    await this.deliver(record.entity, record.outbox);
    return { ...record, outbox: [], storedOutbox: true };
  }

  /** Clears published entries from the document (conditional on its version: a newer commit already replaced them). */
  async settle<S>(store: EntityStore<S>, record: EntityRecord<S>): Promise<EntityRecord<S>> {
    if (!record.storedOutbox || record.outbox.length > 0) return record;
    await store.clearOutbox(record);
    return { ...record, storedOutbox: false };
  }

  private async publish(entry: PublishEntry): Promise<void> {
    let h;
    if (entry.headers) {
      h = natsHeaders();
      for (const [k, v] of Object.entries(entry.headers)) h.set(k, v);
    }
    await this.js.publish(entry.subject, entry.body, h ? { msgID: entry.id, headers: h } : { msgID: entry.id });
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
