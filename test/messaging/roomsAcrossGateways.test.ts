/**
 * The messaging feature through the real gateway: members on two gateway
 * nodes (and two workers), a non-member refused by the topic ACL (svc.acl.room answered by
 * the messaging workers) and by the room actor, membership revoked while
 * subscribed, presence after a socket dies, typing.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { presenceTiming } from '../../actors/messaging/presenceService.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { MessagingClient } from './messagingClient.js';

const PRESENCE_TTL_MS = 3000;
const ROOM = 'lobby';
const TOPIC = `room.${ROOM}`;

let stack: Stack;
let alice: MessagingClient;
let bob: MessagingClient;
let carol: MessagingClient;

async function member(user: string, gateway: number): Promise<MessagingClient> {
  return MessagingClient.connect(stack.wsUrl(stack.gateways[gateway]), user, await stack.token(user));
}

t.before(async () => {
  // Two workers: the rooms' partitions, the svc.acl.room responders and the ACL invalidation relay are shared between them.
  stack = await startStack({ gateways: 2, workers: 2, env: { SY_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS) } });
  alice = await member('alice', 0);
  bob = await member('bob', 1);
  carol = await member('carol', 0);
  await alice.ok(ROOM, 'create', { title: 'Lobby' });
  await alice.ok(ROOM, 'invite', { user: 'bob' });
  await bob.ok(ROOM, 'join');
  assert.equal((await alice.subscribe(TOPIC)).type, 'subscribed');
  assert.equal((await bob.subscribe(TOPIC)).type, 'subscribed');
});
t.teardown(async () => {
  await Promise.allSettled([alice, bob, carol].map((c) => c?.close()));
  await stack?.stop();
});

function messageSeqs(client: MessagingClient): Array<[number, string]> {
  return client.events(TOPIC, 'message.created').map((e) => {
    const m = (e.data as { message: { seq: number; clientId: string } }).message;
    return [m.seq, m.clientId];
  });
}

t.test('messaging - two members on different gateway nodes see every message once and in the same order', async (t) => {
  const per = 25;
  const started = Date.now();
  const sends: Array<Promise<unknown>> = [];
  for (let i = 0; i < per; i++) {
    sends.push(alice.ok(ROOM, 'post', { clientId: `a${i}`, text: `from alice ${i}` }));
    sends.push(bob.ok(ROOM, 'post', { clientId: `b${i}`, text: `from bob ${i}` }));
  }
  await Promise.all(sends);
  const total = 2 * per;
  await alice.nextEvent(TOPIC, (e) => (e.data as { message: { seq: number } }).message?.seq === total);
  await bob.nextEvent(TOPIC, (e) => (e.data as { message: { seq: number } }).message?.seq === total);
  t.comment(`${2 * per} messages posted concurrently by two members on two gateways, all delivered to both in ${Date.now() - started} ms`);
  const seenByAlice = messageSeqs(alice);
  const seenByBob = messageSeqs(bob);
  assert.deepEqual(seenByAlice.map(([seq]) => seq), Array.from({ length: total }, (_, i) => i + 1), 'alice: every message once, in room order');
  assert.deepEqual(seenByBob, seenByAlice, 'bob saw the same messages in the same order');
  assert.equal(new Set(seenByAlice.map(([, id]) => id)).size, total);
  const history = await bob.ok(ROOM, 'history', { limit: 100 });
  assert.deepEqual(history.messages.map((m: { seq: number; clientId: string }) => [m.seq, m.clientId]), seenByAlice, 'history has the same order');
  const frames = alice.events(TOPIC).map((e) => e.seq as number);
  assert.deepEqual([...frames].sort((a, b) => a - b), frames, 'pushes arrive in seq order');
});

t.test('guarantee 5 - messaging: room topics follow room membership; a non-member cannot subscribe, read history or post (FORBIDDEN)', async () => {
  const sub = await carol.subscribe(TOPIC);
  assert.equal(sub.type, 'error');
  assert.equal((sub.error as { code: string }).code, 'FORBIDDEN', 'the gateway ACL asked the messaging workers');
  for (const [name, data] of [['history', {}], ['post', { clientId: 'x1', text: 'let me in' }], ['get', undefined], ['join', undefined], ['presence.heartbeat', undefined], ['typing', { active: true }]] as const) {
    const result = await carol.room(ROOM, name, data);
    assert.equal(result.ok, false, name);
    assert.equal(result.error?.code, 'FORBIDDEN', name);
  }
  const probe = await carol.room('no-such-room', 'history', {});
  assert.equal(probe.error?.code, 'FORBIDDEN', 'a room that does not exist answers the same: existence is not revealed');
  await alice.ok(ROOM, 'post', { clientId: 'after-carol', text: 'still private' });
  await bob.nextEvent(TOPIC, (e) => (e.data as { message?: { clientId: string } }).message?.clientId === 'after-carol');
  assert.equal(carol.events(TOPIC).length, 0, 'carol received nothing of the room');
  const mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  const stored = await mongo.db('switchyard').collection('messaging_messages').countDocuments({ room: ROOM, author: 'carol' });
  await mongo.close();
  assert.equal(stored, 0);
});

t.test('guarantee 5 - messaging: a member removed from a room is taken off its topic and refused from then on', async () => {
  const dave = await member('dave', 1);
  try {
    await alice.ok(ROOM, 'invite', { user: 'dave' });
    await dave.ok(ROOM, 'join');
    assert.equal((await dave.subscribe(TOPIC)).type, 'subscribed');
    await alice.ok(ROOM, 'post', { clientId: 'welcome-dave', text: 'hi dave' });
    await dave.nextEvent(TOPIC, (e) => (e.data as { message?: { clientId: string } }).message?.clientId === 'welcome-dave');
    await alice.ok(ROOM, 'remove', { user: 'dave' });
    const dropped = await dave.ws.next((f) => f.type === 'unsubscribed' && f.topic === TOPIC);
    assert.ok(dropped, 'the gateway re-checked the ACL after the membership change');
    await alice.ok(ROOM, 'post', { clientId: 'after-dave', text: 'dave is gone' });
    await bob.nextEvent(TOPIC, (e) => (e.data as { message?: { clientId: string } }).message?.clientId === 'after-dave');
    assert.equal(dave.events(TOPIC).filter((e) => (e.data as { message?: { clientId: string } }).message?.clientId === 'after-dave').length, 0);
    assert.equal((await dave.room(ROOM, 'history', {})).error?.code, 'FORBIDDEN');
    assert.equal((await dave.subscribe(TOPIC)).type, 'error');
  } finally {
    await dave.close();
  }
});

t.test('messaging - presence shows a member leaving within ttl + one heartbeat interval after their socket dies without a close frame', async (t) => {
  const timing = presenceTiming(PRESENCE_TTL_MS);
  const erin = await member('erin', 1);
  await alice.ok(ROOM, 'invite', { user: 'erin' });
  await erin.ok(ROOM, 'join');
  const first = await alice.ok(ROOM, 'presence.heartbeat');
  assert.deepEqual(first, timing, 'without list: how often to beat, nothing else');
  const erinBeat = await erin.ok(ROOM, 'presence.heartbeat', { list: true });
  assert.ok(erinBeat.online.includes('alice') && erinBeat.online.includes('erin'));
  await alice.nextEvent(TOPIC, (e) => e.name === 'presence.joined' && (e.data as { user: string }).user === 'erin');

  erin.ws.terminate();
  const died = Date.now();
  // Alice keeps the room open: she heartbeats as a client does, every heartbeatMs.
  let beating = true;
  const beats = (async () => {
    while (beating) {
      await alice.room(ROOM, 'presence.heartbeat');
      await new Promise((r) => setTimeout(r, timing.heartbeatMs));
    }
  })();
  try {
    const left = await alice.nextEvent(TOPIC, (e) => e.name === 'presence.left' && (e.data as { user: string }).user === 'erin', timing.leaveWithinMs + 15_000);
    t.comment(`erin shown leaving ${Date.now() - died} ms after her socket died (documented bound ttl + heartbeat = ${timing.leaveWithinMs} ms, plus a command's latency)`);
    assert.equal((left.data as { reason: string }).reason, 'expired');
  } finally {
    beating = false;
    await beats;
  }
  const online = await alice.ok(ROOM, 'presence.heartbeat', { list: true });
  assert.ok(!online.online.includes('erin'));
  assert.ok(online.online.includes('alice'));
});

t.test('messaging - typing is pushed to the room and never stored', async () => {
  const before = await alice.ok(ROOM, 'get');
  await bob.ok(ROOM, 'typing', { active: true });
  const typing = await alice.nextEvent(TOPIC, (e) => e.name === 'typing' && (e.data as { user: string }).user === 'bob');
  assert.deepEqual(typing.data, { room: ROOM, user: 'bob', active: true });
  const after = await alice.ok(ROOM, 'get');
  assert.equal(after.room.lastSeq, before.room.lastSeq, 'no message was added');
});
