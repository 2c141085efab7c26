/**
 * Running one command of one entity against the entity's record as it
 * stands (the entity's take runs its commands one at a time, in stream
 * order; entityTake.ts), and saying what it produced — never writing,
 * publishing or acking itself:
 *
 *  - duplicate: its key is in `applied` (the stored result is returned, as
 *    an entry, to be sent again), or its stream sequence is at or below `lastSeq`;
 *  - applied: the route ran — attempts with timeout, cancel and backoff IN
 *    PLACE (the message is kept alive with in-progress acks, so a later
 *    command of the entity never overtakes an earlier one — a nak would
 *    let it) — and the record's next state, applied memory, lastSeq and
 *    the outbox entries it owes are returned.
 *
 * Throws PartitionLostError when the partition is lost while it runs.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { subjects, traceIdOf, type PushBody } from '../../protocol/index.js';
import {
  actorHandlerLatency, actorHandlersRunning, actorQueueWait, actorRedeliveries, actorRetries, lazyChild, natsHeadersOf,
} from '../../platform/index.js';
import type { Logger } from '../../platform/index.js';
import type { ActorDefinition, CommandContext, Decision, Route } from './actorDefinition.js';
import type { ActorSettings } from './actorSettings.js';
import { remember } from './appliedMemory.js';
import type { CommandEnvelope } from './commandEnvelope.js';
import { HandlerTimeoutError, PartitionLostError, classifyError } from './commandErrors.js';
import { committedEntries, pushHeaders, resultEntry, resultOf, type CommandOutcome } from './commandOutcome.js';
import type { ConcurrencyLimit } from './concurrencyLimit.js';
import type { EntityRecord } from './entityStore.js';
import type { OutboxEntry } from './outbox.js';
import { retryDelayMs, sleep } from './retryBackoff.js';
import { findRoute, invokeRoute } from './routeInvoker.js';

/** What a command runs under: its partition, and a signal that aborts when the partition is lost. */
export interface PartitionOwnership {
  readonly partition: number;
  readonly lost: AbortSignal;
}

/** The outcome label of a command (the `outcome` of switchyard_actor_commands_total). */
export type OutcomeLabel = 'ok' | 'error' | 'duplicate' | 'dead_lettered' | 'cancelled';

/** What running one command produced. */
export type CommandStep<S> =
  | { kind: 'duplicate'; entries: OutboxEntry[] }
  | { kind: 'applied'; record: EntityRecord<S>; entries: OutboxEntry[]; label: OutcomeLabel; deadLetter?: { reason: string; attempts: number } };

export interface CommandProcessorDeps<S, D> {
  actor: ActorDefinition<S, D>;
  deps: D;
  settings: ActorSettings;
  js: JetStreamClient;
  logger: Logger;
  /** Handler slots: this actor type's, then the worker's. */
  limits: readonly ConcurrencyLimit[];
}

const TOPIC = /^[a-z][a-z0-9_]*(\.[A-Za-z0-9_:@=+-]+){0,4}$/;
const DOMAIN_EVENT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,3}$/;

export class CommandProcessor<S, D> {
  constructor(private readonly d: CommandProcessorDeps<S, D>) {}

  /** The log of one command: carries its trace id, actor, entity, command id and key (made when a line is first written). */
  logOf(env: CommandEnvelope): Logger {
    return lazyChild(this.d.logger, () => ({ trace: traceIdOf(env.traceparent), actor: this.d.actor.name, entity: env.entity, command: env.body.id, key: env.key }));
  }

  /** Runs `env` against `record` (not changed); see the header. */
  async process(env: CommandEnvelope, record: EntityRecord<S>, own: PartitionOwnership): Promise<CommandStep<S>> {
    const { actor } = this.d;
    if (own.lost.aborted) throw new PartitionLostError(`partition ${own.partition} lost`);
    if (env.msg.info.deliveryCount > 1) actorRedeliveries.inc({ actor: actor.name });
    const seen = record.applied.find((a) => a.key === env.key);
    if (seen || env.seq <= record.lastSeq) {
      if (env.msg.info.deliveryCount === 1) actorRedeliveries.inc({ actor: actor.name });
      const resend = seen && resultEntry(env, seen.result, Date.now());
      return { kind: 'duplicate', entries: resend ? [resend] : [] };
    }
    const log = this.logOf(env);
    const outcome = await this.execute(env, record, own, log);
    const at = Date.now();
    const result = resultOf(env, outcome);
    const state = outcome.kind === 'ok' && outcome.decision.state !== undefined ? outcome.decision.state : record.state;
    const applied = remember(record.applied, env.key, result, this.d.settings.appliedMemory);
    const label: OutcomeLabel = outcome.kind === 'ok' ? 'ok' : outcome.kind === 'deadLettered' ? 'dead_lettered' : outcome.cancelled ? 'cancelled' : 'error';
    return {
      kind: 'applied',
      record: { ...record, state, applied, lastSeq: env.seq },
      entries: committedEntries(env, outcome, result, at),
      label,
      ...(outcome.kind === 'deadLettered' ? { deadLetter: { reason: outcome.reason, attempts: outcome.attempts } } : {}),
    };
  }

  /** Attempts of the route until a decision, a refusal, cancel, or the last attempt (dead letter). */
  private async execute(env: CommandEnvelope, record: EntityRecord<S>, own: PartitionOwnership, log: Logger): Promise<CommandOutcome<S>> {
    const { actor, settings } = this.d;
    const route = findRoute(actor, env.body.name);
    const timeoutMs = route?.options.timeoutMs ?? settings.timeoutMs;
    const maxAttempts = route?.options.maxAttempts ?? settings.maxAttempts;
    let reason = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (env.cancelled) return cancelledOutcome();
      try {
        const decision = await this.attempt(env, route, record, own, attempt, timeoutMs, log);
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
  private async attempt(env: CommandEnvelope, route: Route<S, D> | undefined, record: EntityRecord<S>, own: PartitionOwnership, attempt: number, timeoutMs: number, log: Logger): Promise<Decision<S>> {
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
          const body: PushBody = data === undefined ? { type: 'progress', id: env.body.id } : { type: 'progress', id: env.body.id, data };
          progress.push(this.d.js.publish(subjects.sessionPush(env.session), JSON.stringify(body), { msgID: `progress:${env.key}:${attempt}:${progressCount++}`, headers: natsHeadersOf(pushHeaders(env)) })
            .catch((err: unknown) => log.warn({ err }, 'progress publish failed')));
        },
        heartbeat: () => env.msg.working(),
      };
      const aborted = new Promise<never>((_, reject) => {
        if (abort.signal.aborted) reject(abort.signal.reason);
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      const decision = await Promise.race([invokeRoute(actor, route, structuredClone(record.state), env.body.data, ctx), aborted]);
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

