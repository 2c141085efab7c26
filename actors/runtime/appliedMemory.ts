/**
 * The entity's applied memory (guarantee 8): the keys of its most recent
 * commands with the result each one's sender got, so a command published
 * again is answered with its stored result instead of being applied again.
 * Bounded in count (SY_ACTOR_APPLIED_MEMORY, oldest dropped) and in bytes:
 * a result larger than STORED_RESULT_MAX_BYTES is kept as a RESULT_NOT_KEPT
 * refusal — a repeat learns the command was applied, and how large the
 * answer was; the first delivery got the result in full (from the outbox).
 */
import type { PushBody } from '../../protocol/index.js';
import type { AppliedCommand } from './entityStore.js';

/** Largest result (JSON, UTF-8 bytes) kept for a repeat. */
export const STORED_RESULT_MAX_BYTES = 4096;

/** `applied` with `key` → `result` added (size-capped), keeping the newest `max`. */
export function remember(applied: readonly AppliedCommand[], key: string, result: PushBody, max: number): AppliedCommand[] {
  const next = [...applied, { key, result: storedResult(result) }];
  if (next.length > max) next.splice(0, next.length - max);
  return next;
}

function storedResult(result: PushBody): PushBody {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes <= STORED_RESULT_MAX_BYTES || result.type !== 'result') return result;
  return {
    type: 'result', id: result.id, ok: false,
    error: { code: 'RESULT_NOT_KEPT', message: 'The command was applied once already, but its result was too large to keep for a repeat; read the current state instead.', details: { bytes } },
  };
}
