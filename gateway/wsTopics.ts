/**
 * `sub` / `unsub` frames: join and leave topics, within the per-socket
 * subscription limit and only when the TopicAuthorizer allows it. A refused
 * `sub` answers an `error` frame naming the topic (FORBIDDEN, UNAVAILABLE or
 * LIMIT_EXCEEDED); the connection stays open. When a membership service
 * invalidates a decision, sockets already joined are checked again and
 * removed (`unsubscribed` + FORBIDDEN) if no longer allowed.
 */
import { toErrorBody } from '../protocol/index.js';
import type { Logger } from '../platform/index.js';
import type { PushFanout } from './pushFanout.js';
import { stateOf, type Socket, type SocketWriter } from './socketSession.js';
import type { TopicAuthorizer } from './topicAuthorizer.js';
import type { WsPushDelivery } from './wsPushDelivery.js';
import type { WsSessions } from './wsSessions.js';

export class WsTopics {
  /** Subscriptions being authorized, per socket, so the limit counts them too. */
  private readonly pendingJoins = new WeakMap<Socket, Set<string>>();

  constructor(
    private readonly sessions: WsSessions,
    private readonly authorizer: TopicAuthorizer,
    private readonly fanout: PushFanout,
    private readonly delivery: WsPushDelivery,
    private readonly writer: SocketWriter,
    private readonly maxSubscriptions: number,
    private readonly logger: Logger,
  ) {
    authorizer.onInvalidation((topic, user) => this.recheck(topic, user));
  }

  async subscribe(ws: Socket, topic: string): Promise<void> {
    const state = stateOf(ws);
    if (state.joined(topic)) {
      this.writer.send(ws, { type: 'subscribed', topic });
      return;
    }
    let pending = this.pendingJoins.get(ws);
    if (!pending) this.pendingJoins.set(ws, (pending = new Set()));
    if (pending.has(topic)) return;
    if (state.topicCount + pending.size >= this.maxSubscriptions) {
      this.writer.sendError(ws, { code: 'LIMIT_EXCEEDED', message: `A connection may join at most ${this.maxSubscriptions} topics.`, details: { limit: 'maxSubscriptions', max: this.maxSubscriptions } }, topic);
      return;
    }
    pending.add(topic);
    try {
      await this.authorizer.authorize(state.user!, topic);
      if (state.closed) return;
      // From pending to joined in one step: a join in progress counts once against the limit.
      pending.delete(topic);
      this.delivery.join(ws, topic);
      // The live subscription must be registered at the server before the client hears "subscribed".
      await this.fanout.flush();
      if (state.closed) return;
      this.writer.send(ws, { type: 'subscribed', topic });
      void this.sessions.persist(state);
    } catch (err) {
      if (!state.closed) this.writer.sendError(ws, toErrorBody(err), topic);
    } finally {
      pending.delete(topic);
    }
  }

  unsubscribe(ws: Socket, topic: string): void {
    const state = stateOf(ws);
    const joined = this.delivery.leave(ws, topic);
    this.writer.send(ws, { type: 'unsubscribed', topic });
    if (joined) void this.sessions.persist(state);
  }

  private recheck(topic: string, user: string | undefined): void {
    for (const ws of [...this.delivery.membersOf(topic)]) {
      const state = stateOf(ws);
      if (state.closed || (user !== undefined && state.user !== user)) continue;
      this.authorizer.authorize(state.user!, topic).catch((err: unknown) => {
        const error = toErrorBody(err);
        if (error.code !== 'FORBIDDEN' || state.closed || !state.joined(topic)) return;
        this.logger.debug({ topic }, 'membership revoked: socket removed from topic');
        this.delivery.leave(ws, topic);
        this.writer.send(ws, { type: 'unsubscribed', topic });
        this.writer.sendError(ws, error, topic);
        void this.sessions.persist(state);
      });
    }
  }
}
