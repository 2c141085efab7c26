/**
 * Joining and leaving topics, for every transport (WebSocket `sub` /
 * `unsub` frames, Socket.IO `sub` / `unsub` events): within the
 * per-connection subscription limit and only when the TopicAuthorizer
 * allows it. A refused join is answered with an `error` naming the topic
 * (FORBIDDEN, UNAVAILABLE or LIMIT_EXCEEDED); the connection stays open.
 * When a membership service invalidates a decision, connections already
 * joined are checked again and removed (`unsubscribed` + FORBIDDEN) if no
 * longer allowed.
 *
 * Each join or leave is answered once, through `reply` (the WebSocket
 * endpoint writes it as a frame; Socket.IO passes it to the event's ack).
 */
import { toErrorBody } from '../protocol/index.js';
import type { Logger } from '../platform/index.js';
import { errorFrame, type Connection, type ConnectionWriter, type Reply } from './connection.js';
import type { PushFanout } from './pushFanout.js';
import type { PushDelivery } from './pushDelivery.js';
import type { Sessions } from './sessions.js';
import type { TopicAuthorizer } from './topicAuthorizer.js';

export class TopicSubscriptions {
  /** Subscriptions being authorized, per connection, so the limit counts them too. */
  private readonly pendingJoins = new WeakMap<Connection, Set<string>>();

  constructor(
    private readonly sessions: Sessions,
    private readonly authorizer: TopicAuthorizer,
    private readonly fanout: PushFanout,
    private readonly delivery: PushDelivery,
    private readonly writer: ConnectionWriter,
    private readonly maxSubscriptions: number,
    private readonly logger: Logger,
  ) {
    authorizer.onInvalidation((topic, user) => this.recheck(topic, user));
  }

  /** Joins `topic`; a second request for a join still in progress is not answered (the first one is). */
  async subscribe(conn: Connection, topic: string, reply: Reply): Promise<void> {
    if (conn.joined(topic)) {
      reply({ type: 'subscribed', topic });
      return;
    }
    let pending = this.pendingJoins.get(conn);
    if (!pending) this.pendingJoins.set(conn, (pending = new Set()));
    if (pending.has(topic)) return;
    if (conn.topicCount + pending.size >= this.maxSubscriptions) {
      reply(errorFrame({ code: 'LIMIT_EXCEEDED', message: `A connection may join at most ${this.maxSubscriptions} topics.`, details: { limit: 'maxSubscriptions', max: this.maxSubscriptions } }, topic));
      return;
    }
    pending.add(topic);
    try {
      await this.authorizer.authorize(conn.user!, topic);
      if (conn.closed) return;
      // From pending to joined in one step: a join in progress counts once against the limit.
      pending.delete(topic);
      this.delivery.join(conn, topic);
      // The live subscription must be registered at the server before the client hears "subscribed".
      await this.fanout.flush();
      if (conn.closed) return;
      reply({ type: 'subscribed', topic });
      void this.sessions.persist(conn);
    } catch (err) {
      if (!conn.closed) reply(errorFrame(toErrorBody(err), topic));
    } finally {
      pending.delete(topic);
    }
  }

  unsubscribe(conn: Connection, topic: string, reply: Reply): void {
    const joined = this.delivery.leave(conn, topic);
    reply({ type: 'unsubscribed', topic });
    if (joined) void this.sessions.persist(conn);
  }

  private recheck(topic: string, user: string | undefined): void {
    for (const conn of [...this.delivery.membersOf(topic)]) {
      if (conn.closed || (user !== undefined && conn.user !== user)) continue;
      this.authorizer.authorize(conn.user!, topic).catch((err: unknown) => {
        const error = toErrorBody(err);
        if (error.code !== 'FORBIDDEN' || conn.closed || !conn.joined(topic)) return;
        this.logger.debug({ topic }, 'membership revoked: connection removed from topic');
        this.delivery.leave(conn, topic);
        this.writer.send(conn, { type: 'unsubscribed', topic });
        this.writer.sendError(conn, error, topic);
        void this.sessions.persist(conn);
      });
    }
  }
}
