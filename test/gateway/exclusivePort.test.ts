import t from 'tap';
import assert from 'node:assert/strict';
import { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { assertServes } from './gatewayTestKit.js';

let stack: Stack;
t.before(async () => { stack = await startStack({ workers: 1, gateways: 1 }); });
t.teardown(async () => { await stack?.stop(); });

t.test('gateway - a second gateway on a taken port exits with a clear error and the first keeps serving', async () => {
  const first = stack.gateways[0]!;
  const second = new SwitchyardProcess('gateway', { ...stack.env, SY_PORT: String(first.port) });
  try {
    await assert.rejects(second.start(), /exited with code 1/);
  } finally {
    await second.kill();
  }
  assert.match(second.output(), new RegExp(`could not listen on 127\\.0\\.0\\.1:${first.port}: the port is already in use`));
  await assertServes(stack, first);
});
