/**
 * Delivers pushes to the WebSocket sockets of this gateway, and is the one
 * place that knows which local socket receives which `out.` subject:
 *
 * - session pushes (`out.s.<session>`): the session's one socket, looked up
 *   by session id, sent with `send()` after the per-session duplicate-result
 *   check;
 * - user pushes (`out.u.<user>`): the user's local sockets, looked up by
 *   user token, each sent like a session push (a user has few sockets);
 * - topic pushes (`out.t.<topic>`): one `app.publish()` on the uWS topic of
 *   the subject, so one NATS message reaches every local member in one
 *   native pass, with no per-member JavaScript; the buffers of the members
 *   are checked against the limit shortly after (once per CHECK_INTERVAL_MS
 *   per subject, not per message).
 *
 * A socket whose session is being recovered is not subscribed to its uWS
 * topics: its pushes wait in its recovery buffer until the replay is done.
 * The NATS side (which subjects this gateway receives) is PushFanout's: this
 * class retains a topic's subscription while a local socket joined it, and a
 * session's while a local socket holds a session minted by another gateway.
 */
import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { epochMillis, pushAudience, subjectToken, subjects, traceIdOf } from '../protocol/index.js';
import { gatewayBackpressureCloses, gatewayDuplicateResultsDropped, gatewayFramesOut, gatewayResultLatency } from '../platform/index.js';
import type { Logger } from '../platform/index.js';
import type { Push, PushFanout } from './pushFanout.js';
import { stateOf, type Socket, type SocketWriter } from './socketSession.js';

/** How often the buffers of sockets that received published pushes are checked. */
const CHECK_INTERVAL_MS = 20;

/** The uWS topic of a topic name (own namespace: Socket.IO's rooms start with "out."). */
export function uwsTopic(topic: string): string {
  return `sy:t.${topic}`;
}

export class WsPushDelivery {
  private readonly sessions = new Map<string, Socket>();
  /** Local sockets per user token: one socket, or several. */
  private readonly users = new Map<string, Socket | Socket[]>();
  /** Local sockets per joined topic. */
  private readonly members = new Map<string, Set<Socket>>();
  /** Sockets whose pushes wait in their recovery buffer. */
  private readonly recovering = new Set<Socket>();
  /** Topics published to since the last buffer check. */
  private readonly dirty = new Set<string>();
  private checkTimer: NodeJS.Timeout | undefined;
  /**
   * Repairs a socket paused because a live push of its session showed a
   * gap: replays (afterSeq, upTo] and goes live (NatsGapRecovery sets it).
   */
  onSessionGap: ((ws: Socket, afterSeq: number, upTo: number) => void) | undefined;

  constructor(
    private readonly app: TemplatedApp,
    private readonly fanout: PushFanout,
    private readonly writer: SocketWriter,
    private readonly resumeBufferMax: number,
    private readonly deliveredResultMemory: number,
    private readonly logger: Logger,
  ) {}

  /** Registers an authenticated socket under its session and user (call once, after hello). */
  attachSession(ws: Socket): void {
    const state = stateOf(ws);
    this.sessions.set(state.session, ws);
    if (!this.fanout.routesHere(state.session)) this.fanout.retain(subjects.sessionPush(state.session));
    const token = subjectToken(state.user!);
    const held = this.users.get(token);
    if (held === undefined) this.users.set(token, ws);
    else if (Array.isArray(held)) held.push(ws);
    else this.users.set(token, [held, ws]);
  }

  /** The close handler's part: off its session, user and topics' members. */
  detachSession(ws: Socket): void {
    const state = stateOf(ws);
    if (this.sessions.get(state.session) === ws) this.sessions.delete(state.session);
    if (!this.fanout.routesHere(state.session)) this.fanout.release(subjects.sessionPush(state.session));
    const token = subjectToken(state.user!);
    const held = this.users.get(token);
    if (held === ws) this.users.delete(token);
    else if (Array.isArray(held)) {
      const rest = held.filter((s) => s !== ws);
      this.users.set(token, rest.length === 1 ? rest[0]! : rest);
    }
    // The socket's topics stay listed: the session record released after this still names them.
    for (const topic of state.topics ?? []) this.unregister(ws, topic);
    this.recovering.delete(ws);
  }

  socketOf(session: string): Socket | undefined {
    return this.sessions.get(session);
  }

  /** Every local socket holding a session. */
  sockets(): IterableIterator<Socket> {
    return this.sessions.values();
  }

  /** The `out.` subjects whose pushes a socket receives (its session, its user, its joined topics): what a replay reads. */
  subjectsOf(ws: Socket): string[] {
    const state = stateOf(ws);
    const list = [subjects.sessionPush(state.session), subjects.userPush(state.user!)];
    for (const topic of state.topics ?? []) if (this.isMember(ws, topic)) list.push(subjects.topicPush(topic));
    return list;
  }

  /** Adds a topic to a socket (its joined topics, the topic's subscription, its uWS topic unless recovering). */
  join(ws: Socket, topic: string): void {
    const state = stateOf(ws);
    (state.topics ??= new Set()).add(topic);
    let set = this.members.get(topic);
    if (!set) this.members.set(topic, (set = new Set()));
    if (set.has(ws)) return;
    set.add(ws);
    this.fanout.retain(subjects.topicPush(topic));
    if (!state.recovering) ws.subscribe(uwsTopic(topic));
  }

  /** Removes a topic from a socket; false when it had not joined it. */
  leave(ws: Socket, topic: string): boolean {
    const state = stateOf(ws);
    const had = state.topics?.delete(topic) ?? false;
    this.unregister(ws, topic);
    return had;
  }

  /** Off a topic's members, subscription and uWS topic (the socket's own list of topics unchanged). */
  private unregister(ws: Socket, topic: string): void {
    const set = this.members.get(topic);
    if (!set?.delete(ws)) return;
    if (set.size === 0) this.members.delete(topic);
    this.fanout.release(subjects.topicPush(topic));
    if (!stateOf(ws).closed) ws.unsubscribe(uwsTopic(topic));
  }

  private isMember(ws: Socket, topic: string): boolean {
    return this.members.get(topic)?.has(ws) ?? false;
  }

  /** Local sockets joined to a topic. */
  membersOf(topic: string): ReadonlySet<Socket> {
    return this.members.get(topic) ?? new Set();
  }

  /**
   * Starts a recovery: off its uWS topics, and every push from now on waits
   * in its recovery buffer until `goLive`. False when the socket is closed
   * or already recovering.
   */
  pause(ws: Socket): boolean {
    const state = stateOf(ws);
    if (state.closed || state.recovering) return false;
    state.recovering = [];
    this.recovering.add(ws);
    for (const topic of state.topics ?? []) if (this.isMember(ws, topic)) ws.unsubscribe(uwsTopic(topic));
    return true;
  }

  /**
   * Ends a recovery: sends the buffered live pushes newer than `replayedUpTo`
   * and subscribes the socket to its uWS topics, in one synchronous step, so
   * nothing arrives in between.
   */
  goLive(ws: Socket, replayedUpTo: number): void {
    const state = stateOf(ws);
    const buffered = state.recovering ?? [];
    state.recovering = undefined;
    this.recovering.delete(ws);
    for (const push of buffered) {
      if (push.seq <= replayedUpTo) continue;
      if (!this.toSocket(ws, push)) return;
    }
    if (state.recovering) return; // a gap before one of them started another recovery (missedBefore)
    for (const topic of state.topics ?? []) if (this.isMember(ws, topic)) ws.subscribe(uwsTopic(topic));
  }

  /** Whether a local socket receives pushes stored under `outSubject`. */
  wants(outSubject: string): boolean {
    const audience = pushAudience(outSubject);
    if (audience?.kind === 'session') return this.sessions.has(audience.session);
    if (audience?.kind === 'user') return this.users.has(audience.userToken);
    return audience !== undefined && this.members.has(audience.topic);
  }

  /** Called for every live push this gateway receives. */
  deliver(push: Push): void {
    const { audience } = push;
    if (!audience) return;
    if (audience.kind === 'session') {
      const ws = this.sessions.get(audience.session);
      if (ws) this.toSocket(ws, push);
      return;
    }
    if (audience.kind === 'user') {
      const held = this.users.get(audience.userToken);
      if (held === undefined) return;
      if (Array.isArray(held)) for (const ws of [...held]) this.toSocket(ws, push);
      else this.toSocket(held, push);
      return;
    }
    const { topic } = audience;
    if (!this.members.has(topic)) return;
    for (const ws of this.recovering) {
      if (this.isMember(ws, topic)) this.buffer(ws, push);
    }
    const uws = uwsTopic(topic);
    const subscribers = this.app.numSubscribers(uws);
    if (subscribers === 0) return;
    this.app.publish(uws, push.text, false);
    gatewayFramesOut.inc({ type: 'push' }, subscribers);
    this.dirty.add(topic);
    this.checkTimer ??= setTimeout(() => this.checkDirty(), CHECK_INTERVAL_MS);
  }

  /**
   * Sends one push to one socket (session and user pushes, replays), or
   * buffers it while the socket recovers (unless it is the replay itself).
   * False when the socket is (now) closed.
   */
  toSocket(ws: Socket, push: Push, options: { replay: boolean } = { replay: false }): boolean {
    const state = stateOf(ws);
    if (state.closed) return false;
    if (state.recovering && !options.replay) return this.buffer(ws, push);
    const ofSession = push.audience?.kind === 'session';
    if (ofSession && !options.replay && this.missedBefore(ws, push)) return true;
    if (push.type === 'result' && push.commandId !== undefined && !state.firstDelivery(push.commandId, this.deliveredResultMemory)) {
      gatewayDuplicateResultsDropped.inc();
      return true;
    }
    // A result (or progress) that overtook its JetStream ack: `accepted` goes first (awaitingAcks.ts).
    if (push.commandId !== undefined && state.awaitingAcks && ofSession) state.awaitingAcks.overtaken(push.commandId);
    if (!this.writer.sendText(ws, push.text, push.type)) return false;
    if (push.seq > state.lastSeq) state.lastSeq = push.seq;
    if (ofSession && push.seq > state.sessionSeq) state.sessionSeq = push.seq;
    if (push.type === 'result') {
      if (push.acceptedAt !== undefined) gatewayResultLatency.observe((epochMillis() - push.acceptedAt) / 1000);
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug({ trace: traceIdOf(push.traceparent), command: push.commandId, seq: push.seq }, 'result pushed');
      }
    }
    return true;
  }

  /**
   * A live push of the socket's session names the push stored before it
   * under the same subject (Nats-Last-Sequence). When that one was never
   * sent here, it was lost on the way (core NATS, at most once: a route
   * between servers broke, or an OUT failover the advisory had not yet
   * announced): the socket is paused with this push buffered, and the gap is
   * replayed before it. A lost push below the socket's last seq (a topic's
   * push already passed it) cannot be sent in order any more: it is logged.
   * True when the push was taken over by a repair.
   */
  private missedBefore(ws: Socket, push: Push): boolean {
    const state = stateOf(ws);
    if (push.previousSeq === undefined || push.previousSeq <= state.sessionSeq || !this.onSessionGap) return false;
    if (push.previousSeq <= state.lastSeq) {
      this.logger.error({ session: state.session, missed: push.previousSeq, lastSeq: state.lastSeq }, 'a live push of the session was lost and can no longer be sent in seq order');
      state.sessionSeq = push.previousSeq;
      return false;
    }
    this.logger.warn({ session: state.session, after: state.lastSeq, missed: push.previousSeq }, 'a live push of the session was lost on its way; replaying the gap');
    if (!this.pause(ws)) return false;
    this.buffer(ws, push);
    this.onSessionGap(ws, state.lastSeq, push.seq - 1);
    return true;
  }

  private buffer(ws: Socket, push: Push): boolean {
    const state = stateOf(ws);
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
    for (const topic of this.dirty) {
      for (const ws of this.members.get(topic) ?? []) this.writer.checkBackpressure(ws);
    }
    this.dirty.clear();
  }

  stop(): void {
    clearTimeout(this.checkTimer);
  }
}
