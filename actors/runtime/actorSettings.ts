/** The settings one actor type runs with: its options in code over the worker configuration (SY_*). */
import type { Config } from '../../platform/index.js';
import type { ActorOptions } from './actorDefinition.js';

export interface ActorSettings {
  partitions: number;
  leaseTtlMs: number;
  /** 0: off. */
  failureDetectionMs: number;
  rebalanceIntervalMs: number;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  ackWaitMs: number;
  maxAckPending: number;
  appliedMemory: number;
  cacheEntries: number;
  passivateMs: number;
}

export function actorSettings(config: Config, options: ActorOptions = {}): ActorSettings {
  return {
    partitions: config.partitions,
    leaseTtlMs: config.leaseTtlMs,
    failureDetectionMs: config.failureDetectionMs,
    rebalanceIntervalMs: config.rebalanceIntervalMs,
    concurrency: options.concurrency ?? config.actorTypeConcurrency,
    timeoutMs: options.timeoutMs ?? config.actorHandlerTimeoutMs,
    maxAttempts: options.maxAttempts ?? config.actorMaxAttempts,
    retryBaseMs: config.actorRetryBaseMs,
    retryMaxMs: config.actorRetryMaxMs,
    ackWaitMs: config.actorAckWaitMs,
    maxAckPending: config.actorMaxAckPending,
    appliedMemory: config.actorAppliedMemory,
    cacheEntries: config.actorCacheEntries,
    passivateMs: config.actorPassivateS * 1000,
  };
}
