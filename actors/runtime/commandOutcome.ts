/**
 * What processing one command produced, and the outbox entries it owes:
 * the result for the sender, topic events, domain events, timer changes and,
 * for a dead letter, the DLQ copy. Entry ids are stable per command key, so
 * publishing an entry again is recognised as a duplicate downstream.
 */
import {
  HEADERS, subjects, type DomainEventBody, type ErrorBody, type PushBody,
} from '../../protocol/index.js';
import type { Decision } from './actorDefinition.js';
import type { CommandEnvelope } from './commandEnvelope.js';
import type { OutboxEntry } from './outbox.js';
import { deadLetterEntry } from './deadLetters.js';

export type CommandOutcome<S> =
  | { kind: 'ok'; decision: Decision<S> }
  | { kind: 'refused'; error: ErrorBody; cancelled?: boolean }
  | { kind: 'deadLettered'; reason: string; attempts: number };

export function resultOf(env: CommandEnvelope, outcome: CommandOutcome<unknown>): PushBody {
  const id = env.body.id;
  switch (outcome.kind) {
    case 'ok':
      return outcome.decision.result === undefined ? { type: 'result', id, ok: true } : { type: 'result', id, ok: true, data: outcome.decision.result };
    case 'refused':
      return { type: 'result', id, ok: false, error: outcome.error };
    case 'deadLettered':
      return {
        type: 'result', id, ok: false,
        error: { code: 'DEAD_LETTERED', message: `The command failed on all ${outcome.attempts} attempts and was moved to the dead-letter queue.`, details: { attempts: outcome.attempts } },
      };
  }
}

/** Headers of every push about a command: the client command id, accepted-at and the trace context. */
export function pushHeaders(env: CommandEnvelope): Record<string, string> {
  const h: Record<string, string> = { [HEADERS.commandId]: env.body.id };
  if (env.acceptedAt !== undefined) h[HEADERS.acceptedAt] = env.msg.headers?.get(HEADERS.acceptedAt) ?? String(env.acceptedAt);
  if (env.traceparent) h[HEADERS.traceparent] = env.traceparent;
  return h;
}

/** The push of a result to the sender's session, or undefined when nobody waits for it (timers, cron). */
export function resultEntry(env: CommandEnvelope, result: PushBody, at: number): OutboxEntry | undefined {
  if (env.origin !== 'client' || !env.session) return undefined;
  return { kind: 'publish', id: `result:${env.key}`, subject: subjects.sessionPush(env.session), body: JSON.stringify(result), headers: pushHeaders(env), at };
}

function outboxEntries(env: CommandEnvelope, outcome: CommandOutcome<unknown>, result: PushBody, at: number): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  const resultPush = resultEntry(env, result, at);
  if (resultPush) entries.push(resultPush);
  if (outcome.kind === 'deadLettered') entries.push(deadLetterEntry(env, outcome.reason, outcome.attempts, at));
  if (outcome.kind !== 'ok') return entries;
  const d = outcome.decision;
  (d.events ?? []).forEach((e, i) => {
    const body: PushBody = e.data === undefined ? { type: 'event', topic: e.topic, name: e.name } : { type: 'event', topic: e.topic, name: e.name, data: e.data };
    const headers: Record<string, string> = env.traceparent ? { [HEADERS.traceparent]: env.traceparent } : {};
    entries.push({ kind: 'publish', id: `${env.key}:t${i}`, subject: subjects.topicPush(e.topic), body: JSON.stringify(body), headers, at });
  });
  (d.domainEvents ?? []).forEach((e, i) => {
    const id = `${env.actor}:${env.entity}:${env.key}:e${i}`;
    const body: DomainEventBody = { id, actor: env.actor, entity: env.entity, name: e.name, at, ...(e.data === undefined ? {} : { data: e.data }) };
    const headers: Record<string, string> = env.traceparent ? { [HEADERS.traceparent]: env.traceparent } : {};
    entries.push({ kind: 'publish', id, subject: subjects.event(env.actor, e.name), body: JSON.stringify(body), headers, at });
  });
  (d.setTimers ?? []).forEach((t, i) => {
    const due = t.at ?? at + (t.afterMs ?? 0);
    entries.push({ kind: 'timer.set', id: `${env.key}:ts${i}`, at, timer: t.data === undefined ? { key: t.key, name: t.name, due } : { key: t.key, name: t.name, due, data: t.data } });
  });
  (d.cancelTimers ?? []).forEach((key, i) => entries.push({ kind: 'timer.cancel', id: `${env.key}:tc${i}`, at, key }));
  return entries;
}

/** What the commit of `env` owes: outboxEntries, each marked with the command's stream sequence (owed while it is in CMD; outbox.ts). */
export function committedEntries(env: CommandEnvelope, outcome: CommandOutcome<unknown>, result: PushBody, at: number): OutboxEntry[] {
  return outboxEntries(env, outcome, result, at).map((e) => ({ ...e, seq: env.seq }));
}
