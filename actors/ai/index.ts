/**
 * ai (`actor: "ai"`, `entity: <conversation id>`): long AI work off the
 * request path. `chat` is accepted at once; the answer streams to the
 * sender as `progress` and ends in one `result`; `cancel` stops it. See
 * README.md and protocol/ai.ts.
 */
import { defineActor } from '../runtime/index.js';
import { aiDependencies } from './dependencies.js';
import { conversationRepository } from './repository.js';
import { aiRouter } from './router.js';

export const aiActor = defineActor({
  name: 'ai',
  repository: conversationRepository,
  router: aiRouter,
  dependencies: aiDependencies,
});
export { AI_METRICS } from './metrics.js';
export { AI_CONFIG } from './config.js';
