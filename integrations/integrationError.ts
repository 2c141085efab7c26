/**
 * The one error type every integration throws.
 *
 * `code` is a switchyard error code (protocol/errors.ts), so `toErrorBody`
 * turns it into what a client sees without further mapping. `transient` is
 * the code's `retryable` flag: true means the same call may succeed later
 * (the actor runtime retries it with backoff, then dead-letters it), false
 * means retrying cannot help (a business or validation result, or a
 * configuration problem an operator must fix). The message is safe to show
 * to a client; the vendor's own error stays in `cause` for logs.
 */
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../protocol/index.js';

/** The external services behind integrations/. */
export type Vendor = 'stripe' | 'discord' | 'ai' | 'crypto';

export class IntegrationError extends Error {
  override readonly name = 'IntegrationError';
  readonly code: ErrorCode;
  readonly vendor: Vendor;
  /** True when the same call may succeed later; from ERROR_CODES[code].retryable. */
  readonly transient: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(vendor: Vendor, code: ErrorCode, message?: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.vendor = vendor;
    this.code = code;
    this.transient = ERROR_CODES[code].retryable;
    this.details = options?.details;
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
