/**
 * Spreads one actor type's partitions evenly over the live workers
 * (ARCHITECTURE guarantee 13). Every round (each rebalance interval, or at
 * once when another worker nudges on `ctl.actors.<actor>.rebalance`):
 *
 *  1. heartbeat the membership and compute this worker's fair share;
 *  2. above the share: release surplus partitions gracefully (stop
 *     receiving, finish held commands, then give the lease up);
 *  3. below the share: acquire free (released or expired) partitions,
 *     preferring a block that depends on this worker's rank so workers do
 *     not all race for the same ones.
 *
 * Leases are renewed by a loop of their own on the same interval, never
 * queued behind a slow round (acquiring a partition recreates a consumer);
 * a refused renewal means the partition is lost.
 *
 * Joining, leaving and crashing therefore converge within a round or two
 * after the membership changes. A crash: as soon as the others declare the
 * worker dead (workerLiveness.ts, SY_FAILURE_DETECTION_MS) they remove it
 * from the membership and replace its leases without waiting for their TTL
 * (new fencing tokens; a recreated consumer delivers its unacked commands
 * at once); without detection, after the lease TTL. Leaving
 * (SIGTERM) deregisters first, then releases everything gracefully while
 * the others pick the partitions up one by one — no redelivery storm, since
 * every released partition's commands were acked before its lease went.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects } from '../../protocol/index.js';
import { actorPartitionsOwned, actorRebalances } from '../../platform/index.js';
import { CoalescedRuns, type Logger } from '../../platform/index.js';
import type { ActorSettings } from './actorSettings.js';
import { FencedLeases } from './fencedLeases.js';
import { PartitionConsumer, type PartitionConsumerDeps } from './partitionConsumer.js';
import { WorkerLiveness } from './workerLiveness.js';
import { WorkerMembership, fairShare } from './workerMembership.js';

export interface PartitionBalancerDeps {
  actor: string;
  /** This worker's unique member id (node id + instance). */
  member: string;
  nc: NatsConnection;
  leases: FencedLeases;
  membership: WorkerMembership;
  settings: ActorSettings;
  logger: Logger;
  consumerDeps: Omit<PartitionConsumerDeps, 'onLost' | 'renew' | 'reconfirmAfter'>;
}

export function partitionLeaseName(actor: string, partition: number): string {
  return `${actor}:${partition}`;
}

/** Partition preference of the worker at `rank` of `members`: its own block first, then the rest in order. */
export function preferredOrder(partitions: number, members: number, rank: number): number[] {
  const start = members > 0 ? Math.floor((rank * partitions) / members) : 0;
  return Array.from({ length: partitions }, (_, i) => (start + i) % partitions);
}

export class PartitionBalancer {
  private readonly owned = new Map<number, PartitionConsumer>();
  private readonly draining = new Map<number, PartitionConsumer>();
  private leaving = false;
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  /** Rebalance rounds: one at a time; a trigger during a round runs one more after it. */
  private readonly rounds = new CoalescedRuns(() => this.roundOnce(), (err) => this.log.warn({ err }, 'rebalance round failed'));
  private nudges: Subscription | undefined;
  private readonly log: Logger;
  private readonly drains = new Set<Promise<void>>();
  private liveness: WorkerLiveness | undefined;
  /** Workers declared dead (by liveness), with when: their leases may be replaced until their TTL has passed anyway. */
  private readonly dead = new Map<string, number>();

  constructor(private readonly d: PartitionBalancerDeps) {
    this.log = d.logger.child({ actor: d.actor });
  }

  /** Partitions owned and receiving. */
  get partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    this.nudges = this.d.nc.subscribe(subjects.actorRebalance(this.d.actor), { callback: () => this.trigger() });
    if (this.d.settings.failureDetectionMs > 0) {
      this.liveness = new WorkerLiveness({
        nc: this.d.nc, actor: this.d.actor, member: this.d.member, detectionMs: this.d.settings.failureDetectionMs, logger: this.log,
        onDead: (member) => this.declaredDead(member),
        onAlive: (member) => { this.dead.delete(member); },
      });
      this.liveness.start();
    }
    await this.rebalance();
    this.nudge();
    this.schedule();
    this.renewTimer = setInterval(() => { void this.renewAll(); }, this.d.settings.rebalanceIntervalMs);
    this.renewTimer.unref();
  }

  /** Graceful leave: deregister, release every partition after its held commands finish. */
  async stop(): Promise<void> {
    this.leaving = true;
    await this.d.membership.leave().catch((err: unknown) => this.log.warn({ err }, 'deregistration failed; the membership entry will expire'));
    this.nudge();
    await this.rebalance();
    while (this.owned.size > 0 || this.draining.size > 0) {
      await Promise.race([Promise.all([...this.drains]), new Promise((r) => setTimeout(r, this.d.settings.rebalanceIntervalMs))]);
      await this.rebalance();
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.renewTimer);
    this.nudges?.unsubscribe();
    this.liveness?.stop();
    this.nudge();
  }

  private schedule(): void {
    if (this.leaving && this.owned.size === 0 && this.draining.size === 0) return;
    this.timer = setTimeout(() => { void this.rebalance().finally(() => this.schedule()); }, this.d.settings.rebalanceIntervalMs);
    this.timer.unref();
  }

  /** Runs a round now (or right after the one running). */
  private trigger(): void {
    void this.rebalance();
  }

  private nudge(): void {
    try {
      this.d.nc.publish(subjects.actorRebalance(this.d.actor));
    } catch { /* closed connection: the others rebalance on their own schedule */ }
  }

  /** Resolves when the round under way, and the one more this call asked for, are over. */
  private rebalance(): Promise<void> {
    return this.rounds.run();
  }

  /** A peer fell silent: drop it from the membership and take its partitions over in a round now. */
  private declaredDead(member: string): void {
    if (member === this.d.member) return;
    this.dead.set(member, Date.now());
    void this.d.membership.remove(member).catch((err: unknown) => this.log.warn({ err, member }, 'could not remove a dead worker from the membership; it will expire'));
    this.trigger();
  }

  /** Owners whose leases this worker may replace now (its partitions', and the scheduler's: worker.ts). */
  deadOwners(): string[] {
    const expired = Date.now() - this.d.settings.leaseTtlMs;
    for (const [member, at] of this.dead) if (at < expired) this.dead.delete(member);
    return [...this.dead.keys()];
  }

  private async roundOnce(): Promise<void> {
    const { leases, membership, settings } = this.d;
    const dead = this.deadOwners();
    const members = (this.leaving ? await membership.live() : await membership.heartbeat()).filter((m) => !dead.includes(m));
    const share = this.leaving ? 0 : fairShare(settings.partitions, members, this.d.member);

    const surplus = this.owned.size - share;
    if (surplus > 0) {
      const rank = members.indexOf(this.d.member);
      const keep = new Set(preferredOrder(settings.partitions, members.length, Math.max(0, rank)).slice(0, share));
      const release = [...this.owned.keys()].sort((a, b) => Number(keep.has(a)) - Number(keep.has(b)) || b - a).slice(0, surplus);
      for (const p of release) this.releaseGracefully(this.owned.get(p)!);
    } else if (surplus < 0 && !this.leaving) {
      const rank = members.indexOf(this.d.member);
      const candidates = preferredOrder(settings.partitions, members.length, Math.max(0, rank)).filter((p) => !this.owned.has(p) && !this.draining.has(p));
      // In parallel, as many at a time as are missing; partitions others still hold are skipped.
      while (this.owned.size < share && candidates.length > 0) {
        await Promise.all(candidates.splice(0, share - this.owned.size).map((p) => this.tryAcquire(p, dead)));
      }
    }
    actorPartitionsOwned.set({ actor: this.d.actor }, this.owned.size);
  }

  /** Renews every lease held, receiving or draining (one renewal pass at a time). */
  renewAll(): Promise<void> {
    this.renewing ??= Promise.all([...this.owned.values(), ...this.draining.values()].map((pc) => this.renew(pc)))
      .then(() => {}).finally(() => { this.renewing = undefined; });
    return this.renewing;
  }

  /** Renews one partition's lease now; false (and the partition given up) when it is lost. */
  async renew(pc: PartitionConsumer): Promise<boolean> {
    let renewed: boolean;
    try {
      renewed = await this.d.leases.renew(pc.lease);
    } catch (err) {
      renewed = FencedLeases.isValid(pc.lease);
      this.log.warn({ err, partition: pc.partition }, 'lease renewal failed (Redis); keeping the partition while the lease is still valid');
    }
    if (!renewed) this.lost(pc, 'lease renewal refused (expired or taken over)');
    return renewed;
  }

  private async tryAcquire(partition: number, deadOwners: readonly string[]): Promise<void> {
    const lease = await this.d.leases.acquire(partitionLeaseName(this.d.actor, partition), deadOwners);
    if (!lease) return;
    const liveness = this.liveness;
    const pc = new PartitionConsumer({
      ...this.d.consumerDeps,
      onLost: (c, reason) => this.lost(c, reason),
      renew: (c) => this.renew(c),
      ...(liveness ? { reconfirmAfter: () => liveness.reconfirmAfter() } : {}),
    }, partition, lease);
    try {
      await pc.start();
    } catch (err) {
      this.log.warn({ err, partition }, 'could not start the partition consumer; releasing the lease');
      pc.lose('start failed');
      await this.d.leases.release(lease).catch(() => {});
      return;
    }
    this.owned.set(partition, pc);
    actorRebalances.inc({ actor: this.d.actor, kind: 'acquired' });
    if (lease.takenOverFrom) actorRebalances.inc({ actor: this.d.actor, kind: 'taken_over' });
    this.log.info({ partition, token: lease.token, ...(lease.takenOverFrom ? { takenOverFrom: lease.takenOverFrom } : {}) }, 'partition acquired');
  }

  private releaseGracefully(pc: PartitionConsumer): void {
    this.owned.delete(pc.partition);
    this.draining.set(pc.partition, pc);
    const done = (async () => {
      await pc.drain();
      if (this.draining.get(pc.partition) === pc) {
        await this.d.leases.release(pc.lease).catch((err: unknown) => this.log.warn({ err, partition: pc.partition }, 'lease release failed; it will expire'));
        this.draining.delete(pc.partition);
        actorRebalances.inc({ actor: this.d.actor, kind: 'released' });
        this.log.info({ partition: pc.partition }, 'partition released');
        this.nudge();
      }
    })().finally(() => this.drains.delete(done));
    this.drains.add(done);
  }

  private lost(pc: PartitionConsumer, reason: string): void {
    const wasOwned = this.owned.get(pc.partition) === pc || this.draining.get(pc.partition) === pc;
    if (this.owned.get(pc.partition) === pc) this.owned.delete(pc.partition);
    if (this.draining.get(pc.partition) === pc) this.draining.delete(pc.partition);
    pc.lose(reason);
    if (wasOwned) {
      actorRebalances.inc({ actor: this.d.actor, kind: 'lost' });
      actorPartitionsOwned.set({ actor: this.d.actor }, this.owned.size);
      this.log.warn({ partition: pc.partition, reason }, 'partition lost');
    }
  }
}
