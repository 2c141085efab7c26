/**
 * The documented order on one connection: `accepted`, then the command's
 * `result` — even when the worker is faster than the JetStream ack reaching
 * the gateway. The gateway reaches NATS through a proxy that holds the ack
 * back until the result has arrived, so the race goes the bad way every time.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { AckHoldingNatsProxy } from '../harness/ackHoldingNatsProxy.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { addCommand, eventually, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
let proxy: AckHoldingNatsProxy;
t.before(async () => {
  stack = await startStack({ gateways: 0, workers: 1 });
  proxy = await AckHoldingNatsProxy.start(stack.servers.nats.port);
  await stack.startGateway({ NATS_URL: `nats://127.0.0.1:${proxy.port}` });
});
t.teardown(async () => {
  await stack?.stop();
  await proxy?.stop();
});

t.test('protocol - a result never precedes its accepted on the same connection, even when the result reaches the gateway before the JetStream ack', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token(uniqueId('racer')));
  const entity = uniqueId('race');
  // Warm the entity up, so the worker answers at its fastest.
  const warm = uniqueId('warm');
  client.send(addCommand(warm, entity));
  await client.next((f) => f.type === 'result' && f.id === warm);
  for (let i = 0; i < 5; i++) {
    const id = uniqueId('race');
    proxy.holdRepliesUntilNextSessionPush();
    client.send(addCommand(id, entity));
    const result = await client.next((f) => f.type === 'result' && f.id === id, 20_000);
    const order = client.frames.filter((f) => (f.type === 'accepted' || f.type === 'result' || f.type === 'rejected') && f.id === id).map((f) => f.type);
    assert.deepEqual(order, ['accepted', 'result'], `try ${i + 1}: one accepted, then the result`);
    assert.deepEqual(result.data, { value: i + 2 });
  }
  // The late ack changes nothing: no second accepted, no rejected.
  client.send({ type: 'ping' });
  await client.next((f) => f.type === 'pong');
  assert.equal(client.all((f) => f.type === 'accepted').length, 6);
  assert.equal(client.all((f) => f.type === 'rejected').length, 0);
  await client.close();
});

t.test('socket.io - the ack (accepted) of a cmd comes before its result event, even when the result reaches the gateway before the JetStream ack', async () => {
  const socket = io(stack.httpUrl(), { auth: { token: await stack.token(uniqueId('sio-racer')) }, transports: ['websocket'], reconnection: false });
  const seen: string[] = [];
  socket.on('result', (frame: { id: string }) => seen.push(`result:${frame.id}`));
  await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
  const entity = uniqueId('sio-race');
  const cmd = (id: string) => ({ id, actor: 'counter', entity, name: 'add', data: { by: 1 } });
  const warm = uniqueId('sio-warm');
  await socket.timeout(10_000).emitWithAck('cmd', cmd(warm));
  for (let i = 0; i < 3; i++) {
    const id = uniqueId('sio-race');
    proxy.holdRepliesUntilNextSessionPush();
    // The ack callback runs when its packet is read, like the result listener: `seen` keeps the arrival order.
    socket.emit('cmd', cmd(id), (ack: { type: string }) => { seen.push(`${ack.type}:${id}`); });
    await eventually('the result', () => seen.includes(`result:${id}`));
    assert.deepEqual(seen.filter((s) => s.endsWith(`:${id}`)), [`accepted:${id}`, `result:${id}`], `try ${i + 1}`);
  }
  socket.disconnect();
});
