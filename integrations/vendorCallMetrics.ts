/**
 * Counts and times every call to an external service (metrics in
 * integrations/metrics.ts). `operation` values are fixed names per vendor, so the
 * label sets stay bounded.
 */
import { isErrorCode } from '../protocol/index.js';
import { integrationCallDuration, integrationCalls, integrationRetries } from './metrics.js';
import type { Vendor } from './integrationError.js';

/** Why a request was sent again. */
export type RetryReason = 'rate_limited' | 'server_error' | 'network' | 'timeout';

/** One call in progress; exactly one of `succeeded`/`failed` ends it. */
export interface VendorCallTimer {
  succeeded(): void;
  failed(err: unknown): void;
}

/** For calls that are not one promise (streams): start here, end with succeeded() or failed(). */
export function startVendorCall(vendor: Vendor, operation: string): VendorCallTimer {
  const stopTimer = integrationCallDuration.startTimer({ vendor, operation });
  let ended = false;
  const end = (outcome: string) => {
    if (ended) return;
    ended = true;
    stopTimer();
    integrationCalls.inc({ vendor, operation, outcome });
  };
  return {
    succeeded: () => end('ok'),
    failed: (err) => {
      const code = (err as { code?: unknown } | null)?.code;
      end(isErrorCode(code) ? code : 'INTERNAL');
    },
  };
}

/** Runs `call`, recording its duration and outcome (`ok` or the error's code). */
export async function measureVendorCall<T>(vendor: Vendor, operation: string, call: () => Promise<T>): Promise<T> {
  const timer = startVendorCall(vendor, operation);
  try {
    const result = await call();
    timer.succeeded();
    return result;
  } catch (err) {
    timer.failed(err);
    throw err;
  }
}

export function countVendorRetry(vendor: Vendor, reason: RetryReason): void {
  integrationRetries.inc({ vendor, reason });
}
