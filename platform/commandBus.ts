/**
 * Sending a command (protocol/commandMessage.ts builds it) on JetStream: one
 * publish, resolved with the CMD stream's ack. Publishers that pipeline many
 * commands (the gateway's JetStreamAckWindow) send the same message through
 * their window instead, with `natsHeadersOf`.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { CommandMessage } from '../protocol/index.js';

/** NATS headers holding `record`'s names and values. */
export function natsHeadersOf(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const name in record) h.set(name, record[name]!);
  return h;
}

/** Publishes `message` and resolves with its CMD sequence; `duplicate`: JetStream had its Nats-Msg-Id already (within the duplicate window). */
export async function publishCommand(js: JetStreamClient, message: CommandMessage): Promise<{ seq: number; duplicate: boolean }> {
  const ack = await js.publish(message.subject, message.body, { msgID: message.msgId, headers: natsHeadersOf(message.headers) });
  return { seq: ack.seq, duplicate: ack.duplicate };
}
