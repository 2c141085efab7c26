/**
 * The gateway's settings (platform/config.ts: how sections compose): listen
 * port, static files, auth, input limits, sessions, publishes, rate limits,
 * topic ACLs, drain and the Socket.IO endpoint.
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../platform/index.js';

const FIELDS = {
  port: field('SY_PORT', Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'Gateway port (WebSocket and HTTP). 0 picks a free port.' })),
  staticDir: field('SY_STATIC_DIR', Type.String({ default: '', description: 'Directory of static files the gateway serves under /app/ (npm start puts the demo there). Empty: none.' })),
  jwtSecret: field('SY_JWT_SECRET', Type.String({ default: '', description: 'HS256 secret for development tokens. Empty disables HS256.' })),
  jwtPublicKey: field('SY_JWT_PUBLIC_KEY', Type.String({ default: '', description: 'PEM public key (SPKI) for RS256/ES256 tokens.' })),
  jwksUrl: field('SY_JWT_JWKS_URL', Type.String({ default: '', description: 'JWKS URL for RS256/ES256 tokens (e.g. Firebase Auth).' })),
  jwtAlgorithms: field('SY_JWT_ALGORITHMS', Type.String({ default: 'HS256', pattern: '^(HS256|RS256|ES256)(,(HS256|RS256|ES256))*$', description: 'Accepted JWT algorithms, comma-separated; every other `alg` is refused.' })),
  jwtIssuer: field('SY_JWT_ISSUER', Type.String({ default: '', description: 'Required `iss` claim. Empty: not checked.' })),
  jwtAudience: field('SY_JWT_AUDIENCE', Type.String({ default: '', description: 'Required `aud` claim. Empty: not checked.' })),
  jwtClockSkewS: field('SY_JWT_CLOCK_SKEW_S', Type.Integer({ default: 30, minimum: 0, maximum: 600, description: 'Tolerance for `exp`/`nbf`, seconds.' })),
  maxFrameBytes: field('SY_MAX_FRAME_BYTES', Type.Integer({ default: 65536, minimum: 1024, maximum: 16777216, description: 'Largest WebSocket frame or HTTP body accepted.' })),
  maxConnectionsPerIp: field('SY_MAX_CONNECTIONS_PER_IP', Type.Integer({ default: 0, minimum: 0, maximum: 10000000, description: 'Open WebSocket connections plus HTTP requests in progress one client address may hold on a gateway; more are refused with 429 TOO_MANY_CONNECTIONS. 0: no limit (behind a load balancer every client may share its address).' })),
  httpBodyTimeoutMs: field('SY_HTTP_BODY_TIMEOUT_MS', Type.Integer({ default: 10000, minimum: 100, maximum: 600000, description: 'Longest an HTTP request body may take to arrive (slow clients); then 408 REQUEST_TIMEOUT and the connection is closed.' })),
  maxInFlight: field('SY_MAX_IN_FLIGHT', Type.Integer({ default: 256, minimum: 1, maximum: 100000, description: 'Commands per socket sent but not yet accepted.' })),
  maxSubscriptions: field('SY_MAX_SUBSCRIPTIONS', Type.Integer({ default: 100, minimum: 1, maximum: 10000, description: 'Topics one socket may join.' })),
  idleTimeoutS: field('SY_IDLE_TIMEOUT_S', Type.Integer({ default: 60, minimum: 8, maximum: 960, description: 'Drop a WebSocket that answered nothing, not even the WebSocket pings the gateway sends, for this long (1006, no close frame). Pongs count: a client that only answers pings stays connected.' })),
  maxBackpressureBytes: field('SY_MAX_BACKPRESSURE_BYTES', Type.Integer({ default: 1048576, minimum: 16384, maximum: 268435456, description: 'Unsent bytes buffered per socket before it is closed as a slow consumer.' })),
  sessionTtlS: field('SY_SESSION_TTL_S', Type.Integer({ default: 3600, minimum: 10, maximum: 2592000, description: 'How long a session record outlives its last heartbeat (resume window), seconds.' })),
  sessionHeartbeatMs: field('SY_SESSION_HEARTBEAT_MS', Type.Integer({ default: 15000, minimum: 100, maximum: 600000, description: 'How often a gateway refreshes its session records in Redis and checks their epoch (takeover).' })),
  helloTimeoutMs: field('SY_HELLO_TIMEOUT_MS', Type.Integer({ default: 10000, minimum: 100, maximum: 600000, description: 'A socket that sent no valid hello within this time is closed with AUTH_REQUIRED.' })),
  publishTimeoutMs: field('SY_PUBLISH_TIMEOUT_MS', Type.Integer({ default: 5000, minimum: 100, maximum: 60000, description: 'How long a command publish waits for the JetStream ack before the command is rejected with UNAVAILABLE.' })),
  maxPendingPublishes: field('SY_MAX_PENDING_PUBLISHES', Type.Integer({ default: 20000, minimum: 1, maximum: 1000000, description: 'Command publishes one gateway keeps waiting for their ack; more are rejected with UNAVAILABLE.' })),
  resumeBufferMax: field('SY_RESUME_BUFFER_MAX', Type.Integer({ default: 10000, minimum: 10, maximum: 1000000, description: 'Live pushes buffered per socket while its missed pushes are replayed; more close it as a slow consumer.' })),
  deliveredResultMemory: field('SY_DELIVERED_RESULT_MEMORY', Type.Integer({ default: 256, minimum: 0, maximum: 100000, description: 'Result ids remembered per session so a result re-published by an actor is not delivered twice.' })),
  rateLimitCommands: field('SY_RATE_LIMIT_COMMANDS', Type.Integer({ default: 1000, minimum: 0, maximum: 10000000, description: 'Commands one user may send per rate-limit window, cluster-wide. 0 disables the limit.' })),
  rateLimitWindowMs: field('SY_RATE_LIMIT_WINDOW_MS', Type.Integer({ default: 1000, minimum: 100, maximum: 86400000, description: 'Length of the per-user rate-limit window (starts at the user\'s first command), ms.' })),
  rateLimitSyncMs: field('SY_RATE_LIMIT_SYNC_MS', Type.Integer({ default: 200, minimum: 10, maximum: 10000, description: 'How often a gateway adds its local command counts to the cluster totals in Redis.' })),
  aclTimeoutMs: field('SY_ACL_TIMEOUT_MS', Type.Integer({ default: 2000, minimum: 50, maximum: 60000, description: 'How long the gateway waits for a topic ACL answer (svc.acl.<kind>) before refusing with UNAVAILABLE.' })),
  aclCacheTtlMs: field('SY_ACL_CACHE_TTL_MS', Type.Integer({ default: 30000, minimum: 0, maximum: 3600000, description: 'How long a topic ACL allow is reused (invalidations drop it earlier; refusals are never cached). 0 disables caching.' })),
  aclCacheMax: field('SY_ACL_CACHE_MAX', Type.Integer({ default: 100000, minimum: 1, maximum: 10000000, description: 'Most topic ACL allows one gateway keeps.' })),
  drainReconnectSpreadMs: field('SY_DRAIN_RECONNECT_SPREAD_MS', Type.Integer({ default: 2000, minimum: 0, maximum: 60000, description: 'Drained clients are told to reconnect after a random delay, so they do not all arrive at once: spread over at most this long.' })),
  drainReconnectsPerSecond: field('SY_DRAIN_RECONNECTS_PER_SECOND', Type.Integer({ default: 1000, minimum: 1, maximum: 1000000, description: 'How many drained clients are sent back a second at most: the reconnect spread is clients / this, up to SY_DRAIN_RECONNECT_SPREAD_MS (a few dozen clients go at once).' })),
  socketIoEnabled: field('SY_SOCKETIO_ENABLED', Type.Boolean({ default: true, description: 'Serve the Socket.IO endpoint (/socket.io/) on the gateway port.' })),
} as const;

export const GATEWAY_CONFIG = defineConfigSection('gateway', 'gateway', FIELDS);

declare module '../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
