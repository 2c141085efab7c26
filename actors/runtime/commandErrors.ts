/**
 * How the runtime classifies what a handler throws (ARCHITECTURE guarantee 10).
 * One rule for every feature and vendor, so no feature wraps errors itself:
 *
 * - transient: an error marked retryable — `transient: true` (a
 *   TransientError, an IntegrationError of a retryable code: rate limit, 5xx,
 *   network, timeout) or `retryable: true` — or anything without a code of
 *   protocol/errors.ts (a driver error, a bug) → retried in place with
 *   backoff; after the last attempt the command is dead-lettered and the
 *   sender gets DEAD_LETTERED;
 * - business (terminal): any other error carrying a code of protocol/errors.ts
 *   (a BusinessError = SwitchyardError, a final IntegrationError) → an ok:false
 *   result with that code and its details, committed like any result, acked,
 *   never retried.
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
  readonly transient = true;

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
  /** The fencing token the document holds (0 when unknown or no document): above the writer's token = the writer is a zombie. */
  readonly fence: number;

  constructor(message: string, options: { fence?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fence = options.fence ?? 0;
  }
}

export type Classified =
  | { kind: 'business'; error: ErrorBody }
  | { kind: 'transient'; reason: string };

/** True when the error says the same attempt may succeed later (`transient: true` or `retryable: true`). */
export function isMarkedRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const marks = err as { transient?: unknown; retryable?: unknown };
  return marks.transient === true || marks.retryable === true;
}

export function classifyError(err: unknown): Classified {
  if (err instanceof TransientError) return { kind: 'transient', reason: err.message };
  if (!isMarkedRetryable(err)) {
    if (err instanceof SwitchyardError) return { kind: 'business', error: err.toBody() };
    if (typeof err === 'object' && err !== null && isErrorCode((err as { code?: unknown }).code)) return { kind: 'business', error: toErrorBody(err) };
  }
  return { kind: 'transient', reason: describeFailure(err) };
}

/** The DLQ/log reason of a retried failure: `<vendor> <code>: <message>` when the error says so much. */
function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { vendor, code } = err as { vendor?: unknown; code?: unknown };
  const origin = [typeof vendor === 'string' ? vendor : err.name, typeof code === 'string' ? code : undefined].filter(Boolean).join(' ');
  return `${origin}: ${err.message}`;
}
