/**
 * The runtime's take (actors/runtime/entityTake.ts) for the counter actor,
 * built by hand against a stack's real servers (MongoDB-wire, NATS), and
 * commands delivered for real: published with the driver, pulled from CMD
 * by a consumer of the test's own (the stack must run no worker, since CMD
 * is a work queue and consumers may not overlap).
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, partitionOf, subjects } from '../../protocol/index.js';
import { PLATFORM_CONFIG, createLogger, ensureStreams, loadConfig } from '../../platform/index.js';
import { counterActor } from '../../actors/counter/index.js';
import { parseCommand, type CommandEnvelope } from '../../actors/runtime/commandEnvelope.js';
import { CommandProcessor } from '../../actors/runtime/commandProcessor.js';
import { EntityCache } from '../../actors/runtime/entityCache.js';
import { EntityStore } from '../../actors/runtime/entityStore.js';
import { EntityTakes, type TakeOwnership } from '../../actors/runtime/entityTake.js';
import type { HeldLease } from '../../actors/runtime/fencedLeases.js';
import { Outbox } from '../../actors/runtime/outbox.js';
import { TimerStore } from '../../actors/runtime/timerStore.js';
import type { ActorSettings } from '../../actors/runtime/actorSettings.js';
import type { ActorStack } from './actorStack.js';

export interface TakeKit {
  takes: EntityTakes<{ value: number; applied: number }>;
  store: EntityStore<{ value: number; applied: number }>;
  /** Publishes `add {by: 1}` commands with these ids to `entity` and returns them as delivered envelopes, in stream order. */
  deliver(entity: string, ids: string[]): Promise<CommandEnvelope[]>;
  /** Acks delivered commands (confirmed by the server) and removes the consumers that pulled them. */
  ack(envs: CommandEnvelope[]): Promise<void>;
}

export async function takeKit(actors: ActorStack, collection: string): Promise<TakeKit> {
  const nc = actors.driver.nc;
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  await ensureStreams(nc, loadConfig(actors.stack.env, [PLATFORM_CONFIG]).config);
  const logger = createLogger({ name: 'take-kit', level: 'silent' });
  const settings: ActorSettings = {
    partitions: actors.partitions, leaseTtlMs: 60_000, failureDetectionMs: 0, rebalanceIntervalMs: 1000, concurrency: 8, timeoutMs: 5000, maxAttempts: 3,
    retryBaseMs: 10, retryMaxMs: 100, ackWaitMs: 30_000, maxAckPending: 100, appliedMemory: 32, cacheEntries: 100, passivateMs: 60_000,
  };
  const store = new EntityStore(actors.db, collection, (e) => counterActor.repository.initialState(e), 'counter');
  const processor = new CommandProcessor({ actor: counterActor, deps: undefined, settings, js, logger, limits: [] });
  const takes = new EntityTakes({
    actor: 'counter', processor, store, logger,
    cache: new EntityCache('counter', 100, 60_000, actors.partitions),
    outbox: new Outbox('counter', js, jsm, new TimerStore(actors.db), 120_000),
  });
  let consumers = 0;
  const consumerOf = new WeakMap<CommandEnvelope, string>();
  return {
    takes,
    store,
    async deliver(entity, ids) {
      for (const id of ids) await actors.driver.send({ actor: 'counter', entity, name: 'add', id, data: { by: 1 } });
      const name = `take_kit_${process.pid}_${consumers++}`;
      await jsm.consumers.add(STREAMS.commands, { durable_name: name, ack_policy: AckPolicy.Explicit, filter_subject: subjects.command('counter', partitionOf(entity, actors.partitions), entity) });
      const consumer = await js.consumers.get(STREAMS.commands, name);
      const out: CommandEnvelope[] = [];
      for await (const m of await consumer.fetch({ max_messages: ids.length, expires: 5000 })) {
        const parsed = parseCommand(m);
        if (!parsed.ok) throw new Error(parsed.reason);
        out.push(parsed.envelope);
      }
      for (const env of out) consumerOf.set(env, name);
      return out;
    },
    async ack(envs) {
      await Promise.all(envs.map((e) => e.msg.ackAck()));
      for (const name of new Set(envs.map((e) => consumerOf.get(e)!))) await jsm.consumers.delete(STREAMS.commands, name);
    },
  };
}

/** An ownership of a partition for a take; `ensureLease` as given (the runtime's ensureLeaseForCommit, or a test's). */
export function ownership(lease: HeldLease, ensureLease: () => Promise<void> = async () => {}): TakeOwnership {
  return { partition: 0, lease, lost: new AbortController().signal, ensureLease };
}
