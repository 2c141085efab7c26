/** The settings of every section (integrations' secrets among them): secrets stay out of logs and error messages. */
import t from 'tap';
import assert from 'node:assert/strict';
import { ConfigError, composeFields, loadConfig as loadSections, secretConfigKeys } from '../../platform/index.js';
import { CONFIG_SECTIONS } from '../../composition/index.js';
import { captureLogger } from '../harness/capturedLogger.js';

const loadConfig = (env: Record<string, string>) => loadSections(env, CONFIG_SECTIONS);
const FIELDS = composeFields(CONFIG_SECTIONS);

t.test('config - every secret setting is redacted from log lines, logged alone or inside the config', async () => {
  const keys = secretConfigKeys(CONFIG_SECTIONS);
  for (const k of ['stripeSecretKey', 'stripeWebhookSecret', 'discordWebhookUrl', 'aiApiKey']) assert.ok(keys.includes(k), `${k} is marked secret`);
  const env: Record<string, string> = {};
  const values: string[] = [];
  for (const key of keys) {
    const { env: name } = FIELDS[key]!;
    const value = name === 'SY_DISCORD_WEBHOOK_URL' ? 'https://discord.com/api/webhooks/1/SECRET-discord-token' : `SECRET-${name}-value`;
    env[name] = value;
    values.push(value);
  }
  const { config } = loadConfig(env);
  const captured = captureLogger('info');
  captured.logger.info({ config }, 'config nested');
  captured.logger.info(config, 'config flat');
  assert.match(captured.text(), /\[redacted\]/);
  for (const value of values) assert.ok(!captured.text().includes(value), `${value} must not be logged`);
});

t.test('config - an invalid secret is reported by name, without its value', async () => {
  assert.throws(() => loadConfig({ SY_DISCORD_WEBHOOK_URL: 'https://example.com/not-a-webhook/SECRET-token' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /SY_DISCORD_WEBHOOK_URL=\[redacted\] is invalid/);
    assert.ok(!err.message.includes('SECRET-token'));
    return true;
  });
});
