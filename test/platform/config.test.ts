import t from 'tap';
import assert from 'node:assert/strict';
import { ConfigError, PLATFORM_CONFIG, defineConfigSection, field, loadConfig as loadSections } from '../../platform/index.js';
import { CONFIG_SECTIONS } from '../../composition/index.js';
import Type from 'typebox';
import { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';

const loadConfig = (env: Record<string, string>) => loadSections(env, CONFIG_SECTIONS);

t.test('config - defaults apply when nothing is set', async () => {
  const { config, warnings } = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.partitions, 64);
  assert.match(config.nodeId, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(warnings, []);
});

t.test('config - values are coerced to their types', async () => {
  const { config } = loadConfig({ SY_PORT: '0', SY_LOG_LEVEL: 'debug', SY_NODE_ID: 'gw-1' });
  assert.equal(config.port, 0);
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.nodeId, 'gw-1');
});

t.test('config - an invalid value fails naming the variable and what it expects', async () => {
  assert.throws(() => loadConfig({ SY_PORT: 'eighty' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /SY_PORT="eighty" is invalid: expected an integer from 0 to 65535/);
    return true;
  });
  assert.throws(() => loadConfig({ SY_PARTITIONS: '0', SY_LOG_LEVEL: 'loud' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 2, 'every bad variable is reported at once');
    assert.match(err.message, /SY_LOG_LEVEL="loud" is invalid: expected one of fatal, error/);
    return true;
  });
});

t.test('config - unknown SY_ variables are warned about, others ignored', async () => {
  const { warnings } = loadConfig({ SY_PROT: '1', HOME: '/root' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /SY_PROT/);
});

t.test('config - a process started with an invalid value exits 2 naming the variable', async () => {
  for (const kind of ['gateway', 'worker'] as const) {
    const p = new SwitchyardProcess(kind, { SY_IDLE_TIMEOUT_S: 'forever' });
    await assert.rejects(p.start(), /exited with code 2/);
    assert.match(p.output(), /SY_IDLE_TIMEOUT_S="forever" is invalid/);
  }
});

t.test('config - every module\'s section is composed into one config: a feature\'s variable is read and known to every process', async () => {
  const { config, warnings } = loadConfig({ SY_CRYPTO_CONFIRMATIONS: '3', SY_PRESENCE_TTL_MS: '5000', SY_ACTOR_MAX_ATTEMPTS: '2', SY_PORT: '9000' });
  assert.deepEqual([config.cryptoConfirmations, config.presenceTtlMs, config.actorMaxAttempts, config.port], [3, 5000, 2, 9000]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(CONFIG_SECTIONS.map((s) => s.owner), [
    'platform', 'gateway', 'actors/runtime', 'integrations', 'actors/ai', 'actors/messaging', 'actors/payments', 'actors/crypto',
  ]);
  const platformOnly = loadSections({ SY_CRYPTO_CONFIRMATIONS: '3' }, [PLATFORM_CONFIG]);
  assert.match(platformOnly.warnings.join('\n'), /Unknown configuration variable SY_CRYPTO_CONFIRMATIONS/, 'a variable no given section declares is unknown');
});

t.test('config - a variable or key declared by two sections is refused when they are composed', async () => {
  const twice = defineConfigSection('clash', 'actors/clash', { partitionsAgain: field('SY_PARTITIONS', Type.Integer({ default: 1 })) });
  assert.throws(() => loadSections({}, [PLATFORM_CONFIG, twice]), /config variable SY_PARTITIONS is declared by both platform and actors\/clash/);
});
