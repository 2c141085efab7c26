/**
 * Guarantees 2 and 7 when a command's delivery to its worker is lost on the
 * way: the JetStream server counts it delivered (it wrote it out) but the
 * worker never read it — what a server that dies with deliveries in its
 * buffers does (CI's fault (a) lost 6 commands this way). JetStream sends it
 * again only after the ack wait, behind later commands of the same entity;
 * applied after them it would break per-entity order, and the stream-sequence
 * rule took it for an old duplicate: accepted, never applied, no result.
 * The worker sees the hole in the consumer's delivery sequence and starts the
 * partition again in stream order (actors/runtime/partitionConsumer.ts).
 *
 * The loss is real: the worker reaches NATS through a proxy that swallows
 * what the server sends while the command is delivered, then breaks the
 * connection (the worker reconnects).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, partitionOf } from '../../protocol/index.js';
import { partitionConsumerName } from '../../actors/runtime/partitionConsumer.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { CommandDriver, eventually } from '../harness/commandDriver.js';
import { CuttableTcpProxy } from '../harness/cuttableTcpProxy.js';

const PARTITIONS = 8;
let stack: Stack;
let proxy: CuttableTcpProxy;
let driver: CommandDriver;

t.before(async () => {
  stack = await startStack({ gateways: 0, workers: 0, env: { SY_PARTITIONS: String(PARTITIONS), SY_ACTOR_ACK_WAIT_MS: '2000' } });
  proxy = await CuttableTcpProxy.start(stack.servers.nats.port);
  await stack.startWorker({ NATS_URL: `nats://127.0.0.1:${proxy.port}` });
  driver = await CommandDriver.connect(stack.env.NATS_URL!, { partitions: PARTITIONS });
});
t.teardown(async () => {
  await driver?.close();
  await proxy?.stop();
  await stack?.stop();
});

t.test('guarantee 7 - a command whose delivery to the worker was lost on the way is applied once, before the later commands of its entity, and answered', async () => {
  const entity = 'hole';
  const add = (id: string) => driver.send({ actor: 'counter', entity, name: 'add', id, data: { by: 1 } });
  const valueOf = async (id: string) => {
    const { body } = await driver.result(id, 30_000);
    assert.ok(body.type === 'result' && body.ok, `${id} succeeded`);
    return (body.data as { value: number }).value;
  };
  await add('h1');
  assert.equal(await valueOf('h1'), 1);

  const jsm = await jetstreamManager(driver.nc);
  const consumer = partitionConsumerName('counter', partitionOf(entity, PARTITIONS));
  proxy.swallow();
  await add('h2');
  await eventually('the server counts h2 delivered (and unacked)', async () => {
    const info = await jsm.consumers.info(STREAMS.commands, consumer);
    return info.num_ack_pending === 1 && info.delivered.consumer_seq === 2 ? true : undefined;
  }, 10_000);
  proxy.cut();
  proxy.restore();

  await add('h3');
  assert.equal(await valueOf('h2'), 2, 'h2 applied second');
  assert.equal(await valueOf('h3'), 3, 'h3 applied third, after h2');
  const results = (await driver.readOut()).filter((p) => p.body.type === 'result');
  assert.deepEqual(results.map((p) => p.body.type === 'result' && p.body.id), ['h1', 'h2', 'h3'], 'one result each, in order');
});
