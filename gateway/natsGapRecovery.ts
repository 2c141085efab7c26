/**
 * Repairs the live pushes a gateway missed: those NATS delivered to nobody.
 *
 * Live pushes reach the gateway over core NATS (`live.*`, republished by
 * the OUT stream's leader, decision 1): at most once. Two events lose them
 * while they are stored in OUT all the same, and nothing else would tell
 * the clients (their `seq` only grows):
 *
 * - this gateway's NATS connection breaks (the server it was connected to
 *   restarted or was killed): pushes published meanwhile never arrive;
 * - the OUT stream's leader changes (killed, restarted, stepped down): the
 *   republishes it had not yet written to the routes are gone, and pushes
 *   stored by a follower without a leader's apply are never republished.
 *   The server announces every election on
 *   `$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.OUT`.
 *
 * On either event every live connection starts buffering (PushDelivery.pause)
 * and remembers its last seq; once connected, the gap is replayed from OUT
 * up to the stream's end read after the event, exactly like a resume
 * (Sessions.replayThenGoLive), and the buffered live pushes follow.
 * A connection already replaying (a resume, an earlier repair) is told its
 * replay's end may be stale: it reads the end again before going live.
 * Result ids already delivered are dropped by the connection's de-duplication.
 * Repairs never overlap; events during one make one more (CoalescedRuns).
 *
 * A push lost without either event (a route between servers broke), or
 * one the advisory did not announce in time (a push of the new leader can
 * reach a connection before the advisory does: they leave the new leader's
 * server from two goroutines), is caught at the session's next push, which
 * names its predecessor (PushDelivery's gap check, onSessionGap here).
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { STREAMS } from '../protocol/index.js';
import { CoalescedRuns, type Logger } from '../platform/index.js';
import type { OutReplay } from './recovery.js';
import type { Connection, ConnectionWriter } from './connection.js';
import type { PushDelivery } from './pushDelivery.js';
import type { Sessions } from './sessions.js';

/** Announced by the server each time a replica of the stream becomes its leader. */
export const OUT_LEADER_ELECTED = `$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.${STREAMS.pushes}`;

export class NatsGapRecovery {
  /** Paused connections and the last seq each had when the gap began. */
  private readonly gaps = new Map<Connection, number>();
  private readonly repairs = new CoalescedRuns(() => this.repairAll(), (err) => this.logger.error({ err }, 'repair of missed pushes failed'));
  private elections: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly delivery: PushDelivery,
    private readonly sessions: Sessions,
    private readonly replay: OutReplay,
    private readonly writer: ConnectionWriter,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.delivery.onSessionGap = (conn, afterSeq, upTo) => { void this.sessions.replayThenGoLive(conn, afterSeq, upTo); };
    this.elections = this.nc.subscribe(OUT_LEADER_ELECTED, {
      callback: (err) => {
        if (err || this.stopped) return;
        this.pauseAll('OUT stream leader changed: live pushes buffered until the gap is replayed from OUT');
        void this.repairs.run();
      },
    });
    void (async () => {
      for await (const status of this.nc.status()) {
        if (this.stopped) return;
        if (status.type === 'disconnect') this.pauseAll('NATS connection lost: live pushes buffered until the gap is replayed from OUT');
        else if (status.type === 'reconnect') void this.repairs.run();
      }
    })().catch((err: unknown) => this.logger.error({ err }, 'NATS gap recovery stopped'));
  }

  stop(): void {
    this.stopped = true;
    this.delivery.onSessionGap = undefined;
    this.elections?.unsubscribe();
    this.repairs.cancelPending();
  }

  private pauseAll(why: string): void {
    let replaying = 0;
    for (const conn of this.delivery.connections()) {
      if (this.delivery.pause(conn)) this.gaps.set(conn, conn.lastSeq);
      else if (!this.gaps.has(conn) && !conn.closed) {
        conn.replayEndStale = true;
        replaying++;
      }
    }
    this.logger.warn({ sockets: this.gaps.size, replaying }, why);
  }

  private async repairAll(): Promise<void> {
    const gaps = [...this.gaps];
    this.gaps.clear();
    if (gaps.length === 0) return;
    let upTo: number;
    try {
      upTo = (await this.replay.bounds()).lastSeq;
    } catch (err) {
      this.logger.warn({ err }, 'OUT stream unavailable after a gap in live pushes; the paused sockets are told to resume');
      for (const [conn] of gaps) this.writer.closeWith(conn, { code: 'UNAVAILABLE', message: 'Missed pushes could not be read; connect again and resume.' });
      return;
    }
    await Promise.all(gaps.map(([conn, afterSeq]) => (conn.closed ? undefined : this.sessions.replayThenGoLive(conn, afterSeq, Math.max(afterSeq, upTo)))));
    this.logger.info({ sockets: gaps.length }, 'missed live pushes replayed from OUT');
  }
}
