/**
 * Guarantee 2 when live pushes are lost on their way: they reach a gateway
 * over core NATS (at most once), so a push can be stored in OUT and never
 * arrive live. The client's WebSocket never closed, so no client resume
 * would repair it; the gateway must (gateway/natsGapRecovery.ts):
 * - a result published while the gateway's connection is down: replayed
 *   when it reconnects;
 * - a push lost with the connection up (a route between servers broke):
 *   caught at the session's next push, which names its predecessor
 *   (Nats-Last-Sequence), and replayed before it.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, subjects } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { CuttableTcpProxy } from '../harness/cuttableTcpProxy.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { eventually } from '../harness/commandDriver.js';
import { publishPush } from './gatewayTestKit.js';

let stack: Stack;
let proxy: CuttableTcpProxy;
let nc: NatsConnection;

t.before(async () => {
  stack = await startStack({ gateways: 0, workers: 1, env: { SY_PROBE_ACTOR: 'true' } });
  proxy = await CuttableTcpProxy.start(stack.servers.nats.port);
  // Only the gateway reaches NATS through the proxy; the worker stays connected directly.
  await stack.startGateway({ NATS_URL: `nats://127.0.0.1:${proxy.port}` });
  nc = await connect({ servers: stack.env.NATS_URL! });
});
t.teardown(async () => {
  await nc?.close();
  await proxy?.stop();
  await stack?.stop();
});

t.test('guarantee 2 - a result published while the gateway was cut off from NATS reaches its connected client once, after the reconnect', async () => {
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('gina'));
  const session = welcome.session as string;
  client.send({ type: 'cmd', id: 'slow-1', actor: 'probe', entity: 'gap', name: 'work', data: { ms: 1500 } });
  await client.next((f) => f.type === 'accepted' && f.id === 'slow-1');

  proxy.cut();
  const jsm = await jetstreamManager(nc);
  await eventually('the result stored in OUT while the gateway is cut off', async () => {
    const stored = await jsm.streams.getMessage(STREAMS.pushes, { last_by_subj: subjects.sessionPush(session) }).catch(() => null);
    return stored?.json<{ type: string; id: string }>().id === 'slow-1' ? stored : undefined;
  }, 30_000, 100);
  assert.equal(client.all((f) => f.type === 'result' && f.id === 'slow-1').length, 0, 'nothing can have arrived yet');

  proxy.restore();
  await client.next((f) => f.type === 'result' && f.id === 'slow-1', 30_000);
  // Live delivery works again, and the gap's result came exactly once.
  client.send({ type: 'cmd', id: 'after-1', actor: 'probe', entity: 'gap', name: 'work', data: { ms: 0 } });
  await client.next((f) => f.type === 'result' && f.id === 'after-1', 30_000);
  assert.equal(client.all((f) => f.type === 'result' && f.id === 'slow-1').length, 1, 'the missed result once');
  assert.equal(client.closeCode, undefined, 'the socket stayed open');
  assert.equal(client.all((f) => f.type === 'error').length, 0, 'no error frame');
  const seqs = client.all((f) => f.type === 'result').map((f) => f.seq as number);
  assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'results in seq order');
  await client.close();
});

t.test('guarantee 2 - a session push lost on its way with the connection up is replayed before the next one, which names it', async () => {
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('lina'));
  const session = welcome.session as string;
  const jsm = await jetstreamManager(nc);
  const { config } = await jsm.streams.info(STREAMS.pushes);
  // Stored but never republished: what a push lost between two servers looks like to the gateway.
  await jsm.streams.update(STREAMS.pushes, { republish: undefined });
  const lostSeq = await publishPush(nc, subjects.sessionPush(session), { type: 'result', id: 'lost-2', ok: true, data: {} }, 'lost-2');
  await jsm.streams.update(STREAMS.pushes, { republish: config.republish });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(client.all((f) => f.type === 'result').length, 0, 'the stored result was not republished');

  const nextSeq = await publishPush(nc, subjects.sessionPush(session), { type: 'result', id: 'next-2', ok: true, data: {} }, 'next-2');
  await client.next((f) => f.type === 'result' && f.id === 'next-2', 30_000);
  const results = client.all((f) => f.type === 'result').map((f) => [f.id, f.seq]);
  assert.deepEqual(results, [['lost-2', lostSeq], ['next-2', nextSeq]], 'the lost result first, then the next, once each');
  assert.equal(client.closeCode, undefined, 'the socket stayed open');
  await client.close();
});
