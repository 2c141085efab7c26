/**
 * Delivers pushes to the client connections of this gateway, whatever their
 * transport, and is the one place that knows which local connection
 * receives which `out.` subject:
 *
 * - session pushes (`out.s.<session>`): the session's one connection,
 *   looked up by session id, sent after the per-session duplicate-result
 *   check;
 * - user pushes (`out.u.<user>`): the user's local connections, looked up
 *   by user token, each sent like a session push (a user has few);
 * - topic pushes (`out.t.<topic>`): one publish per transport to its fan-out
 *   group of the topic (TopicGroups: one native uWS publish, one local
 *   Socket.IO room emit), so one NATS message reaches every local member
 *   with no per-member JavaScript on the WebSocket side; the buffers of the
 *   members are checked against the limit shortly after (once per
 *   CHECK_INTERVAL_MS per topic, not per message).
 *
 * A connection whose session is being recovered is out of its topics'
 * groups: its pushes wait in its recovery buffer until the replay is done.
 * The NATS side (which subjects this gateway receives) is PushFanout's: this
 * class retains a topic's subscription while a local connection joined it,
 * and a session's while a local connection holds a session minted by
 * another gateway.
 */
import { epochMillis, pushAudience, subjectToken, subjects, traceIdOf } from '../protocol/index.js';
import { gatewayBackpressureCloses, gatewayDuplicateResultsDropped, gatewayFramesOut, gatewayResultLatency } from '../platform/index.js';
import type { Logger } from '../platform/index.js';
import type { Push, PushFanout } from './pushFanout.js';
import type { Connection, ConnectionWriter, TopicGroups } from './connection.js';

/** How often the buffers of connections that received published pushes are checked. */
const CHECK_INTERVAL_MS = 20;

export class PushDelivery {
  private readonly sessions = new Map<string, Connection>();
  /** Local connections per user token: one connection, or several. */
  private readonly users = new Map<string, Connection | Connection[]>();
  /** Local connections per joined topic. */
  private readonly members = new Map<string, Set<Connection>>();
  /** Connections whose pushes wait in their recovery buffer. */
  private readonly recovering = new Set<Connection>();
  /** Topics published to since the last buffer check. */
  private readonly dirty = new Set<string>();
  private checkTimer: NodeJS.Timeout | undefined;
  /**
   * Repairs a connection paused because a live push of its session showed a
   * gap: replays (afterSeq, upTo] and goes live (NatsGapRecovery sets it).
   */
  onSessionGap: ((conn: Connection, afterSeq: number, upTo: number) => void) | undefined;

  constructor(
    /** One per transport: the fan-out of topic pushes to its local members. */
    private readonly groups: TopicGroups[],
    private readonly fanout: PushFanout,
    private readonly writer: ConnectionWriter,
    private readonly resumeBufferMax: number,
    private readonly deliveredResultMemory: number,
    private readonly logger: Logger,
  ) {}

  /** Registers an authenticated connection under its session and user (call once, after hello). */
  attachSession(conn: Connection): void {
        this.sessions.set(conn.session, conn);
    if (!this.fanout.routesHere(conn.session)) this.fanout.retain(subjects.sessionPush(conn.session));
    const token = subjectToken(conn.user!);
    const held = this.users.get(token);
    if (held === undefined) this.users.set(token, conn);
    else if (Array.isArray(held)) held.push(conn);
    else this.users.set(token, [held, conn]);
  }

  /** The close handler's part: off its session, user and topics' members. */
  detachSession(conn: Connection): void {
        if (this.sessions.get(conn.session) === conn) this.sessions.delete(conn.session);
    if (!this.fanout.routesHere(conn.session)) this.fanout.release(subjects.sessionPush(conn.session));
    const token = subjectToken(conn.user!);
    const held = this.users.get(token);
    if (held === conn) this.users.delete(token);
    else if (Array.isArray(held)) {
      const rest = held.filter((s) => s !== conn);
      this.users.set(token, rest.length === 1 ? rest[0]! : rest);
    }
    // The connection's topics stay listed: the session record released after this still names them.
    for (const topic of conn.topics ?? []) this.unregister(conn, topic);
    this.recovering.delete(conn);
  }

  connectionOf(session: string): Connection | undefined {
    return this.sessions.get(session);
  }

  /** Every local connection holding a session. */
  connections(): IterableIterator<Connection> {
    return this.sessions.values();
  }

  /** The `out.` subjects whose pushes a connection receives (its session, its user, its joined topics): what a replay reads. */
  subjectsOf(conn: Connection): string[] {
        const list = [subjects.sessionPush(conn.session), subjects.userPush(conn.user!)];
    for (const topic of conn.topics ?? []) if (this.isMember(conn, topic)) list.push(subjects.topicPush(topic));
    return list;
  }

  /** Adds a topic to a connection (its joined topics, the topic's subscription, its transport's group unless recovering). */
  join(conn: Connection, topic: string): void {
        (conn.topics ??= new Set()).add(topic);
    let set = this.members.get(topic);
    if (!set) this.members.set(topic, (set = new Set()));
    if (set.has(conn)) return;
    set.add(conn);
    this.fanout.retain(subjects.topicPush(topic));
    if (!conn.recovering) conn.transport.joinGroup(topic);
  }

  /** Removes a topic from a connection; false when it had not joined it. */
  leave(conn: Connection, topic: string): boolean {
        const had = conn.topics?.delete(topic) ?? false;
    this.unregister(conn, topic);
    return had;
  }

  /** Off a topic's members, subscription and transport group (the connection's own list of topics unchanged). */
  private unregister(conn: Connection, topic: string): void {
    const set = this.members.get(topic);
    if (!set?.delete(conn)) return;
    if (set.size === 0) this.members.delete(topic);
    this.fanout.release(subjects.topicPush(topic));
    if (!conn.closed) conn.transport.leaveGroup(topic);
  }

  private isMember(conn: Connection, topic: string): boolean {
    return this.members.get(topic)?.has(conn) ?? false;
  }

  /** Local connections joined to a topic. */
  membersOf(topic: string): ReadonlySet<Connection> {
    return this.members.get(topic) ?? new Set();
  }

  /**
   * Starts a recovery: out of its topics' groups, and every push from now on waits
   * in its recovery buffer until `goLive`. False when the connection is closed
   * or already recovering.
   */
  pause(conn: Connection): boolean {
        if (conn.closed || conn.recovering) return false;
    conn.recovering = [];
    this.recovering.add(conn);
    for (const topic of conn.topics ?? []) if (this.isMember(conn, topic)) conn.transport.leaveGroup(topic);
    return true;
  }

  /**
   * Ends a recovery: sends the buffered live pushes newer than `replayedUpTo`
   * and puts the connection back in its topics' groups, in one synchronous step, so
   * nothing arrives in between.
   */
  goLive(conn: Connection, replayedUpTo: number): void {
        const buffered = conn.recovering ?? [];
    conn.recovering = undefined;
    this.recovering.delete(conn);
    for (const push of buffered) {
      if (push.seq <= replayedUpTo) continue;
      if (!this.toConnection(conn, push)) return;
    }
    if (conn.recovering) return; // a gap before one of them started another recovery (missedBefore)
    for (const topic of conn.topics ?? []) if (this.isMember(conn, topic)) conn.transport.joinGroup(topic);
  }

  /** Whether a local connection receives pushes stored under `outSubject`. */
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
      const conn = this.sessions.get(audience.session);
      if (conn) this.toConnection(conn, push);
      return;
    }
    if (audience.kind === 'user') {
      const held = this.users.get(audience.userToken);
      if (held === undefined) return;
      if (Array.isArray(held)) for (const conn of [...held]) this.toConnection(conn, push);
      else this.toConnection(held, push);
      return;
    }
    const { topic } = audience;
    if (!this.members.has(topic)) return;
    for (const conn of this.recovering) {
      if (this.isMember(conn, topic)) this.buffer(conn, push);
    }
    let subscribers = 0;
    for (const groups of this.groups) subscribers += groups.publish(topic, push);
    if (subscribers === 0) return;
    gatewayFramesOut.inc({ type: 'push' }, subscribers);
    this.dirty.add(topic);
    this.checkTimer ??= setTimeout(() => this.checkDirty(), CHECK_INTERVAL_MS);
  }

  /**
   * Sends one push to one connection (session and user pushes, replays), or
   * buffers it while the connection recovers (unless it is the replay itself).
   * False when the connection is (now) closed.
   */
  toConnection(conn: Connection, push: Push, options: { replay: boolean } = { replay: false }): boolean {
        if (conn.closed) return false;
    if (conn.recovering && !options.replay) return this.buffer(conn, push);
    const ofSession = push.audience?.kind === 'session';
    if (ofSession && !options.replay && this.missedBefore(conn, push)) return true;
    if (push.type === 'result' && push.commandId !== undefined && !conn.firstDelivery(push.commandId, this.deliveredResultMemory)) {
      gatewayDuplicateResultsDropped.inc();
      return true;
    }
    // A result (or progress) that overtook its JetStream ack: `accepted` goes first (awaitingAcks.ts).
    if (push.commandId !== undefined && conn.awaitingAcks && ofSession) conn.awaitingAcks.overtaken(push.commandId);
    if (!this.writer.sendText(conn, push.text, push.type)) return false;
    if (push.seq > conn.lastSeq) conn.lastSeq = push.seq;
    if (ofSession && push.seq > conn.sessionSeq) conn.sessionSeq = push.seq;
    if (push.type === 'result') {
      if (push.acceptedAt !== undefined) gatewayResultLatency.observe((epochMillis() - push.acceptedAt) / 1000);
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug({ trace: traceIdOf(push.traceparent), command: push.commandId, seq: push.seq }, 'result pushed');
      }
    }
    return true;
  }

  /**
   * A live push of the connection's session names the push stored before it
   * under the same subject (Nats-Last-Sequence). When that one was never
   * sent here, it was lost on the way (core NATS, at most once: a route
   * between servers broke, or an OUT failover the advisory had not yet
   * announced): the connection is paused with this push buffered, and the gap is
   * replayed before it. A lost push below the connection's last seq (a topic's
   * push already passed it) cannot be sent in order any more: it is logged.
   * True when the push was taken over by a repair.
   */
  private missedBefore(conn: Connection, push: Push): boolean {
        if (push.previousSeq === undefined || push.previousSeq <= conn.sessionSeq || !this.onSessionGap) return false;
    if (push.previousSeq <= conn.lastSeq) {
      this.logger.error({ session: conn.session, missed: push.previousSeq, lastSeq: conn.lastSeq }, 'a live push of the session was lost and can no longer be sent in seq order');
      conn.sessionSeq = push.previousSeq;
      return false;
    }
    this.logger.warn({ session: conn.session, after: conn.lastSeq, missed: push.previousSeq }, 'a live push of the session was lost on its way; replaying the gap');
    if (!this.pause(conn)) return false;
    this.buffer(conn, push);
    this.onSessionGap(conn, conn.lastSeq, push.seq - 1);
    return true;
  }

  private buffer(conn: Connection, push: Push): boolean {
        const buffered = conn.recovering!;
    if (buffered.length >= this.resumeBufferMax) {
      gatewayBackpressureCloses.inc();
      this.writer.closeWith(conn, { code: 'SLOW_CONSUMER', message: `More than ${this.resumeBufferMax} pushes arrived while missed ones were replayed; reconnect and resume.` });
      return false;
    }
    buffered.push(push);
    return true;
  }

  private checkDirty(): void {
    this.checkTimer = undefined;
    for (const topic of this.dirty) {
      for (const conn of this.members.get(topic) ?? []) this.writer.checkBackpressure(conn);
    }
    this.dirty.clear();
  }

  stop(): void {
    clearTimeout(this.checkTimer);
  }
}
