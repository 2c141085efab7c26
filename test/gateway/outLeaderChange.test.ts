/**
 * Guarantee 2 across a change of the OUT stream's leader: live pushes are
 * republished by the leader over core NATS (at most once), so a push the
 * leader stored but never republished — its republishes in flight die with
 * it — is in OUT while no gateway received it. The gateway must replay that
 * gap when the server announces the new leader (gateway/natsGapRecovery.ts);
 * the client's WebSocket never closed, so no client resume would repair it.
 *
 * The lost republish is made real, not simulated: the OUT stream's
 * republish is switched off (a stream update) while the push is stored, and
 * on again before the leader steps down. A real election on a real 3-node
 * cluster then sends the real advisory.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS, subjects } from '../../protocol/index.js';
import { startClusterServers, startStack, stepDownStreamLeader, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { eventually, natsOf, publishPush } from './gatewayTestKit.js';

let stack: Stack;
let nc: NatsConnection;

t.before(async () => {
  stack = await startStack({ servers: await startClusterServers(), gateways: 1, workers: 0, env: { SY_STREAM_REPLICAS: '3' } });
  nc = await natsOf(stack);
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
});

t.test('guarantee 2 - a result stored in OUT but never republished live reaches its connected client once, after the OUT leader changes', async () => {
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('lena'));
  const session = welcome.session as string;
  const jsm = await jetstreamManager(nc);
  const { config, cluster } = await jsm.streams.info(STREAMS.pushes);
  assert.ok(config.republish, 'OUT republishes live pushes');

  await jsm.streams.update(STREAMS.pushes, { republish: undefined });
  const lostSeq = await publishPush(nc, subjects.sessionPush(session), { type: 'result', id: 'lost-1', ok: true, data: { n: 1 } }, 'lost-1');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(client.all((f) => f.type === 'result').length, 0, 'the stored result was not republished');
  await jsm.streams.update(STREAMS.pushes, { republish: config.republish });

  await stepDownStreamLeader(nc, STREAMS.pushes);
  await eventually('a new OUT leader', async () => {
    const leader = (await jsm.streams.info(STREAMS.pushes)).cluster?.leader;
    return leader !== undefined && leader !== cluster?.leader;
  }, 30_000);
  const lost = await client.next((f) => f.type === 'result' && f.id === 'lost-1', 30_000);
  assert.equal(lost.seq, lostSeq, 'the result carries its stream seq');

  // Live delivery goes on, and the gap's result came exactly once, in seq order.
  const afterSeq = await publishPush(nc, subjects.sessionPush(session), { type: 'result', id: 'after-1', ok: true, data: { n: 2 } }, 'after-1');
  const after = await client.next((f) => f.type === 'result' && f.id === 'after-1', 30_000);
  assert.equal(after.seq, afterSeq);
  assert.equal(client.all((f) => f.type === 'result' && f.id === 'lost-1').length, 1, 'the missed result once');
  assert.equal(client.closeCode, undefined, 'the socket stayed open');
  assert.equal(client.all((f) => f.type === 'error').length, 0, 'no error frame');
  await client.close();
});
