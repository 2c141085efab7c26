/**
 * W3C trace context for commands: every command carries a `traceparent`
 * (the client's, or one the gateway starts), the actor copies it onto the
 * result, and log lines about the command carry its trace id as `trace`
 * (`traceIdOf`, protocol/headers.ts).
 */
import { randomBytes } from 'node:crypto';

/** A new sampled `traceparent`: version 00, random trace id and parent id. */
export function newTraceparent(): string {
  const bytes = randomBytes(24);
  return `00-${bytes.toString('hex', 0, 16)}-${bytes.toString('hex', 16, 24)}-01`;
}
