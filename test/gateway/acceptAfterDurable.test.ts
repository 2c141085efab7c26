/**
 * Guarantee 1: `accepted` only after JetStream acknowledged the command; a
 * retry of the same id is deduplicated and acknowledged again.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { addCommand, assertServes, eventually, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
t.before(async () => { stack = await startStack({ env: { SY_PUBLISH_TIMEOUT_MS: '1500' } }); });
t.teardown(async () => { await stack?.stop(); });

t.test('guarantee 1 - accepted only after the JetStream ack: with JetStream stopped the command is rejected UNAVAILABLE and never accepted', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('durable'));
  const id = uniqueId('durable');
  const entity = uniqueId('durable-entity');
  let rejected;
  try {
    // Stopped for certain before the command leaves: right after kill(SIGSTOP) returns the server
    // may still run for a while (tens of ms on a loaded machine) and store and ack the command.
    await stack.servers.nats.pause();
    client.send(addCommand(id, entity, 3));
    rejected = await client.next((f) => (f.type === 'rejected' || f.type === 'accepted') && f.id === id, 30_000);
  } finally {
    stack.servers.nats.resume();
  }
  assert.equal(rejected.type, 'rejected', 'no accepted while JetStream cannot acknowledge');
  assert.equal((rejected.error as { code: string }).code, 'UNAVAILABLE');
  assert.equal(client.all((f) => f.type === 'accepted' && f.id === id).length, 0);
  // The client does what UNAVAILABLE says: send the same command again. It is applied once.
  const accepted = await eventually('the retry to be accepted', async () => {
    const before = client.frames.length;
    client.send(addCommand(id, entity, 3));
    const answer = await client.next((f) => (f.type === 'rejected' || f.type === 'accepted') && f.id === id && client.frames.indexOf(f) >= before, 30_000);
    return answer.type === 'accepted' ? answer : undefined;
  }, 60_000);
  assert.equal(accepted.type, 'accepted');
  const result = await client.next((f) => f.type === 'result' && f.id === id, 30_000);
  assert.deepEqual(result.data, { value: 3 });
  await client.close();
});

t.test('guarantee 1 - a retry of the same command id is deduplicated and accepted again; the command is applied once', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('retrier'));
  const id = uniqueId('retry');
  const entity = uniqueId('retry-entity');
  client.send(addCommand(id, entity, 5));
  await client.next((f) => f.type === 'accepted' && f.id === id);
  await client.next((f) => f.type === 'result' && f.id === id);
  client.send(addCommand(id, entity, 5));
  await eventually('second accepted', () => client.all((f) => f.type === 'accepted' && f.id === id).length === 2);
  const check = uniqueId('check');
  client.send({ type: 'cmd', id: check, actor: 'counter', entity, name: 'get' });
  const state = await client.next((f) => f.type === 'result' && f.id === check);
  assert.deepEqual(state.data, { value: 5, applied: 1 }, 'one command in the stream, applied once');
  assert.equal(client.all((f) => f.type === 'result' && f.id === id).length, 1, 'one result');
  await client.close();
  await assertServes(stack);
});
