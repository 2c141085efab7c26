/**
 * The Socket.IO endpoint on the same uWS app: same auth, commands with
 * acks, results pushed back, rooms across two gateway nodes.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { NatsConnection } from '@nats-io/transport-node';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { eventually, natsOf, publishEvent, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
let nc: NatsConnection;
t.before(async () => {
  stack = await startStack({ gateways: 2 });
  nc = await natsOf(stack);
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
});

function connect(url: string, token: string): Socket {
  return io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
}

t.test('socket.io - a socket.io-client connects with a token, sends a command, gets accepted in the ack and the result as an event', async () => {
  const socket = connect(stack.httpUrl(), await stack.token('sio-user'));
  const results: Array<Record<string, unknown>> = [];
  socket.on('result', (frame: Record<string, unknown>) => results.push(frame));
  await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
  const id = uniqueId('sio');
  const ack = await socket.timeout(10_000).emitWithAck('cmd', { id, actor: 'counter', entity: uniqueId('sio-entity'), name: 'add', data: { by: 2 } });
  assert.deepEqual(ack, { type: 'accepted', id });
  const result = await eventually('the result', () => results.find((r) => r.id === id));
  assert.equal(result.ok, true);
  assert.deepEqual(result.data, { value: 2 });
  assert.equal(typeof result.seq, 'number');
  const invalid = await socket.timeout(10_000).emitWithAck('cmd', { id: 'x', actor: 'counter' });
  assert.equal((invalid as { type: string; error: { code: string } }).error.code, 'VALIDATION');
  socket.disconnect();
});

t.test('socket.io - a bad token fails the connection with connect_error carrying AUTH_FAILED', async () => {
  const socket = connect(stack.httpUrl(), 'not-a-token');
  const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.once('connect_error', resolve));
  assert.equal(error.data?.code, 'AUTH_FAILED');
  socket.disconnect();
});

t.test('socket.io - rooms span gateway nodes: members on both nodes receive a topic event once', async () => {
  const topic = `public.${uniqueId('sio-room')}`;
  const sockets = await Promise.all(stack.gateways.map(async (g, i) => {
    const s = connect(stack.httpUrl(g), await stack.token(`sio-member-${i}`));
    await new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); });
    return s;
  }));
  const received: Array<Array<Record<string, unknown>>> = sockets.map(() => []);
  sockets.forEach((s, i) => s.on('event', (frame: Record<string, unknown>) => received[i]!.push(frame)));
  for (const s of sockets) assert.deepEqual(await s.timeout(10_000).emitWithAck('sub', { topic }), { type: 'subscribed', topic });
  const seq = await publishEvent(nc, topic, 'said', { text: 'both' });
  for (const list of received) await eventually('the event on each node', () => list.find((f) => f.seq === seq));
  await new Promise((r) => setTimeout(r, 200));
  for (const list of received) assert.equal(list.filter((f) => f.seq === seq).length, 1);
  const forbidden = await sockets[0]!.timeout(10_000).emitWithAck('sub', { topic: 'user.someone-else' });
  assert.equal((forbidden as { error: { code: string } }).error.code, 'FORBIDDEN');
  for (const s of sockets) s.disconnect();
});

t.test('socket.io - subscription limit: 101 subs in one burst, half of them rooms waiting for the ACL service, join exactly 100 topics and refuse one with LIMIT_EXCEEDED', async () => {
  const socket = connect(stack.httpUrl(), await stack.token(uniqueId('sio-burst')));
  await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
  // Rooms this user owns: their joins wait for the messaging actor's svc.acl.room answer (joins in flight).
  // (Not joined before the burst, so no ACL answer is cached yet.)
  const rooms = Array.from({ length: 50 }, () => uniqueId('sio-room'));
  const done = new Set<string>();
  socket.on('result', (frame: { id: string; ok: boolean }) => { if (frame.ok) done.add(frame.id); });
  const ids = rooms.map(() => uniqueId('mk'));
  const created = await Promise.all(rooms.map((room, i) => socket.timeout(10_000).emitWithAck('cmd', { id: ids[i], actor: 'messaging', entity: room, name: 'create', data: { title: room } }) as Promise<{ type: string }>));
  assert.ok(created.every((a) => a.type === 'accepted'));
  await eventually('the rooms created', () => ids.every((id) => done.has(id)));
  const topics = rooms.flatMap((room, i) => [`room.${room}`, `public.${uniqueId(`sio-b${i}`)}`]);
  topics.push(`public.${uniqueId('sio-last')}`);
  const answers = await Promise.all(topics.map((topic) => socket.timeout(10_000).emitWithAck('sub', { topic }) as Promise<{ type: string; error?: { code: string } }>));
  assert.equal(answers.filter((a) => a.type === 'subscribed').length, 100);
  assert.deepEqual(answers.filter((a) => a.type === 'error').map((a) => a.error!.code), ['LIMIT_EXCEEDED']);
  socket.disconnect();
});
