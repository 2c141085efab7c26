/**
 * The session lifecycle of WebSocket connections: hello → welcome (new
 * session or resume on any node, with takeover of the previous socket and
 * recovery of missed pushes), heartbeats, and release on close.
 *
 * Resume, in order: claim the record in Redis (epoch + 1, node = this one);
 * close the previous socket (locally, or via `ctl.gw.<node>`); subscribe
 * live first, with the socket in recovery mode (live pushes are buffered);
 * read the OUT stream's bounds; welcome (its `seq` is where the replay
 * starts); replay (seq, last] from OUT; send the buffered pushes newer than
 * `last`; go live. No push is lost between
 * replay and live, and none is sent twice.
 */
import {
  SwitchyardError, toErrorBody,
  type ErrorBody, type HelloFrame, type SessionTakeover,
} from '../protocol/index.js';
import { CoalescedRuns, gatewayRecoveries, gatewayReplayedPushes, gatewaySessions, gatewayTakeovers } from '../platform/index.js';
import type { Config, Logger } from '../platform/index.js';
import type { ControlChannel } from './controlChannel.js';
import { newSessionId, type PushFanout } from './pushFanout.js';
import type { RateLimiter } from './rateLimiter.js';
import { OutReplay } from './recovery.js';
import type { SessionStore, HeldSession } from './sessionStore.js';
import { stateOf, waitForDrain, type Socket, type SocketSession, type SocketWriter } from './socketSession.js';
import type { TokenVerifier } from './tokenVerifier.js';
import type { TopicAuthorizer } from './topicAuthorizer.js';
import type { WsPushDelivery } from './wsPushDelivery.js';

export interface WsSessionsDeps {
  config: Config;
  logger: Logger;
  verifier: TokenVerifier;
  store: SessionStore;
  replay: OutReplay;
  fanout: PushFanout;
  delivery: WsPushDelivery;
  writer: SocketWriter;
  authorizer: TopicAuthorizer;
  rateLimiter: RateLimiter;
  control: ControlChannel;
}

export function heldSession(state: SocketSession): HeldSession {
  return { session: state.session, user: state.user!, epoch: state.epoch, topics: state.topics ?? [], lastSeq: state.lastSeq };
}

/**
 * Session records a heartbeat writes at once. A beat writes them in rounds of
 * this many, so its burst (Redis commands, promises, buffers) is bounded
 * whatever the number of sockets (with 15,000 idle sockets, a reading taken
 * during an all-at-once beat found ≈ 50 MB more V8 heap in use after a
 * forced GC, and native memory taken by such bursts stays in RSS).
 */
const HEARTBEAT_BATCH = 256;

export class WsSessions {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly releases = new Set<Promise<void>>();
  /** Beats: never two at once; one asked for meanwhile runs once the one under way ends (a reconnect's beat must write every record). */
  private readonly beats = new CoalescedRuns(() => this.beatAll(), (err) => this.deps.logger.debug({ err }, 'session heartbeat failed'));

  constructor(private readonly deps: WsSessionsDeps) {}

  start(): void {
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.deps.config.sessionHeartbeatMs);
    this.heartbeatTimer.unref();
    this.deps.store.onReconnect(() => this.heartbeat());
  }

  /** No beat starts after this (one under way finishes; its closed sockets are skipped). */
  stop(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.beats.cancelPending();
  }

  /** Resolves when every session record of closed sockets has been released in Redis. */
  async released(): Promise<void> {
    await Promise.allSettled([...this.releases]);
  }

  /** Handles `hello`: authenticates, opens or resumes the session, welcomes, recovers. Never throws. */
  async open(ws: Socket, frame: HelloFrame): Promise<void> {
    const { verifier, store, writer, rateLimiter, logger } = this.deps;
    const state = stateOf(ws);
    state.helloStarted = true;
    let user: string;
    try {
      ({ user } = await verifier.verify(frame.token));
    } catch (err) {
      writer.closeWith(ws, toErrorBody(err));
      return;
    }
    if (state.closed) return;
    clearTimeout(state.helloTimer);

    let session = '';
    let epoch = 1;
    let topics: string[] = [];
    let previousNode = '';
    let resumed = false;
    try {
      const seeded = rateLimiter.seed(user);
      if (frame.resume) {
        const claim = await store.claim(frame.resume.session, user);
        if (claim.kind === 'claimed') {
          resumed = true;
          session = frame.resume.session;
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
      writer.closeWith(ws, { code: 'UNAVAILABLE', message: 'Sessions cannot be stored right now; connect again.' });
      return;
    }
    state.user = user;
    state.session = session;
    state.epoch = epoch;
    state.helloTimer = undefined;
    // The record's topics stay the session's while they are checked again (a close meanwhile must not drop them).
    if (topics.length > 0) state.topics = new Set(topics);
    if (state.closed) {
      this.release(state);
      return;
    }

    if (resumed) this.replacePrevious(session, epoch, previousNode);
    this.deps.delivery.attachSession(ws);
    gatewaySessions.inc({ transport: 'websocket' });
    if (resumed) this.deps.delivery.pause(ws);

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
    if (state.closed) return;
    for (const { topic } of refused) state.topics?.delete(topic);
    for (const topic of allowed) this.deps.delivery.join(ws, topic);

    let bounds;
    try {
      if (allowed.length > 0 || !this.deps.fanout.routesHere(session)) await this.deps.fanout.flush();
      bounds = await this.deps.replay.bounds();
    } catch (err) {
      logger.warn({ err }, 'OUT stream unavailable during hello');
      writer.closeWith(ws, { code: 'UNAVAILABLE', message: 'Pushes cannot be read right now; connect again and resume.' });
      return;
    }
    if (state.closed) return;
    const recovered = resumed && OutReplay.covers(bounds, frame.resume!.seq);
    // A resumed welcome's seq is where the replay starts (pushes above it follow), so a client that
    // adopts it and drops before reading the replay resumes from there again and loses nothing.
    const replayAfter = resumed ? Math.max(frame.resume!.seq, bounds.firstSeq - 1) : bounds.lastSeq;
    // Every push of the session up to here is the client's already, or gone with the retention window.
    state.sessionSeq = replayAfter;
    const { config } = this.deps;
    writer.send(ws, {
      type: 'welcome', session, node: config.nodeId, user, resumed, recovered, seq: replayAfter,
      limits: { maxFrameBytes: config.maxFrameBytes, maxInFlight: config.maxInFlight, maxSubscriptions: config.maxSubscriptions, idleTimeoutMs: config.idleTimeoutS * 1000 },
    });
    for (const { topic, error } of refused) writer.sendError(ws, error, topic);
    if (refused.length > 0) void this.persist(state);
    if (!resumed) return;

    gatewayRecoveries.inc({ outcome: recovered ? 'recovered' : 'lost' });
    await this.replayThenGoLive(ws, replayAfter, bounds.lastSeq);
  }

  /**
   * Sends a recovering socket every push of its subjects after `afterSeq` up
   * to `upTo` from OUT (and on to the stream's end read again, when a gap in
   * live pushes began meanwhile), then the live pushes buffered meanwhile,
   * and puts it back on live delivery. A failed read closes the socket
   * UNAVAILABLE (its client resumes, on this node or another).
   */
  async replayThenGoLive(ws: Socket, afterSeq: number, upTo: number): Promise<void> {
    const state = stateOf(ws);
    const { writer } = this.deps;
    try {
      for (;;) {
        await this.deps.replay.replay(this.deps.delivery.subjectsOf(ws), afterSeq, upTo, async (push) => {
          await waitForDrain(ws, writer.limit / 2);
          if (this.deps.delivery.toSocket(ws, push, { replay: true })) gatewayReplayedPushes.inc();
        }, () => state.closed);
        if (state.closed || !state.replayEndStale) break;
        // Live pushes may have been lost after `upTo` was read (a failover): replay on to the end as it is now.
        state.replayEndStale = false;
        afterSeq = upTo;
        upTo = Math.max(upTo, (await this.deps.replay.bounds()).lastSeq);
      }
    } catch (err) {
      this.deps.logger.warn({ err, session: state.session }, 'replay from OUT failed');
      writer.closeWith(ws, { code: 'UNAVAILABLE', message: 'Missed pushes could not be read; connect again and resume.' });
      return;
    }
    if (state.closed) return;
    this.deps.delivery.goLive(ws, upTo);
  }

  /** Writes the socket's topics and seq to its session record. */
  async persist(state: SocketSession): Promise<void> {
    try {
      const owned = await this.deps.store.heartbeat(heldSession(state));
      if (!owned) this.deps.logger.debug({ session: state.session }, 'session record belongs to a newer epoch');
    } catch (err) {
      this.deps.logger.warn({ err }, 'session record could not be written');
    }
  }

  /** The uWS close handler's part: off local delivery, and the session record released. */
  closed(ws: Socket): void {
    const state = stateOf(ws);
    if (!state.session) return;
    this.deps.delivery.detachSession(ws);
    gatewaySessions.dec({ transport: 'websocket' });
    if (!state.replaced) this.release(state);
  }

  /** A takeover message from the node that resumed one of our sessions. */
  onTakeover(takeover: SessionTakeover): void {
    const ws = this.deps.delivery.socketOf(takeover.session);
    if (!ws || stateOf(ws).epoch >= takeover.epoch) return;
    this.closeReplaced(ws, 'other_node');
  }

  private replacePrevious(session: string, epoch: number, previousNode: string): void {
    const old = this.deps.delivery.socketOf(session);
    if (old) {
      this.closeReplaced(old, 'same_node');
      return;
    }
    if (previousNode !== '' && previousNode !== this.deps.config.nodeId) this.deps.control.sendTakeover(previousNode, session, epoch);
  }

  private closeReplaced(ws: Socket, where: 'same_node' | 'other_node'): void {
    const state = stateOf(ws);
    if (state.closed) return;
    state.replaced = true;
    gatewayTakeovers.inc({ where });
    this.deps.writer.closeWith(ws, new SwitchyardError('SESSION_REPLACED').toBody());
  }

  private release(state: SocketSession): void {
    const release = this.deps.store.release(heldSession(state)).catch((err: unknown) => {
      this.deps.logger.warn({ err, session: state.session }, 'session record could not be released');
    });
    this.releases.add(release);
    void release.finally(() => this.releases.delete(release));
  }

  /** Starts a beat, or, while one is under way, another right after it. */
  private heartbeat(): void {
    if (this.heartbeatTimer !== undefined) void this.beats.run();
  }

  /** Refreshes every local session record, HEARTBEAT_BATCH at a time; closes sockets whose session was taken over meanwhile. */
  private async beatAll(): Promise<void> {
    const sockets = [...this.deps.delivery.sockets()];
    for (let i = 0; i < sockets.length; i += HEARTBEAT_BATCH) {
      await Promise.all(sockets.slice(i, i + HEARTBEAT_BATCH).map((ws) => this.beat(ws)));
    }
  }

  private async beat(ws: Socket): Promise<void> {
    const state = stateOf(ws);
    if (state.closed) return;
    try {
      const owned = await this.deps.store.heartbeat(heldSession(state));
      if (!owned && !state.closed) this.closeReplaced(ws, 'other_node');
    } catch (err) {
      this.deps.logger.debug({ err }, 'session heartbeat failed');
    }
  }
}
