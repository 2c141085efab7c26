/**
 * The gateway service: one uWS app serving the WebSocket protocol (`/ws`,
 * protocol/README.md), the Socket.IO endpoint (`/socket.io/`), the HTTP
 * command API (`/v1/commands`), Stripe webhooks (`/webhooks/stripe`, when
 * SY_STRIPE_WEBHOOK_SECRET is set), `/healthz`, `/readyz` and `/metrics`, all
 * on one port. This file wires the parts together and lists them as
 * services in start order; the process supervisor drains them in reverse.
 *
 * Drain (SIGTERM, via the Supervisor stopping the services in reverse), in order: readiness false and new
 * upgrades refused; the listen socket closed; publishes in flight finished
 * (their `accepted` still sent; new commands get DRAINING); every client
 * told to reconnect (an `error` DRAINING frame with a randomised
 * `details.reconnectAfterMs`, then close 1012; drainReconnects.ts); session records released
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
import { drainReconnectSpreadMs, reconnectAfterMs } from './drainReconnects.js';
import { ConnectionCommands } from './connectionCommands.js';
import { ConnectionWriter, type TopicGroups } from './connection.js';
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
import { StripeWebhookEndpoint } from './stripeWebhook.js';
import { TopicAuthorizer } from './topicAuthorizer.js';
import { WsEndpoint } from './wsEndpoint.js';
import { PushDelivery } from './pushDelivery.js';
import { Sessions } from './sessions.js';
import { TopicSubscriptions } from './topicSubscriptions.js';
import { UwsTopicGroups } from './uwsTransport.js';

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  nc: NatsConnection;
  redis: Redis;
  uws: Uws;
  verifier: TokenVerifier;
}

type GatewayParts = Awaited<ReturnType<typeof buildParts>>;

/**
 * The gateway as services under the process supervisor's contract
 * (platform/lifecycle.ts): `services()` lists its parts in start order; the
 * supervisor starts them one by one and stops them in reverse, which is the
 * drain order described above — one list, no separate stop list.
 */
export class Gateway {
  /** The bound port (differs from config when SY_PORT=0); set once the listener started. */
  port = 0;
  private listenSocket: us_listen_socket | undefined;
  private draining = false;

  private constructor(private readonly deps: GatewayDeps, private readonly parts: GatewayParts) {}

  /** Builds every part (nothing runs yet); NATS and Redis must be connected. */
  static async build(deps: GatewayDeps): Promise<Gateway> {
    declareGatewaySeries();
    let gateway: Gateway | undefined;
    const parts = await buildParts(deps, () => gateway?.draining ?? false);
    gateway = new Gateway(deps, parts);
    return gateway;
  }

  /** The parts in start order; stopped in reverse: listener, intake, clients, …, push fan-out. */
  services(): Service[] {
    const { config, logger, uws } = this.deps;
    const p = this.parts;
    return [
      {
        name: 'push fanout',
        start: async () => { p.fanout.start(); await p.fanout.flush(); },
        stop: async () => { p.delivery.stop(); p.fanout.close(); logger.info('gateway drained'); },
      },
      { name: 'control channel', start: async () => { p.control.start(); }, stop: async () => { p.control.stop(); } },
      { name: 'topic authorizer', start: async () => { p.authorizer.start(); }, stop: async () => { p.authorizer.stop(); } },
      { name: 'rate limiter', start: async () => { p.rateLimiter.start(); }, stop: () => p.rateLimiter.stop() },
      // Session records are released in Redis (node cleared, resumable anywhere).
      { name: 'sessions', start: async () => { p.sessions.start(); }, stop: async () => { p.sessions.stop(); await p.sessions.released(); } },
      { name: 'gap recovery', start: async () => { p.gapRecovery.start(); }, stop: async () => { p.gapRecovery.stop(); } },
      {
        // Every client told to reconnect elsewhere, after a random delay within the spread (drainReconnects.ts).
        name: 'clients',
        start: async () => {},
        stop: async () => {
          const connections = [...p.ws.connections, ...(p.socketIo?.connections ?? [])];
          const spread = drainReconnectSpreadMs(connections.length, config.drainReconnectsPerSecond, config.drainReconnectSpreadMs);
          for (const conn of connections) {
            p.writer.closeWith(conn, { code: 'DRAINING', message: ERROR_CODES.DRAINING.message, details: { reconnectAfterMs: reconnectAfterMs(spread) } });
          }
          await p.socketIo?.close();
        },
      },
      // Publishes in flight finish (their `accepted` still sent; new commands get DRAINING).
      { name: 'command intake', start: async () => {}, stop: async () => { await p.intake.drain(); p.publisher.close(); } },
      {
        name: 'listener',
        start: async () => {
          const { host, port } = config;
          const listening = await listenExclusive(uws, p.app, host, port);
          this.listenSocket = listening.token;
          this.port = listening.port;
          logger.info({ ws: `ws://${host}:${this.port}/ws`, http: `http://${host}:${this.port}` }, 'gateway listening');
        },
        stop: async () => {
          // Readiness false and new upgrades refused, then the listen socket closed.
          this.draining = true;
          gatewayDraining.set(1);
          if (this.listenSocket) uws.us_listen_socket_close(this.listenSocket);
          this.listenSocket = undefined;
        },
      },
    ];
  }
}

/** Creates and wires every part; starts nothing (Gateway.services() does, in order). */
async function buildParts({ config, logger, nc, redis, uws, verifier }: GatewayDeps, draining: () => boolean) {
  const app = uws.App();
  const writer = new ConnectionWriter(config.maxBackpressureBytes);
  const fanout: PushFanout = new PushFanout(nc, gatewayRoute(config.nodeId), {
    wants: (outSubject): boolean => delivery.wants(outSubject),
    deliver: (push) => delivery.deliver(push),
  });
  // Topic pushes fan out through each transport's own groups (Socket.IO's are added below when enabled).
  const topicGroups: TopicGroups[] = [new UwsTopicGroups(app)];
  const delivery: PushDelivery = new PushDelivery(topicGroups, fanout, writer, config.resumeBufferMax, config.deliveredResultMemory, logger);
  const store = new SessionStore(redis, config.nodeId, config.sessionTtlS * 1000);
  const rateLimiter = new RateLimiter(redis, config.nodeId, { limit: config.rateLimitCommands, windowMs: config.rateLimitWindowMs, syncMs: config.rateLimitSyncMs }, logger);
  const authorizer = new TopicAuthorizer(nc, { timeoutMs: config.aclTimeoutMs, cacheTtlMs: config.aclCacheTtlMs, cacheMax: config.aclCacheMax }, logger);
  const publisher = new CommandPublisher(nc, config.partitions, config.publishTimeoutMs);
  const intake = new CommandIntake(publisher, rateLimiter, config.maxPendingPublishes, logger);
  traceGatewayHops(publisher, delivery);
  const replay = await OutReplay.create(nc);
  const statusStore = await HttpCommandStatusStore.create(nc, redis, config.outMaxAgeS);
  let sessions: Sessions | undefined;
  const control = new ControlChannel(nc, config.nodeId, (takeover) => sessions?.onTakeover(takeover));
  sessions = new Sessions({ config, logger, verifier, store, replay, fanout, delivery, writer, authorizer, rateLimiter, control });
  const topics = new TopicSubscriptions(sessions, authorizer, fanout, delivery, writer, config.maxSubscriptions, logger);
  const commands = new ConnectionCommands(intake, config.maxInFlight);
  const gapRecovery = new NatsGapRecovery(nc, delivery, sessions, replay, writer, logger);
  const perIp = new ConnectionsPerIp(config.maxConnectionsPerIp);
  const ws = new WsEndpoint({ config, writer, sessions, topics, commands, perIp, draining });

  app.ws('/ws', ws.behavior());
  new HttpApi({ verifier, intake, statusStore, rateLimiter, maxBodyBytes: config.maxFrameBytes, bodyTimeoutMs: config.httpBodyTimeoutMs, perIp, logger }).register(app);
  if (config.staticDir) (await StaticFiles.load(config.staticDir)).register(app);
  if (config.stripeWebhookSecret) {
    new StripeWebhookEndpoint({ verifier: stripeWebhookVerifierFromConfig(config), intake, bodyTimeoutMs: config.httpBodyTimeoutMs, logger }).register(app);
  }
  let socketIo: SocketIoEndpoint | undefined;
  if (config.socketIoEnabled) {
    socketIo = new SocketIoEndpoint({ config, redis, verifier, sessions, commands, topics, writer });
    topicGroups.push(socketIo.rooms);
    socketIo.attach(app);
  }
  app
    .get('/healthz', (res) => { res.end('ok'); })
    .get('/readyz', (res) => {
      if (draining()) res.writeStatus('503 Service Unavailable').end('draining');
      else res.end('ready');
    })
    .get('/metrics', (res) => serveMetrics(res))
    .any('/*', (res) => respondPathNotFound(res));
  return { app, writer, delivery, fanout, rateLimiter, authorizer, intake, publisher, control, sessions, ws, socketIo, gapRecovery };
}

function serveMetrics(res: HttpResponse): void {
  let aborted = false;
  res.onAborted(() => { aborted = true; });
  void metricsText().then(({ contentType, body }) => {
    if (aborted) return;
    res.cork(() => res.writeHeader('Content-Type', contentType).end(body));
  });
}
