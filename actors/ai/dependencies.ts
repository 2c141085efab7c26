/**
 * ai: what its controllers get as ctx.deps, built once per worker — the
 * ChatProvider SY_AI_PROVIDER names (the simulated one by default, which
 * says so in the log), the per-user and per-worker generation limits, the
 * usage ledger, and the settings from SY_AI_*.
 */
import { chatProviderFromConfig, type ChatProvider } from '../../integrations/index.js';
import type { ActorPlatform } from '../runtime/index.js';
import { AI_METRICS } from './metrics.js';
import { UsageLedger } from './usageLedger.js';
import { UserGenerationLimit } from './userGenerationLimit.js';
import { WorkerGenerationSlots } from './workerGenerationSlots.js';

/** Longest one `chat` may run (the route's timeout): generations are long, but not unbounded. */
export const CHAT_TIMEOUT_MS = 10 * 60_000;

export interface AiSettings {
  contextChars: number;
  maxAnswerTokens: number;
  progressIntervalMs: number;
  progressChars: number;
}

export interface AiDeps {
  provider: ChatProvider;
  userLimit: UserGenerationLimit;
  workerSlots: WorkerGenerationSlots;
  usage: UsageLedger;
  settings: AiSettings;
}

export function aiDependencies({ db, config, logger }: ActorPlatform): AiDeps {
  AI_METRICS.declareSeries?.();
  return {
    provider: chatProviderFromConfig(config, logger),
    // A slot outlives the longest generation, so it only expires for a worker that died holding it.
    userLimit: new UserGenerationLimit(db, config.aiUserConcurrency, CHAT_TIMEOUT_MS + 60_000),
    workerSlots: new WorkerGenerationSlots(config.aiWorkerConcurrency),
    usage: new UsageLedger(db),
    settings: {
      contextChars: config.aiContextChars,
      maxAnswerTokens: config.aiMaxAnswerTokens,
      progressIntervalMs: config.aiProgressIntervalMs,
      progressChars: config.aiProgressChars,
    },
  };
}
