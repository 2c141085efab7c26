/**
 * The AI feature's settings (platform/config.ts: how sections compose;
 * registered in actors/registry.ts). The provider itself is configured in
 * integrations/integrationsConfig.ts.
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../../platform/index.js';

const FIELDS = {
  aiContextChars: field('SY_AI_CONTEXT_CHARS', Type.Integer({ default: 24000, minimum: 8000, maximum: 2000000, description: 'Budget of conversation context sent to the AI provider, in characters (about 4 per token): the newest turns that fit, oldest dropped first.' })),
  aiMaxAnswerTokens: field('SY_AI_MAX_ANSWER_TOKENS', Type.Integer({ default: 1024, minimum: 16, maximum: 32768, description: 'Upper bound on the tokens of one AI answer (max_tokens sent to the provider).' })),
  aiUserConcurrency: field('SY_AI_USER_CONCURRENCY', Type.Integer({ default: 2, minimum: 1, maximum: 1000, description: 'AI generations one user may have running at once, across all workers; more are refused with LIMIT_EXCEEDED.' })),
  aiWorkerConcurrency: field('SY_AI_WORKER_CONCURRENCY', Type.Integer({ default: 16, minimum: 1, maximum: 10000, description: 'AI generations running at once on one worker; more wait for a free slot (their commands stay held and heartbeated).' })),
  aiProgressIntervalMs: field('SY_AI_PROGRESS_INTERVAL_MS', Type.Integer({ default: 100, minimum: 0, maximum: 10000, description: 'Streamed answer text is pushed as progress at most once per this interval, ms (or sooner once SY_AI_PROGRESS_CHARS have gathered).' })),
  aiProgressChars: field('SY_AI_PROGRESS_CHARS', Type.Integer({ default: 256, minimum: 1, maximum: 65536, description: 'Answer characters gathered that trigger a progress push before the interval ends.' })),
} as const;

export const AI_CONFIG = defineConfigSection('AI feature', 'actors/ai', FIELDS);

declare module '../../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
