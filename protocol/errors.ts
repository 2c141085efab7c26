/**
 * The one table of every error a client can see.
 *
 * A code is stable forever: clients branch on it. `wsClose` is the WebSocket
 * close code used when the error ends the connection (4000–4999 are ours,
 * 1xxx are the standard ones); `http` is the status of the HTTP API for the
 * same error; `retryable` tells a client whether sending the same command
 * again (same id) may succeed. Adding a code means adding a row here and a
 * line in protocol/README.md.
 */
export const ERROR_CODES = {
  AUTH_REQUIRED: { wsClose: 4401, http: 401, retryable: false, message: 'Send a hello frame with a token before anything else.' },
  AUTH_FAILED: { wsClose: 4401, http: 401, retryable: false, message: 'The token was not accepted (bad signature, wrong algorithm, expired or not yet valid, wrong issuer or audience).' },
  BAD_FRAME: { wsClose: 4400, http: 400, retryable: false, message: 'The frame is not valid JSON or has an unknown type.' },
  VALIDATION: { wsClose: 4400, http: 400, retryable: false, message: 'A field is missing or has the wrong type, length or format.' },
  FRAME_TOO_LARGE: { wsClose: 1009, http: 413, retryable: false, message: 'The frame is larger than the gateway accepts.' },
  RATE_LIMITED: { wsClose: 4429, http: 429, retryable: true, message: 'Too many commands; wait for the time in details.retryAfterMs and send again.' },
  LIMIT_EXCEEDED: { wsClose: 4429, http: 429, retryable: true, message: 'A per-connection limit was reached (subscriptions or commands in flight).' },
  TOO_MANY_CONNECTIONS: { wsClose: 4429, http: 429, retryable: true, message: 'Too many connections from your address at once (SY_MAX_CONNECTIONS_PER_IP); close one or try again later.' },
  REQUEST_TIMEOUT: { wsClose: 4408, http: 408, retryable: true, message: 'The request body did not arrive within the body timeout (SY_HTTP_BODY_TIMEOUT_MS); send the request again.' },
  FORBIDDEN: { wsClose: 4403, http: 403, retryable: false, message: 'The user may not do this.' },
  NOT_FOUND: { wsClose: 4404, http: 404, retryable: false, message: 'The thing asked for does not exist.' },
  METHOD_NOT_ALLOWED: { wsClose: 4405, http: 405, retryable: false, message: 'This path does not take that HTTP method; the Allow header lists the ones it takes.' },
  CONFLICT: { wsClose: 4409, http: 409, retryable: false, message: 'The request conflicts with the current state.' },
  CANCELLED: { wsClose: 4409, http: 409, retryable: false, message: 'The command was cancelled before it finished.' },
  SLOW_CONSUMER: { wsClose: 4008, http: 503, retryable: true, message: 'The connection could not keep up with its messages; reconnect and resume.' },
  SESSION_REPLACED: { wsClose: 4001, http: 409, retryable: false, message: 'The session was resumed on another connection.' },
  /** Reserved: not sent today (a peer that answers no ping is dropped by uWS without a close frame, 1006). */
  IDLE_TIMEOUT: { wsClose: 4408, http: 408, retryable: true, message: 'Nothing was received within the idle limit; reconnect and resume.' },
  DRAINING: { wsClose: 1012, http: 503, retryable: true, message: 'This node is shutting down; reconnect (to any node) and resume.' },
  UNAVAILABLE: { wsClose: 1013, http: 503, retryable: true, message: 'A backing service is unavailable; send the same command (same id) again.' },
  PAYMENT_DECLINED: { wsClose: 4402, http: 402, retryable: false, message: 'The payment was declined (card or payment method); details.declineCode says why when the issuer told us.' },
  WEBHOOK_SIGNATURE_INVALID: { wsClose: 4400, http: 400, retryable: false, message: 'The webhook signature did not verify (bad or missing signature, or a timestamp outside the tolerance); details.reason says which.' },
  VENDOR_REJECTED: { wsClose: 1011, http: 502, retryable: false, message: 'An external service (payments, notifications, AI) refused our credentials or configuration; an operator must fix it before this can succeed.' },
  DEAD_LETTERED: { wsClose: 1011, http: 500, retryable: false, message: 'The command failed on every attempt and was moved to the dead-letter queue.' },
  RESULT_NOT_KEPT: { wsClose: 1011, http: 410, retryable: false, message: 'The command was applied once already, but its result was too large to keep for a repeat; read the current state instead (details.bytes is its size).' },
  INTERNAL: { wsClose: 1011, http: 500, retryable: true, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { wsClose: number; http: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The error object carried in `rejected`, `result` (ok:false) and `error` frames. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * An error with a stable code. Use it everywhere a client may see the error;
 * `instanceof` does not survive a process boundary, the `code` does.
 */
export class SwitchyardError extends Error {
  override readonly name = 'SwitchyardError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** The body a client sees for any thrown value: codes pass through, anything else is INTERNAL without internals. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof SwitchyardError) return err.toBody();
  if (typeof err === 'object' && err !== null && isErrorCode((err as { code?: unknown }).code)) {
    const e = err as { code: ErrorCode; message?: unknown; details?: unknown };
    const body: ErrorBody = { code: e.code, message: typeof e.message === 'string' ? e.message : ERROR_CODES[e.code].message };
    if (typeof e.details === 'object' && e.details !== null) body.details = e.details as Record<string, unknown>;
    return body;
  }
  return { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.message };
}
