/**
 * One take of one entity: the commands its mailbox held when the take
 * began (at most TAKE_MAX, in stream order), run one at a time against the
 * entity's record, committed in ONE conditional write, published, and only
 * then handed back to the partition loop to be acked:
 *
 *  1. activate: the cached record, or a load (grouped with the other loads
 *     of the moment) whose still-owed outbox entries are published first;
 *  2. run each command (commandProcessor.ts): a duplicate gives its stored
 *     result to send again, an applied command the next record and the
 *     entries it owes;
 *  3. commit the last record with every applied command's entries, under
 *     the partition's fencing token (grouped with the commits of other
 *     entities of the moment into one bulkWrite, entityStore.ts);
 *  4. publish the entries (async publishes awaited together, outbox.ts).
 *
 * The outcome is 'done' only when every command of the take may be acked.
 * Anything else — a refused commit ('stale', 'fenced'), a failed load,
 * commit or publish (a throw) — leaves every command of the take unacked and
 * the entity out of the cache: the take is run again from the stored
 * document, whose applied memory and outbox make the second run publish
 * what the first committed and apply nothing twice.
 *
 * The step methods (process, commit, publish) are separate so tracing
 * (commandTracing.ts) can wrap them.
 */
import type { Logger } from '../../platform/index.js';
import { actorCommands, actorDeadLetters, actorStaleWrites } from '../../platform/index.js';
import type { CommandEnvelope } from './commandEnvelope.js';
import { StaleWriteError } from './commandErrors.js';
import type { CommandProcessor, CommandStep, PartitionOwnership } from './commandProcessor.js';
import type { EntityCache } from './entityCache.js';
import type { EntityRecord, EntityStore } from './entityStore.js';
import type { HeldLease } from './fencedLeases.js';
import type { Outbox, OutboxEntry } from './outbox.js';

/** Commands of one entity in one take (and so in one commit). */
export const TAKE_MAX = 64;

/** What a take runs under: the partition's lease (its token fences the commit). */
export interface TakeOwnership extends PartitionOwnership {
  readonly lease: HeldLease;
  /** Resolves when the lease is good for a commit (renewing it if need be); throws PartitionLostError otherwise. */
  ensureLease(): Promise<void>;
}

export type TakeOutcome =
  | { kind: 'done' }
  /** The entity moved on (another commit in between): run the take again. */
  | { kind: 'stale' }
  /** A writer with a newer fencing token wrote the entity: this worker must give the partition up. */
  | { kind: 'fenced'; fence: number };

export interface EntityTakesDeps<S> {
  actor: string;
  processor: CommandProcessor<S, any>;
  store: EntityStore<S>;
  cache: EntityCache;
  outbox: Outbox;
  logger: Logger;
}

export class EntityTakes<S> {
  /** Per-command debug lines are built only when they are written (a child logger per command costs). */
  private readonly debug: boolean;

  constructor(private readonly d: EntityTakesDeps<S>) {
    this.debug = d.logger.isLevelEnabled('debug');
  }

  /** Runs one take of the entity of `envs` (all of one entity, in stream order); see the header. */
  async run(envs: readonly CommandEnvelope[], own: TakeOwnership): Promise<TakeOutcome> {
    const entity = envs[0]!.entity;
    try {
      const record = await this.activate(entity);
      const steps: Array<CommandStep<S>> = [];
      let working = record;
      for (const env of envs) {
        const step = await this.process(env, working, own);
        steps.push(step);
        if (step.kind === 'applied') working = step.record;
      }
      let committed = record;
      if (working !== record) {
        await own.ensureLease();
        const owed = steps.flatMap((s) => (s.kind === 'applied' ? s.entries : []));
        try {
          committed = await this.commit(envs, record, own.lease.token, { state: working.state, lastSeq: working.lastSeq, applied: working.applied, outbox: owed });
        } catch (err) {
          if (!(err instanceof StaleWriteError)) throw err;
          actorStaleWrites.inc({ actor: this.d.actor });
          this.d.cache.delete(entity);
          return err.fence > own.lease.token ? { kind: 'fenced', fence: err.fence } : { kind: 'stale' };
        }
      }
      await this.publish(envs, entity, steps.flatMap((s) => s.entries));
      this.d.cache.set({ ...committed, outbox: [] });
      this.count(envs, steps, committed.version);
      return { kind: 'done' };
    } catch (err) {
      this.d.cache.delete(entity);
      throw err;
    }
  }

  /** Step 2 for one command (a method of its own for tracing). */
  process(env: CommandEnvelope, record: EntityRecord<S>, own: PartitionOwnership): Promise<CommandStep<S>> {
    return this.d.processor.process(env, record, own);
  }

  /** Step 3: the take's one conditional write (`envs` for tracing). */
  commit(_envs: readonly CommandEnvelope[], record: EntityRecord<S>, token: number, changes: Parameters<EntityStore<S>['commit']>[2]): Promise<EntityRecord<S>> {
    return this.d.store.commit(record, token, changes);
  }

  /** Step 4: results, pushes, events and timer changes of the take, in command order (`envs` for tracing). */
  publish(_envs: readonly CommandEnvelope[], entity: string, entries: readonly OutboxEntry[]): Promise<void> {
    return this.d.outbox.deliver(entity, entries);
  }

  /** The entity's record with nothing owed: cached, or loaded with its still-owed entries published first. */
  private async activate(entity: string): Promise<EntityRecord<S>> {
    const cached = this.d.cache.get<S>(entity);
    if (cached) return cached;
    const loaded = await this.d.store.load(entity);
    if (loaded.outbox.length === 0) return loaded;
    await this.d.outbox.deliver(entity, await this.d.outbox.owed(loaded.outbox));
    return { ...loaded, outbox: [] };
  }

  private count(envs: readonly CommandEnvelope[], steps: ReadonlyArray<CommandStep<S>>, version: number): void {
    const { actor, processor } = this.d;
    steps.forEach((step, i) => {
      const env = envs[i]!;
      const outcome = step.kind === 'duplicate' ? 'duplicate' : step.label;
      actorCommands.inc({ actor, outcome });
      const deadLetter = step.kind === 'applied' ? step.deadLetter : undefined;
      if (!deadLetter && !this.debug) return;
      const log = processor.logOf(env);
      if (step.kind === 'duplicate') log.debug({ seq: env.seq }, 'command already applied; stored result sent again');
      else log.debug({ version, outcome, take: envs.length }, 'command committed and results published');
      if (deadLetter) {
        actorDeadLetters.inc({ actor });
        log.error(deadLetter, 'command dead-lettered');
      }
    });
  }
}
