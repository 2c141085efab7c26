/**
 * Dead letters: a command that failed transiently on every attempt is
 * copied to `dlq.<actor>` (stream DLQ) with the original subject, headers
 * and body plus why and after how many attempts, as an outbox entry of the
 * same commit that records the DEAD_LETTERED result — so the DLQ copy and
 * the client's error result happen together, exactly once.
 * `npm run dlq` (actors/dlqCli.ts) lists, shows, replays and purges them.
 */
import { HEADERS, subjects } from '../../protocol/index.js';
import type { CommandEnvelope } from './commandEnvelope.js';
import type { PublishEntry } from './outbox.js';

/** Nats-Msg-Id prefix of DLQ entries: `dlq:<command key>`. */
export const DEAD_LETTER_ID_PREFIX = 'dlq:';

/** Original headers carried into the DLQ copy (and back on replay). */
export const CARRIED_HEADERS = [HEADERS.user, HEADERS.session, HEADERS.commandId, HEADERS.acceptedAt, HEADERS.traceparent, HEADERS.origin] as const;

export function deadLetterEntry(env: CommandEnvelope, reason: string, attempts: number, at: number): PublishEntry {
  const headers: Record<string, string> = {};
  for (const name of CARRIED_HEADERS) {
    const v = env.msg.headers?.get(name);
    if (v) headers[name] = v;
  }
  headers[HEADERS.deadLetterReason] = reason.slice(0, 1024);
  headers[HEADERS.deadLetterAttempts] = String(attempts);
  headers[HEADERS.deadLetterSubject] = env.msg.subject;
  headers[HEADERS.deadLetterAt] = String(at);
  return { kind: 'publish', id: `${DEAD_LETTER_ID_PREFIX}${env.key}`, subject: subjects.deadLetter(env.actor), body: JSON.stringify(env.body), headers, at };
}

/** The key a replay of the dead letter at DLQ sequence `dlqSeq` is published with: new, so the entity applies it. */
export function replayKey(deadLetterMsgId: string, dlqSeq: number): string {
  const original = deadLetterMsgId.startsWith(DEAD_LETTER_ID_PREFIX) ? deadLetterMsgId.slice(DEAD_LETTER_ID_PREFIX.length) : deadLetterMsgId;
  return `${original}:replay:${dlqSeq}`;
}
