/**
 * Errors the SDK hands to applications: always a stable `code` from the
 * protocol's error table (protocol/README.md), a sentence, and whether
 * sending the same command again may succeed.
 */
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../protocol/errors.js';

export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** From the protocol's error table: may the same command (same id) succeed later? */
  readonly retryable: boolean;

  constructor(body: ErrorBody) {
    super(body.message);
    this.code = body.code;
    this.details = body.details;
    this.retryable = ERROR_CODES[body.code]?.retryable ?? false;
  }
}
