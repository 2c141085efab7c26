/**
 * Processing one command of one entity (called by the entity's mailbox, so
 * never concurrently for one entity on this worker):
 *
 *  1. activate the entity: cached record or load; publish a pending outbox first;
 *  2. de-duplicate: a key in `applied` → publish the stored result again, ack;
 *     a stream sequence at or below `lastSeq` → handled already, ack;
 *  3. run the route: attempts with timeout, cancel and backoff IN PLACE
 *     (the mailbox waits and the message is kept alive with in-progress acks,
 *     so a later command of the entity never overtakes an earlier one — a nak
 *     would let it);
 *  4. commit state + applied + lastSeq + outbox in ONE conditional write
 *     with this worker's fencing token;
 *  5. publish the outbox, then ack; the published entries are dropped from
 *     the document by the next commit, or by `settle` once the entity is idle.
 *
 * Losing the partition at any point leaves the message unacked for the
 * next owner; a commit refused for a stale fence means this worker is a
 * zombie and the partition is given up.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { subjects, type PushBody } from '../../protocol/index.js';
import {
  actorCommands, actorDeadLetters, actorHandlerLatency, actorHandlersRunning, actorQueueWait, actorRedeliveries, actorRetries, actorStaleWrites,
} from '../../platform/index.js';
import type { Logger } from '../../platform/index.js';
import type { ActorDefinition, CommandContext, Decision } from './actorDefinition.js';
import type { ActorSettings } from './actorSettings.js';
import { traceIdOf, type CommandEnvelope } from './commandEnvelope.js';
import { HandlerTimeoutError, PartitionLostError, StaleWriteError, classifyError } from './commandErrors.js';
import { outboxEntries, pushHeaders, resultOf, type CommandOutcome } from './commandOutcome.js';
import type { ConcurrencyLimit } from './concurrencyLimit.js';
import type { EntityCache } from './entityCache.js';
import type { EntityRecord, EntityStore } from './entityStore.js';
import type { HeldLease } from './fencedLeases.js';
import type { OutboxRelay } from './outboxRelay.js';
import { retryDelayMs, sleep } from './retryBackoff.js';
import { invokeRoute } from './routeInvoker.js';

/** What a partition owner hands the processor: its lease (token) and a signal that aborts when the partition is lost. */
export interface PartitionOwnership {
  readonly partition: number;
  readonly lease: HeldLease;
  readonly lost: AbortSignal;
  /** Called when a commit shows a newer owner: this worker must stop acting for the partition. */
  fenced(): void;
  /** Acks a finished command. */
  ack(env: CommandEnvelope): void;
  /** Resolves when the lease is good for a commit (renewing it if need be); throws PartitionLostError otherwise. */
  ensureLease(): Promise<void>;
}

export interface CommandProcessorDeps<S, D> {
  actor: ActorDefinition<S, D>;
  deps: D;
  settings: ActorSettings;
  store: EntityStore<S>;
  cache: EntityCache;
  relay: OutboxRelay;
  js: JetStreamClient;
  logger: Logger;
  /** Handler slots: this actor type's, then the worker's. */
  limits: readonly ConcurrencyLimit[];
}

const TOPIC = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_:@=+-]+){0,4}$/;
const DOMAIN_EVENT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,3}$/;

export class CommandProcessor<S, D> {
  constructor(private readonly d: CommandProcessorDeps<S, D>) {}

  /** Processes `env` to the end (acked) or throws (not acked: infrastructure failure or partition lost). */
  async process(env: CommandEnvelope, own: PartitionOwnership): Promise<void> {
    const { actor, store, cache, relay } = this.d;
    const log = this.d.logger.child({ trace: traceIdOf(env.traceparent), actor: actor.name, entity: env.entity, command: env.body.id, key: env.key });
    if (env.msg.info.deliveryCount > 1) actorRedeliveries.inc({ actor: actor.name });
    for (let conflicts = 0; ; conflicts++) {
      if (own.lost.aborted) throw new PartitionLostError(`partition ${own.partition} lost`);
      let record = await this.activate(env.entity);

      const seen = record.applied.find((a) => a.key === env.key);
      if (seen || env.seq <= record.lastSeq) {
        if (env.msg.info.deliveryCount === 1) actorRedeliveries.inc({ actor: actor.name });
        actorCommands.inc({ actor: actor.name, outcome: 'duplicate' });
        if (seen) await this.resendResult(env, seen.result);
        log.debug({ seq: env.seq, lastSeq: record.lastSeq }, 'command already applied; stored result sent again');
        own.ack(env);
        return;
      }

      const outcome = await this.execute(env, record, own, log);
      const at = Date.now();
      const result = resultOf(env, outcome);
      const nextState = outcome.kind === 'ok' && outcome.decision.state !== undefined ? outcome.decision.state : record.state;
      const applied = [...record.applied, { key: env.key, result }];
      if (applied.length > this.d.settings.appliedMemory) applied.splice(0, applied.length - this.d.settings.appliedMemory);
      // record.outbox is empty here (activation published it); published entries still stored are replaced.
      const outbox = [...record.outbox, ...outboxEntries(env, outcome, result, at)];

      await own.ensureLease();
      try {
        record = await store.commit(record, own.lease.token, { state: nextState, lastSeq: env.seq, applied, outbox });
      } catch (err) {
        if (!(err instanceof StaleWriteError)) throw err;
        actorStaleWrites.inc({ actor: actor.name });
        cache.delete(env.entity);
        const current = await store.load(env.entity);
        if (current.fence > own.lease.token) {
          log.warn({ token: own.lease.token, fence: current.fence }, 'commit refused: a newer owner holds this partition (stale fencing token); giving it up');
          own.fenced();
          throw new PartitionLostError(`partition ${own.partition} is fenced by token ${current.fence}`, { cause: err });
        }
        if (conflicts >= 3) throw err;
        log.warn({ version: record.version, current: current.version }, 'commit refused: the entity changed concurrently; processing again');
        continue;
      }
      cache.set(record);
      record = await relay.relay(record);
      cache.set(record);
      own.ack(env);
      const outcomeLabel = outcome.kind === 'ok' ? 'ok' : outcome.kind === 'deadLettered' ? 'dead_lettered' : outcome.cancelled ? 'cancelled' : 'error';
      actorCommands.inc({ actor: actor.name, outcome: outcomeLabel });
      log.debug({ version: record.version, outcome: outcomeLabel }, 'command committed and results published');
      if (outcome.kind === 'deadLettered') actorDeadLetters.inc({ actor: actor.name });
      if (outcome.kind === 'deadLettered') log.error({ reason: outcome.reason, attempts: outcome.attempts }, 'command dead-lettered');
      return;
    }
  }

  /** The entity's record, with any outbox left by an earlier crash (or failed publish) published first. */
  private async activate(entity: string): Promise<EntityRecord<S>> {
    let record = this.d.cache.get<S>(entity) ?? await this.d.store.load(entity);
    if (record.outbox.length > 0) {
      record = await this.d.relay.relay(record);
      this.d.cache.set(record);
      record = await this.d.relay.settle(this.d.store, record);
    }
    this.d.cache.set(record);
    return record;
  }

  /**
   * Drops already published entries from an idle entity's document (one
   * conditional write). Run through the entity's mailbox shortly after it
   * empties, and before a graceful hand-off (when nothing else runs).
   */
  needsSettle(entity: string): boolean {
    return this.d.cache.peek<S>(entity)?.storedOutbox === true;
  }

  async settle(entity: string): Promise<void> {
    const record = this.d.cache.peek<S>(entity);
    if (!record?.storedOutbox) return;
    const settled = await this.d.relay.settle(this.d.store, record);
    if (this.d.cache.peek(entity) === record) this.d.cache.set(settled);
  }

  private async resendResult(env: CommandEnvelope, result: PushBody): Promise<void> {
    if (env.origin !== 'client' || !env.session) return;
    const h = natsHeaders();
    for (const [k, v] of Object.entries(pushHeaders(env))) h.set(k, v);
    await this.d.js.publish(subjects.sessionPush(env.session), JSON.stringify(result), { msgID: `result:${env.key}`, headers: h });
  }

  /** Attempts of the route until a decision, a refusal, cancel, or the last attempt (dead letter). */
  private async execute(env: CommandEnvelope, record: EntityRecord<S>, own: PartitionOwnership, log: Logger): Promise<CommandOutcome<S>> {
    const { actor, settings } = this.d;
    const route = Object.hasOwn(actor.router, env.body.name) ? actor.router[env.body.name] : undefined;
    const timeoutMs = route?.options.timeoutMs ?? settings.timeoutMs;
    const maxAttempts = route?.options.maxAttempts ?? settings.maxAttempts;
    let reason = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (env.cancelled) return cancelledOutcome();
      try {
        const decision = await this.attempt(env, record, own, attempt, timeoutMs, log);
        return { kind: 'ok', decision };
      } catch (err) {
        if (own.lost.aborted) throw new PartitionLostError(`partition ${own.partition} lost during the handler`, { cause: err });
        if (env.cancelled) return cancelledOutcome();
        const classified = classifyError(err);
        if (classified.kind === 'business') return { kind: 'refused', error: classified.error };
        reason = classified.reason;
        if (attempt === maxAttempts) break;
        actorRetries.inc({ actor: actor.name });
        const delay = retryDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs);
        log.warn({ err, attempt, maxAttempts, retryInMs: delay }, 'command failed; retrying in place');
        const wait = new AbortController();
        env.abort = (why) => wait.abort(why);
        const onLost = () => wait.abort(own.lost.reason);
        own.lost.addEventListener('abort', onLost, { once: true });
        try {
          await sleep(delay, wait.signal);
        } catch {
          if (own.lost.aborted) throw new PartitionLostError(`partition ${own.partition} lost during a retry wait`);
          return cancelledOutcome();
        } finally {
          env.abort = undefined;
          own.lost.removeEventListener('abort', onLost);
        }
      }
    }
    return { kind: 'deadLettered', reason, attempts: maxAttempts };
  }

  /** One attempt: handler slots, timeout, cancel and partition-loss abort, progress flushed before returning. */
  private async attempt(env: CommandEnvelope, record: EntityRecord<S>, own: PartitionOwnership, attempt: number, timeoutMs: number, log: Logger): Promise<Decision<S>> {
    const { actor, limits } = this.d;
    for (const limit of limits) await limit.acquire();
    const abort = new AbortController();
    env.abort = (why) => abort.abort(why);
    const onLost = () => abort.abort(own.lost.reason ?? new PartitionLostError('partition lost'));
    own.lost.addEventListener('abort', onLost, { once: true });
    const timer = setTimeout(() => abort.abort(new HandlerTimeoutError(timeoutMs)), timeoutMs);
    const progress: Array<Promise<unknown>> = [];
    let progressCount = 0;
    const started = Date.now();
    if (attempt === 1 && env.acceptedAt !== undefined && env.msg.info.deliveryCount === 1) {
      actorQueueWait.observe({ actor: actor.name }, Math.max(0, started - env.acceptedAt) / 1000);
    }
    actorHandlersRunning.inc({ actor: actor.name });
    try {
      if (own.lost.aborted) throw own.lost.reason;
      const ctx: CommandContext<D> = {
        actor: actor.name, entity: env.entity, user: env.user, session: env.session, commandId: env.body.id, name: env.body.name,
        key: env.key, origin: env.origin, attempt, now: started, signal: abort.signal, log, deps: this.d.deps,
        progress: (data) => {
          if (env.origin !== 'client' || !env.session || abort.signal.aborted) return;
          const h = natsHeaders();
          for (const [k, v] of Object.entries(pushHeaders(env))) h.set(k, v);
          const body: PushBody = data === undefined ? { type: 'progress', id: env.body.id } : { type: 'progress', id: env.body.id, data };
          progress.push(this.d.js.publish(subjects.sessionPush(env.session), JSON.stringify(body), { msgID: `progress:${env.key}:${attempt}:${progressCount++}`, headers: h })
            .catch((err: unknown) => log.warn({ err }, 'progress publish failed')));
        },
        heartbeat: () => env.msg.working(),
      };
      const aborted = new Promise<never>((_, reject) => {
        if (abort.signal.aborted) reject(abort.signal.reason);
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      const decision = await Promise.race([invokeRoute(actor, structuredClone(record.state), env.body.data, ctx), aborted]);
      checkDecision(decision);
      await Promise.all(progress);
      actorHandlerLatency.observe({ actor: actor.name }, (Date.now() - started) / 1000);
      return decision;
    } finally {
      clearTimeout(timer);
      env.abort = undefined;
      own.lost.removeEventListener('abort', onLost);
      actorHandlersRunning.dec({ actor: actor.name });
      for (const limit of [...limits].reverse()) limit.release();
    }
  }
}

function cancelledOutcome(): CommandOutcome<never> {
  return { kind: 'refused', cancelled: true, error: { code: 'CANCELLED', message: 'The command was cancelled before it finished.' } };
}

/** A decision that could never be published is a handler bug: fail the attempt (transient → retried → DLQ) rather than commit it. */
function checkDecision(decision: unknown): asserts decision is Decision<unknown> {
  if (typeof decision !== 'object' || decision === null) throw new TypeError('a controller must return a Decision object');
  const d = decision as Decision<unknown>;
  for (const e of d.events ?? []) {
    if (!TOPIC.test(e.topic) || typeof e.name !== 'string' || e.name === '') throw new TypeError(`invalid topic event ${JSON.stringify({ topic: e.topic, name: e.name })}`);
  }
  for (const e of d.domainEvents ?? []) {
    if (!DOMAIN_EVENT.test(e.name)) throw new TypeError(`invalid domain event name ${JSON.stringify(e.name)}`);
  }
  for (const t of d.setTimers ?? []) {
    if (typeof t.key !== 'string' || t.key === '' || typeof t.name !== 'string' || (t.at === undefined && t.afterMs === undefined)) {
      throw new TypeError(`invalid timer ${JSON.stringify(t)}: needs key, name and at or afterMs`);
    }
  }
}

