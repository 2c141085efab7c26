/**
 * How the runtime classifies what a handler throws (ARCHITECTURE guarantee 10):
 *
 * - business: a BusinessError (= SwitchyardError), or any error carrying a
 *   code of protocol/errors.ts → an ok:false result with
 *   that code, committed like any result, acked, never retried;
 * - transient: a TransientError or anything without a code (a driver error,
 *   a timeout, a bug) → retried in place with backoff; after the last
 *   attempt the command is dead-lettered and the sender gets DEAD_LETTERED.
 */
import { SwitchyardError, isErrorCode, toErrorBody, type ErrorBody } from '../../protocol/index.js';

/**
 * A refusal the client should see (an ok:false result with its code), never
 * retried: the protocol's SwitchyardError, under the name feature code reads best.
 */
export { SwitchyardError as BusinessError };

/** A failure worth retrying (a dependency was unavailable, a call timed out). */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  readonly code = 'TRANSIENT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The handler ran longer than its timeout (a transient failure). */
export class HandlerTimeoutError extends TransientError {
  constructor(readonly timeoutMs: number) {
    super(`the handler did not finish within ${timeoutMs} ms`);
  }
}

/** This worker no longer owns the command's partition; the command is left to the new owner (not acked). */
export class PartitionLostError extends Error {
  override readonly name = 'PartitionLostError';
  readonly code = 'PARTITION_LOST';
}

/** A commit lost against a newer version or a newer fencing token (a concurrent or newer owner). */
export class StaleWriteError extends Error {
  override readonly name = 'StaleWriteError';
  readonly code = 'STALE_WRITE';
}

export type Classified =
  | { kind: 'business'; error: ErrorBody }
  | { kind: 'transient'; reason: string };

export function classifyError(err: unknown): Classified {
  if (err instanceof TransientError) return { kind: 'transient', reason: err.message };
  if (err instanceof SwitchyardError) return { kind: 'business', error: err.toBody() };
  if (typeof err === 'object' && err !== null && isErrorCode((err as { code?: unknown }).code)) return { kind: 'business', error: toErrorBody(err) };
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { kind: 'transient', reason };
}
