/**
 * The label values of platform/metrics.ts — the gateway's and the actor
 * runtime's metric sections (platform/metricSection.ts): every label name
 * their metrics carry, with the bounded set its values come from, and the
 * functions that create each series at zero when a process starts.
 * Integrations and features declare their own sections the same way.
 *
 * Why pre-create series: Prometheus only knows a labelled series after its
 * first sample, and `rate()`/`increase()` miss a counter's first increment
 * when the series appears with it. A dead-letter alert built on
 * `increase(switchyard_actor_dead_letters_total[10m]) > 0` would not fire for
 * the first dead letter of a fresh worker. Creating every known series at 0
 * on start fixes both, and makes the dashboards show 0 instead of "No data".
 *
 * The metrics catalog test refuses a label name that no section declares or
 * that looks unbounded (user, entity, session, topic, ids...).
 */
import { CLIENT_FRAMES, ERROR_CODE_NAMES, SERVER_FRAMES } from '../protocol/index.js';
import {
  actorCacheLookups, actorCommands, actorDeadLetters, actorHandlerLatency, actorOutboxLag, actorPartitionsOwned,
  actorQueueWait, actorRebalances, actorRedeliveries, actorRetries, actorHandlersRunning, actorStaleWrites, actorTimersFired,
  actorCronTicks, actorSchedulerLeader, actorStoreDocuments, actorStoreRoundTrips, actorCacheEntries, cmdBacklog, cmdBacklogByActor,
  gatewayFramesIn, gatewayFramesOut, gatewayRecoveries, gatewayRejections, gatewayAclDecisions, gatewayRateLimitSyncs,
  gatewayTakeovers, gatewaySessions, gatewayBackpressureCloses, gatewayReplayedPushes, gatewayDuplicateResultsDropped,
  gatewayDraining, gatewayConnections, gatewayAcceptLatency, gatewayResultLatency, gatewayPublishesInFlight,
  gatewayHttpRequests, paymentsWebhooks,
} from './metrics.js';
import type { MetricSection } from './metricSection.js';

/** Frame types counted in: the client frames plus `invalid` for frames that did not parse. */
export const FRAME_IN_TYPES = [...Object.keys(CLIENT_FRAMES), 'invalid'] as const;
/** Frame types counted out: the server frames plus `push` (a result/event/progress relayed from OUT). */
export const FRAME_OUT_TYPES = [...Object.keys(SERVER_FRAMES), 'push'] as const;
export const RECOVERY_OUTCOMES = ['recovered', 'lost', 'unknown_session'] as const;
export const ACL_DECISIONS = ['allow', 'deny', 'unavailable'] as const;
export const ACL_SOURCES = ['policy', 'cache', 'service'] as const;
export const RATE_LIMIT_SYNC_OUTCOMES = ['ok', 'failed'] as const;
export const TAKEOVER_PLACES = ['same_node', 'other_node'] as const;
export const SESSION_TRANSPORTS = ['websocket', 'socketio'] as const;
export const ACTOR_COMMAND_OUTCOMES = ['ok', 'error', 'duplicate', 'dead_lettered', 'cancelled'] as const;
export const CRON_TICK_OUTCOMES = ['sent', 'duplicate', 'skipped'] as const;
export const REBALANCE_KINDS = ['acquired', 'released', 'lost', 'taken_over'] as const;
export const CACHE_RESULTS = ['hit', 'miss'] as const;
export const WEBHOOK_OUTCOMES = ['accepted', 'duplicate', 'ignored', 'refused', 'unavailable'] as const;
export const STORE_ROUND_TRIP_KINDS = ['load', 'commit', 'check'] as const;
export const STORE_DOCUMENT_OPS = ['loaded', 'written'] as const;

/**
 * Label names that carry one value per user, entity, session, topic,
 * command or connection: refused on any metric (unbounded series).
 */
export const UNBOUNDED_LABEL_PATTERN = /user|entity|session|topic|room|(^|_)id$|^id_|uuid|key|token|trace|span|subject|command|email|address|(^|_)ip$|url|path|node|pod|conn/i;

/** Creates the gateway's labelled series at zero. Call once when a gateway process starts. */
export function declareGatewaySeries(): void {
  for (const type of FRAME_IN_TYPES) gatewayFramesIn.inc({ type }, 0);
  for (const type of FRAME_OUT_TYPES) gatewayFramesOut.inc({ type }, 0);
  for (const code of ERROR_CODE_NAMES) gatewayRejections.inc({ code }, 0);
  for (const outcome of RECOVERY_OUTCOMES) gatewayRecoveries.inc({ outcome }, 0);
  for (const decision of ACL_DECISIONS) for (const source of ACL_SOURCES) gatewayAclDecisions.inc({ decision, source }, 0);
  for (const outcome of RATE_LIMIT_SYNC_OUTCOMES) gatewayRateLimitSyncs.inc({ outcome }, 0);
  for (const where of TAKEOVER_PLACES) gatewayTakeovers.inc({ where }, 0);
  for (const transport of SESSION_TRANSPORTS) gatewaySessions.set({ transport }, 0);
  gatewayBackpressureCloses.inc(0);
  gatewayReplayedPushes.inc(0);
  gatewayDuplicateResultsDropped.inc(0);
  gatewayDraining.set(0);
  gatewayConnections.set(0);
}

/** Creates every actor series at zero for these actor types. Call once when a worker process starts. */
export function declareActorSeries(actors: readonly string[]): void {
  for (const actor of actors) {
    for (const outcome of ACTOR_COMMAND_OUTCOMES) actorCommands.inc({ actor, outcome }, 0);
    for (const kind of REBALANCE_KINDS) actorRebalances.inc({ actor, kind }, 0);
    for (const result of CACHE_RESULTS) actorCacheLookups.inc({ actor, result }, 0);
    for (const outcome of CRON_TICK_OUTCOMES) actorCronTicks.inc({ actor, outcome }, 0);
    for (const kind of STORE_ROUND_TRIP_KINDS) actorStoreRoundTrips.inc({ actor, kind }, 0);
    for (const op of STORE_DOCUMENT_OPS) actorStoreDocuments.inc({ actor, op }, 0);
    for (const kind of STORE_ROUND_TRIP_KINDS) actorStoreRoundTrips.inc({ actor, kind }, 0);
    for (const op of STORE_DOCUMENT_OPS) actorStoreDocuments.inc({ actor, op }, 0);
    actorRedeliveries.inc({ actor }, 0);
    actorDeadLetters.inc({ actor }, 0);
    actorRetries.inc({ actor }, 0);
    actorStaleWrites.inc({ actor }, 0);
    actorTimersFired.inc({ actor }, 0);
    actorPartitionsOwned.set({ actor }, 0);
    actorHandlersRunning.set({ actor }, 0);
    actorCacheEntries.set({ actor }, 0);
    actorHandlerLatency.zero({ actor });
    actorQueueWait.zero({ actor });
    actorOutboxLag.zero({ actor });
  }
  actorSchedulerLeader.set(0);
}

/** Creates the Stripe webhook series at zero. Call once when a gateway serves POST /webhooks/stripe. */
export function declareWebhookSeries(): void {
  for (const outcome of WEBHOOK_OUTCOMES) paymentsWebhooks.inc({ outcome }, 0);
}

/** The gateway's metrics (updated under gateway/), Stripe webhook deliveries included. */
export const GATEWAY_METRICS: MetricSection = {
  title: 'gateway',
  owner: 'gateway',
  metrics: [
    gatewayConnections, gatewayFramesIn, gatewayFramesOut, gatewayAcceptLatency, gatewayResultLatency, gatewayRejections,
    gatewayBackpressureCloses, gatewayRecoveries, gatewayDraining, gatewaySessions, gatewayTakeovers, gatewayReplayedPushes,
    gatewayDuplicateResultsDropped, gatewayPublishesInFlight, gatewayAclDecisions, gatewayRateLimitSyncs, gatewayHttpRequests,
    paymentsWebhooks,
  ],
  labels: {
    type: `frame type; in: ${FRAME_IN_TYPES.join(', ')}; out: ${FRAME_OUT_TYPES.join(', ')}`,
    code: `error code from protocol/errors.ts (${ERROR_CODE_NAMES.length} values: ${ERROR_CODE_NAMES.join(', ')})`,
    outcome: `recoveries: ${RECOVERY_OUTCOMES.join(', ')}; rate-limit syncs: ${RATE_LIMIT_SYNC_OUTCOMES.join(', ')}; webhooks: ${WEBHOOK_OUTCOMES.join(', ')}`,
    transport: SESSION_TRANSPORTS.join(', '),
    where: TAKEOVER_PLACES.join(', '),
    decision: ACL_DECISIONS.join(', '),
    source: ACL_SOURCES.join(', '),
    route: 'gateway HTTP route: post_command, get_command, stripe_webhook',
    status: 'HTTP status code',
  },
  declareSeries: () => { declareGatewaySeries(); declareWebhookSeries(); },
};

/** The actor runtime's metrics (updated under actors/runtime/), the CMD backlog included. */
export const ACTOR_RUNTIME_METRICS: MetricSection = {
  title: 'actor runtime',
  owner: 'actors/runtime',
  metrics: [
    actorCommands, actorHandlerLatency, actorQueueWait, actorRedeliveries, actorDeadLetters, actorPartitionsOwned, cmdBacklog,
    cmdBacklogByActor, actorRebalances, actorOutboxLag, actorCacheLookups, actorRetries, actorHandlersRunning, actorStaleWrites,
    actorTimersFired, actorCronTicks, actorSchedulerLeader, actorCacheEntries, actorStoreRoundTrips, actorStoreDocuments,
  ],
  labels: {
    actor: 'actor type name from actors/registry.ts (one per feature actor, a handful)',
    outcome: `actor commands: ${ACTOR_COMMAND_OUTCOMES.join(', ')}; cron ticks: ${CRON_TICK_OUTCOMES.join(', ')}`,
    kind: `rebalances: ${REBALANCE_KINDS.join(', ')}; store round trips: ${STORE_ROUND_TRIP_KINDS.join(', ')}`,
    op: `entity store documents: ${STORE_DOCUMENT_OPS.join(', ')}`,
    result: CACHE_RESULTS.join(', '),
  },
};
