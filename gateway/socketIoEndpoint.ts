/**
 * The Socket.IO endpoint (`/socket.io/`) on the same uWS app
 * (`io.attachApp`), clustered with `@socket.io/redis-adapter`, for clients
 * that speak Socket.IO instead of the raw protocol.
 *
 * - Auth: `io({auth: {token}})`; a refused token fails the connection with
 *   `connect_error` whose `data` is the error body ({code, message}).
 * - Commands: `emit('cmd', {id, actor, entity, name, data?, traceparent?}, ack)`;
 *   the ack receives `{type:'accepted', id}` (after the JetStream ack) or
 *   `{type:'rejected', id, error}` — the same pipeline as WebSocket frames.
 * - Topics: `emit('sub', {topic}, ack)` → `{type:'subscribed', topic}` or
 *   `{type:'error', error, topic}`; `emit('unsub', {topic}, ack)`.
 * - Pushes arrive as events named after the frame type (`result`, `event`,
 *   `progress`), carrying the same frame objects, `seq` included.
 *
 * Rooms: a joined topic is a Socket.IO room named after its `out.` subject,
 * so the adapter sees the same rooms on every node (`fetchSockets`,
 * `io.to(room).emit` from application code work cluster-wide). Pushes from
 * actors reach every node through NATS already, so each node emits them to
 * its local room members only (`io.local`), never twice through Redis.
 *
 * Not provided here: session resume and replay (use the WebSocket protocol
 * for recovery) and the per-socket send-buffer limit (Socket.IO's own
 * buffering applies).
 */
import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { Server, type Socket as IoSocket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Compile } from 'typebox/compile';
import { HttpCommandRequest, SwitchyardError, TopicName, epochMillis, pushAudience, subjects, toErrorBody, type ErrorBody } from '../protocol/index.js';
import { gatewayFramesIn, gatewayFramesOut, gatewayRejections, gatewaySessions } from '../platform/index.js';
import type { Config, Logger, Redis } from '../platform/index.js';
import type { CommandIntake } from './commandIntake.js';
import { newSessionId, type Push, type PushFanout } from './pushFanout.js';
import { AwaitingAcks } from './awaitingAcks.js';
import { RecentIdSet } from './recentIdSet.js';
import type { TokenVerifier } from './tokenVerifier.js';
import type { TopicAuthorizer } from './topicAuthorizer.js';

const checkCommand = Compile(HttpCommandRequest);
const checkTopic = Compile(TopicName);

interface IoSessionData {
  user: string;
  session: string;
  /** Topic subjects joined (retained in the PushFanout). */
  retained: Set<string>;
  inFlight: number;
  /** Their ids, so a result that overtakes its JetStream ack is preceded by its `accepted`. */
  awaitingAcks: AwaitingAcks;
  /** Topic subjects being authorized: they count against maxSubscriptions too. */
  joining: Set<string>;
  delivered: RecentIdSet;
}

type Ack = (reply: unknown) => void;

export interface SocketIoEndpointDeps {
  config: Config;
  logger: Logger;
  redis: Redis;
  verifier: TokenVerifier;
  intake: CommandIntake;
  fanout: PushFanout;
  authorizer: TopicAuthorizer;
}

export class SocketIoEndpoint {
  private readonly io: Server;
  private readonly sessions = new Map<string, IoSocket>();
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(private readonly deps: SocketIoEndpointDeps) {
    this.io = new Server({ serveClient: false, maxHttpBufferSize: deps.config.maxFrameBytes });
    this.pub = deps.redis.duplicate();
    this.sub = deps.redis.duplicate();
    this.io.adapter(createAdapter(this.pub, this.sub, { key: 'sy-socket.io' }));
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token.length === 0) {
        next(connectError({ code: 'AUTH_REQUIRED', message: 'Pass the token as auth: {token}.' }));
        return;
      }
      deps.verifier.verify(token).then(
        ({ user }) => {
          const data: IoSessionData = { user, session: newSessionId(deps.fanout.route), retained: new Set(), inFlight: 0, awaitingAcks: new AwaitingAcks(), joining: new Set(), delivered: new RecentIdSet(deps.config.deliveredResultMemory) };
          socket.data = data;
          next();
        },
        (err: unknown) => next(connectError(toErrorBody(err))),
      );
    });
    this.io.on('connection', (socket) => this.connected(socket));
  }

  attach(app: TemplatedApp): void {
    this.io.attachApp(app);
  }

  /** Whether a local Socket.IO socket receives pushes stored under `outSubject` (its session, or a room with local members). */
  wants(outSubject: string): boolean {
    const audience = pushAudience(outSubject);
    if (audience?.kind === 'session') return this.sessions.has(audience.session);
    return (this.io.of('/').adapter.rooms.get(outSubject)?.size ?? 0) > 0;
  }

  /** Called for every live push this gateway receives. */
  deliver(push: Push): void {
    const { audience } = push;
    if (audience?.kind === 'session') {
      const socket = this.sessions.get(audience.session);
      if (!socket) return;
      const data = socket.data as IoSessionData;
      if (push.type === 'result' && push.commandId !== undefined && !data.delivered.add(push.commandId)) return;
      if (push.commandId !== undefined) data.awaitingAcks.overtaken(push.commandId);
      socket.emit(push.type, JSON.parse(push.text));
      gatewayFramesOut.inc({ type: push.type });
      return;
    }
    const members = this.io.of('/').adapter.rooms.get(push.subject)?.size ?? 0;
    if (members === 0) return;
    this.io.local.to(push.subject).emit(push.type, JSON.parse(push.text));
    gatewayFramesOut.inc({ type: 'push' }, members);
  }

  /** Tells every Socket.IO client to reconnect elsewhere: closes the transport (clients reconnect by themselves). */
  async drain(reconnectAfterMs: () => number): Promise<void> {
    for (const socket of this.io.of('/').sockets.values()) {
      socket.emit('error', { code: 'DRAINING', message: 'This node is shutting down; reconnect (to any node).', details: { reconnectAfterMs: reconnectAfterMs() } });
      socket.conn.close();
    }
    await this.io.close().catch(() => undefined);
    // The adapter's close() sends unsubscribes without awaiting them: a PING queued behind them
    // answers once they are done, so quitting cannot reject them unhandled.
    await Promise.allSettled([this.sub.ping(), this.pub.ping()]);
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  private connected(socket: IoSocket): void {
    const data = socket.data as IoSessionData;
    this.sessions.set(data.session, socket);
    gatewaySessions.inc({ transport: 'socketio' });
    // Session pushes (routed to this gateway) and user pushes reach every gateway's listener without a subscription of their own.
    void socket.join(subjects.userPush(data.user));
    socket.emit('welcome', { session: data.session, node: this.deps.config.nodeId, user: data.user });
    socket.on('cmd', (payload: unknown, ack?: Ack) => this.command(socket, payload, ack));
    socket.on('sub', (payload: unknown, ack?: Ack) => void this.subscribe(socket, payload, ack));
    socket.on('unsub', (payload: unknown, ack?: Ack) => this.unsubscribe(socket, payload, ack));
    socket.on('disconnect', () => {
      this.sessions.delete(data.session);
      gatewaySessions.dec({ transport: 'socketio' });
      for (const subject of data.retained) this.deps.fanout.release(subject);
      data.retained.clear();
    });
  }

  private command(socket: IoSocket, payload: unknown, ack: Ack | undefined): void {
    const receivedAt = epochMillis();
    const data = socket.data as IoSessionData;
    const reply = typeof ack === 'function' ? ack : () => undefined;
    const id = typeof (payload as { id?: unknown } | null)?.id === 'string' ? (payload as { id: string }).id : '';
    const reject = (error: ErrorBody) => {
      gatewayRejections.inc({ code: error.code });
      reply({ type: 'rejected', id, error });
    };
    if (!checkCommand.Check(payload)) {
      gatewayFramesIn.inc({ type: 'invalid' });
      const first = checkCommand.Errors(payload)[0];
      reject({ code: 'VALIDATION', message: `Invalid cmd${first?.instancePath ? ` at ${first.instancePath}` : ''}: ${first?.message ?? 'does not match the schema'}.` });
      return;
    }
    gatewayFramesIn.inc({ type: 'cmd' });
    if (data.inFlight >= this.deps.config.maxInFlight) {
      reject({ code: 'LIMIT_EXCEEDED', message: `More than ${this.deps.config.maxInFlight} commands are waiting to be accepted on this connection.`, details: { limit: 'maxInFlight' } });
      return;
    }
    data.inFlight++;
    const accept = () => { reply({ type: 'accepted', id: payload.id }); gatewayFramesOut.inc({ type: 'accepted' }); };
    const wait = data.awaitingAcks.sent(payload.id, accept);
    this.deps.intake.submit(payload, { user: data.user, session: data.session, receivedAt }).then(
      () => { data.inFlight--; if (data.awaitingAcks.settled(wait)) accept(); },
      (err: unknown) => { data.inFlight--; if (data.awaitingAcks.settled(wait)) reject(toErrorBody(err)); },
    );
  }

  private async subscribe(socket: IoSocket, payload: unknown, ack: Ack | undefined): Promise<void> {
    const data = socket.data as IoSessionData;
    const reply = typeof ack === 'function' ? ack : () => undefined;
    const topic = (payload as { topic?: unknown } | null)?.topic;
    gatewayFramesIn.inc({ type: 'sub' });
    try {
      if (!checkTopic.Check(topic)) throw new SwitchyardError('VALIDATION', 'sub needs {topic} with a valid topic name.');
      const subject = subjects.topicPush(topic);
      if (!data.retained.has(subject)) {
        if (data.retained.size + data.joining.size >= this.deps.config.maxSubscriptions && !data.joining.has(subject)) {
          throw new SwitchyardError('LIMIT_EXCEEDED', `A connection may join at most ${this.deps.config.maxSubscriptions} topics.`, { details: { limit: 'maxSubscriptions' } });
        }
        // A join in progress counts once: in `joining` until it is retained.
        data.joining.add(subject);
        try {
          await this.deps.authorizer.authorize(data.user, topic);
          if (socket.disconnected) return;
          this.retain(socket, subject);
        } finally {
          data.joining.delete(subject);
        }
        await socket.join(subject);
        await this.deps.fanout.flush();
      }
      reply({ type: 'subscribed', topic });
    } catch (err) {
      const error = toErrorBody(err);
      gatewayRejections.inc({ code: error.code });
      reply(typeof topic === 'string' ? { type: 'error', error, topic } : { type: 'error', error });
    }
  }

  private unsubscribe(socket: IoSocket, payload: unknown, ack: Ack | undefined): void {
    const data = socket.data as IoSessionData;
    const topic = (payload as { topic?: unknown } | null)?.topic;
    gatewayFramesIn.inc({ type: 'unsub' });
    if (typeof topic === 'string') {
      const subject = subjects.topicPush(topic);
      if (data.retained.delete(subject)) {
        void socket.leave(subject);
        this.deps.fanout.release(subject);
      }
    }
    if (typeof ack === 'function') ack({ type: 'unsubscribed', topic });
  }

  private retain(socket: IoSocket, subject: string): void {
    const data = socket.data as IoSessionData;
    if (data.retained.has(subject)) return;
    data.retained.add(subject);
    this.deps.fanout.retain(subject);
  }
}

function connectError(error: ErrorBody): Error & { data: ErrorBody } {
  gatewayRejections.inc({ code: error.code });
  return Object.assign(new Error(error.message), { data: error });
}
