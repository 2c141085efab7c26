/**
 * The actor worker: for every registered (and enabled) actor type a
 * partition balancer with its partition consumers, one command processor,
 * an entity store and cache; plus one scheduler (timers, cron) per worker.
 * A Service of the lifecycle supervisor: `stop()` is the graceful leave.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../../protocol/index.js';
import { actorCacheEntries } from '../../platform/index.js';
import { declareActorSeries } from '../../platform/index.js';
import type { Config, Db, Logger, NatsConnection, Redis, Service } from '../../platform/index.js';
import type { ActorDefinition, CronJob } from './actorDefinition.js';
import { actorSettings } from './actorSettings.js';
import { startBacklogGauges } from './backlogGauge.js';
import { CommandProcessor } from './commandProcessor.js';
import { traceCommandProcessing } from './commandTracing.js';
import { ConcurrencyLimit } from './concurrencyLimit.js';
import { EntityCache } from './entityCache.js';
import { EntityStore } from './entityStore.js';
import { FencedLeases } from './fencedLeases.js';
import { EntityTakes } from './entityTake.js';
import { Outbox } from './outbox.js';
import { PartitionBalancer } from './partitionBalancer.js';
import { Scheduler } from './scheduler.js';
import { TimerStore } from './timerStore.js';
import { WorkerMembership } from './workerMembership.js';

export interface WorkerDeps {
  nc: NatsConnection;
  db: Db;
  redis: Redis;
  config: Config;
  logger: Logger;
  actors: ReadonlyArray<ActorDefinition<any, any>>;
}

interface ActorType {
  name: string;
  balancer: PartitionBalancer;
  cache: EntityCache;
}

export class ActorWorker implements Service {
  readonly name = 'actor-worker';
  /** Unique per process start: a restarted worker never inherits the leases of its previous life. */
  readonly member: string;
  private readonly types: ActorType[] = [];
  private scheduler: Scheduler | undefined;
  private passivation: NodeJS.Timeout | undefined;
  private stopBacklogGauges: (() => void) | undefined;

  constructor(private readonly deps: WorkerDeps) {
    this.member = `${deps.config.nodeId}:${randomBytes(4).toString('hex')}`;
  }

  /** The actor types this worker runs. */
  get actorNames(): string[] {
    return this.types.map((t) => t.name);
  }

  /** Partitions owned now, by actor type (for logs and tests). */
  ownedPartitions(): Record<string, number[]> {
    return Object.fromEntries(this.types.map((t) => [t.name, t.balancer.partitions]));
  }

  async start(): Promise<void> {
    const { nc, db, redis, config, logger } = this.deps;
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const leases = new FencedLeases(redis, this.member, { ttlMs: config.leaseTtlMs });
    const timers = new TimerStore(db);
    await timers.ensureIndexes();
    const workerLimit = new ConcurrencyLimit(config.actorConcurrency);
    declareActorSeries(this.deps.actors.map((a) => a.name));
    const cron: Array<{ actor: string; job: CronJob }> = [];
    for (const actor of this.deps.actors) {
      const settings = actorSettings(config, actor.options);
      const log = logger.child({ actor: actor.name });
      // The walking skeleton's single consumer per type would overlap the partition consumers on the work queue.
      await jsm.consumers.delete(STREAMS.commands, `actor_${actor.name}`).catch(() => {});
      const deps: unknown = actor.dependencies ? await actor.dependencies({ db, nc, config, logger: log }) : undefined;
      const store = new EntityStore(db, actor.repository.collection ?? `entities_${actor.name}`, (e: string) => actor.repository.initialState(e), actor.name);
      const cache = new EntityCache(actor.name, settings.cacheEntries, settings.passivateMs, settings.partitions);
      const outbox = new Outbox(actor.name, js, jsm, timers, config.duplicateWindowS * 1000);
      const processor = new CommandProcessor({
        actor, deps, settings, js, logger: log,
        limits: [new ConcurrencyLimit(settings.concurrency), workerLimit],
      });
      const takes = new EntityTakes({ actor: actor.name, processor, store, cache, outbox, logger: log });
      traceCommandProcessing(takes, processor);
      const balancer = new PartitionBalancer({
        actor: actor.name, member: this.member, nc, leases, settings, logger: log,
        membership: new WorkerMembership(redis, actor.name, this.member, config.leaseTtlMs),
        consumerDeps: { actor: actor.name, nc, js, settings, takes, outbox, cache, logger: log },
      });
      this.types.push({ name: actor.name, balancer, cache });
      for (const job of actor.cron ?? []) cron.push({ actor: actor.name, job });
    }
    for (const t of this.types) await t.balancer.start();
    this.scheduler = new Scheduler({
      js, nc, leases, timers, cron, partitions: config.partitions, pollMs: config.timerPollMs, renewMs: config.rebalanceIntervalMs,
      deadOwners: () => [...new Set(this.types.flatMap((t) => t.balancer.deadOwners()))],
      logger: logger.child({ component: 'scheduler' }),
    });
    await this.scheduler.start();
    this.stopBacklogGauges = startBacklogGauges(jsm, this.actorNames, logger);
    this.passivation = setInterval(() => {
      for (const t of this.types) {
        t.cache.passivateIdle();
        actorCacheEntries.set({ actor: t.name }, t.cache.size);
      }
    }, Math.min(10_000, config.actorPassivateS * 1000));
    this.passivation.unref();
  }

  /** Graceful leave: stop scheduling, hand every partition off after its held commands are done. */
  async stop(): Promise<void> {
    clearInterval(this.passivation);
    this.stopBacklogGauges?.();
    await this.scheduler?.stop();
    await Promise.all(this.types.map((t) => t.balancer.stop()));
  }
}
