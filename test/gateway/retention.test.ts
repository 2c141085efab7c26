/**
 * Guarantee 2, the other half: past the OUT retention window a resuming
 * client is told `recovered: false` — never silently nothing.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { addCommand, eventually, metric, natsOf, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
let nc: NatsConnection;
t.before(async () => {
  stack = await startStack({ env: { SY_OUT_MAX_AGE_S: '10' } });
  nc = await natsOf(stack);
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
});

t.test('guarantee 2 - past the retention window a resuming client is told recovered:false', async () => {
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('late'));
  const id = uniqueId('late');
  client.send(addCommand(id, uniqueId('late-entity')));
  const result = await client.next((f) => f.type === 'result' && f.id === id);
  await client.close();
  // The client pretends it never saw that result; then everything ages out of OUT (max age 10 s).
  const jsm = await jetstreamManager(nc);
  await eventually('the result to expire from OUT', async () => (await jsm.streams.info(STREAMS.pushes)).state.first_seq > (result.seq as number), 30_000);
  const { client: back, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(), await stack.token('late'), { session: welcome.session as string, seq: (result.seq as number) - 1 });
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.recovered, false);
  assert.equal(await metric(stack, stack.gateways[0]!, 'switchyard_gateway_recoveries_total', { outcome: 'lost' }), 1);
  await back.close();
});
