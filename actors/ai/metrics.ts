/**
 * The metrics the AI feature owns (platform/metricSection.ts: the contract
 * of a section), registered in actors/registry.ts. Its series are created at
 * zero when a worker builds the AI actor's dependencies.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { VENDOR_CALL_BUCKETS, registry, type MetricSection } from '../../platform/index.js';

export const AI_GENERATION_OUTCOMES = ['completed', 'cancelled', 'failed', 'limited'] as const;
export const AI_TOKEN_PARTS = ['prompt', 'completion'] as const;
export const aiGenerations = new Counter({
  name: 'switchyard_ai_generations_total',
  help: 'AI chat generations that ended on this worker, by outcome (completed, cancelled, failed, limited = refused by the per-user limit).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const aiGenerationsRunning = new Gauge({
  name: 'switchyard_ai_generations_running',
  help: 'AI generations streaming from the provider now on this worker.',
  registers: [registry],
});

export const aiGenerationsWaiting = new Gauge({
  name: 'switchyard_ai_generations_waiting',
  help: 'AI generations waiting for a slot of this worker (SY_AI_WORKER_CONCURRENCY).',
  registers: [registry],
});

export const aiFirstChunkLatency = new Histogram({
  name: 'switchyard_ai_first_chunk_seconds',
  help: 'Time from the start of an AI generation (worker slot held) to the first answer text from the provider.',
  buckets: VENDOR_CALL_BUCKETS,
  registers: [registry],
});

export const aiTokens = new Counter({
  name: 'switchyard_ai_tokens_total',
  help: 'Tokens of completed and cancelled AI generations, by part (prompt, completion); estimates included where the provider reported none.',
  labelNames: ['part'] as const,
  registers: [registry],
});

export const AI_METRICS: MetricSection = {
  title: 'AI feature',
  owner: 'actors/ai',
  metrics: [aiGenerations, aiGenerationsRunning, aiGenerationsWaiting, aiFirstChunkLatency, aiTokens],
  labels: {
    outcome: `AI generations: ${AI_GENERATION_OUTCOMES.join(', ')}`,
    part: `AI token part: ${AI_TOKEN_PARTS.join(', ')}`,
  },
  declareSeries() {
    for (const outcome of AI_GENERATION_OUTCOMES) aiGenerations.inc({ outcome }, 0);
    for (const part of AI_TOKEN_PARTS) aiTokens.inc({ part }, 0);
    aiGenerationsRunning.set(0);
    aiGenerationsWaiting.set(0);
  },
};
