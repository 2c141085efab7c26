/**
 * integrations/discord.ts through discord.js's WebhookClient against a local stand-in
 * for Discord's webhook execute endpoint (test/harness/discordWebhookServer.ts).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { DiscordWebhookNotifier, IntegrationError, notifierFromConfig } from '../../integrations/index.js';
import { loadConfig as loadSections } from '../../platform/index.js';
import { CONFIG_SECTIONS } from '../../composition/index.js';
import { startDiscordWebhookServer, type DiscordWebhookServer } from '../harness/discordWebhookServer.js';
import { captureLogger } from '../harness/capturedLogger.js';
import { integrationError, since } from '../harness/integrationAssertions.js';

const loadConfig = (env: Record<string, string>) => loadSections(env, CONFIG_SECTIONS);

let discord: DiscordWebhookServer;
t.before(async () => { discord = await startDiscordWebhookServer(); });
t.teardown(async () => { await discord?.stop(); });

/** A notifier with its own rate-limit state, so tests do not see each other's buckets. */
function notifier(timeoutMs = 15_000, logger?: ReturnType<typeof captureLogger>['logger']): DiscordWebhookNotifier {
  return new DiscordWebhookNotifier({ webhookUrl: discord.webhookUrl, apiBase: discord.apiBase, timeoutMs, ...(logger ? { logger } : {}) });
}



t.test('discord - a notification arrives once, as the webhook\'s message, and cannot ping anyone', async () => {
  const before = discord.messages.length;
  const receipt = await notifier().notify({ content: 'Payment succeeded @everyone', embeds: [{ title: 'Order o-1', color: 0x2ecc71 }] }, 'order:o-1:evt_1');
  const delivered = since(discord.messages, before);
  assert.equal(delivered.length, 1);
  assert.deepEqual(receipt, { delivered: true, messageId: delivered[0]!.id });
  assert.equal(delivered[0]!.content, 'Payment succeeded @everyone');
  assert.deepEqual(delivered[0]!.embeds, [{ title: 'Order o-1', color: 0x2ecc71 }]);
  assert.deepEqual(delivered[0]!.allowedMentions, { parse: [] });
});

t.test('discord - a 429 with retry_after is waited out, then the notification is delivered once', async () => {
  const firstRequest = discord.requests.length;
  const firstMessage = discord.messages.length;
  discord.script({ kind: 'rateLimited', retryAfterS: 1 });
  const receipt = await notifier().notify({ content: 'Payment failed: card declined' });
  const requests = since(discord.requests, firstRequest);
  assert.deepEqual(requests.map((r) => r.answered), [429, 200], 'rate limited once, then sent again and accepted');
  assert.ok(requests[1]!.at - requests[0]!.at >= 1000, `the retry came after Retry-After (${requests[1]!.at - requests[0]!.at} ms later)`);
  assert.equal(since(discord.messages, firstMessage).length, 1);
  assert.equal(receipt.delivered, true);
});

t.test('discord - rate-limit headers are obeyed before Discord has to answer 429', async () => {
  const firstRequest = discord.requests.length;
  // The first answer teaches the client the bucket id (a new bucket starts with fresh counters,
  // as in @discordjs/rest); the second empties that bucket for 1 s; the third must wait.
  discord.script({ kind: 'ok', remaining: 4, resetAfterS: 1 }, { kind: 'ok', remaining: 0, resetAfterS: 1 });
  const n = notifier();
  await n.notify({ content: 'first' });
  await n.notify({ content: 'second: bucket now empty' });
  await n.notify({ content: 'third: waits for the reset' });
  const requests = since(discord.requests, firstRequest);
  assert.deepEqual(requests.map((r) => r.answered), [200, 200, 200], 'no 429 provoked');
  const gap = requests[2]!.at - requests[1]!.at;
  assert.ok(gap >= 1000, `the third request waited for X-RateLimit-Reset-After (${gap} ms later)`);
});

t.test('discord - a rate limit longer than the time budget fails at once as a transient error', async () => {
  const firstRequest = discord.requests.length;
  const firstMessage = discord.messages.length;
  discord.script({ kind: 'rateLimited', retryAfterS: 60 });
  await assert.rejects(notifier(5_000).notify({ content: 'will not wait a minute' }), (err: unknown) => {
    integrationError('discord', 'UNAVAILABLE', true)(err);
    assert.ok(Number((err as IntegrationError).details?.retryAfterMs) >= 60_000, 'says how long Discord asked to wait');
    return true;
  });
  assert.equal(since(discord.requests, firstRequest).length, 1, 'not sent again');
  assert.equal(since(discord.messages, firstMessage).length, 0);
});

t.test('discord - a server that never answers ends in a transient error, never a hang', async () => {
  const firstMessage = discord.messages.length;
  discord.script({ kind: 'hang' }, { kind: 'hang' });
  await assert.rejects(notifier(1_000).notify({ content: 'into the void' }), integrationError('discord', 'UNAVAILABLE', true));
  assert.equal(since(discord.messages, firstMessage).length, 0);
  discord.script();
});

t.test('discord - a 500 is sent again once, then surfaces as transient', async () => {
  discord.script({ kind: 'serverError' }, { kind: 'serverError' });
  const firstRequest = discord.requests.length;
  await assert.rejects(notifier().notify({ content: 'discord is down' }), integrationError('discord', 'UNAVAILABLE', true));
  assert.deepEqual(since(discord.requests, firstRequest).map((r) => r.answered), [500, 500]);
});

t.test('discord - a deleted webhook is a configuration error, not retried; an invalid message is a validation error', async () => {
  const wrongToken = new DiscordWebhookNotifier({ webhookUrl: discord.webhookUrl.replace(/[^/]+$/, 'wrong-token'), apiBase: discord.apiBase });
  await assert.rejects(wrongToken.notify({ content: 'hello' }), integrationError('discord', 'VENDOR_REJECTED', false));
  await assert.rejects(notifier().notify({ content: '' }), integrationError('discord', 'VALIDATION', false));
});

t.test('discord - failures and deliveries are logged without the webhook token', async () => {
  const captured = captureLogger('debug');
  await notifier(15_000, captured.logger).notify({ content: 'logged' }, 'order:o-9:evt_3');
  const wrongToken = new DiscordWebhookNotifier({ webhookUrl: discord.webhookUrl.replace(/[^/]+$/, 'wrong-token-XYZ'), apiBase: discord.apiBase, logger: captured.logger });
  await assert.rejects(wrongToken.notify({ content: 'x' }, 'order:o-9:evt_4'), (err: unknown) => {
    captured.logger.error({ err }, 'a caller logging the whole error');
    return true;
  });
  assert.match(captured.text(), /order:o-9:evt_3/);
  assert.match(captured.text(), /order:o-9:evt_4/);
  assert.doesNotMatch(captured.text(), /test-webhook-token|wrong-token-XYZ/);
});

t.test('discord - with no webhook configured, notifications are skipped and say so', async () => {
  const { config } = loadConfig({});
  assert.deepEqual(await notifierFromConfig(config).notify({ content: 'nobody listens' }), { delivered: false });
  const { config: configured } = loadConfig({ SY_DISCORD_WEBHOOK_URL: discord.webhookUrl, SY_DISCORD_API_BASE: discord.apiBase });
  const firstMessage = discord.messages.length;
  assert.equal((await notifierFromConfig(configured).notify({ content: 'from config' })).delivered, true);
  assert.equal(since(discord.messages, firstMessage).length, 1);
});
