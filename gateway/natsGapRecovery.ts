/**
 * Repairs the pushes a gateway missed while its NATS connection was down.
 *
 * Live pushes reach the gateway over core NATS (`live.*`, republished by
 * the OUT stream): at most once. While the connection is broken — the NATS
 * server it was connected to restarted or was killed — pushes for its
 * sockets are stored in OUT but never arrive here, and nothing else would
 * tell the clients (their `seq` only grows). So on `disconnect` every live
 * socket starts buffering (WsPushDelivery.pause) and remembers its last seq;
 * on `reconnect` the gap is replayed from OUT exactly like a resume
 * (WsSessions.replayThenGoLive), and the buffered live pushes follow.
 * Result ids already delivered are dropped by the socket's de-duplication.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../platform/index.js';
import type { OutReplay } from './recovery.js';
import { stateOf, type Socket, type SocketWriter } from './socketSession.js';
import type { WsPushDelivery } from './wsPushDelivery.js';
import type { WsSessions } from './wsSessions.js';

export class NatsGapRecovery {
  /** Paused sockets and the last seq each had when the connection broke. */
  private readonly gaps = new Map<Socket, number>();
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly delivery: WsPushDelivery,
    private readonly sessions: WsSessions,
    private readonly replay: OutReplay,
    private readonly writer: SocketWriter,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void (async () => {
      for await (const status of this.nc.status()) {
        if (this.stopped) return;
        if (status.type === 'disconnect') this.pauseAll();
        else if (status.type === 'reconnect') await this.repairAll();
      }
    })().catch((err: unknown) => this.logger.error({ err }, 'NATS gap recovery stopped'));
  }

  stop(): void {
    this.stopped = true;
  }

  private pauseAll(): void {
    for (const ws of this.delivery.sockets()) {
      if (this.delivery.pause(ws)) this.gaps.set(ws, stateOf(ws).lastSeq);
    }
    this.logger.warn({ sockets: this.gaps.size }, 'NATS connection lost: live pushes buffered until the gap is replayed from OUT');
  }

  private async repairAll(): Promise<void> {
    const gaps = [...this.gaps];
    this.gaps.clear();
    if (gaps.length === 0) return;
    let upTo: number;
    try {
      upTo = (await this.replay.bounds()).lastSeq;
    } catch (err) {
      this.logger.warn({ err }, 'OUT stream unavailable after a NATS reconnect; the paused sockets are told to resume');
      for (const [ws] of gaps) this.writer.closeWith(ws, { code: 'UNAVAILABLE', message: 'Missed pushes could not be read; connect again and resume.' });
      return;
    }
    await Promise.all(gaps.map(([ws, afterSeq]) => (stateOf(ws).closed ? undefined : this.sessions.replayThenGoLive(ws, afterSeq, Math.max(afterSeq, upTo)))));
    this.logger.info({ sockets: gaps.length }, 'pushes missed while NATS was unreachable replayed from OUT');
  }
}
