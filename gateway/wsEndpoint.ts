/**
 * The WebSocket endpoint (`/ws`): uWS behaviour (limits, upgrade, open,
 * message, drain, close) and the dispatch of client frames.
 *
 * Contract with the client (protocol/README.md): the first frame must be
 * `hello`, and nothing else may be sent until `welcome` arrives; anything
 * else before that closes the connection (AUTH_REQUIRED 4401, or BAD_FRAME
 * / VALIDATION 4400 for a malformed frame). After welcome, a malformed
 * frame is answered with an `error` (or `rejected` when it carries a
 * command id) and the connection stays open. A frame over maxFrameBytes
 * closes the connection with FRAME_TOO_LARGE (1009); uWS itself drops
 * connections sending frames over twice that (no close frame).
 */
import type { HttpRequest, HttpResponse, WebSocketBehavior, us_socket_context_t } from '@trufflesuite/uws-js-unofficial';
import { ERROR_CODES, epochMillis, parseClientFrame, type ServerFrame } from '../protocol/index.js';
import { gatewayConnections, gatewayFramesIn } from '../platform/index.js';
import type { Config } from '../platform/index.js';
import { remoteAddress, type ConnectionsPerIp } from './connectionsPerIp.js';
import { Connection, type ConnectionWriter } from './connection.js';
import type { ConnectionCommands } from './connectionCommands.js';
import type { Sessions } from './sessions.js';
import type { TopicSubscriptions } from './topicSubscriptions.js';
import { UwsTransport, hardBackpressureLimit, type Socket, type SocketUserData } from './uwsTransport.js';

export interface WsEndpointDeps {
  config: Config;
  writer: ConnectionWriter;
  sessions: Sessions;
  topics: TopicSubscriptions;
  commands: ConnectionCommands;
  /** SY_MAX_CONNECTIONS_PER_IP, shared with the HTTP routes. */
  perIp: ConnectionsPerIp;
  /** True once the gateway drains: upgrades are refused. */
  draining: () => boolean;
}

/** The transport's own frame limit: twice the protocol limit; beyond it uWS drops the connection without a close frame (1006). */
export function hardFrameLimit(maxFrameBytes: number): number {
  return maxFrameBytes * 2;
}

export class WsEndpoint {
  /** Every open WebSocket connection, authenticated or not (drain closes them all). */
  readonly connections = new Set<Connection>();

  constructor(private readonly deps: WsEndpointDeps) {}

  behavior(): WebSocketBehavior<SocketUserData> {
    const { config } = this.deps;
    return {
      // Above our own limit, so a frame over SY_MAX_FRAME_BYTES gets FRAME_TOO_LARGE and close 1009.
      maxPayloadLength: hardFrameLimit(config.maxFrameBytes),
      idleTimeout: config.idleTimeoutS,
      sendPingsAutomatically: true,
      maxBackpressure: hardBackpressureLimit(config.maxBackpressureBytes),
      closeOnBackpressureLimit: 1,
      upgrade: (res, req, context) => this.upgrade(res, req, context),
      open: (ws) => this.open(ws),
      message: (ws, message, isBinary) => this.message(ws, message, isBinary),
      drain: (ws) => transportOf(ws).wakeDrainWaiters(),
      close: (ws) => this.close(ws),
    };
  }

  private upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    if (this.deps.draining()) {
      res.writeStatus('503 Service Unavailable').writeHeader('Retry-After', '1').end('draining: connect to another node');
      return;
    }
    // Counted here, synchronously before the socket opens; released in close().
    const ip = remoteAddress(res);
    if (!this.deps.perIp.tryOpen(ip)) {
      res.cork(() => {
        res.writeStatus('429 Too Many Requests').writeHeader('Retry-After', '1').writeHeader('Content-Type', 'application/json')
          .end(JSON.stringify({ error: this.deps.perIp.refusal() }));
      });
      return;
    }
    const userData: SocketUserData = { conn: new Connection(ip) };
    res.upgrade(
      userData,
      req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'),
      context,
    );
  }

  private open(ws: Socket): void {
    const conn = ws.getUserData().conn;
    conn.transport = new UwsTransport(ws);
    this.connections.add(conn);
    gatewayConnections.inc();
    conn.helloTimer = setTimeout(() => {
      if (!conn.closed && conn.user === undefined) {
        this.deps.writer.closeWith(conn, { code: 'AUTH_REQUIRED', message: `No valid hello within ${this.deps.config.helloTimeoutMs} ms.` });
      }
    }, this.deps.config.helloTimeoutMs);
  }

  private close(ws: Socket): void {
    const conn = ws.getUserData().conn;
    conn.closed = true;
    clearTimeout(conn.helloTimer);
    conn.helloTimer = undefined;
    transportOf(ws).wakeDrainWaiters();
    this.connections.delete(conn);
    this.deps.perIp.close(conn.remoteIp);
    gatewayConnections.dec();
    this.deps.sessions.closed(conn);
  }

  private message(ws: Socket, message: ArrayBuffer, isBinary: boolean): void {
    const receivedAt = epochMillis();
    const { writer, config } = this.deps;
    const conn = ws.getUserData().conn;
    if (message.byteLength > config.maxFrameBytes) {
      gatewayFramesIn.inc({ type: 'invalid' });
      writer.closeWith(conn, { code: 'FRAME_TOO_LARGE', message: `Frames may be at most ${config.maxFrameBytes} bytes.`, details: { maxFrameBytes: config.maxFrameBytes } });
      return;
    }
    if (isBinary) {
      gatewayFramesIn.inc({ type: 'invalid' });
      const error = { code: 'BAD_FRAME' as const, message: 'Binary frames are not supported; send JSON text frames.' };
      if (conn.user !== undefined) writer.sendError(conn, error);
      else writer.closeWith(conn, error);
      return;
    }
    const parsed = parseClientFrame(Buffer.from(message).toString('utf8'));
    if (!parsed.ok) {
      gatewayFramesIn.inc({ type: 'invalid' });
      if (conn.user === undefined) writer.closeWith(conn, parsed.error);
      else if (parsed.id !== undefined) writer.reject(conn, parsed.id, parsed.error);
      else writer.sendError(conn, parsed.error);
      return;
    }
    const frame = parsed.frame;
    gatewayFramesIn.inc({ type: frame.type });
    if (frame.type === 'hello') {
      if (conn.helloStarted) writer.sendError(conn, { code: 'VALIDATION', message: 'hello was already sent on this connection.' });
      else void this.deps.sessions.open(conn, frame);
      return;
    }
    if (conn.user === undefined) {
      writer.closeWith(conn, { code: 'AUTH_REQUIRED', message: conn.helloStarted ? 'Wait for welcome before sending anything else.' : ERROR_CODES.AUTH_REQUIRED.message });
      return;
    }
    const reply = (answer: ServerFrame) => { writer.send(conn, answer); };
    switch (frame.type) {
      case 'ping': writer.send(conn, { type: 'pong' }); return;
      case 'cmd': this.deps.commands.submit(conn, frame, receivedAt, reply); return;
      case 'sub': void this.deps.topics.subscribe(conn, frame.topic, reply); return;
      case 'unsub': this.deps.topics.unsubscribe(conn, frame.topic, reply); return;
    }
  }
}

function transportOf(ws: Socket): UwsTransport {
  return ws.getUserData().conn.transport as UwsTransport;
}
