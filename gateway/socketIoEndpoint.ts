/**
 * The Socket.IO endpoint (`/socket.io/`) on the same uWS app
 * (`io.attachApp`), clustered with `@socket.io/redis-adapter`, for clients
 * that speak Socket.IO instead of the raw protocol. A Socket.IO connection
 * runs on the same connection core as a WebSocket one (sessions, resume and
 * replay, exactly-once results, backpressure, gap repair after a NATS
 * reconnect); only the wire differs:
 *
 * - Auth and resume: `io({auth: {token, resume?: {session, seq}}})`; a
 *   refused token or a malformed resume fails the connection with
 *   `connect_error` whose `data` is the error body ({code, message}). The
 *   `welcome` event carries the same frame as the WebSocket protocol's.
 * - Commands: `emit('cmd', {id, actor, entity, name, data?, traceparent?}, ack)`;
 *   the ack receives `{type:'accepted', id}` or `{type:'rejected', id, error}`.
 * - Topics: `emit('sub', {topic}, ack)` → `{type:'subscribed', topic}` or
 *   `{type:'error', error, topic}`; `emit('unsub', {topic}, ack)`.
 * - Room members: `emit('members', {topic}, ack)` → the users of the
 *   Socket.IO connections joined to a topic on every node (the
 *   redis-adapter's `fetchSockets`), for a topic the asker joined. (Who is
 *   online in a messaging room, whatever the transport, is the messaging
 *   feature's presence.)
 * - Pushes and errors arrive as events named after the frame type
 *   (`result`, `event`, `progress`, `error`…), carrying the frame objects,
 *   `seq` included.
 */
import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { Server, type ServerOptions, type Socket as IoSocket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Compile } from 'typebox/compile';
import { HttpCommandRequest, ResumeRequest, SwitchyardError, TopicName, epochMillis, toErrorBody, type ErrorBody } from '../protocol/index.js';
import { gatewayFramesIn, gatewayFramesOut, gatewayRejections } from '../platform/index.js';
import type { Config, Redis } from '../platform/index.js';
import { Connection, errorFrame, rejectedFrame, type ConnectionWriter, type Reply } from './connection.js';
import type { ConnectionCommands } from './connectionCommands.js';
import type { Sessions } from './sessions.js';
import { SocketIoRooms, SocketIoTransport, ioRoom } from './socketIoTransport.js';
import type { TokenVerifier } from './tokenVerifier.js';
import type { TopicSubscriptions } from './topicSubscriptions.js';
import { hardBackpressureLimit } from './uwsTransport.js';

const checkCommand = Compile(HttpCommandRequest);
const checkTopic = Compile(TopicName);
const checkResume = Compile(ResumeRequest);

/** The most users a `members` answer lists (`truncated` tells when there were more). */
export const MEMBERS_MAX_USERS = 100;
/** How long a `members` query waits for the other nodes' answers. */
const MEMBERS_TIMEOUT_MS = 2000;

/** What the adapter sees of a socket (`fetchSockets` ships it between nodes): its user only. */
interface IoSocketData {
  user: string;
}

/** Read in the auth middleware, used once the socket connected. */
const handshakes = new WeakMap<IoSocket, { resume: ResumeRequest | undefined }>();

type Ack = (reply: unknown) => void;

export interface SocketIoEndpointDeps {
  config: Config;
  redis: Redis;
  verifier: TokenVerifier;
  sessions: Sessions;
  commands: ConnectionCommands;
  topics: TopicSubscriptions;
  writer: ConnectionWriter;
}

export class SocketIoEndpoint {
  private readonly io: Server;
  /** Every open Socket.IO connection (drain closes them all). */
  readonly connections = new Set<Connection>();
  readonly rooms: SocketIoRooms;
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(private readonly deps: SocketIoEndpointDeps) {
    this.io = new Server({ serveClient: false, maxHttpBufferSize: deps.config.maxFrameBytes });
    this.rooms = new SocketIoRooms(this.io);
    this.pub = deps.redis.duplicate();
    this.sub = deps.redis.duplicate();
    this.io.adapter(createAdapter(this.pub, this.sub, { key: 'sy-socket.io', requestsTimeout: MEMBERS_TIMEOUT_MS }));
    this.io.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown; resume?: unknown } | undefined;
      const token = auth?.token;
      if (typeof token !== 'string' || token.length === 0) {
        next(connectError({ code: 'AUTH_REQUIRED', message: 'Pass the token as auth: {token}.' }));
        return;
      }
      if (auth?.resume !== undefined && !checkResume.Check(auth.resume)) {
        next(connectError({ code: 'VALIDATION', message: 'auth.resume must be {session, seq} as in the hello frame.' }));
        return;
      }
      const resume = auth?.resume as ResumeRequest | undefined;
      deps.verifier.verify(token).then(
        ({ user }) => {
          socket.data = { user } satisfies IoSocketData;
          handshakes.set(socket, { resume });
          next();
        },
        (err: unknown) => next(connectError(toErrorBody(err))),
      );
    });
    this.io.on('connection', (socket) => this.connected(socket));
  }

  attach(app: TemplatedApp): void {
    // uWS's default (64 KiB) would drop pushes to a slow client silently, below our own limit.
    // (engine.io passes it to uWS; its typings do not list it.)
    this.io.attachApp(app, { maxBackpressure: hardBackpressureLimit(this.deps.config.maxBackpressureBytes) } as Partial<ServerOptions>);
  }

  /** Stops the Socket.IO server and its adapter (after the gateway closed every connection). */
  async close(): Promise<void> {
    await this.io.close().catch(() => undefined);
    // The adapter's close() sends unsubscribes without awaiting them: a PING queued behind them
    // answers once they are done, so quitting cannot reject them unhandled.
    await Promise.allSettled([this.sub.ping(), this.pub.ping()]);
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  private connected(socket: IoSocket): void {
    const { user } = socket.data as IoSocketData;
    const resume = handshakes.get(socket)?.resume;
    const conn = new Connection(socket.handshake.address);
    conn.transport = new SocketIoTransport(socket);
    this.connections.add(conn);
    // Events wait, in order, until the session is established (welcome sent).
    let gate: Promise<unknown> | undefined = this.deps.sessions.establish(conn, user, resume).finally(() => { gate = undefined; });
    const inOrder = (handle: () => void) => {
      if (gate) gate = gate.then(() => { if (!conn.closed) handle(); });
      else if (!conn.closed) handle();
    };
    socket.on('cmd', (payload: unknown, ack?: Ack) => {
      const receivedAt = epochMillis();
      inOrder(() => this.command(conn, payload, receivedAt, replyTo(ack)));
    });
    socket.on('sub', (payload: unknown, ack?: Ack) => inOrder(() => this.subscribe(conn, payload, replyTo(ack))));
    socket.on('unsub', (payload: unknown, ack?: Ack) => inOrder(() => this.unsubscribe(conn, payload, replyTo(ack))));
    socket.on('members', (payload: unknown, ack?: Ack) => inOrder(() => void this.members(conn, payload, ack)));
    socket.on('disconnect', () => {
      conn.closed = true;
      this.connections.delete(conn);
      this.deps.sessions.closed(conn);
    });
  }

  private command(conn: Connection, payload: unknown, receivedAt: number, reply: Reply): void {
    if (!checkCommand.Check(payload)) {
      gatewayFramesIn.inc({ type: 'invalid' });
      const first = checkCommand.Errors(payload)[0];
      const id = typeof (payload as { id?: unknown } | null)?.id === 'string' ? (payload as { id: string }).id : '';
      reply(rejectedFrame(id, { code: 'VALIDATION', message: `Invalid cmd${first?.instancePath ? ` at ${first.instancePath}` : ''}: ${first?.message ?? 'does not match the schema'}.` }));
      return;
    }
    gatewayFramesIn.inc({ type: 'cmd' });
    this.deps.commands.submit(conn, payload, receivedAt, reply);
  }

  private subscribe(conn: Connection, payload: unknown, reply: Reply): void {
    const topic = topicOf('sub', payload, reply);
    if (topic !== undefined) void this.deps.topics.subscribe(conn, topic, reply);
  }

  private unsubscribe(conn: Connection, payload: unknown, reply: Reply): void {
    const topic = topicOf('unsub', payload, reply);
    if (topic !== undefined) this.deps.topics.unsubscribe(conn, topic, reply);
  }

  /** The users of the Socket.IO connections joined to a topic on every node; the asker must have joined it. */
  private async members(conn: Connection, payload: unknown, ack: Ack | undefined): Promise<void> {
    gatewayFramesIn.inc({ type: 'members' });
    const reply = replyTo(ack);
    const topic = (payload as { topic?: unknown } | null)?.topic;
    try {
      if (!checkTopic.Check(topic)) throw new SwitchyardError('VALIDATION', 'members needs {topic} with a valid topic name.');
      if (!conn.joined(topic)) throw new SwitchyardError('FORBIDDEN', 'Join the topic before asking who is in it.');
      const sockets = await this.io.in(ioRoom(topic)).fetchSockets();
      const users = [...new Set(sockets.map((s) => (s.data as IoSocketData).user))].sort();
      reply({ type: 'members', topic, users: users.slice(0, MEMBERS_MAX_USERS), connections: sockets.length, truncated: users.length > MEMBERS_MAX_USERS });
    } catch (err) {
      const error = err instanceof SwitchyardError ? err.toBody() : { code: 'UNAVAILABLE' as const, message: 'Not every node answered in time; ask again.' };
      reply(typeof topic === 'string' ? errorFrame(error, topic) : errorFrame(error));
    }
  }
}

/** Counts a `sub` / `unsub` event and reads its topic; undefined (answered VALIDATION) when it has no valid one. */
function topicOf(event: 'sub' | 'unsub', payload: unknown, reply: Reply): string | undefined {
  gatewayFramesIn.inc({ type: event });
  const topic = (payload as { topic?: unknown } | null)?.topic;
  if (checkTopic.Check(topic)) return topic;
  reply(errorFrame({ code: 'VALIDATION', message: `${event} needs {topic} with a valid topic name.` }));
  return undefined;
}

/** An event's ack as a Reply (counted like a frame sent); a no-op when the client asked for no ack. */
function replyTo(ack: Ack | undefined): (frame: { type: string; [field: string]: unknown }) => void {
  return (frame) => {
    if (typeof ack !== 'function') return;
    ack(frame);
    gatewayFramesOut.inc({ type: frame.type });
  };
}

function connectError(error: ErrorBody): Error & { data: ErrorBody } {
  gatewayRejections.inc({ code: error.code });
  return Object.assign(new Error(error.message), { data: error });
}
