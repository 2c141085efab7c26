/**
 * Guarantee 2 during a replay from OUT: a resuming client is sent the
 * pushes it missed, and none may be skipped silently — also when the
 * replay's reads from JetStream fail half-way (a server dying with a batch
 * in its buffers, or a fetch left empty by a failover while pushes are
 * pending). The replay then goes on from the last push sent with a new
 * consumer, or the socket is told to resume (gateway/recovery.ts); either
 * way the client ends up with every push exactly once, in order.
 *
 * The failure is real: the gateway reaches NATS through a proxy that
 * swallows what the server sends while the replay waits for its next batch
 * (the client stops reading to hold the replay in the middle), then breaks
 * the link.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { CuttableTcpProxy } from '../harness/cuttableTcpProxy.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';
import { PausableSocket, eventually, lastSeq, natsOf, publishPush } from './gatewayTestKit.js';

/** More than one replay batch (256) of pushes, big enough that the first batch fills every buffer on the way. */
const PUSHES = 400;
const PAD = 'x'.repeat(64 * 1024);

let stack: Stack;
let proxy: CuttableTcpProxy;
let nc: NatsConnection;

t.before(async () => {
  stack = await startStack({ gateways: 0, workers: 0 });
  proxy = await CuttableTcpProxy.start(stack.servers.nats.port);
  await stack.startGateway({ NATS_URL: `nats://127.0.0.1:${proxy.port}` });
  nc = await natsOf(stack);
});
t.teardown(async () => {
  await nc?.close();
  await proxy?.stop();
  await stack?.stop();
});

t.test('guarantee 2 - a replay whose next batch is lost on its way skips no push: the client gets every missed push once, in order', async (t) => {
  const token = await stack.token('replayer');
  const { client: first, welcome } = await WsTestClient.hello(stack.wsUrl(), token);
  const session = welcome.session as string;
  await first.close();
  const seqs: number[] = [];
  for (let i = 0; i < PUSHES; i++) seqs.push(await publishPush(nc, subjects.sessionPush(session), { type: 'event', topic: 'replay', name: 'n', data: { i, pad: PAD } }));

  const { socket } = await PausableSocket.hello(stack.wsUrl(), token, { session, seq: welcome.seq as number });
  socket.pauseReading();
  await new Promise((r) => setTimeout(r, 1500)); // the replay now waits for the socket to drain, inside its first batch
  proxy.swallow();
  socket.resumeReading();
  // The next batch is requested and its answer swallowed; the fetch ends empty after its 5 s expiry.
  await new Promise((r) => setTimeout(r, 7000));
  proxy.cut();
  proxy.restore();

  const pushes = (frames: Frame[]) => frames.filter((f) => f.type === 'event').map((f) => f.seq as number);
  // Either the replay goes on and ends with the last push, or the socket is told to resume.
  await eventually('every push arrived, or the socket was closed to resume', () => socket.closeCode !== undefined || pushes(socket.frames).at(-1) === seqs.at(-1), 90_000);
  const got = pushes(socket.frames);
  t.comment(`the first socket got ${got.length} of ${PUSHES} pushes${socket.closeCode === undefined ? '' : `, then was closed ${socket.closeCode}`}`);
  if (socket.closeCode !== undefined) {
    const { client: resumed } = await WsTestClient.hello(stack.wsUrl(), token, { session, seq: lastSeq(socket.frames, welcome) });
    await resumed.next((f) => f.type === 'event' && f.seq === seqs.at(-1), 90_000);
    got.push(...pushes(resumed.all(() => true)));
    await resumed.close();
  } else {
    socket.terminate();
  }
  assert.deepEqual(got, seqs, 'every missed push once, in order');
});
