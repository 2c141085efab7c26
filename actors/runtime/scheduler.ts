/**
 * The scheduler: durable timers and cron ticks (ARCHITECTURE guarantee 12).
 * Every worker runs one; the one holding the Redis lease `scheduler`
 * (fenced, like partitions) is the leader and the only one that publishes.
 * A leader declared dead by the workers' liveness beats loses the lease to
 * the next poll of a survivor, as its partitions do, without waiting for
 * the lease TTL.
 *
 * Timers live in MongoDB (`actor_timers`, written by the outbox relay of
 * the commit that set them). Every poll the leader sends each due timer as
 * a command to its entity — Nats-Msg-Id `timer:<actor>/<entity>/<key>:<due>`,
 * origin `timer` — and then deletes it (unless it was moved meanwhile).
 *
 * Cron jobs are declared in code (ActorDefinition.cron). Tick times are
 * multiples of `everyMs`; the leader sends the latest due tick as a command
 * with Nats-Msg-Id `cron:<actor>:<job>:<tick>`, origin `cron`.
 *
 * Exactly once: a leader that dies between publishing and recording, or a
 * zombie leader overlapping the next one, publishes the same Nats-Msg-Id
 * again — JetStream drops it inside the duplicate window, and past it the
 * entity's applied-command record (same key) refuses a second application.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { commandMessage, type CommandToSend } from '../../protocol/index.js';
import { actorCronTicks, actorSchedulerLeader, actorTimersFired, publishCommand } from '../../platform/index.js';
import type { Logger } from '../../platform/index.js';
import type { CronJob } from './actorDefinition.js';
import { FencedLeases, type HeldLease } from './fencedLeases.js';
import type { TimerDocument, TimerStore } from './timerStore.js';

export const SCHEDULER_LEASE = 'scheduler';

export interface SchedulerDeps {
  js: JetStreamClient;
  nc: NatsConnection;
  leases: FencedLeases;
  timers: TimerStore;
  /** Actor type → its cron jobs. */
  cron: ReadonlyArray<{ actor: string; job: CronJob }>;
  partitions: number;
  /** Workers declared dead by liveness beats: a scheduler lease one of them holds is replaced at once (fencedLeases.ts), not waited out. */
  deadOwners: () => readonly string[];
  pollMs: number;
  renewMs: number;
  logger: Logger;
}

/** The latest tick time of `job` at `now`. */
export function latestTick(job: Pick<CronJob, 'everyMs'>, now: number): number {
  return Math.floor(now / job.everyMs) * job.everyMs;
}

/** Under the 'skip' policy a tick later than this is not sent. */
export function skipTolerance(job: Pick<CronJob, 'everyMs'>): number {
  return Math.min(job.everyMs, 10_000);
}

export class Scheduler {
  private lease: HeldLease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenew = 0;
  private polling: Promise<void> | undefined;
  /** Latest tick sent (or skipped) per `<actor>:<job>` while this worker leads. */
  private readonly lastTick = new Map<string, number>();

  constructor(private readonly d: SchedulerDeps) {}

  get isLeader(): boolean {
    return this.lease !== undefined && FencedLeases.isValid(this.lease);
  }

  async start(): Promise<void> {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
    if (this.lease) await this.d.leases.release(this.lease).catch(() => {});
    this.lease = undefined;
    actorSchedulerLeader.set(0);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().catch((err: unknown) => this.d.logger.warn({ err }, 'scheduler poll failed')).finally(() => {
        this.polling = undefined;
        this.schedule();
      });
    }, this.d.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (!(await this.lead())) return;
    await this.fireTimers();
    await this.fireCron(Date.now());
  }

  /** Keeps or takes the leadership; true while leading. */
  private async lead(): Promise<boolean> {
    const now = Date.now();
    if (this.lease && now - this.lastRenew >= this.d.renewMs) {
      let renewed: boolean;
      try {
        renewed = await this.d.leases.renew(this.lease);
      } catch {
        renewed = FencedLeases.isValid(this.lease);
      }
      this.lastRenew = now;
      if (!renewed) {
        this.d.logger.warn('scheduler leadership lost');
        this.lease = undefined;
        this.lastTick.clear();
        actorSchedulerLeader.set(0);
      }
    }
    if (!this.lease) {
      this.lease = await this.d.leases.acquire(SCHEDULER_LEASE, this.d.deadOwners());
      this.lastRenew = now;
      if (this.lease) {
        this.d.logger.info({ token: this.lease.token, ...(this.lease.takenOverFrom ? { takenOverFrom: this.lease.takenOverFrom } : {}) }, 'scheduler leadership acquired');
        actorSchedulerLeader.set(1);
      }
    }
    return this.isLeader;
  }

  private async fireTimers(): Promise<void> {
    const due = await this.d.timers.due(Date.now(), 256);
    for (const timer of due) {
      if (!this.isLeader) return;
      await this.sendTimer(timer);
      await this.d.timers.removeFired(timer);
      actorTimersFired.inc({ actor: timer.actor });
    }
  }

  private async sendTimer(timer: TimerDocument): Promise<void> {
    const id = `timer:${timer._id}:${timer.due}`;
    const data = timer.data === undefined || timer.data === null ? {} : { data: timer.data };
    await this.publishCommand({ id, actor: timer.actor, entity: timer.entity, name: timer.name, ...data }, 'timer');
  }

  private async fireCron(now: number): Promise<void> {
    for (const { actor, job } of this.d.cron) {
      const tick = latestTick(job, now);
      const name = `${actor}:${job.name}`;
      if ((this.lastTick.get(name) ?? -1) >= tick) continue;
      if (!this.isLeader) return;
      this.lastTick.set(name, tick);
      if ((job.missed ?? 'fire-latest') === 'skip' && now - tick > skipTolerance(job)) {
        actorCronTicks.inc({ actor, outcome: 'skipped' });
        this.d.logger.info({ actor, job: job.name, tick }, 'cron tick skipped (late, missed-tick policy skip)');
        continue;
      }
      const id = `cron:${actor}:${job.name}:${tick}`;
      const duplicate = await this.publishCommand({ id, actor, entity: job.entity, name: job.command, data: { job: job.name, tick } }, 'cron');
      actorCronTicks.inc({ actor, outcome: duplicate ? 'duplicate' : 'sent' });
    }
  }

  /** Publishes a command as the runtime (no user, no session); returns true when JetStream saw it before. */
  private async publishCommand(cmd: CommandToSend, origin: 'timer' | 'cron'): Promise<boolean> {
    const { duplicate } = await publishCommand(this.d.js, commandMessage(cmd, { kind: 'scheduler', origin, receivedAt: Date.now() }, this.d.partitions));
    return duplicate;
  }
}
