/**
 * Typed configuration from environment variables.
 *
 * Every setting is one row of CONFIG_FIELDS: its variable, a TypeBox schema
 * (type, bounds, `default`, `description`). `loadConfig` reads the
 * environment once at start-up; an invalid value fails with a ConfigError
 * naming the variable, and `SY_*` variables that no field knows are returned
 * as warnings (a typo must not pass silently). The README's configuration
 * table lists the same rows (a test keeps them in step).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const field = <S extends TSchema>(env: string, schema: S) => ({ env, schema });

/** The fields, keyed by their name in the Config object. */
export const CONFIG_FIELDS = {
  nodeId: field('SY_NODE_ID', Type.String({ default: '', maxLength: 64, pattern: '^[A-Za-z0-9_-]*$', description: 'Name of this process in the cluster (NATS subjects, metrics, sessions). Empty: host-pid-random.' })),
  logLevel: field('SY_LOG_LEVEL', Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info', description: 'Log level.' })),
  natsUrl: field('NATS_URL', Type.String({ default: 'nats://127.0.0.1:4222', minLength: 1, description: 'NATS server(s), comma-separated. `npm start` sets it to the server it starts unless given.' })),
  redisUrl: field('REDIS_URL', Type.String({ default: 'redis://127.0.0.1:6379', minLength: 1, description: 'Redis URL; for Redis with Sentinel `redis+sentinel://[:password@]host:port[,host:port…]/<master>[/<db>]`.' })),
  mongoUri: field('MONGODB_URI', Type.String({ default: 'mongodb://127.0.0.1:27017/', minLength: 1, description: 'MongoDB connection string.' })),
  mongoDb: field('SY_MONGODB_DB', Type.String({ default: 'switchyard', minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9_-]+$', description: 'MongoDB database name.' })),
  host: field('SY_HOST', Type.String({ default: '127.0.0.1', minLength: 1, description: 'Gateway listen address.' })),
  port: field('SY_PORT', Type.Integer({ default: 8080, minimum: 0, maximum: 65535, description: 'Gateway port (WebSocket and HTTP). 0 picks a free port.' })),
  staticDir: field('SY_STATIC_DIR', Type.String({ default: '', description: 'Directory of static files the gateway serves under /app/ (npm start puts the demo there). Empty: none.' })),
  workerMetricsPort: field('SY_WORKER_METRICS_PORT', Type.Integer({ default: 9465, minimum: 0, maximum: 65535, description: 'Actor worker /metrics and /healthz port. 0 picks a free port.' })),
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
  drainGraceMs: field('SY_DRAIN_GRACE_MS', Type.Integer({ default: 10000, minimum: 0, maximum: 600000, description: 'How long SIGTERM waits for in-flight work before exiting.' })),
  partitions: field('SY_PARTITIONS', Type.Integer({ default: 64, minimum: 1, maximum: 4096, description: 'Partitions per actor type. Every process must agree.' })),
  outMaxAgeS: field('SY_OUT_MAX_AGE_S', Type.Integer({ default: 3600, minimum: 10, maximum: 2592000, description: 'Retention of pushes for recovery (OUT stream max age), seconds.' })),
  duplicateWindowS: field('SY_DUPLICATE_WINDOW_S', Type.Integer({ default: 120, minimum: 1, maximum: 86400, description: 'JetStream de-duplication window for command ids, seconds.' })),
  streamReplicas: field('SY_STREAM_REPLICAS', Type.Integer({ default: 1, minimum: 1, maximum: 5, description: 'JetStream replicas for switchyard streams (3 in a cluster).' })),
  // Integrations (integrations/README.md). Fields marked `secret: true` are in the logger's redaction list (a test checks).
  stripeSecretKey: field('SY_STRIPE_SECRET_KEY', Type.String({ default: '', secret: true, description: 'Stripe secret API key (sk_… or rk_…), for actor workers. Empty: payments are not configured.' })),
  stripeWebhookSecret: field('SY_STRIPE_WEBHOOK_SECRET', Type.String({ default: '', secret: true, description: 'Stripe webhook endpoint signing secret (whsec_…), for the gateway. Empty: webhooks are refused.' })),
  stripeApiBase: field('SY_STRIPE_API_BASE', Type.String({ default: 'https://api.stripe.com', pattern: '^https?://[^/]+/?$', description: 'Stripe API base URL (scheme, host, port); tests point it at stripe-mock.' })),
  stripeTimeoutMs: field('SY_STRIPE_TIMEOUT_MS', Type.Integer({ default: 20000, minimum: 100, maximum: 120000, description: 'Timeout of one Stripe API request, ms.' })),
  stripeMaxNetworkRetries: field('SY_STRIPE_MAX_NETWORK_RETRIES', Type.Integer({ default: 2, minimum: 0, maximum: 10, description: 'Retries of a Stripe request on network errors, 409 and 5xx (same idempotency key), before the runtime sees a transient error.' })),
  stripeWebhookToleranceS: field('SY_STRIPE_WEBHOOK_TOLERANCE_S', Type.Integer({ default: 300, minimum: 1, maximum: 86400, description: 'Largest accepted age of a Stripe webhook signature timestamp, seconds.' })),
  discordWebhookUrl: field('SY_DISCORD_WEBHOOK_URL', Type.String({ default: '', secret: true, pattern: '^(|https?://.+/webhooks/[0-9]+/[^/?#]+/?)$', description: 'Discord webhook URL for payment notifications (contains its token). Empty: notifications are skipped.' })),
  discordApiBase: field('SY_DISCORD_API_BASE', Type.String({ default: 'https://discord.com/api', pattern: '^https?://', description: 'Discord API base URL without version; tests point it at a local server.' })),
  discordTimeoutMs: field('SY_DISCORD_TIMEOUT_MS', Type.Integer({ default: 15000, minimum: 100, maximum: 120000, description: 'Longest one Discord notification may take, rate-limit waits and retries included, ms.' })),
  aiProvider: field('SY_AI_PROVIDER', Type.Union([Type.Literal('simulated'), Type.Literal('openai')], { default: 'simulated', description: 'AI provider: `openai` (any OpenAI-compatible Chat Completions API: OpenAI, vLLM, llama.cpp, Ollama) or `simulated` (canned answers, no model).' })),
  aiBaseUrl: field('SY_AI_BASE_URL', Type.String({ default: 'https://api.openai.com/v1', pattern: '^https?://', description: 'Base URL of the OpenAI-compatible API (…/v1); `/chat/completions` is appended.' })),
  aiModel: field('SY_AI_MODEL', Type.String({ default: 'gpt-4o-mini', minLength: 1, maxLength: 200, description: 'Model name sent to the AI provider.' })),
  aiApiKey: field('SY_AI_API_KEY', Type.String({ default: '', secret: true, description: 'Bearer API key for the AI provider. Empty: no Authorization header (local servers).' })),
  aiTimeoutMs: field('SY_AI_TIMEOUT_MS', Type.Integer({ default: 60000, minimum: 100, maximum: 600000, description: 'Longest the AI provider may stay silent: until its response starts, and between two streamed chunks, ms.' })),
  aiMaxAttempts: field('SY_AI_MAX_ATTEMPTS', Type.Integer({ default: 3, minimum: 1, maximum: 10, description: 'Attempts per AI request on 429, 5xx and network errors (before the first chunk), honouring Retry-After.' })),
  // ---- gateway: sessions, limits, rate limits, ACL, drain ----
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
  drainReconnectSpreadMs: field('SY_DRAIN_RECONNECT_SPREAD_MS', Type.Integer({ default: 2000, minimum: 0, maximum: 60000, description: 'Drained clients are told to reconnect after a random delay up to this, so they do not all arrive at once.' })),
  socketIoEnabled: field('SY_SOCKETIO_ENABLED', Type.Boolean({ default: true, description: 'Serve the Socket.IO endpoint (/socket.io/) on the gateway port.' })),
  aiContextChars: field('SY_AI_CONTEXT_CHARS', Type.Integer({ default: 24000, minimum: 8000, maximum: 2000000, description: 'Budget of conversation context sent to the AI provider, in characters (about 4 per token): the newest turns that fit, oldest dropped first.' })),
  aiMaxAnswerTokens: field('SY_AI_MAX_ANSWER_TOKENS', Type.Integer({ default: 1024, minimum: 16, maximum: 32768, description: 'Upper bound on the tokens of one AI answer (max_tokens sent to the provider).' })),
  aiUserConcurrency: field('SY_AI_USER_CONCURRENCY', Type.Integer({ default: 2, minimum: 1, maximum: 1000, description: 'AI generations one user may have running at once, across all workers; more are refused with LIMIT_EXCEEDED.' })),
  aiWorkerConcurrency: field('SY_AI_WORKER_CONCURRENCY', Type.Integer({ default: 16, minimum: 1, maximum: 10000, description: 'AI generations running at once on one worker; more wait for a free slot (their commands stay held and heartbeated).' })),
  aiProgressIntervalMs: field('SY_AI_PROGRESS_INTERVAL_MS', Type.Integer({ default: 100, minimum: 0, maximum: 10000, description: 'Streamed answer text is pushed as progress at most once per this interval, ms (or sooner once SY_AI_PROGRESS_CHARS have gathered).' })),
  aiProgressChars: field('SY_AI_PROGRESS_CHARS', Type.Integer({ default: 256, minimum: 1, maximum: 65536, description: 'Answer characters gathered that trigger a progress push before the interval ends.' })),
  leaseTtlMs: field('SY_LEASE_TTL_MS', Type.Integer({ default: 5000, minimum: 500, maximum: 120000, description: 'Actor partition and scheduler leases (Redis): a crashed worker\'s partitions are taken over after this long.' })),
  rebalanceIntervalMs: field('SY_REBALANCE_INTERVAL_MS', Type.Integer({ default: 1000, minimum: 100, maximum: 30000, description: 'How often a worker renews its leases, heartbeats and rebalances partitions (keep well under SY_LEASE_TTL_MS / 2).' })),
  actorConcurrency: field('SY_ACTOR_CONCURRENCY', Type.Integer({ default: 256, minimum: 1, maximum: 100000, description: 'Command handlers running at once on one worker, all actor types together.' })),
  actorTypeConcurrency: field('SY_ACTOR_TYPE_CONCURRENCY', Type.Integer({ default: 64, minimum: 1, maximum: 100000, description: 'Command handlers of one actor type running at once on one worker (an actor\'s options.concurrency overrides it).' })),
  actorHandlerTimeoutMs: field('SY_ACTOR_HANDLER_TIMEOUT_MS', Type.Integer({ default: 30000, minimum: 10, maximum: 86400000, description: 'A handler running longer is aborted (ctx.signal) and the attempt counts as a transient failure.' })),
  actorMaxAttempts: field('SY_ACTOR_MAX_ATTEMPTS', Type.Integer({ default: 5, minimum: 1, maximum: 100, description: 'Attempts of a transiently failing command before it goes to the DLQ.' })),
  actorRetryBaseMs: field('SY_ACTOR_RETRY_BASE_MS', Type.Integer({ default: 200, minimum: 1, maximum: 600000, description: 'First retry delay; it doubles per attempt (with jitter) up to SY_ACTOR_RETRY_MAX_MS.' })),
  actorRetryMaxMs: field('SY_ACTOR_RETRY_MAX_MS', Type.Integer({ default: 10000, minimum: 1, maximum: 3600000, description: 'Longest retry delay.' })),
  actorAckWaitMs: field('SY_ACTOR_ACK_WAIT_MS', Type.Integer({ default: 30000, minimum: 1000, maximum: 3600000, description: 'JetStream ack wait of command consumers; held commands get an in-progress ack every third of it.' })),
  actorMaxAckPending: field('SY_ACTOR_MAX_ACK_PENDING', Type.Integer({ default: 1000, minimum: 1, maximum: 1000000, description: 'Commands of one partition a worker holds at once (received, not yet acked).' })),
  actorAppliedMemory: field('SY_ACTOR_APPLIED_MEMORY', Type.Integer({ default: 32, minimum: 1, maximum: 100000, description: 'Recently applied command ids (with results) each entity keeps: a command published again (a client retry past the duplicate window, a timer or cron tick sent twice) is answered with its stored result instead of applied again. Redeliveries of one message are recognised by stream sequence at any age.' })),
  actorCacheEntries: field('SY_ACTOR_CACHE_ENTRIES', Type.Integer({ default: 10000, minimum: 0, maximum: 10000000, description: 'Entity states cached per actor type on one worker (LRU).' })),
  actorPassivateS: field('SY_ACTOR_PASSIVATE_S', Type.Integer({ default: 300, minimum: 1, maximum: 86400, description: 'An entity idle this long is dropped from the cache (passivated).' })),
  timerPollMs: field('SY_TIMER_POLL_MS', Type.Integer({ default: 250, minimum: 10, maximum: 60000, description: 'How often the scheduler leader looks for due timers and cron ticks.' })),
  probeActor: field('SY_PROBE_ACTOR', Type.Boolean({ default: false, description: 'Run the probe actor (long work, failures, timers, a 1 s cron job): for the runtime tests and benchmarks, not for production.' })),
  // ---- messaging ----
  presenceTtlMs: field('SY_PRESENCE_TTL_MS', Type.Integer({ default: 30000, minimum: 1000, maximum: 3600000, description: 'Messaging presence: a member counts as online this long after their last presence.heartbeat; clients send one every third of it, and a member whose socket died is shown leaving within 4/3 of it.' })),
  // Payments actor (actors/payments/README.md).
  paymentsReconcileIntervalS: field('SY_PAYMENTS_RECONCILE_INTERVAL_S', Type.Integer({ default: 300, minimum: 1, maximum: 86400, description: 'How often the payments reconciler lists recent Stripe PaymentIntents and fixes orders whose webhook never arrived, seconds (checked on a 5 s cron tick).' })),
  paymentsReconcileLookbackS: field('SY_PAYMENTS_RECONCILE_LOOKBACK_S', Type.Integer({ default: 259200, minimum: 60, maximum: 2592000, description: 'How far back each reconciliation pass looks (PaymentIntents created since), seconds; Stripe retries a webhook for up to 3 days.' })),
  // ---- crypto payments (actors/crypto/README.md); one block until config moves into feature-owned sections ----
  cryptoRpcUrl: field('SY_CRYPTO_RPC_URL', Type.String({ default: '', pattern: '^(|https?://.+)$', description: 'JSON-RPC URL of the Ethereum node the crypto actor reads (`npm start` runs a local Hardhat node). Empty: crypto payments are not configured.' })),
  cryptoRpcTimeoutMs: field('SY_CRYPTO_RPC_TIMEOUT_MS', Type.Integer({ default: 10000, minimum: 100, maximum: 120000, description: 'Timeout of one JSON-RPC request to the Ethereum node, ms.' })),
  cryptoXpub: field('SY_CRYPTO_XPUB', Type.String({ default: '', maxLength: 200, description: 'BIP32 extended PUBLIC key (xpub) the per-order deposit addresses are derived from; the private key is never configured here.' })),
  cryptoConfirmations: field('SY_CRYPTO_CONFIRMATIONS', Type.Integer({ default: 12, minimum: 1, maximum: 1000, description: 'Blocks (the payment\'s own included) before a crypto payment counts as confirmed and the order as paid.' })),
  cryptoOrderTtlS: field('SY_CRYPTO_ORDER_TTL_S', Type.Integer({ default: 3600, minimum: 1, maximum: 2592000, description: 'How long a crypto order waits for its payment before it expires, seconds.' })),
  cryptoTokenAddress: field('SY_CRYPTO_TOKEN_ADDRESS', Type.String({ default: '', pattern: '^(|0x[0-9a-fA-F]{40})$', description: 'ERC-20 contract accepted beside native ETH (a stablecoin; `npm start` deploys a test token). Empty: ETH only.' })),
  cryptoTokenSymbol: field('SY_CRYPTO_TOKEN_SYMBOL', Type.String({ default: 'TUSD', pattern: '^[A-Z][A-Z0-9]{1,9}$', description: 'Asset name clients use for the ERC-20 of SY_CRYPTO_TOKEN_ADDRESS.' })),
  cryptoTokenDecimals: field('SY_CRYPTO_TOKEN_DECIMALS', Type.Integer({ default: 6, minimum: 0, maximum: 36, description: 'Decimals of the ERC-20 of SY_CRYPTO_TOKEN_ADDRESS.' })),
  cryptoStartBlock: field('SY_CRYPTO_START_BLOCK', Type.Integer({ default: -1, minimum: -1, description: 'Block the chain watcher starts after when it has no checkpoint yet; -1: the chain head at its first tick.' })),
  cryptoBlocksPerTick: field('SY_CRYPTO_BLOCKS_PER_TICK', Type.Integer({ default: 20, minimum: 1, maximum: 1000, description: 'Most blocks the chain watcher reads per tick (500 ms) before it commits its checkpoint.' })),
} as const;

type Fields = typeof CONFIG_FIELDS;
export type Config = { readonly [K in keyof Fields]: Static<Fields[K]['schema']> };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** SY_* variables read elsewhere on purpose (tooling, tests), not unknown. */
const OTHER_KNOWN_VARIABLES = new Set(['SY_TOOLS_DIR', 'SY_DEV_MODE', 'SY_TEST_CONCURRENCY', 'SY_TEST_TIMEOUT_MS']);

const validators = new Map<string, ReturnType<typeof Compile>>();
function validatorFor(schema: TSchema) {
  const key = JSON.stringify(schema);
  let v = validators.get(key);
  if (!v) validators.set(key, (v = Compile(schema)));
  return v;
}

function coerce(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: unknown }).type;
  if (type === 'integer' || type === 'number') return raw.trim() === '' ? Number.NaN : Number(raw);
  if (type === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  return raw;
}

function describe(schema: TSchema): string {
  const s = schema as Record<string, unknown>;
  if (s.type === 'boolean') return 'true or false (1 or 0)';
  if (s.type === 'integer') return `an integer from ${String(s.minimum)} to ${String(s.maximum)}`;
  if (Array.isArray(s.anyOf)) return `one of ${(s.anyOf as Array<{ const: string }>).map((x) => x.const).join(', ')}`;
  if (typeof s.pattern === 'string') return `a string matching ${s.pattern}`;
  return 'a string';
}

export interface LoadedConfig {
  config: Config;
  /** Human-readable warnings (unknown SY_* variables); log them at start-up. */
  warnings: string[];
}

/** Reads and validates the configuration. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [key, { env: name, schema }] of Object.entries(CONFIG_FIELDS)) {
    known.add(name);
    const raw = env[name];
    const value = raw === undefined ? (schema as unknown as { default: unknown }).default : coerce(schema, raw);
    if (!validatorFor(schema).Check(value)) {
      const shown = (schema as { secret?: unknown }).secret === true ? '[redacted]' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is invalid: expected ${describe(schema)}.`);
      continue;
    }
    out[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (out.nodeId === '') out.nodeId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('SY_') && !known.has(name) && !OTHER_KNOWN_VARIABLES.has(name))
    .map((name) => `Unknown configuration variable ${name} is ignored (check the spelling; see the README's configuration table).`);
  return { config: out as Config, warnings };
}

/** Config keys whose schema says `secret: true`: their values must never reach a log line. */
export function secretConfigKeys(): string[] {
  return Object.entries(CONFIG_FIELDS)
    .filter(([, { schema }]) => (schema as { secret?: unknown }).secret === true)
    .map(([key]) => key);
}

/** Rows for the README table: variable, default, meaning. */
export function configTable(): Array<{ env: string; default: unknown; description: string }> {
  return Object.values(CONFIG_FIELDS).map(({ env, schema }) => ({
    env,
    default: (schema as unknown as { default: unknown }).default,
    description: String((schema as { description?: unknown }).description ?? ''),
  }));
}
