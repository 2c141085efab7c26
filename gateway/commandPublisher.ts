/**
 * Makes a client command durable: publishes it to `cmd.<actor>.<partition>.<entity>`
 * on JetStream (pipelined, JetStreamAckWindow) and resolves only after the publish ack. The `Nats-Msg-Id`
 * is the user + client command id, so a retry within the duplicate window
 * is acknowledged again without a second command in the stream.
 */
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamAckWindow } from './jetStreamAckWindow.js';
import {
  HEADERS, SwitchyardError, commandKey, partitionOf, subjectToken, subjects, systemCommandHeaders, type CmdFrame, type CommandBody,
} from '../protocol/index.js';

export interface CommandOrigin {
  user: string;
  session: string;
  /** Epoch ms (µs decimals) when the gateway received the frame. */
  receivedAt: number;
  traceparent?: string | undefined;
}

/** A command switchyard sends itself (a verified webhook event), not a client. */
export interface SystemCommand {
  /** Command id and Nats-Msg-Id: the sender's own de-duplication key (e.g. a Stripe event id). */
  id: string;
  actor: string;
  entity: string;
  name: string;
  data?: unknown;
  /** `system:<what>`, sent as Sy-User. */
  sender: string;
  /** Epoch ms (µs decimals) when the gateway received it. */
  receivedAt: number;
  traceparent?: string | undefined;
}

export interface PublishedCommand {
  /** OUT-independent CMD stream sequence of the stored command. */
  streamSeq: number;
  /** True when JetStream recognised a retry of an already stored command. */
  duplicate: boolean;
}

export class CommandPublisher {
  private readonly window: JetStreamAckWindow;

  constructor(nc: NatsConnection, private readonly partitions: number, publishTimeoutMs = 5000) {
    this.window = new JetStreamAckWindow(nc, publishTimeoutMs);
  }

  /** Fails publishes still waiting for their ack (call after the intake drained). */
  close(): void {
    this.window.close();
  }

  /** Resolves after the JetStream ack; rejects with UNAVAILABLE when the command may not be durable. */
  async publish(cmd: Pick<CmdFrame, 'id' | 'actor' | 'entity' | 'name' | 'data'>, origin: CommandOrigin): Promise<PublishedCommand> {
    const h = natsHeaders();
    h.set(HEADERS.user, origin.user);
    h.set(HEADERS.session, origin.session);
    h.set(HEADERS.commandId, cmd.id);
    h.set(HEADERS.acceptedAt, origin.receivedAt.toFixed(3));
    if (origin.traceparent) h.set(HEADERS.traceparent, origin.traceparent);
    return this.send(cmd, commandKey(subjectToken(origin.user), cmd.id), h);
  }

  /**
   * Publishes a system command (protocol/systemCommands.ts): from a system
   * sender, without a session, with `cmd.id` as its Nats-Msg-Id — the
   * sender's own de-duplication key (a Stripe event id). Resolves after the
   * JetStream ack, like publish().
   */
  async publishSystem(cmd: SystemCommand): Promise<PublishedCommand> {
    const h = natsHeaders();
    for (const [name, value] of Object.entries(systemCommandHeaders(cmd.sender, cmd.receivedAt, cmd.traceparent))) h.set(name, value);
    h.set(HEADERS.commandId, cmd.id);
    return this.send(cmd, cmd.id, h);
  }

  private async send(cmd: Pick<CmdFrame, 'id' | 'actor' | 'entity' | 'name' | 'data'>, msgID: string, h: MsgHdrs): Promise<PublishedCommand> {
    h.set(HEADERS.msgId, msgID);
    const body: CommandBody = cmd.data === undefined ? { id: cmd.id, name: cmd.name } : { id: cmd.id, name: cmd.name, data: cmd.data };
    const subject = subjects.command(cmd.actor, partitionOf(cmd.entity, this.partitions), cmd.entity);
    try {
      const ack = await this.window.publish(subject, JSON.stringify(body), h);
      return { streamSeq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      throw new SwitchyardError('UNAVAILABLE', 'The command could not be made durable; send it again with the same id.', { cause: err });
    }
  }
}
