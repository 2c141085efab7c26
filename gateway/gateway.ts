/**
 * The gateway service: one uWS app serving the WebSocket protocol (`/ws`,
 * protocol/README.md), the Socket.IO endpoint (`/socket.io/`), the HTTP
 * command API (`/v1/commands`), Stripe webhooks (`/webhooks/stripe`, when
 * SY_STRIPE_WEBHOOK_SECRET is set), `/healthz`, `/readyz` and `/metrics`, all
 * on one port. This file wires the parts together and owns start and drain.
 *
 * Drain (SIGTERM, via the Supervisor), in order: readiness false and new
 * upgrades refused; the listen socket closed; publishes in flight finished
 * (their `accepted` still sent; new commands get DRAINING); every client
 * told to reconnect (an `error` DRAINING frame with a randomised
 * `details.reconnectAfterMs`, then close 1012); session records released
 * in Redis (node cleared, resumable anywhere); rate-limit counts flushed.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { HttpResponse, TemplatedApp, us_listen_socket } from '@trufflesuite/uws-js-unofficial';
import { ERROR_CODES } from '../protocol/index.js';
import { gatewayDraining, metricsText, declareGatewaySeries } from '../platform/index.js';
import type { Config, Logger, Redis, Service } from '../platform/index.js';
import { stripeWebhookVerifierFromConfig } from '../integrations/index.js';
import type { Uws } from './nativeUws.js';
import { listenExclusive } from './exclusiveListen.js';
import type { TokenVerifier } from './tokenVerifier.js';
import { CommandPublisher } from './commandPublisher.js';
import { traceGatewayHops } from './commandTracing.js';
import { CommandIntake } from './commandIntake.js';
import { ConnectionsPerIp } from './connectionsPerIp.js';
import { ControlChannel } from './controlChannel.js';
import { HttpApi } from './httpApi.js';
import { HttpCommandStatusStore } from './httpCommandStatus.js';
import { PushFanout, gatewayRoute } from './pushFanout.js';
import { RateLimiter } from './rateLimiter.js';
import { OutReplay } from './recovery.js';
import { NatsGapRecovery } from './natsGapRecovery.js';
import { SessionStore } from './sessionStore.js';
import { SocketIoEndpoint } from './socketIoEndpoint.js';
import { StaticFiles } from './staticFiles.js';
import { respondPathNotFound } from './httpResponse.js';
import { SocketWriter, closeReason, stateOf } from './socketSession.js';
import { StripeWebhookEndpoint } from './stripeWebhook.js';
import { TopicAuthorizer } from './topicAuthorizer.js';
import { WsEndpoint } from './wsEndpoint.js';
import { WsPushDelivery } from './wsPushDelivery.js';
import { WsSessions } from './wsSessions.js';
import { WsTopics } from './wsTopics.js';

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  nc: NatsConnection;
  redis: Redis;
  uws: Uws;
  verifier: TokenVerifier;
}

export class Gateway implements Service {
  readonly name = 'gateway';
  /** The bound port (differs from config when SY_PORT=0). */
  port = 0;
  private listenSocket: us_listen_socket | undefined;
  private draining = false;
  private parts: Awaited<ReturnType<Gateway['build']>> | undefined;

  constructor(private readonly deps: GatewayDeps) {}

  async start(): Promise<void> {
    declareGatewaySeries();
    const parts = await this.build();
    this.parts = parts;
    const { host, port } = this.deps.config;
    const listening = await listenExclusive(this.deps.uws, parts.app, host, port);
    this.listenSocket = listening.token;
    this.port = listening.port;
    this.deps.logger.info({ ws: `ws://${host}:${this.port}/ws`, http: `http://${host}:${this.port}` }, 'gateway listening');
  }

  async stop(): Promise<void> {
    const parts = this.parts;
    this.draining = true;
    gatewayDraining.set(1);
    if (this.listenSocket) {
      this.deps.uws.us_listen_socket_close(this.listenSocket);
      this.listenSocket = undefined;
    }
    if (!parts) return;
    await parts.intake.drain();
    parts.publisher.close();
    const spread = this.deps.config.drainReconnectSpreadMs;
    const reconnectAfterMs = () => Math.floor(Math.random() * (spread + 1));
    for (const ws of [...parts.ws.sockets]) {
      const state = stateOf(ws);
      if (state.closed) continue;
      parts.writer.sendError(ws, { code: 'DRAINING', message: ERROR_CODES.DRAINING.message, details: { reconnectAfterMs: reconnectAfterMs() } });
      if (!state.closed) ws.end(ERROR_CODES.DRAINING.wsClose, closeReason('draining: reconnect and resume'));
    }
    await parts.socketIo?.drain(reconnectAfterMs);
    parts.gapRecovery.stop();
    parts.sessions.stop();
    await parts.sessions.released();
    await parts.rateLimiter.stop();
    parts.control.stop();
    parts.authorizer.stop();
    parts.delivery.stop();
    parts.fanout.close();
    this.deps.logger.info('gateway drained');
  }

  private async build() {
    const { config, logger, nc, redis, uws, verifier } = this.deps;
    const app = uws.App();
    const writer = new SocketWriter(config.maxBackpressureBytes);
    let socketIo: SocketIoEndpoint | undefined;
    const fanout: PushFanout = new PushFanout(nc, gatewayRoute(config.nodeId), {
      wants: (outSubject): boolean => delivery.wants(outSubject) || (socketIo?.wants(outSubject) ?? false),
      deliver: (push) => {
        delivery.deliver(push);
        socketIo?.deliver(push);
      },
    });
    const delivery: WsPushDelivery = new WsPushDelivery(app, fanout, writer, config.resumeBufferMax, config.deliveredResultMemory, logger);
    const store = new SessionStore(redis, config.nodeId, config.sessionTtlS * 1000);
    const rateLimiter = new RateLimiter(redis, config.nodeId, { limit: config.rateLimitCommands, windowMs: config.rateLimitWindowMs, syncMs: config.rateLimitSyncMs }, logger);
    const authorizer = new TopicAuthorizer(nc, { timeoutMs: config.aclTimeoutMs, cacheTtlMs: config.aclCacheTtlMs, cacheMax: config.aclCacheMax }, logger);
    const publisher = new CommandPublisher(nc, config.partitions, config.publishTimeoutMs);
    const intake = new CommandIntake(publisher, rateLimiter, config.maxPendingPublishes, logger);
    traceGatewayHops(publisher, delivery);
    const replay = await OutReplay.create(nc);
    const statusStore = await HttpCommandStatusStore.create(nc, redis, config.outMaxAgeS);
    let sessions: WsSessions | undefined;
    const control = new ControlChannel(nc, config.nodeId, (takeover) => sessions?.onTakeover(takeover));
    sessions = new WsSessions({ config, logger, verifier, store, replay, fanout, delivery, writer, authorizer, rateLimiter, control });
    const topics = new WsTopics(sessions, authorizer, fanout, delivery, writer, config.maxSubscriptions, logger);
    const gapRecovery = new NatsGapRecovery(nc, delivery, sessions, replay, writer, logger);
    const perIp = new ConnectionsPerIp(config.maxConnectionsPerIp);
    const ws = new WsEndpoint({ config, writer, sessions, topics, intake, perIp, draining: () => this.draining });

    app.ws('/ws', ws.behavior());
    new HttpApi({ verifier, intake, statusStore, rateLimiter, maxBodyBytes: config.maxFrameBytes, bodyTimeoutMs: config.httpBodyTimeoutMs, perIp, logger }).register(app);
    if (config.staticDir) (await StaticFiles.load(config.staticDir)).register(app);
    if (config.stripeWebhookSecret) {
      new StripeWebhookEndpoint({ verifier: stripeWebhookVerifierFromConfig(config), intake, bodyTimeoutMs: config.httpBodyTimeoutMs, logger }).register(app);
    }
    if (config.socketIoEnabled) {
      socketIo = new SocketIoEndpoint({ config, logger, redis, verifier, intake, fanout, authorizer });
      socketIo.attach(app);
    }
    app
      .get('/healthz', (res) => { res.end('ok'); })
      .get('/readyz', (res) => {
        if (this.draining) res.writeStatus('503 Service Unavailable').end('draining');
        else res.end('ready');
      })
      .get('/metrics', (res) => serveMetrics(res))
      .any('/*', (res) => respondPathNotFound(res));

    fanout.start();
    await fanout.flush();
    control.start();
    authorizer.start();
    rateLimiter.start();
    sessions.start();
    gapRecovery.start();
    return { app, writer, delivery, fanout, rateLimiter, authorizer, intake, publisher, control, sessions, ws, socketIo, gapRecovery };
  }
}

function serveMetrics(res: HttpResponse): void {
  let aborted = false;
  res.onAborted(() => { aborted = true; });
  void metricsText().then(({ contentType, body }) => {
    if (aborted) return;
    res.cork(() => res.writeHeader('Content-Type', contentType).end(body));
  });
}
