/**
 * The vendor settings (platform/config.ts: how sections compose): Stripe,
 * Discord and the AI provider. Fields marked `secret: true` are redacted from
 * logs and error messages (a test checks).
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../platform/index.js';

const FIELDS = {
  stripeSecretKey: field('SY_STRIPE_SECRET_KEY', Type.String({ default: '', secret: true, description: 'Stripe secret API key (sk_… or rk_…), for actor workers. Empty: payments are not configured.' })),
  stripeWebhookSecret: field('SY_STRIPE_WEBHOOK_SECRET', Type.String({ default: '', secret: true, description: 'Stripe webhook endpoint signing secret (whsec_…), for the gateway. Empty: webhooks are refused.' })),
  stripeApiBase: field('SY_STRIPE_API_BASE', Type.String({ default: 'https://api.stripe.com', pattern: '^https?://[^/]+/?$', description: 'Stripe API base URL (scheme, host, port); tests point it at stripe-mock.' })),
  stripeTimeoutMs: field('SY_STRIPE_TIMEOUT_MS', Type.Integer({ default: 20000, minimum: 100, maximum: 120000, description: 'Timeout of one Stripe API request, ms.' })),
  stripeMaxNetworkRetries: field('SY_STRIPE_MAX_NETWORK_RETRIES', Type.Integer({ default: 2, minimum: 0, maximum: 10, description: 'Retries of a Stripe request on network errors, 409 and 5xx (same idempotency key), before the runtime sees a transient error.' })),
  stripeWebhookToleranceS: field('SY_STRIPE_WEBHOOK_TOLERANCE_S', Type.Integer({ default: 300, minimum: 1, maximum: 86400, description: 'Largest accepted age of a Stripe webhook signature timestamp, seconds.' })),
  discordWebhookUrl: field('SY_DISCORD_WEBHOOK_URL', Type.String({ default: '', secret: true, pattern: '^(|https?://.+/webhooks/[0-9]+/[^/?#]+/?)$', description: 'Discord webhook URL for payment notifications (contains its token). Empty: notifications are skipped.' })),
  discordApiBase: field('SY_DISCORD_API_BASE', Type.String({ default: 'https://discord.com/api', pattern: '^https?://', description: 'Discord API base URL without version; tests point it at a local server.' })),
  discordTimeoutMs: field('SY_DISCORD_TIMEOUT_MS', Type.Integer({ default: 15000, minimum: 100, maximum: 120000, description: 'Longest one Discord notification may take, rate-limit waits and retries included, ms.' })),
  aiProvider: field('SY_AI_PROVIDER', Type.Union([Type.Literal('simulated'), Type.Literal('openai')], { default: 'simulated', description: 'AI provider: `openai` (any OpenAI-compatible Chat Completions API: OpenAI, vLLM, llama.cpp, Ollama) or `simulated` (canned answers, no model).' })),
  aiBaseUrl: field('SY_AI_BASE_URL', Type.String({ default: 'https://api.openai.com/v1', pattern: '^https?://', description: 'Base URL of the OpenAI-compatible API (…/v1); `/chat/completions` is appended.' })),
  aiModel: field('SY_AI_MODEL', Type.String({ default: 'gpt-4o-mini', minLength: 1, maxLength: 200, description: 'Model name sent to the AI provider.' })),
  aiApiKey: field('SY_AI_API_KEY', Type.String({ default: '', secret: true, description: 'Bearer API key for the AI provider. Empty: no Authorization header (local servers).' })),
  aiTimeoutMs: field('SY_AI_TIMEOUT_MS', Type.Integer({ default: 60000, minimum: 100, maximum: 600000, description: 'Longest the AI provider may stay silent: until its response starts, and between two streamed chunks, ms.' })),
  aiMaxAttempts: field('SY_AI_MAX_ATTEMPTS', Type.Integer({ default: 3, minimum: 1, maximum: 10, description: 'Attempts per AI request on 429, 5xx and network errors (before the first chunk), honouring Retry-After.' })),
} as const;

export const INTEGRATIONS_CONFIG = defineConfigSection('integrations', 'integrations', FIELDS);

declare module '../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
