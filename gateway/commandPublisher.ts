/**
 * Makes a client command durable: publishes it to `cmd.<actor>.<partition>.<entity>`
 * on JetStream (pipelined, JetStreamAckWindow) and resolves only after the publish ack. The `Nats-Msg-Id`
 * is the user + client command id, so a retry within the duplicate window
 * is acknowledged again without a second command in the stream.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamAckWindow } from './jetStreamAckWindow.js';
import { SwitchyardError, commandMessage, type CmdFrame, type CommandMessage } from '../protocol/index.js';
import { natsHeadersOf } from '../platform/index.js';

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
    return this.send(commandMessage(cmd, {
      kind: 'client', user: origin.user, session: origin.session, receivedAt: origin.receivedAt,
      ...(origin.traceparent ? { traceparent: origin.traceparent } : {}),
    }, this.partitions));
  }

  /**
   * Publishes a system command (protocol/systemCommands.ts): from a system
   * sender, without a session, with `cmd.id` as its Nats-Msg-Id — the
   * sender's own de-duplication key (a Stripe event id). Resolves after the
   * JetStream ack, like publish().
   */
  async publishSystem(cmd: SystemCommand): Promise<PublishedCommand> {
    return this.send(commandMessage(cmd, {
      kind: 'system', sender: cmd.sender, receivedAt: cmd.receivedAt, ...(cmd.traceparent ? { traceparent: cmd.traceparent } : {}),
    }, this.partitions));
  }

  private async send(message: CommandMessage): Promise<PublishedCommand> {
    try {
      const ack = await this.window.publish(message.subject, message.body, natsHeadersOf(message.headers));
      return { streamSeq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      throw new SwitchyardError('UNAVAILABLE', 'The command could not be made durable; send it again with the same id.', { cause: err });
    }
  }
}
