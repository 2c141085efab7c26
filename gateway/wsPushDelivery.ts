/**
 * Delivers pushes to the WebSocket sockets of this gateway.
 *
 * Session pushes (`out.s.<session>`) go to the session's one socket with
 * `send()`, after the per-session duplicate-result check. User and topic
 * pushes go out with one `app.publish()` on the uWS topic of the subject, so
 * one NATS message reaches every local subscriber in one native pass; the
 * buffers of those subscribers are checked against the limit shortly after
 * (once per CHECK_INTERVAL_MS per subject, not per message). A socket whose
 * session is being recovered is not yet subscribed to its uWS topics: its
 * pushes wait in its recovery buffer until the replay is done.
 */
import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { epochMillis } from '../protocol/index.js';
import { gatewayBackpressureCloses, gatewayDuplicateResultsDropped, gatewayFramesOut, gatewayResultLatency } from '../platform/metrics.js';
import type { Logger } from '../platform/index.js';
import type { Push } from './pushFanout.js';
import type { Socket, SocketWriter } from './socketSession.js';
import { traceIdOf } from './traceContext.js';

/** How often the buffers of sockets that received published pushes are checked. */
const CHECK_INTERVAL_MS = 20;
const SESSION_PREFIX = 'out.s.';

/** The uWS topic of an `out.` subject (own namespace: Socket.IO's topics start with "/"). */
export function uwsTopic(outSubject: string): string {
  return `sy:${outSubject.slice('out.'.length)}`;
}

export class WsPushDelivery {
  private readonly sessions = new Map<string, Socket>();
  /** Local sockets per user/topic subject. */
  private readonly members = new Map<string, Set<Socket>>();
  /** Subjects published to since the last buffer check. */
  private readonly dirty = new Set<string>();
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly app: TemplatedApp,
    private readonly writer: SocketWriter,
    private readonly resumeBufferMax: number,
    private readonly logger: Logger,
  ) {}

  attachSession(ws: Socket): void {
    this.sessions.set(ws.getUserData().session, ws);
  }

  detachSession(ws: Socket): void {
    const session = ws.getUserData().session;
    if (this.sessions.get(session) === ws) this.sessions.delete(session);
  }

  socketOf(session: string): Socket | undefined {
    return this.sessions.get(session);
  }

  /** Every local socket holding a session. */
  sockets(): IterableIterator<Socket> {
    return this.sessions.values();
  }

  /** Adds the socket to a user/topic subject's local subscribers (uWS-subscribed unless recovering). */
  join(ws: Socket, outSubject: string): void {
    let set = this.members.get(outSubject);
    if (!set) this.members.set(outSubject, (set = new Set()));
    set.add(ws);
    if (!ws.getUserData().recovering) ws.subscribe(uwsTopic(outSubject));
  }

  leave(ws: Socket, outSubject: string): void {
    const set = this.members.get(outSubject);
    if (set?.delete(ws) && set.size === 0) this.members.delete(outSubject);
    if (!ws.getUserData().closed) ws.unsubscribe(uwsTopic(outSubject));
  }

  /** Local sockets joined to an `out.` subject. */
  membersOf(outSubject: string): ReadonlySet<Socket> {
    return this.members.get(outSubject) ?? new Set();
  }

  /**
   * Starts a recovery of a live socket (its gateway's NATS connection broke,
   * so live pushes may have been missed): off its uWS topics, and every push
   * from now on waits in its recovery buffer until `goLive`. False when the
   * socket is closed or already recovering.
   */
  pause(ws: Socket): boolean {
    const state = ws.getUserData();
    if (state.closed || state.recovering) return false;
    state.recovering = [];
    for (const subject of state.retained) {
      if (!subject.startsWith(SESSION_PREFIX)) ws.unsubscribe(uwsTopic(subject));
    }
    return true;
  }

  /**
   * Ends a recovery: sends the buffered live pushes newer than `replayedUpTo`
   * and subscribes the socket to its uWS topics, in one synchronous step, so
   * nothing arrives in between.
   */
  goLive(ws: Socket, replayedUpTo: number): void {
    const state = ws.getUserData();
    const buffered = state.recovering ?? [];
    state.recovering = undefined;
    for (const push of buffered) {
      if (push.seq <= replayedUpTo) continue;
      if (!this.toSocket(ws, push)) return;
    }
    for (const subject of state.retained) {
      if (!subject.startsWith(SESSION_PREFIX)) ws.subscribe(uwsTopic(subject));
    }
  }

  /** Called for every live push this gateway receives. */
  deliver(push: Push): void {
    if (push.subject.startsWith(SESSION_PREFIX)) {
      const ws = this.sessions.get(push.subject.slice(SESSION_PREFIX.length));
      if (ws) this.toSocket(ws, push);
      return;
    }
    const set = this.members.get(push.subject);
    if (!set) return;
    for (const ws of set) {
      const state = ws.getUserData();
      if (state.recovering) this.buffer(ws, push);
    }
    const topic = uwsTopic(push.subject);
    const subscribers = this.app.numSubscribers(topic);
    if (subscribers === 0) return;
    this.app.publish(topic, push.text, false);
    gatewayFramesOut.inc({ type: 'push' }, subscribers);
    this.dirty.add(push.subject);
    this.checkTimer ??= setTimeout(() => this.checkDirty(), CHECK_INTERVAL_MS);
  }

  /**
   * Sends one push to one socket (session pushes and replays), or buffers it
   * while the socket recovers (unless it is the replay itself). False when
   * the socket is (now) closed.
   */
  toSocket(ws: Socket, push: Push, options: { replay: boolean } = { replay: false }): boolean {
    const state = ws.getUserData();
    if (state.closed) return false;
    if (state.recovering && !options.replay) return this.buffer(ws, push);
    if (push.type === 'result' && push.commandId !== undefined && !state.delivered.add(push.commandId)) {
      gatewayDuplicateResultsDropped.inc();
      return true;
    }
    // A result (or progress) that overtook its JetStream ack: `accepted` goes first (awaitingAcks.ts).
    if (push.commandId !== undefined && push.subject.startsWith(SESSION_PREFIX)) state.awaitingAcks.overtaken(push.commandId);
    if (!this.writer.sendText(ws, push.text, push.type)) return false;
    if (push.seq > state.lastSeq) state.lastSeq = push.seq;
    if (push.type === 'result') {
      if (push.acceptedAt !== undefined) gatewayResultLatency.observe((epochMillis() - push.acceptedAt) / 1000);
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug({ trace: traceIdOf(push.traceparent), command: push.commandId, seq: push.seq }, 'result pushed');
      }
    }
    return true;
  }

  private buffer(ws: Socket, push: Push): boolean {
    const state = ws.getUserData();
    const buffered = state.recovering!;
    if (buffered.length >= this.resumeBufferMax) {
      gatewayBackpressureCloses.inc();
      this.writer.closeWith(ws, { code: 'SLOW_CONSUMER', message: `More than ${this.resumeBufferMax} pushes arrived while missed ones were replayed; reconnect and resume.` });
      return false;
    }
    buffered.push(push);
    return true;
  }

  private checkDirty(): void {
    this.checkTimer = undefined;
    for (const subject of this.dirty) {
      for (const ws of this.members.get(subject) ?? []) this.writer.checkBackpressure(ws);
    }
    this.dirty.clear();
  }

  stop(): void {
    clearTimeout(this.checkTimer);
  }
}
