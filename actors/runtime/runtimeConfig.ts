/**
 * The actor runtime's settings (platform/config.ts: how sections compose):
 * the worker's metrics port, leases, concurrency, retries, consumers, the
 * entity cache, timers and the probe actor.
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../../platform/index.js';

const FIELDS = {
  workerMetricsPort: field('SY_WORKER_METRICS_PORT', Type.Integer({ default: 9465, minimum: 0, maximum: 65535, description: 'Actor worker /metrics and /healthz port. 0 picks a free port.' })),
  leaseTtlMs: field('SY_LEASE_TTL_MS', Type.Integer({ default: 5000, minimum: 500, maximum: 120000, description: 'Actor partition and scheduler leases (Redis): a worker that stops renewing (crashed, paused, cut off) loses its partitions after this long at the latest (sooner when declared dead, see SY_FAILURE_DETECTION_MS).' })),
  failureDetectionMs: field('SY_FAILURE_DETECTION_MS', Type.Integer({ default: 600, minimum: 0, maximum: 60000, description: 'A worker whose liveness beats (core NATS, every quarter of this) stop for this long is declared dead and its partitions are taken over at once, without waiting for SY_LEASE_TTL_MS; the fencing token still refuses its writes if it was only paused. Keep well under SY_LEASE_TTL_MS. 0 turns detection off (takeover after the lease TTL).' })),
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
} as const;

export const RUNTIME_CONFIG = defineConfigSection('actor runtime', 'actors/runtime', FIELDS);

declare module '../../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
