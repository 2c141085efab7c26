/**
 * Guarantee 3: a client that does not read is closed with SLOW_CONSUMER
 * (4008) once its send buffer passes SY_MAX_BACKPRESSURE_BYTES, resumes
 * without losing a push, and the gateway's memory stays bounded.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { PausableSocket, assertServes, eventually, lastSeq, metric, natsOf, publishPush } from './gatewayTestKit.js';

const LIMIT = 65536;
let stack: Stack;
let nc: NatsConnection;
t.before(async () => {
  stack = await startStack({ env: { SY_MAX_BACKPRESSURE_BYTES: String(LIMIT) } });
  nc = await natsOf(stack);
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
});

/**
 * Publishes pushes of ~`size` bytes to a session until the gateway closes it (bounded, checked every
 * `checkEvery` pushes); resolves with their seqs. Pushes after the close still reach the gateway that
 * minted the session (its one subscription for all its sessions) and are dropped there.
 */
async function floodUntilClosed(session: string, size: number, max: number, checkEvery = 50): Promise<number[]> {
  const pad = 'x'.repeat(size);
  const seqs: number[] = [];
  const closesBefore = await metric(stack, stack.gateways[0]!, 'switchyard_gateway_backpressure_closes_total');
  for (let i = 0; i < max; i++) {
    seqs.push(await publishPush(nc, subjects.sessionPush(session), { type: 'event', topic: 'flood', name: 'tick', data: { i, pad } }));
    if (i % checkEvery === checkEvery - 1 && (await metric(stack, stack.gateways[0]!, 'switchyard_gateway_backpressure_closes_total')) > closesBefore) break;
  }
  return seqs;
}

t.test('guarantee 3 - a slow consumer is closed with SLOW_CONSUMER (4008) and resumes without losing a push', async () => {
  const { socket, welcome } = await PausableSocket.hello(stack.wsUrl(), await stack.token('slow'));
  socket.pauseReading();
  const seqs = await floodUntilClosed(welcome.session as string, 8192, 5000);
  socket.resumeReading();
  assert.equal(await socket.closed, 4008);
  const error = socket.frames.find((f) => f.type === 'error');
  assert.equal((error?.error as { code: string }).code, 'SLOW_CONSUMER');
  const received = socket.frames.filter((f) => f.type === 'event').map((f) => f.seq as number);
  const { client, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(), await stack.token('slow'), { session: welcome.session as string, seq: lastSeq(socket.frames, welcome) });
  try {
    assert.equal(resumed.recovered, true);
    const missing = seqs.filter((seq) => !received.includes(seq));
    if (missing.length > 0) await client.next((f) => f.type === 'event' && f.seq === missing.at(-1), 30_000);
    client.send({ type: 'ping' });
    await client.next((f) => f.type === 'pong');
    const replayed = client.all((f) => f.type === 'event').map((f) => f.seq as number);
    assert.deepEqual([...received, ...replayed], seqs, 'every push exactly once across the two connections');
  } finally {
    await client.close();
  }
});

t.test('guarantee 3 - gateway memory stays bounded while a client does not read', async () => {
  const gateway = stack.gateways[0]!;
  const { socket, welcome } = await PausableSocket.hello(stack.wsUrl(), await stack.token('stalled'));
  socket.pauseReading();
  const rssBefore = await metric(stack, gateway, 'process_resident_memory_bytes');
  const closesBefore = await metric(stack, gateway, 'switchyard_gateway_backpressure_closes_total');
  const seqs = await floodUntilClosed(welcome.session as string, 65536, 400, 10);
  const pushedBytes = seqs.length * 65536;
  await eventually('the stalled socket to be closed', async () => (await metric(stack, gateway, 'switchyard_gateway_backpressure_closes_total')) > closesBefore);
  const rssAfter = await metric(stack, gateway, 'process_resident_memory_bytes');
  socket.terminate();
  assert.ok(rssAfter - rssBefore < Math.max(pushedBytes / 2, 16 * 1024 * 1024),
    `gateway RSS grew by ${rssAfter - rssBefore} bytes while ${pushedBytes} bytes were pushed at a client that read nothing`);
  await assertServes(stack);
});
