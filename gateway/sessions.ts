/**
 * The session lifecycle of client connections, whatever their transport:
 * authenticated → welcome (new session or resume on any node, with takeover
 * of the previous connection and recovery of missed pushes), heartbeats,
 * and release on close.
 *
 * Resume, in order: claim the record in Redis (epoch + 1, node = this one);
 * close the previous connection (locally, or via `ctl.gw.<node>`); subscribe
 * live first, with the connection in recovery mode (live pushes are buffered);
 * read the OUT stream's bounds; welcome (its `seq` is where the replay
 * starts); replay (seq, last] from OUT; send the buffered pushes newer than
 * `last`; go live. No push is lost between
 * replay and live, and none is sent twice.
 */
import {
  SwitchyardError, toErrorBody,
  type ErrorBody, type HelloFrame, type ResumeRequest, type SessionTakeover,
} from '../protocol/index.js';
import { CoalescedRuns, gatewayRecoveries, gatewayReplayedPushes, gatewaySessions, gatewayTakeovers } from '../platform/index.js';
import type { Config, Logger } from '../platform/index.js';
import type { ControlChannel } from './controlChannel.js';
import { newSessionId, type PushFanout } from './pushFanout.js';
import type { RateLimiter } from './rateLimiter.js';
import { OutReplay } from './recovery.js';
import type { SessionStore, HeldSession } from './sessionStore.js';
import { waitForDrain, type Connection, type ConnectionWriter } from './connection.js';
import type { TokenVerifier } from './tokenVerifier.js';
import type { TopicAuthorizer } from './topicAuthorizer.js';
import type { PushDelivery } from './pushDelivery.js';

export interface SessionsDeps {
  config: Config;
  logger: Logger;
  verifier: TokenVerifier;
  store: SessionStore;
  replay: OutReplay;
  fanout: PushFanout;
  delivery: PushDelivery;
  writer: ConnectionWriter;
  authorizer: TopicAuthorizer;
  rateLimiter: RateLimiter;
  control: ControlChannel;
}

export function heldSession(conn: Connection): HeldSession {
  return { session: conn.session, user: conn.user!, epoch: conn.epoch, topics: conn.topics ?? [], lastSeq: conn.lastSeq };
}

/**
 * Session records a heartbeat writes at once. A beat writes them in rounds of
 * this many, so its burst (Redis commands, promises, buffers) is bounded
 * whatever the number of sockets (with 15,000 idle sockets, a reading taken
 * during an all-at-once beat found ≈ 50 MB more V8 heap in use after a
 * forced GC, and native memory taken by such bursts stays in RSS).
 */
const HEARTBEAT_BATCH = 256;

export class Sessions {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly releases = new Set<Promise<void>>();
  /** Beats: never two at once; one asked for meanwhile runs once the one under way ends (a reconnect's beat must write every record). */
  private readonly beats = new CoalescedRuns(() => this.beatAll(), (err) => this.deps.logger.debug({ err }, 'session heartbeat failed'));

  constructor(private readonly deps: SessionsDeps) {}

  start(): void {
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.deps.config.sessionHeartbeatMs);
    this.heartbeatTimer.unref();
    this.deps.store.onReconnect(() => this.heartbeat());
  }

  /** No beat starts after this (one under way finishes; its closed connections are skipped). */
  stop(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.beats.cancelPending();
  }

  /** Resolves when every session record of closed sockets has been released in Redis. */
  async released(): Promise<void> {
    await Promise.allSettled([...this.releases]);
  }

  /** Handles a WebSocket `hello`: authenticates, then establish(). Never throws. */
  async open(conn: Connection, frame: HelloFrame): Promise<void> {
    conn.helloStarted = true;
    let user: string;
    try {
      ({ user } = await this.deps.verifier.verify(frame.token));
    } catch (err) {
      this.deps.writer.closeWith(conn, toErrorBody(err));
      return;
    }
    if (conn.closed) return;
    clearTimeout(conn.helloTimer);
    await this.establish(conn, user, frame.resume);
  }

  /**
   * Opens or resumes the session of an authenticated connection (any
   * transport), welcomes it and starts recovering what it missed. Resolves
   * once `welcome` was sent (or the connection closed); the replay goes on
   * after that, with live pushes buffered meanwhile. Never throws; a
   * failure closes the connection UNAVAILABLE.
   */
  async establish(conn: Connection, user: string, resume: ResumeRequest | undefined): Promise<void> {
    const { store, writer, rateLimiter, logger } = this.deps;
    let session = '';
    let epoch = 1;
    let topics: string[] = [];
    let previousNode = '';
    let resumed = false;
    try {
      const seeded = rateLimiter.seed(user);
      if (resume) {
        const claim = await store.claim(resume.session, user);
        if (claim.kind === 'claimed') {
          resumed = true;
          session = resume.session;
          ({ epoch, topics } = claim.record);
          previousNode = claim.previousNode;
        } else {
          gatewayRecoveries.inc({ outcome: 'unknown_session' });
        }
      }
      if (!resumed) {
        session = newSessionId(this.deps.fanout.route);
        await store.create(session, user);
      }
      await seeded;
    } catch (err) {
      logger.warn({ err }, 'session store unavailable during hello');
      writer.closeWith(conn, { code: 'UNAVAILABLE', message: 'Sessions cannot be stored right now; connect again.' });
      return;
    }
    conn.user = user;
    conn.session = session;
    conn.epoch = epoch;
    conn.helloTimer = undefined;
    // The record's topics stay the session's while they are checked again (a close meanwhile must not drop them).
    if (topics.length > 0) conn.topics = new Set(topics);
    if (conn.closed) {
      this.release(conn);
      return;
    }

    if (resumed) this.replacePrevious(session, epoch, previousNode);
    this.deps.delivery.attachSession(conn);
    gatewaySessions.inc({ transport: conn.transport.kind });
    if (resumed) this.deps.delivery.pause(conn);

    const refused: Array<{ topic: string; error: ErrorBody }> = [];
    const allowed: string[] = [];
    await Promise.all(topics.map(async (topic) => {
      try {
        await this.deps.authorizer.authorize(user, topic);
        allowed.push(topic);
      } catch (err) {
        refused.push({ topic, error: toErrorBody(err) });
      }
    }));
    if (conn.closed) return;
    for (const { topic } of refused) conn.topics?.delete(topic);
    for (const topic of allowed) this.deps.delivery.join(conn, topic);

    let bounds;
    try {
      if (allowed.length > 0 || !this.deps.fanout.routesHere(session)) await this.deps.fanout.flush();
      bounds = await this.deps.replay.bounds();
    } catch (err) {
      logger.warn({ err }, 'OUT stream unavailable during hello');
      writer.closeWith(conn, { code: 'UNAVAILABLE', message: 'Pushes cannot be read right now; connect again and resume.' });
      return;
    }
    if (conn.closed) return;
    const recovered = resumed && OutReplay.covers(bounds, resume!.seq);
    // A resumed welcome's seq is where the replay starts (pushes above it follow), so a client that
    // adopts it and drops before reading the replay resumes from there again and loses nothing.
    const replayAfter = resumed ? Math.max(resume!.seq, bounds.firstSeq - 1) : bounds.lastSeq;
    // Every push of the session up to here is the client's already, or gone with the retention window.
    conn.sessionSeq = replayAfter;
    const { config } = this.deps;
    writer.send(conn, {
      type: 'welcome', session, node: config.nodeId, user, resumed, recovered, seq: replayAfter,
      limits: { maxFrameBytes: config.maxFrameBytes, maxInFlight: config.maxInFlight, maxSubscriptions: config.maxSubscriptions, idleTimeoutMs: config.idleTimeoutS * 1000 },
    });
    for (const { topic, error } of refused) writer.sendError(conn, error, topic);
    if (refused.length > 0) void this.persist(conn);
    if (!resumed) return;

    gatewayRecoveries.inc({ outcome: recovered ? 'recovered' : 'lost' });
    void this.replayThenGoLive(conn, replayAfter, bounds.lastSeq);
  }

  /**
   * Sends a recovering connection every push of its subjects after `afterSeq` up
   * to `upTo` from OUT (and on to the stream's end read again, when a gap in
   * live pushes began meanwhile), then the live pushes buffered meanwhile,
   * and puts it back on live delivery. A failed read closes the connection
   * UNAVAILABLE (its client resumes, on this node or another).
   */
  async replayThenGoLive(conn: Connection, afterSeq: number, upTo: number): Promise<void> {
        const { writer } = this.deps;
    try {
      for (;;) {
        await this.deps.replay.replay(this.deps.delivery.subjectsOf(conn), afterSeq, upTo, async (push) => {
          await waitForDrain(conn, writer.limit / 2);
          if (this.deps.delivery.toConnection(conn, push, { replay: true })) gatewayReplayedPushes.inc();
        }, () => conn.closed);
        if (conn.closed || !conn.replayEndStale) break;
        // Live pushes may have been lost after `upTo` was read (a failover): replay on to the end as it is now.
        conn.replayEndStale = false;
        afterSeq = upTo;
        upTo = Math.max(upTo, (await this.deps.replay.bounds()).lastSeq);
      }
    } catch (err) {
      this.deps.logger.warn({ err, session: conn.session }, 'replay from OUT failed');
      writer.closeWith(conn, { code: 'UNAVAILABLE', message: 'Missed pushes could not be read; connect again and resume.' });
      return;
    }
    if (conn.closed) return;
    this.deps.delivery.goLive(conn, upTo);
  }

  /** Writes the connection's topics and seq to its session record. */
  async persist(conn: Connection): Promise<void> {
    try {
      const owned = await this.deps.store.heartbeat(heldSession(conn));
      if (!owned) this.deps.logger.debug({ session: conn.session }, 'session record belongs to a newer epoch');
    } catch (err) {
      this.deps.logger.warn({ err }, 'session record could not be written');
    }
  }

  /** The transport closed: off local delivery, and the session record released. */
  closed(conn: Connection): void {
        if (!conn.session) return;
    this.deps.delivery.detachSession(conn);
    gatewaySessions.dec({ transport: conn.transport.kind });
    if (!conn.replaced) this.release(conn);
  }

  /** A takeover message from the node that resumed one of our sessions. */
  onTakeover(takeover: SessionTakeover): void {
    const conn = this.deps.delivery.connectionOf(takeover.session);
    if (!conn || conn.epoch >= takeover.epoch) return;
    this.closeReplaced(conn, 'other_node');
  }

  private replacePrevious(session: string, epoch: number, previousNode: string): void {
    const old = this.deps.delivery.connectionOf(session);
    if (old) {
      this.closeReplaced(old, 'same_node');
      return;
    }
    if (previousNode !== '' && previousNode !== this.deps.config.nodeId) this.deps.control.sendTakeover(previousNode, session, epoch);
  }

  private closeReplaced(conn: Connection, where: 'same_node' | 'other_node'): void {
        if (conn.closed) return;
    conn.replaced = true;
    gatewayTakeovers.inc({ where });
    this.deps.writer.closeWith(conn, new SwitchyardError('SESSION_REPLACED').toBody());
  }

  private release(conn: Connection): void {
    const release = this.deps.store.release(heldSession(conn)).catch((err: unknown) => {
      this.deps.logger.warn({ err, session: conn.session }, 'session record could not be released');
    });
    this.releases.add(release);
    void release.finally(() => this.releases.delete(release));
  }

  /** Starts a beat, or, while one is under way, another right after it. */
  private heartbeat(): void {
    if (this.heartbeatTimer !== undefined) void this.beats.run();
  }

  /** Refreshes every local session record, HEARTBEAT_BATCH at a time; closes connections whose session was taken over meanwhile. */
  private async beatAll(): Promise<void> {
    const connections = [...this.deps.delivery.connections()];
    for (let i = 0; i < connections.length; i += HEARTBEAT_BATCH) {
      await Promise.all(connections.slice(i, i + HEARTBEAT_BATCH).map((conn) => this.beat(conn)));
    }
  }

  private async beat(conn: Connection): Promise<void> {
        if (conn.closed) return;
    try {
      const owned = await this.deps.store.heartbeat(heldSession(conn));
      if (!owned && !conn.closed) this.closeReplaced(conn, 'other_node');
    } catch (err) {
      this.deps.logger.debug({ err }, 'session heartbeat failed');
    }
  }
}
