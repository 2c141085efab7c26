/**
 * The metrics registry every process serves on /metrics, and the metrics
 * the platform owns: the gateway's and the actor runtime's. Integrations and
 * features declare theirs beside their code (platform/metricSection.ts);
 * docs/metrics.md is generated from every registered section.
 *
 * Rules: names start with `switchyard_`; labels take values from small fixed
 * sets (frame types, error codes, actor types, outcomes), never user, entity,
 * session or topic ids.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Latency buckets from 50 µs to 10 s: the budget lives around 0.1–2 ms, long work in seconds. */
export const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// ---- gateway ----

export const gatewayConnections = new Gauge({
  name: 'switchyard_gateway_connections',
  help: 'Open WebSocket connections on this gateway.',
  registers: [registry],
});

export const gatewayFramesIn = new Counter({
  name: 'switchyard_gateway_frames_in_total',
  help: 'Frames received from clients, by frame type (invalid for unparseable frames).',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const gatewayFramesOut = new Counter({
  name: 'switchyard_gateway_frames_out_total',
  help: 'Frames sent to clients, by frame type.',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const gatewayAcceptLatency = new Histogram({
  name: 'switchyard_gateway_accept_latency_seconds',
  help: 'Command frame received to accepted sent (includes the JetStream publish ack).',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const gatewayResultLatency = new Histogram({
  name: 'switchyard_gateway_result_latency_seconds',
  help: 'Command accepted (gateway receive time, carried in headers) to result pushed to the client.',
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const gatewayRejections = new Counter({
  name: 'switchyard_gateway_rejections_total',
  help: 'Frames and requests refused, by error code.',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const gatewayBackpressureCloses = new Counter({
  name: 'switchyard_gateway_backpressure_closes_total',
  help: 'Sockets closed because their send buffer passed the limit (slow consumers).',
  registers: [registry],
});

export const gatewayRecoveries = new Counter({
  name: 'switchyard_gateway_recoveries_total',
  help: 'Session resumes, by outcome: recovered (every missed push replayed), lost (retention passed) or unknown_session (expired or never existed: a new session).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const gatewayDraining = new Gauge({
  name: 'switchyard_gateway_draining',
  help: '1 while this gateway drains after SIGTERM, else 0.',
  registers: [registry],
});

export const gatewaySessions = new Gauge({
  name: 'switchyard_gateway_sessions',
  help: 'Sessions (WebSocket and Socket.IO) live on this gateway.',
  labelNames: ['transport'] as const,
  registers: [registry],
});

export const gatewayTakeovers = new Counter({
  name: 'switchyard_gateway_takeovers_total',
  help: 'Sockets closed because their session was resumed on another connection, by where the new one is (same_node, other_node).',
  labelNames: ['where'] as const,
  registers: [registry],
});

export const gatewayReplayedPushes = new Counter({
  name: 'switchyard_gateway_replayed_pushes_total',
  help: 'Pushes replayed from the OUT stream to resuming sessions.',
  registers: [registry],
});

export const gatewayDuplicateResultsDropped = new Counter({
  name: 'switchyard_gateway_duplicate_results_dropped_total',
  help: 'Results not delivered because the session already received that command id.',
  registers: [registry],
});

let readPublishesInFlight: () => number = () => 0;

/** Read when metrics are scraped, not written per command. */
export const gatewayPublishesInFlight = new Gauge({
  name: 'switchyard_gateway_publishes_in_flight',
  help: 'Command publishes waiting for their JetStream ack.',
  registers: [registry],
  collect() {
    this.set(readPublishesInFlight());
  },
});

/** Where gatewayPublishesInFlight reads its value (the gateway's CommandIntake). */
export function reportPublishesInFlight(read: () => number): void {
  readPublishesInFlight = read;
}

export const gatewayAclDecisions = new Counter({
  name: 'switchyard_gateway_acl_decisions_total',
  help: 'Topic ACL decisions, by decision (allow, deny, unavailable) and source (policy, cache, service).',
  labelNames: ['decision', 'source'] as const,
  registers: [registry],
});

export const gatewayRateLimitSyncs = new Counter({
  name: 'switchyard_gateway_rate_limit_syncs_total',
  help: 'Batches of rate-limit counts sent to Redis, by outcome (ok, failed).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const gatewayHttpRequests = new Counter({
  name: 'switchyard_gateway_http_requests_total',
  help: 'HTTP API requests, by route (post_command, get_command) and status code.',
  labelNames: ['route', 'status'] as const,
  registers: [registry],
});


// ---- actors ----

export const actorCommands = new Counter({
  name: 'switchyard_actor_commands_total',
  help: 'Commands finished by actors, by actor type and outcome (ok, error, duplicate, dead_lettered, cancelled).',
  labelNames: ['actor', 'outcome'] as const,
  registers: [registry],
});

export const actorHandlerLatency = new Histogram({
  name: 'switchyard_actor_handler_seconds',
  help: 'Time from handler start to committed state, by actor type.',
  labelNames: ['actor'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const actorQueueWait = new Histogram({
  name: 'switchyard_actor_queue_wait_seconds',
  help: 'Time from gateway accept to handler start, by actor type.',
  labelNames: ['actor'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const actorRedeliveries = new Counter({
  name: 'switchyard_actor_redeliveries_total',
  help: 'Command deliveries that were not the first: JetStream redeliveries and commands found already applied, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorDeadLetters = new Counter({
  name: 'switchyard_actor_dead_letters_total',
  help: 'Commands moved to the DLQ after their last attempt, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorPartitionsOwned = new Gauge({
  name: 'switchyard_actor_partitions_owned',
  help: 'Partitions this worker owns, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const cmdBacklog = new Gauge({
  name: 'switchyard_cmd_backlog_messages',
  help: 'Commands in stream CMD not yet acked (a work queue: pending + ack-pending of every CMD consumer), as this worker last read it. Every worker reports the same stream: aggregate with max, not sum.',
  registers: [registry],
});

export const cmdBacklogByActor = new Gauge({
  name: 'switchyard_cmd_backlog_by_actor_messages',
  help: 'Pending + ack-pending of the CMD partition consumers of each actor type (all workers\' consumers), as this worker last read it. Aggregate with max by (actor), not sum.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorRebalances = new Counter({
  name: 'switchyard_actor_rebalances_total',
  help: 'Partition acquisitions and releases by this worker, by actor type and kind (acquired, released, lost; taken_over: acquired from a worker declared dead before its lease expired, also counted as acquired).',
  labelNames: ['actor', 'kind'] as const,
  registers: [registry],
});

export const actorOutboxLag = new Histogram({
  name: 'switchyard_actor_outbox_lag_seconds',
  help: 'Time from committing an outbox entry to its publish ack, by actor type.',
  labelNames: ['actor'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const actorCacheLookups = new Counter({
  name: 'switchyard_actor_cache_lookups_total',
  help: 'Entity state cache lookups, by actor type and result (hit, miss).',
  labelNames: ['actor', 'result'] as const,
  registers: [registry],
});

export const actorStoreRoundTrips = new Counter({
  name: 'switchyard_actor_store_round_trips_total',
  help: 'Round trips to the entity store, by actor type and kind (load = one find of the entities loaded together, commit = one bulkWrite of the commits made together, check = the read after a partly refused bulkWrite). Commands per round trip: rate(switchyard_actor_commands_total) / rate(this).',
  labelNames: ['actor', 'kind'] as const,
  registers: [registry],
});

export const actorStoreDocuments = new Counter({
  name: 'switchyard_actor_store_documents_total',
  help: 'Entity documents read and written by the runtime, by actor type and op (loaded, written = commits that succeeded). Store writes per command: rate(written) / rate(switchyard_actor_commands_total).',
  labelNames: ['actor', 'op'] as const,
  registers: [registry],
});

export const actorRetries = new Counter({
  name: 'switchyard_actor_retries_total',
  help: 'Transient handler failures retried in place (with backoff), by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorHandlersRunning = new Gauge({
  name: 'switchyard_actor_handlers_running',
  help: 'Command handlers running now on this worker, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorStaleWrites = new Counter({
  name: 'switchyard_actor_stale_writes_total',
  help: 'Entity commits refused because the entity moved on or a newer partition owner (fencing token) wrote it, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorTimersFired = new Counter({
  name: 'switchyard_actor_timers_fired_total',
  help: 'Durable timers sent as commands by the scheduler leader, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

export const actorCronTicks = new Counter({
  name: 'switchyard_actor_cron_ticks_total',
  help: 'Cron ticks published by the scheduler leader, by actor type and outcome (sent, duplicate = already sent by an earlier leader, skipped = late under the skip policy).',
  labelNames: ['actor', 'outcome'] as const,
  registers: [registry],
});

export const actorSchedulerLeader = new Gauge({
  name: 'switchyard_actor_scheduler_leader',
  help: '1 while this worker is the timer and cron leader, else 0.',
  registers: [registry],
});

export const actorCacheEntries = new Gauge({
  name: 'switchyard_actor_cache_entries',
  help: 'Entity states cached on this worker, by actor type.',
  labelNames: ['actor'] as const,
  registers: [registry],
});

// ---- Stripe webhooks at the gateway (gateway/stripeWebhook.ts) ----

export const paymentsWebhooks = new Counter({
  name: 'switchyard_payments_webhooks_total',
  help: 'Stripe webhook deliveries at the gateway, by outcome: accepted (durable in JetStream), duplicate (an event id already stored), ignored (not about an order), refused (bad or stale signature, bad body), unavailable (not made durable; Stripe sends it again).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** Vendor call and generation durations reach minutes (AI generations). */
export const VENDOR_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Prometheus text exposition of every registered metric. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
