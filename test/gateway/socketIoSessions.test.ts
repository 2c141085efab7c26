/**
 * Socket.IO connections run on the same connection core as WebSocket ones:
 * a session per connection, resume on any gateway with the pushes missed
 * replayed, every result exactly once, takeover of the previous connection,
 * the send-buffer limit; and the redis-adapter serves what needs every node
 * (the members of a topic's room).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { eventually, metric, natsOf, publishPush, uniqueId } from './gatewayTestKit.js';

const LIMIT = 65536;
let stack: Stack;
let nc: NatsConnection;
t.before(async () => {
  stack = await startStack({ gateways: 2, env: { SY_MAX_BACKPRESSURE_BYTES: String(LIMIT) } });
  nc = await natsOf(stack);
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
});

type Frame = Record<string, unknown> & { type?: string; seq?: number };

/** A socket.io-client that records every event it receives, with the frame it carried. */
class IoTestClient {
  readonly events: Array<{ name: string; frame: Frame }> = [];
  readonly disconnected: Promise<string>;

  private constructor(readonly socket: Socket) {
    socket.onAny((name: string, frame: Frame) => this.events.push({ name, frame }));
    this.disconnected = new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  }

  static async connect(url: string, token: string, resume?: { session: string; seq: number }): Promise<{ client: IoTestClient; welcome: Frame }> {
    const socket = io(url, { auth: resume ? { token, resume } : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const client = new IoTestClient(socket);
    await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
    const welcome = await eventually('welcome', () => client.frames('welcome')[0]);
    return { client, welcome };
  }

  frames(name: string): Frame[] {
    return this.events.filter((e) => e.name === name).map((e) => e.frame);
  }

  /** The highest seq received (the welcome's when none): where a resume starts. */
  lastSeq(): number {
    return Math.max(...this.events.map((e) => (typeof e.frame?.seq === 'number' ? e.frame.seq : 0)));
  }

  /** The underlying TCP socket stops (or starts again) reading: the gateway's send buffer grows. */
  reading(on: boolean): void {
    const tcp = (this.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
    if (on) tcp.resume();
    else tcp.pause();
  }
}

t.test('socket.io - a client moved to another gateway mid-flight resumes its session and gets every result exactly once', async () => {
  const [a, b] = stack.gateways;
  const token = await stack.token(uniqueId('sio-mover'));
  const { client: first, welcome } = await IoTestClient.connect(stack.httpUrl(a), token);
  assert.equal(welcome.resumed, false);
  assert.equal(typeof welcome.session, 'string');
  const entities = Array.from({ length: 10 }, () => uniqueId('sio-move'));
  const commands = Array.from({ length: 200 }, (_, i) => ({ id: uniqueId('sio-m'), actor: 'counter', entity: entities[i % entities.length]!, name: 'add', data: { by: 1 } }));
  const accepted = new Set<string>();
  // The client leaves at its 20th result, with commands still unanswered and results in flight.
  first.socket.on('result', () => { if (first.frames('result').length === 20) first.socket.disconnect(); });
  for (const cmd of commands) first.socket.emit('cmd', cmd, (answer: Frame) => { if (answer.type === 'accepted') accepted.add(cmd.id); });
  await first.disconnected;
  const firstResults = first.frames('result');
  assert.ok(firstResults.length < commands.length, 'the move happens with results still in flight');

  const { client: second, welcome: resumed } = await IoTestClient.connect(stack.httpUrl(b), token, { session: welcome.session as string, seq: first.lastSeq() });
  try {
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.recovered, true);
    assert.equal(resumed.session, welcome.session);
    assert.notEqual(resumed.node, welcome.node);
    // Commands whose `accepted` never came are sent again with the same id (applied once all the same).
    const unanswered = commands.filter((cmd) => !accepted.has(cmd.id));
    for (const cmd of unanswered) second.socket.emit('cmd', cmd, () => {});
    const results = () => [...firstResults, ...second.frames('result')];
    await eventually('a result for every command', () => commands.every((cmd) => results().some((r) => r.id === cmd.id)));
    await new Promise((r) => setTimeout(r, 300));
    const counts = new Map<string, number>();
    for (const r of results()) counts.set(r.id as string, (counts.get(r.id as string) ?? 0) + 1);
    assert.deepEqual([...counts.values()].filter((n) => n !== 1), [], 'one result per command across the two gateways');
    for (const entity of entities) {
      const values = results().filter((r) => commands.find((c) => c.id === r.id)!.entity === entity).map((r) => (r.data as { value: number }).value).sort((x, y) => x - y);
      assert.deepEqual(values, Array.from({ length: commands.length / entities.length }, (_, i) => i + 1), `${entity}: each add applied once`);
    }
  } finally {
    second.socket.disconnect();
  }
});

t.test('socket.io - a session resumed elsewhere closes the connection still holding it with SESSION_REPLACED', async () => {
  const [a, b] = stack.gateways;
  const token = await stack.token(uniqueId('sio-taken'));
  const { client: old, welcome } = await IoTestClient.connect(stack.httpUrl(a), token);
  const { client: next, welcome: resumed } = await IoTestClient.connect(stack.httpUrl(b), token, { session: welcome.session as string, seq: welcome.seq as number });
  try {
    assert.equal(resumed.resumed, true);
    assert.equal(await old.disconnected, 'io server disconnect');
    assert.equal((old.frames('error')[0]?.error as { code: string }).code, 'SESSION_REPLACED');
  } finally {
    next.socket.disconnect();
  }
});

t.test('socket.io - members lists the users joined to a topic on every gateway (served by the redis-adapter)', async () => {
  const topic = `public.${uniqueId('sio-members')}`;
  const users = [uniqueId('sio-pa'), uniqueId('sio-pb')];
  const clients = await Promise.all(stack.gateways.map(async (g, i) => (await IoTestClient.connect(stack.httpUrl(g), await stack.token(users[i]!))).client));
  try {
    const notJoined = await clients[0]!.socket.timeout(10_000).emitWithAck('members', { topic }) as Frame;
    assert.equal((notJoined.error as { code: string }).code, 'FORBIDDEN');
    for (const c of clients) assert.deepEqual(await c.socket.timeout(10_000).emitWithAck('sub', { topic }), { type: 'subscribed', topic });
    const answer = await clients[0]!.socket.timeout(10_000).emitWithAck('members', { topic }) as Frame;
    assert.deepEqual(answer, { type: 'members', topic, users: [...users].sort(), connections: 2, truncated: false }, 'the member on the other gateway is listed');
  } finally {
    for (const c of clients) c.socket.disconnect();
  }
});

t.test('socket.io - a client that does not read is closed with SLOW_CONSUMER and resumes without losing a push', async () => {
  const gateway = stack.gateways[0]!;
  const token = await stack.token(uniqueId('sio-slow'));
  const { client: slow, welcome } = await IoTestClient.connect(stack.httpUrl(gateway), token);
  slow.reading(false);
  const pad = 'x'.repeat(8192);
  const seqs: number[] = [];
  const closesBefore = await metric(stack, gateway, 'switchyard_gateway_backpressure_closes_total');
  for (let i = 0; i < 2000; i++) {
    seqs.push(await publishPush(nc, subjects.sessionPush(welcome.session as string), { type: 'event', topic: 'flood', name: 'tick', data: { i, pad } }));
    if (i % 50 === 49 && (await metric(stack, gateway, 'switchyard_gateway_backpressure_closes_total')) > closesBefore) break;
  }
  assert.ok(await metric(stack, gateway, 'switchyard_gateway_backpressure_closes_total') > closesBefore, 'the gateway closed the connection');
  slow.reading(true);
  assert.equal(await slow.disconnected, 'transport close');
  assert.equal((slow.frames('error')[0]?.error as { code: string }).code, 'SLOW_CONSUMER');
  const received = slow.frames('event').map((f) => f.seq as number);
  const { client, welcome: resumed } = await IoTestClient.connect(stack.httpUrl(gateway), token, { session: welcome.session as string, seq: slow.lastSeq() });
  try {
    assert.equal(resumed.recovered, true);
    await eventually('the last push replayed', () => client.frames('event').some((f) => f.seq === seqs.at(-1)));
    const replayed = client.frames('event').map((f) => f.seq as number);
    assert.deepEqual([...received, ...replayed], seqs, 'every push exactly once across the two connections, in order');
  } finally {
    client.socket.disconnect();
  }
});

t.test('socket.io - guarantee 4: a draining gateway tells its Socket.IO clients DRAINING with reconnectAfterMs and closes the transport, so the client resumes elsewhere', async () => {
  const leaving = await stack.startGateway();
  const token = await stack.token(uniqueId('sio-drained'));
  const { client: drained, welcome } = await IoTestClient.connect(stack.httpUrl(leaving), token);
  stack.gateways.splice(stack.gateways.indexOf(leaving), 1);
  await leaving.stop('SIGTERM');
  assert.equal(await drained.disconnected, 'transport close', 'a retryable close: socket.io-client would reconnect by itself');
  const error = drained.frames('error')[0]?.error as { code: string; details: { reconnectAfterMs: unknown } };
  assert.equal(error.code, 'DRAINING');
  assert.equal(typeof error.details.reconnectAfterMs, 'number');
  const { client, welcome: resumed } = await IoTestClient.connect(stack.httpUrl(stack.gateways[0]), token, { session: welcome.session as string, seq: drained.lastSeq() });
  try {
    assert.equal(resumed.resumed, true, 'the session was released for another gateway');
  } finally {
    client.socket.disconnect();
  }
});
