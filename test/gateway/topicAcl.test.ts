/**
 * Guarantee 5: topic ACLs. `user.<id>` only for that user, `public.<id>`
 * for anyone, `room.<id>` decided by the owning service over NATS
 * request/reply on svc.acl.room (here a tiny responder standing in for the
 * messaging actor); no answer means UNAVAILABLE, never an allow. Events
 * reach members only.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { natsOf, publishEvent, uniqueId } from './gatewayTestKit.js';

let stack: Stack;
let nc: NatsConnection;
/** The membership the stand-in service answers from: topic → users. */
const members = new Map<string, Set<string>>();
let responder: Subscription | undefined;
let asked = 0;

function startResponder(): void {
  responder = nc.subscribe(subjects.aclCheck('room'), {
    callback: (_err, msg) => {
      asked++;
      const { user, topic } = msg.json<{ user: string; topic: string }>();
      msg.respond(JSON.stringify({ allow: members.get(topic)?.has(user) ?? false }));
    },
  });
}

t.before(async () => {
  // No worker: workers run the real svc.acl.room responder (actors/messaging), which would answer in place of the stand-in.
  stack = await startStack({ workers: 0, env: { SY_ACL_TIMEOUT_MS: '500' } });
  nc = await natsOf(stack);
  startResponder();
  await nc.flush();
});
t.teardown(async () => {
  await nc?.close();
  await stack?.stop();
});

async function subscribe(client: WsTestClient, topic: string) {
  client.send({ type: 'sub', topic });
  return client.next((f) => (f.type === 'subscribed' || f.type === 'error') && f.topic === topic);
}

t.test('guarantee 5 - topic ACL: a room member may join, a non-member gets FORBIDDEN, and events reach members only', async () => {
  const room = `room.${uniqueId('r')}`;
  members.set(room, new Set(['alice']));
  const { client: alice } = await WsTestClient.hello(stack.wsUrl(), await stack.token('alice'));
  const { client: mallory } = await WsTestClient.hello(stack.wsUrl(), await stack.token('mallory'));
  assert.equal((await subscribe(alice, room)).type, 'subscribed');
  const refused = await subscribe(mallory, room);
  assert.equal(refused.type, 'error');
  assert.equal((refused.error as { code: string }).code, 'FORBIDDEN');
  const seq = await publishEvent(nc, room, 'said', { text: 'hi' });
  const event = await alice.next((f) => f.type === 'event' && f.seq === seq);
  assert.deepEqual(event.data, { text: 'hi' });
  mallory.send({ type: 'ping' });
  await mallory.next((f) => f.type === 'pong');
  assert.equal(mallory.all((f) => f.type === 'event').length, 0, 'no event for a non-member');
  await Promise.all([alice.close(), mallory.close()]);
});

t.test('guarantee 5 - topic ACL: answers are cached; an invalidation removes a revoked member from the topic', async () => {
  const room = `room.${uniqueId('r')}`;
  members.set(room, new Set(['bob']));
  const { client: bob } = await WsTestClient.hello(stack.wsUrl(), await stack.token('bob'));
  const before = asked;
  assert.equal((await subscribe(bob, room)).type, 'subscribed');
  bob.send({ type: 'unsub', topic: room });
  await bob.next((f) => f.type === 'unsubscribed');
  bob.frames.length = 0;
  assert.equal((await subscribe(bob, room)).type, 'subscribed');
  assert.equal(asked - before, 1, 'the second join used the cached answer');
  members.get(room)!.delete('bob');
  nc.publish(subjects.aclInvalidate, JSON.stringify({ topic: room, user: 'bob' }));
  const removed = await bob.next((f) => f.type === 'error' && f.topic === room);
  assert.equal((removed.error as { code: string }).code, 'FORBIDDEN');
  assert.ok(bob.all((f) => f.type === 'unsubscribed' && f.topic === room).length === 1);
  await bob.close();
});

t.test('guarantee 5 - topic ACL: user topics only for their user, unknown kinds refused, no ACL responder means UNAVAILABLE (not FORBIDDEN)', async () => {
  const { client: carol } = await WsTestClient.hello(stack.wsUrl(), await stack.token('carol'));
  assert.equal((await subscribe(carol, 'user.carol')).type, 'subscribed');
  assert.equal(((await subscribe(carol, 'user.dave')).error as { code: string }).code, 'FORBIDDEN');
  assert.equal(((await subscribe(carol, 'secret.plans')).error as { code: string }).code, 'FORBIDDEN');
  responder?.unsubscribe();
  await nc.flush();
  try {
    const unavailable = await subscribe(carol, `room.${uniqueId('r')}`);
    assert.equal((unavailable.error as { code: string }).code, 'UNAVAILABLE');
  } finally {
    startResponder();
    await nc.flush();
  }
  await carol.close();
});

/** Sends every `sub` in one burst and waits for one answer per topic. */
async function subscribeBurst(client: WsTestClient, topics: string[]): Promise<{ joined: string[]; refused: Array<{ topic: string; code: string }> }> {
  for (const topic of topics) client.send({ type: 'sub', topic });
  const answered = (topic: string) => (f: { type: string; topic?: unknown }) => (f.type === 'subscribed' || f.type === 'error') && f.topic === topic;
  for (const topic of topics) await client.next(answered(topic));
  return {
    joined: client.all((f) => f.type === 'subscribed').map((f) => f.topic as string),
    refused: client.all((f) => f.type === 'error').map((f) => ({ topic: f.topic as string, code: (f.error as { code: string }).code })),
  };
}

t.test('guarantee 5 - subscription limit: 101 sub frames in one burst join exactly 100 topics and refuse one with LIMIT_EXCEEDED', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token(uniqueId('burst')));
  const topics = Array.from({ length: 101 }, (_, i) => `public.${uniqueId(`b${i}`)}`);
  const { joined, refused } = await subscribeBurst(client, topics);
  assert.equal(joined.length, 100);
  assert.deepEqual(refused.map((r) => r.code), ['LIMIT_EXCEEDED']);
  await client.close();
});

t.test('guarantee 5 - subscription limit: joins in flight (rooms waiting for the ACL service) count once; exactly 100 joined, one refused', async () => {
  const user = uniqueId('burst-rooms');
  const rooms = Array.from({ length: 50 }, () => `room.${uniqueId('r')}`);
  for (const room of rooms) members.set(room, new Set([user]));
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token(user));
  const topics = rooms.flatMap((room, i) => [room, `public.${uniqueId(`m${i}`)}`]);
  topics.push(`public.${uniqueId('last')}`);
  const { joined, refused } = await subscribeBurst(client, topics);
  assert.equal(joined.length, 100);
  assert.deepEqual(refused.map((r) => r.code), ['LIMIT_EXCEEDED']);
  await client.close();
});

t.test('guarantee 5 - topic ACL: a refusal is not cached; a user who just joined a room subscribes at once (50 of 50), before the invalidation arrives', async () => {
  for (let i = 0; i < 50; i++) {
    const room = `room.${uniqueId('join')}`;
    const user = uniqueId('joiner');
    members.set(room, new Set());
    const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token(user));
    const refused = await subscribe(client, room);
    assert.equal((refused.error as { code: string }).code, 'FORBIDDEN');
    client.frames.length = 0;
    // The join: membership changes; its invalidation is still on its way.
    members.get(room)!.add(user);
    const answer = await subscribe(client, room);
    assert.equal(answer.type, 'subscribed', `try ${i + 1}: ${JSON.stringify(answer)}`);
    nc.publish(subjects.aclInvalidate, JSON.stringify({ topic: room, user }));
    await client.close();
  }
});
