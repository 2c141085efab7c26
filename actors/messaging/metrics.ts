/**
 * The metrics the messaging feature owns (platform/metricSection.ts: the
 * contract of a section), registered in actors/registry.ts; updated by its
 * services (ACL responder, invalidation relay, AI answer relay).
 */
import { Counter } from 'prom-client';
import { registry, type MetricSection } from '../../platform/index.js';
export const messagingAclAnswers = new Counter({
  name: 'switchyard_messaging_acl_answers_total',
  help: 'Topic ACL requests (svc.acl.room) answered by the messaging workers, by answer: allow, deny, unavailable (membership could not be read).',
  labelNames: ['answer'] as const,
  registers: [registry],
});

export const messagingAclInvalidations = new Counter({
  name: 'switchyard_messaging_acl_invalidations_total',
  help: 'svc.acl.invalidate messages published after committed membership changes (joined, left, removed).',
  registers: [registry],
});

export const messagingAiAnswerPosts = new Counter({
  name: 'switchyard_messaging_ai_answer_posts_total',
  help: 'ai.answer post commands sent to rooms for evt.ai.answer.completed events that asked for a post (at least once per event; the room posts once).',
  registers: [registry],
});

export const MESSAGING_METRICS: MetricSection = {
  title: 'messaging',
  owner: 'actors/messaging',
  metrics: [messagingAclAnswers, messagingAclInvalidations, messagingAiAnswerPosts],
  labels: { answer: 'messaging ACL answer: allow, deny, unavailable' },
};
