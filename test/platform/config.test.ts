import t from 'tap';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';

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
