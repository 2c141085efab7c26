/** Process plumbing shared by gateways and workers: config, logs, metrics, connections, lifecycle. */
export { loadConfig, configTable, secretConfigKeys, composeFields, defineConfigSection, field, ConfigError, PLATFORM_CONFIG } from './config.js';
export type { Config, ConfigField, ConfigFields, ConfigSection, LoadedConfig, SectionValues } from './config.js';
export { createLogger, lazyChild, REDACT_PATHS } from './logger.js';
export { SharedCalls } from './sharedCalls.js';
export { CoalescedRuns } from './coalescedRuns.js';
export type { Logger, LoggerOptions } from './logger.js';
export { connectNats, ensureStreams, streamConfigs } from './nats.js';
export { publishCommand, natsHeadersOf } from './commandBus.js';
export type { NatsConnection } from './nats.js';
export { connectRedis, sentinelOptions } from './redis.js';
export type { Redis } from './redis.js';
export { connectMongo } from './mongo.js';
export type { Db, MongoClient } from './mongo.js';
export { Supervisor, EXIT_CODES } from './lifecycle.js';
export type { Service, SupervisorOptions } from './lifecycle.js';
export { startProcess, announceReady } from './startProcess.js';
export type { ProcessContext } from './startProcess.js';
export { MetricsServer } from './metricsServer.js';
export { activeTracer, startTracing, stopTracing, startSpan, endSpan, traceMethod, traceparentOf, withSpan, tracingRequest } from './tracing.js';
export type { SpanStart } from './tracing.js';
export {
  registry, metricsText, reportPublishesInFlight, LATENCY_BUCKETS, VENDOR_CALL_BUCKETS,
  gatewayConnections, gatewayFramesIn, gatewayFramesOut, gatewayAcceptLatency, gatewayResultLatency, gatewayRejections,
  gatewayBackpressureCloses, gatewayRecoveries, gatewayDraining, gatewaySessions, gatewayTakeovers, gatewayReplayedPushes,
  gatewayDuplicateResultsDropped, gatewayPublishesInFlight, gatewayAclDecisions, gatewayRateLimitSyncs, gatewayHttpRequests,
  paymentsWebhooks,
  actorCommands, actorHandlerLatency, actorQueueWait, actorRedeliveries, actorDeadLetters, actorPartitionsOwned, cmdBacklog,
  cmdBacklogByActor, actorRebalances, actorOutboxLag, actorCacheLookups, actorRetries, actorHandlersRunning, actorStaleWrites,
  actorTimersFired, actorCronTicks, actorSchedulerLeader, actorCacheEntries, actorStoreRoundTrips, actorStoreDocuments,
} from './metrics.js';
export {
  declareGatewaySeries, declareActorSeries, declareWebhookSeries, UNBOUNDED_LABEL_PATTERN, GATEWAY_METRICS, ACTOR_RUNTIME_METRICS,
  FRAME_IN_TYPES, FRAME_OUT_TYPES, RECOVERY_OUTCOMES, ACTOR_COMMAND_OUTCOMES, REBALANCE_KINDS, CACHE_RESULTS,
} from './metricLabels.js';
export type { MetricSection } from './metricSection.js';
