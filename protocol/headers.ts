/**
 * NATS message headers switchyard sets. Values are strings; times are
 * milliseconds since the Unix epoch with up to three decimals (µs), so that
 * processes on different hosts can compute latencies (clock skew applies).
 */
export const HEADERS = {
  /** JetStream de-duplication id: `<user token>:<client command id>` for commands. */
  msgId: 'Nats-Msg-Id',
  /** The authenticated user the gateway acted for. Actors trust this, never the payload. */
  user: 'Sy-User',
  /** The session that sent the command; results go to `out.s.<session>`. */
  session: 'Sy-Session',
  /** The client's command id (results carry it so the gateway needs no body parse). */
  commandId: 'Sy-Cmd',
  /** When the gateway received the frame, for queue-wait and end-to-end latency. */
  acceptedAt: 'Sy-Accepted-At',
  /** W3C trace context. */
  traceparent: 'traceparent',
  /** Added by JetStream republish: the OUT stream sequence = the client's `seq`. */
  streamSequence: 'Nats-Sequence',
  /** Added by JetStream republish: the original `out.` subject. */
  streamSubject: 'Nats-Subject',
  /** Added by JetStream republish: the sequence of the previous message stored under the same subject (0 for the first). */
  previousOnSubject: 'Nats-Last-Sequence',
  /** DLQ: why the command was dead-lettered and after how many attempts. */
  deadLetterReason: 'Sy-Dlq-Reason',
  deadLetterAttempts: 'Sy-Dlq-Attempts',
  /** DLQ: the subject the command was originally published to. */
  deadLetterSubject: 'Sy-Dlq-Subject',
  /** DLQ: when the command was dead-lettered (epoch ms). */
  deadLetterAt: 'Sy-Dlq-At',
  /**
   * Who sent a command when it was not a client: `timer` or `cron` (set by
   * the actor runtime's scheduler, and on system commands, see
   * systemCommands.ts; the gateway never sets it on a client's command, so a
   * client cannot pose as a timer). Absent = a client command.
   */
  origin: 'Sy-Origin',
} as const;

/** The de-duplication key of a command: the same for every retry of one client command. */
export function commandKey(userToken: string, commandId: string): string {
  return `${userToken}:${commandId}`;
}

/** The 32-hex trace id of a W3C `traceparent` (`00-<trace id>-<parent id>-<flags>`), or undefined when there is none. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  if (!traceparent) return undefined;
  const id = traceparent.split('-')[1];
  return id && id.length === 32 ? id : undefined;
}

/** Current time as epoch milliseconds with microsecond decimals. */
export function epochMillis(): number {
  return performance.timeOrigin + performance.now();
}
