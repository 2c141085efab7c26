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
import { ERROR_CODES, epochMillis, parseClientFrame, toErrorBody, type CmdFrame } from '../protocol/index.js';
import { gatewayConnections, gatewayFramesIn } from '../platform/index.js';
import type { Config } from '../platform/index.js';
import type { CommandIntake } from './commandIntake.js';
import { remoteAddress, type ConnectionsPerIp } from './connectionsPerIp.js';
import { SocketSession, stateOf, wakeDrainWaiters, type Socket, type SocketUserData, type SocketWriter } from './socketSession.js';
import type { WsSessions } from './wsSessions.js';
import type { WsTopics } from './wsTopics.js';

export interface WsEndpointDeps {
  config: Config;
  writer: SocketWriter;
  sessions: WsSessions;
  topics: WsTopics;
  intake: CommandIntake;
  /** SY_MAX_CONNECTIONS_PER_IP, shared with the HTTP routes. */
  perIp: ConnectionsPerIp;
  /** True once the gateway drains: upgrades are refused. */
  draining: () => boolean;
}

/** Headroom over SY_MAX_BACKPRESSURE_BYTES before uWS itself drops a socket (our own check closes it with 4008 first). */
const HARD_BACKPRESSURE_HEADROOM = 1024 * 1024;

/** The transport's own frame limit: twice the protocol limit; beyond it uWS drops the connection without a close frame (1006). */
export function hardFrameLimit(maxFrameBytes: number): number {
  return maxFrameBytes * 2;
}

export class WsEndpoint {
  /** Every open socket, authenticated or not (drain closes them all). */
  readonly sockets = new Set<Socket>();

  constructor(private readonly deps: WsEndpointDeps) {}

  behavior(): WebSocketBehavior<SocketUserData> {
    const { config } = this.deps;
    return {
      // Above our own limit, so a frame over SY_MAX_FRAME_BYTES gets FRAME_TOO_LARGE and close 1009.
      maxPayloadLength: hardFrameLimit(config.maxFrameBytes),
      idleTimeout: config.idleTimeoutS,
      sendPingsAutomatically: true,
      maxBackpressure: config.maxBackpressureBytes * 2 + HARD_BACKPRESSURE_HEADROOM,
      closeOnBackpressureLimit: 1,
      upgrade: (res, req, context) => this.upgrade(res, req, context),
      open: (ws) => this.open(ws),
      message: (ws, message, isBinary) => this.message(ws, message, isBinary),
      drain: (ws) => wakeDrainWaiters(stateOf(ws)),
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
    const userData: SocketUserData = { state: new SocketSession(ip) };
    res.upgrade(
      userData,
      req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'),
      context,
    );
  }

  private open(ws: Socket): void {
    this.sockets.add(ws);
    gatewayConnections.inc();
    const state = stateOf(ws);
    state.helloTimer = setTimeout(() => {
      if (!state.closed && state.user === undefined) {
        this.deps.writer.closeWith(ws, { code: 'AUTH_REQUIRED', message: `No valid hello within ${this.deps.config.helloTimeoutMs} ms.` });
      }
    }, this.deps.config.helloTimeoutMs);
  }

  private close(ws: Socket): void {
    const state = stateOf(ws);
    state.closed = true;
    clearTimeout(state.helloTimer);
    state.helloTimer = undefined;
    wakeDrainWaiters(state);
    this.sockets.delete(ws);
    this.deps.perIp.close(state.remoteIp);
    gatewayConnections.dec();
    this.deps.sessions.closed(ws);
  }

  private message(ws: Socket, message: ArrayBuffer, isBinary: boolean): void {
    const receivedAt = epochMillis();
    const { writer, config } = this.deps;
    const state = stateOf(ws);
    if (message.byteLength > config.maxFrameBytes) {
      gatewayFramesIn.inc({ type: 'invalid' });
      writer.closeWith(ws, { code: 'FRAME_TOO_LARGE', message: `Frames may be at most ${config.maxFrameBytes} bytes.`, details: { maxFrameBytes: config.maxFrameBytes } });
      return;
    }
    if (isBinary) {
      gatewayFramesIn.inc({ type: 'invalid' });
      const error = { code: 'BAD_FRAME' as const, message: 'Binary frames are not supported; send JSON text frames.' };
      if (state.user !== undefined) writer.sendError(ws, error);
      else writer.closeWith(ws, error);
      return;
    }
    const parsed = parseClientFrame(Buffer.from(message).toString('utf8'));
    if (!parsed.ok) {
      gatewayFramesIn.inc({ type: 'invalid' });
      if (state.user === undefined) writer.closeWith(ws, parsed.error);
      else if (parsed.id !== undefined) writer.reject(ws, parsed.id, parsed.error);
      else writer.sendError(ws, parsed.error);
      return;
    }
    const frame = parsed.frame;
    gatewayFramesIn.inc({ type: frame.type });
    if (frame.type === 'hello') {
      if (state.helloStarted) writer.sendError(ws, { code: 'VALIDATION', message: 'hello was already sent on this connection.' });
      else void this.deps.sessions.open(ws, frame);
      return;
    }
    if (state.user === undefined) {
      writer.closeWith(ws, { code: 'AUTH_REQUIRED', message: state.helloStarted ? 'Wait for welcome before sending anything else.' : ERROR_CODES.AUTH_REQUIRED.message });
      return;
    }
    switch (frame.type) {
      case 'ping': writer.send(ws, { type: 'pong' }); return;
      case 'cmd': this.command(ws, frame, receivedAt); return;
      case 'sub': void this.deps.topics.subscribe(ws, frame.topic); return;
      case 'unsub': this.deps.topics.unsubscribe(ws, frame.topic); return;
    }
  }

  private command(ws: Socket, frame: CmdFrame, receivedAt: number): void {
    const { writer, config, intake } = this.deps;
    const state = stateOf(ws);
    if (state.inFlight >= config.maxInFlight) {
      writer.reject(ws, frame.id, { code: 'LIMIT_EXCEEDED', message: `More than ${config.maxInFlight} commands are waiting to be accepted on this connection.`, details: { limit: 'maxInFlight', max: config.maxInFlight } });
      return;
    }
    state.inFlight++;
    const accept = () => { writer.send(ws, { type: 'accepted', id: frame.id }); };
    const wait = state.acks().sent(frame.id, accept);
    intake.submit(frame, { user: state.user!, session: state.session, receivedAt }).then(
      () => {
        state.inFlight--;
        if (state.acks().settled(wait)) accept();
      },
      (err: unknown) => {
        state.inFlight--;
        // A frame already answered `accepted` (its result came first, so it is durable) gets no second answer.
        if (state.acks().settled(wait) && !state.closed) writer.reject(ws, frame.id, toErrorBody(err));
      },
    );
  }
}
