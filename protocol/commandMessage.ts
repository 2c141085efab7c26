/**
 * How a command is put on NATS, in one place: its subject
 * (`cmd.<actor>.<partition>.<entity>`), its body, its headers and its
 * `Nats-Msg-Id` (the JetStream de-duplication key), for each kind of sender.
 * Every publisher (the gateway, the scheduler, system senders, the test
 * driver) builds its message here and only chooses how to send it;
 * `parseCommand` in the actor runtime reads what this writes.
 *
 * - a client (through the gateway): `Sy-User` + `Sy-Session`, key
 *   `<user token>:<command id>` (commandKey), so a client's retries collapse;
 * - a system sender (systemCommands.ts): `Sy-User = system:<what>`, origin
 *   `cron`, no session, key = the command id (the sender's own
 *   de-duplication key, e.g. a Stripe event id);
 * - the runtime's scheduler: origin `timer` or `cron`, no user, key = the
 *   command id (`timer:<…>:<due>`, `cron:<…>:<tick>`).
 */
import { HEADERS, commandKey } from './headers.js';
import type { CommandBody } from './messages.js';
import { partitionOf, subjectToken, subjects } from './subjects.js';
import { SYSTEM_COMMAND_ORIGIN, SYSTEM_SENDER_PREFIX } from './systemCommands.js';

export type CommandSender =
  | { kind: 'client'; user: string; session: string; receivedAt: number; traceparent?: string }
  | { kind: 'system'; sender: string; receivedAt: number; traceparent?: string }
  | { kind: 'scheduler'; origin: 'timer' | 'cron'; receivedAt: number };

/** What a command addresses and carries (the CmdFrame's fields without its frame type). */
export interface CommandToSend {
  id: string;
  actor: string;
  entity: string;
  name: string;
  data?: unknown;
}

export interface CommandMessage {
  subject: string;
  /** The JSON body (CommandBody). */
  body: string;
  headers: Record<string, string>;
  /** Nats-Msg-Id; also in `headers`. */
  msgId: string;
}

/** The message that carries `cmd` from `from`; `partitions` is the CMD stream's partition count. */
export function commandMessage(cmd: CommandToSend, from: CommandSender, partitions: number): CommandMessage {
  const headers: Record<string, string> = { [HEADERS.commandId]: cmd.id, [HEADERS.acceptedAt]: from.receivedAt.toFixed(3) };
  let msgId: string;
  switch (from.kind) {
    case 'client':
      headers[HEADERS.user] = from.user;
      headers[HEADERS.session] = from.session;
      msgId = commandKey(subjectToken(from.user), cmd.id);
      break;
    case 'system':
      if (!from.sender.startsWith(SYSTEM_SENDER_PREFIX)) throw new Error(`a system sender starts with ${SYSTEM_SENDER_PREFIX}: ${from.sender}`);
      headers[HEADERS.user] = from.sender;
      headers[HEADERS.origin] = SYSTEM_COMMAND_ORIGIN;
      msgId = cmd.id;
      break;
    case 'scheduler':
      headers[HEADERS.origin] = from.origin;
      msgId = cmd.id;
      break;
  }
  if ('traceparent' in from && from.traceparent) headers[HEADERS.traceparent] = from.traceparent;
  headers[HEADERS.msgId] = msgId;
  const body: CommandBody = cmd.data === undefined ? { id: cmd.id, name: cmd.name } : { id: cmd.id, name: cmd.name, data: cmd.data };
  return { subject: subjects.command(cmd.actor, partitionOf(cmd.entity, partitions), cmd.entity), body: JSON.stringify(body), headers, msgId };
}
