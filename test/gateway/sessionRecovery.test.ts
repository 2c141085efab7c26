/**
 * Guarantees 2 and 6: results reach the client exactly once wherever it
 * reconnects (recovery from OUT by seq), sessions resume on any node, and a
 * takeover closes the stale socket. Two gateways, one worker.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { sessionKey } from '../../gateway/index.js';
import { subjects } from '../../protocol/index.js';
import { addCommand, eventually, lastSeq, natsOf, publishEvent, publishPush, uniqueId } from './gatewayTestKit.js';

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

function pauseWorker(): void { process.kill(stack.workers[0]!.pid!, 'SIGSTOP'); }
function resumeWorker(): void { process.kill(stack.workers[0]!.pid!, 'SIGCONT'); }

t.test('guarantee 2 - an accepted command gets exactly one result after the client moves from gateway A to gateway B mid-flight', async () => {
  // A third gateway, killed by this test; the others stay for the next tests.
  const gatewayA = await stack.startGateway();
  const gatewayB = stack.gateways[1]!;
  const { client: onA, welcome } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token('mover'));
  const id = uniqueId('move');
  pauseWorker();
  try {
    onA.send(addCommand(id, uniqueId('move-entity'), 7));
    await onA.next((f) => f.type === 'accepted' && f.id === id);
    await gatewayA.kill();
  } finally {
    resumeWorker();
  }
  await onA.closed;
  // The result is produced while the client is connected nowhere; it is stored in OUT.
  const { client: onB, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token('mover'), { session: welcome.session as string, seq: lastSeq(onA.frames, welcome) });
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.recovered, true);
  assert.equal(resumed.session, welcome.session);
  const result = await onB.next((f) => f.type === 'result' && f.id === id, 30_000);
  assert.deepEqual(result.data, { value: 7 });
  onB.send({ type: 'ping' });
  await onB.next((f) => f.type === 'pong');
  assert.equal(onB.all((f) => f.type === 'result' && f.id === id).length, 1, 'exactly one result');
  await onB.close();
});

t.test('guarantee 2 - a client that resumed before its result existed receives it live, exactly once', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [SwitchyardProcess, SwitchyardProcess];
  const { client: onA, welcome } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token('early'));
  const ids = [uniqueId('early'), uniqueId('early')];
  pauseWorker();
  let onB: WsTestClient;
  try {
    for (const id of ids) onA.send(addCommand(id, uniqueId('early-entity')));
    for (const id of ids) await onA.next((f) => f.type === 'accepted' && f.id === id);
    onA.terminate();
    ({ client: onB } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token('early'), { session: welcome.session as string, seq: lastSeq(onA.frames, welcome) }));
  } finally {
    resumeWorker();
  }
  for (const id of ids) await onB.next((f) => f.type === 'result' && f.id === id, 30_000);
  onB.send({ type: 'ping' });
  await onB.next((f) => f.type === 'pong');
  for (const id of ids) assert.equal(onB.all((f) => f.type === 'result' && f.id === id).length, 1, `one result for ${id}`);
  await onB.close();
});

t.test('guarantee 2 - pushes missed while disconnected are replayed in seq order, then live pushes follow without gap or duplicate', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [SwitchyardProcess, SwitchyardProcess];
  const topic = `public.${uniqueId('replay')}`;
  const { client: onA, welcome } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token('replayer'));
  onA.send({ type: 'sub', topic });
  await onA.next((f) => f.type === 'subscribed');
  const seen = lastSeq(onA.frames, welcome);
  await onA.close();
  const missed: number[] = [];
  for (let i = 0; i < 20; i++) missed.push(await publishEvent(nc, topic, 'tick', { i }));
  const { client: onB, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token('replayer'), { session: welcome.session as string, seq: seen });
  assert.equal(resumed.recovered, true);
  const live: number[] = [];
  for (let i = 20; i < 30; i++) live.push(await publishEvent(nc, topic, 'tick', { i }));
  await onB.next((f) => f.type === 'event' && f.seq === live.at(-1));
  const got = onB.all((f) => f.type === 'event').map((f) => f.seq as number);
  assert.deepEqual(got, [...missed, ...live], 'every event once, in seq order');
  await onB.close();
});

t.test('guarantee 6 - a session resumes on any node with its user and topics; the record says which node holds it', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [SwitchyardProcess, SwitchyardProcess];
  const topic = `public.${uniqueId('carry')}`;
  const { client: onA, welcome } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token('carrier'));
  onA.send({ type: 'sub', topic });
  await onA.next((f) => f.type === 'subscribed');
  await onA.close();
  const redis = new Redis(stack.env.REDIS_URL!);
  try {
    const released = await eventually('record released', async () => {
      const r = await redis.hgetall(sessionKey(welcome.session as string));
      return r.node === '' ? r : undefined;
    });
    assert.equal(released.user, 'carrier');
    assert.deepEqual(JSON.parse(released.topics!), [topic]);
    const { client: onB, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token('carrier'), { session: welcome.session as string, seq: welcome.seq as number });
    assert.equal(resumed.resumed, true);
    const record = await redis.hgetall(sessionKey(welcome.session as string));
    assert.equal(record.node, resumed.node);
    assert.equal(Number(record.epoch), 2);
    const seq = await publishEvent(nc, topic, 'hello', {});
    const event = await onB.next((f) => f.type === 'event' && f.seq === seq);
    assert.equal(event.topic, topic);
    await onB.close();
  } finally {
    redis.disconnect();
  }
});

t.test('guarantee 6 - resuming on another node closes the stale socket there with SESSION_REPLACED (4001)', async () => {
  const [gatewayA, gatewayB] = stack.gateways as [SwitchyardProcess, SwitchyardProcess];
  const { client: onA, welcome } = await WsTestClient.hello(stack.wsUrl(gatewayA), await stack.token('twice'));
  const { client: onB, welcome: resumed } = await WsTestClient.hello(stack.wsUrl(gatewayB), await stack.token('twice'), { session: welcome.session as string, seq: welcome.seq as number });
  assert.equal(resumed.resumed, true);
  await onA.closed;
  assert.equal(onA.closeCode, 4001);
  assert.equal((onA.all((f) => f.type === 'error')[0]?.error as { code: string }).code, 'SESSION_REPLACED');
  // The new socket is the session's one socket: its results arrive there.
  const id = uniqueId('after-takeover');
  onB.send(addCommand(id, uniqueId('takeover-entity')));
  await onB.next((f) => f.type === 'result' && f.id === id);
  await onB.close();
});

t.test('guarantee 6 - resuming on the same node closes the stale socket with SESSION_REPLACED (4001)', async () => {
  const gateway = stack.gateways[0]!;
  const { client: first, welcome } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token('same-node'));
  const { client: second } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token('same-node'), { session: welcome.session as string, seq: welcome.seq as number });
  await first.closed;
  assert.equal(first.closeCode, 4001);
  await second.close();
});

t.test('guarantee 6 - another user cannot resume a session; an unknown session gets a new one (resumed:false)', async () => {
  const gateway = stack.gateways[0]!;
  const { client: owner, welcome } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token('owner'));
  const { client: thief, welcome: other } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token('thief'), { session: welcome.session as string, seq: 0 });
  assert.equal(other.resumed, false);
  assert.notEqual(other.session, welcome.session);
  const { client: stranger, welcome: fresh } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token('owner'), { session: 'no-such-session', seq: 0 });
  assert.equal(fresh.resumed, false);
  assert.equal(fresh.recovered, false);
  // The owner's socket was not disturbed.
  owner.send({ type: 'ping' });
  await owner.next((f) => f.type === 'pong');
  await Promise.all([owner.close(), thief.close(), stranger.close()]);
});

t.test('guarantee 2 - resume after resume with the resumed welcome\'s seq delivers the replayed result exactly once', async () => {
  const gateway = stack.gateways[0]!;
  const user = uniqueId('adopter');
  const { client: first, welcome } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token(user));
  await first.close();
  const id = uniqueId('missed');
  const session = welcome.session as string;
  const stored = await publishPush(nc, subjects.sessionPush(session), { type: 'result', id, ok: true, data: { n: 1 } }, id);
  // The first resume's socket drops before the client reads the replayed result...
  const { client: second, welcome: resumedOnce } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token(user), { session, seq: welcome.seq as number });
  assert.equal(resumedOnce.recovered, true);
  assert.ok((resumedOnce.seq as number) < stored, 'the resumed welcome reports where the replay starts, below the replayed push');
  second.terminate();
  await second.closed;
  // ...so it resumes again with the seq that welcome gave it (the client adopted it, as the docs say).
  const { client: third, welcome: resumedTwice } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token(user), { session, seq: resumedOnce.seq as number });
  assert.equal(resumedTwice.recovered, true);
  const result = await third.next((f) => f.type === 'result' && f.id === id, 10_000);
  assert.equal(result.seq, stored);
  third.send({ type: 'ping' });
  await third.next((f) => f.type === 'pong');
  assert.equal(third.all((f) => f.type === 'result' && f.id === id).length, 1, 'exactly one result');
  await third.close();
});
