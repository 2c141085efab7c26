/**
 * A client's command on a connection, whatever its transport (a WebSocket
 * `cmd` frame, a Socket.IO `cmd` event), already validated: the
 * per-connection in-flight limit, then the one pipeline (CommandIntake).
 * Each command is answered exactly once through `reply`: `accepted` once it
 * is durable — or right before a result that overtook its JetStream ack
 * (awaitingAcks.ts) — else `rejected`.
 */
import { toErrorBody } from '../protocol/index.js';
import type { CommandFields, CommandIntake } from './commandIntake.js';
import { rejectedFrame, type Connection, type Reply } from './connection.js';

export class ConnectionCommands {
  constructor(private readonly intake: CommandIntake, private readonly maxInFlight: number) {}

  /** The connection must hold a session (welcomed). */
  submit(conn: Connection, cmd: CommandFields, receivedAt: number, reply: Reply): void {
    if (conn.inFlight >= this.maxInFlight) {
      reply(rejectedFrame(cmd.id, { code: 'LIMIT_EXCEEDED', message: `More than ${this.maxInFlight} commands are waiting to be accepted on this connection.`, details: { limit: 'maxInFlight', max: this.maxInFlight } }));
      return;
    }
    conn.inFlight++;
    const accept = () => { reply({ type: 'accepted', id: cmd.id }); };
    const wait = conn.acks().sent(cmd.id, accept);
    this.intake.submit(cmd, { user: conn.user!, session: conn.session, receivedAt }).then(
      () => {
        conn.inFlight--;
        if (conn.acks().settled(wait)) accept();
      },
      (err: unknown) => {
        conn.inFlight--;
        // A command already answered `accepted` (its result came first, so it is durable) gets no second answer.
        if (conn.acks().settled(wait) && !conn.closed) reply(rejectedFrame(cmd.id, toErrorBody(err)));
      },
    );
  }
}
