/**
 * The messaging feature's stored side through one gateway: idempotent
 * sends by client id, history pages while messages arrive, leftovers of
 * commits that never happened, edits/deletes/reactions, read markers and
 * the inbox, direct rooms, and the documented domain events as an outside
 * NATS subscriber sees them.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient, type Collection } from 'mongodb';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Compile } from 'typebox/compile';
import {
  MESSAGING_DOMAIN_EVENTS, directRoomId, messagingDomainEvent, subjectToken, type Message, type MessagingDomainEventName,
} from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { eventually } from '../harness/commandDriver.js';
import { MessagingClient } from './messagingClient.js';

let stack: Stack;
let mongo: MongoClient;
let messages: Collection<Message & { _id: string }>;
let clientIds: Collection<{ _id: string; seq: number }>;
let outsider: NatsConnection;
/** Every evt.messaging.* body an outside NATS subscriber received, in arrival order. */
const domainEvents: Array<{ subject: string; body: any; msgId: string | undefined }> = [];
let alice: MessagingClient;
let bob: MessagingClient;

t.before(async () => {
  stack = await startStack({ gateways: 1, workers: 1 });
  mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  messages = mongo.db('switchyard').collection('messaging_messages');
  clientIds = mongo.db('switchyard').collection('messaging_client_ids');
  outsider = await connect({ servers: stack.env.NATS_URL, name: 'not switchyard' });
  outsider.subscribe('evt.messaging.>', {
    callback: (_err, msg) => { domainEvents.push({ subject: msg.subject, body: msg.json(), msgId: msg.headers?.get('Nats-Msg-Id') }); },
  });
  await outsider.flush();
  alice = await MessagingClient.connect(stack.wsUrl(), 'alice', await stack.token('alice'));
  bob = await MessagingClient.connect(stack.wsUrl(), 'bob', await stack.token('bob'));
});
t.teardown(async () => {
  await Promise.allSettled([alice?.close(), bob?.close(), outsider?.close(), mongo?.close()]);
  await stack?.stop();
});

/** A room owned by alice with bob as a member, both subscribed to its topic. */
async function roomWithBob(room: string): Promise<string> {
  await alice.ok(room, 'create', { title: room });
  await alice.ok(room, 'invite', { user: 'bob' });
  await bob.ok(room, 'join');
  assert.equal((await alice.subscribe(`room.${room}`)).type, 'subscribed');
  assert.equal((await bob.subscribe(`room.${room}`)).type, 'subscribed');
  return `room.${room}`;
}

t.test('messaging - resending a message with the same client id stores it once', async () => {
  const topic = await roomWithBob('resend');
  const first = await alice.room('resend', 'post', { clientId: 'hello-1', text: 'only once' }, 'cmd-first');
  assert.equal(first.ok, true);
  assert.equal(first.data.duplicate, false);
  const again = await alice.room('resend', 'post', { clientId: 'hello-1', text: 'only once' }, 'cmd-again');
  assert.deepEqual(again.data, { ...first.data, duplicate: true }, 'a new command with the same client id answers the stored message');
  const retried = await alice.room('resend', 'post', { clientId: 'hello-1', text: 'only once' }, 'cmd-first');
  assert.deepEqual(retried.data, first.data, 'the same command again');
  const bobs = await bob.ok('resend', 'post', { clientId: 'hello-1', text: 'client ids are per author' });
  assert.equal(bobs.duplicate, false);
  assert.equal(bobs.seq, first.data.seq + 1);

  assert.equal(await messages.countDocuments({ room: 'resend', author: 'alice', clientId: 'hello-1' }), 1);
  const history = await bob.ok('resend', 'history', {});
  assert.deepEqual(history.messages.map((m: Message) => [m.author, m.clientId]), [['alice', 'hello-1'], ['bob', 'hello-1']]);
  await bob.nextEvent(topic, (e) => (e.data as { message?: Message }).message?.author === 'bob');
  assert.equal(bob.events(topic, 'message.created').filter((e) => (e.data as { message: Message }).message.author === 'alice').length, 1, 'one push');
});

t.test('messaging - history pages return every message exactly once while new messages arrive', async () => {
  await roomWithBob('pages');
  for (let i = 1; i <= 30; i++) await alice.ok('pages', 'post', { clientId: `early-${i}`, text: `early ${i}` });
  let posting = true;
  const poster = (async () => {
    for (let i = 1; i <= 30; i++) await alice.ok('pages', 'post', { clientId: `late-${i}`, text: `late ${i}` });
    posting = false;
  })();
  const seen: number[] = [];
  let page = await bob.ok('pages', 'history', { limit: 7 });
  const newest = page.messages.at(-1).seq as number;
  for (;;) {
    seen.push(...page.messages.map((m: Message) => m.seq));
    if (!page.hasMore) break;
    page = await bob.ok('pages', 'history', { before: page.messages[0].seq, limit: 7 });
  }
  let after = newest;
  let lastSeq = 0;
  for (;;) {
    page = await bob.ok('pages', 'history', { after, limit: 7 });
    seen.push(...page.messages.map((m: Message) => m.seq));
    if (page.messages.length > 0) after = page.messages.at(-1).seq;
    lastSeq = page.lastSeq;
    if (!page.hasMore && !posting) break;
    if (!page.hasMore) await new Promise((r) => setTimeout(r, 20));
  }
  await poster;
  page = await bob.ok('pages', 'history', { after, limit: 100 });
  seen.push(...page.messages.map((m: Message) => m.seq));
  lastSeq = page.lastSeq;
  assert.equal(lastSeq, 60);
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i + 1), 'every message exactly once');
});

t.test('guarantee 8 - messaging: a message stored ahead of a commit that never happened is never shown, and the next message takes its place', async () => {
  await roomWithBob('leftovers');
  const { seq } = await alice.ok('leftovers', 'post', { clientId: 'real-1', text: 'committed' });
  // What a worker that crashed between the message write and the room's commit leaves behind.
  const leftover = (at: number, clientId: string, author: string, text: string) => ({ room: 'leftovers', seq: at, clientId, author, text, createdAt: Date.now(), reactions: [] });
  await messages.insertOne({ _id: `leftovers:${seq + 1}`, ...leftover(seq + 1, 'ghost', 'bob', 'never committed') });
  await clientIds.insertOne({ _id: `leftovers|bob|ghost`, seq: seq + 1 });
  const history = await bob.ok('leftovers', 'history', {});
  assert.deepEqual(history.messages.map((m: Message) => m.clientId), ['real-1']);
  assert.equal(history.lastSeq, seq);
  assert.equal((await bob.room('leftovers', 'edit', { seq: seq + 1, text: 'edit a ghost' })).error?.code, 'NOT_FOUND');
  const resent = await bob.ok('leftovers', 'post', { clientId: 'ghost', text: 'sent again after the crash' });
  assert.equal(resent.duplicate, false, 'a leftover is not a stored message');
  assert.equal(resent.seq, seq + 1);
  // A leftover further ahead (only a fenced-off zombie could leave one) carrying the next message's client id.
  await messages.insertOne({ _id: `leftovers:${seq + 3}`, ...leftover(seq + 3, 'real-2', 'alice', 'zombie copy') });
  await clientIds.replaceOne({ _id: `leftovers|alice|real-2` }, { seq: seq + 3 }, { upsert: true });
  const next = await alice.ok('leftovers', 'post', { clientId: 'real-2', text: 'after' });
  assert.deepEqual([next.seq, next.duplicate], [seq + 2, false]);
  const last = await alice.ok('leftovers', 'post', { clientId: 'real-3', text: 'last' });
  assert.equal(last.seq, seq + 3, 'takes the place of the zombie copy');
  assert.equal((await alice.ok('leftovers', 'post', { clientId: 'real-2', text: 'after' })).duplicate, true);
  const after = await bob.ok('leftovers', 'history', {});
  assert.deepEqual(after.messages.map((m: Message) => [m.seq, m.text]), [[1, 'committed'], [2, 'sent again after the crash'], [3, 'after'], [4, 'last']]);
});

t.test('messaging - the author edits, the author or an owner deletes, members react; everyone subscribed is told', async () => {
  const topic = await roomWithBob('edits');
  const mine = await alice.ok('edits', 'post', { clientId: 'e1', text: 'teh' });
  const bobs = await bob.ok('edits', 'post', { clientId: 'e2', text: 'rude' });
  assert.equal((await bob.room('edits', 'edit', { seq: mine.seq, text: 'hacked' })).error?.code, 'FORBIDDEN');
  assert.equal((await bob.room('edits', 'delete', { seq: mine.seq })).error?.code, 'FORBIDDEN');
  const edited = await alice.ok('edits', 'edit', { seq: mine.seq, text: 'the' });
  assert.equal(edited.message.text, 'the');
  await bob.nextEvent(topic, (e) => e.name === 'message.edited' && (e.data as { message: Message }).message.text === 'the');
  await alice.ok('edits', 'delete', { seq: bobs.seq });
  const deleted = await bob.nextEvent(topic, (e) => e.name === 'message.deleted');
  assert.deepEqual((deleted.data as { by: string; message: Message }).by, 'alice');
  await bob.ok('edits', 'react', { seq: mine.seq, reaction: '👍' });
  const reacted = await alice.nextEvent(topic, (e) => e.name === 'reaction.added');
  assert.deepEqual((reacted.data as { message: Message }).message.reactions, [{ reaction: '👍', users: ['bob'] }]);
  assert.equal((await bob.room('edits', 'react', { seq: bobs.seq, reaction: '👍' })).error?.code, 'CONFLICT', 'deleted messages take no reactions');
  const history = await bob.ok('edits', 'history', {});
  assert.deepEqual(history.messages.map((m: Message) => [m.seq, m.text, m.editedAt !== undefined, m.deletedAt !== undefined, m.reactions.length]),
    [[mine.seq, 'the', true, false, 1], [bobs.seq, '', false, true, 0]]);
});

t.test('messaging - read markers and unread counts; the inbox lists a user\'s rooms', async () => {
  await roomWithBob('unread');
  for (let i = 1; i <= 4; i++) await alice.ok('unread', 'post', { clientId: `u${i}`, text: `${i}` });
  const listed = async () => {
    const result = await bob.inbox({ limit: 100 });
    assert.equal(result.ok, true);
    return (result.data.rooms as Array<{ room: string; unread: number; readSeq: number }>).find((r) => r.room === 'unread');
  };
  assert.deepEqual(await listed(), { room: 'unread', kind: 'group', title: 'unread', role: 'member', lastSeq: 4, readSeq: 0, unread: 4 });
  assert.deepEqual(await bob.ok('unread', 'read', { seq: 3 }), { readSeq: 3, unread: 1 });
  assert.equal((await listed())?.unread, 1);
  assert.equal((await bob.ok('unread', 'get')).room.you.unread, 1);
  await bob.ok('unread', 'post', { clientId: 'reply', text: 'read it all' });
  assert.equal((await listed())?.unread, 0, 'posting marks everything up to one\'s own message read');
  const paged = await bob.inbox({ limit: 1 });
  assert.equal(paged.data.rooms.length, 1);
  assert.equal(typeof paged.data.next, 'string');
  // An index entry whose room commit never happened (the index is written ahead of it) is not listed.
  await mongo.db('switchyard').collection<{ _id: string; room: string; user: string; active: boolean }>('messaging_memberships').insertOne({ _id: 'never-committed|bob', room: 'never-committed', user: 'bob', active: true });
  assert.ok(!(await bob.inbox({ limit: 100 })).data.rooms.some((r: { room: string }) => r.room === 'never-committed'));
  const snoop = await alice.command('messaging_inbox', subjectToken('bob'), 'list', {});
  assert.equal(snoop.error?.code, 'FORBIDDEN', 'an inbox is read by its user only');
  await bob.ok('unread', 'leave');
  await eventually('the room is gone from bob\'s inbox', async () => ((await listed()) === undefined ? true : undefined), 10_000);
});

t.test('messaging - a direct room has one id for the pair; the other user is told on their own topic', async () => {
  assert.equal((await bob.subscribe('user.bob')).type, 'subscribed');
  const dm = await directRoomId('alice', 'bob');
  const opened = await alice.ok(dm, 'direct.open', { with: 'bob' });
  assert.equal(opened.created, true);
  assert.deepEqual(opened.room.members.map((m: { user: string }) => m.user).sort(), ['alice', 'bob']);
  await bob.nextEvent('user.bob', (e) => e.name === 'room.created' && (e.data as { room: string }).room === dm);
  const again = await bob.ok(dm, 'direct.open', { with: 'alice' });
  assert.equal(again.created, false);
  await alice.ok(dm, 'post', { clientId: 'dm-1', text: 'just us' });
  assert.equal((await bob.ok(dm, 'history', {})).messages.length, 1);
  const carol = await MessagingClient.connect(stack.wsUrl(), 'carol', await stack.token('carol'));
  try {
    assert.equal((await carol.room(dm, 'direct.open', { with: 'bob' })).error?.code, 'VALIDATION', 'not the id of carol and bob');
    assert.equal((await carol.room(dm, 'history', {})).error?.code, 'FORBIDDEN');
    assert.equal((await alice.room(dm, 'leave')).error?.code, 'CONFLICT');
    assert.equal((await alice.room('dm-made-up', 'create', { title: 'sneaky' })).error?.code, 'VALIDATION');
  } finally {
    await carol.close();
  }
  await alice.ok('invites', 'create', { title: 'invites' });
  await alice.ok('invites', 'invite', { user: 'bob' });
  await bob.nextEvent('user.bob', (e) => e.name === 'member.invited' && (e.data as { room: string }).room === 'invites');
});

t.test('messaging - a NATS subscriber outside switchyard receives evt.messaging.message.created with the documented shape', async () => {
  await roomWithBob('events');
  const { seq } = await alice.ok('events', 'post', { clientId: 'evt-1', text: 'for everyone listening' });
  const [message] = (await alice.ok('events', 'history', { after: seq - 1, limit: 1 })).messages;
  const created = await eventually('evt.messaging.message.created arrived', () =>
    domainEvents.find((e) => e.subject === 'evt.messaging.message.created' && e.body.data?.message?.clientId === 'evt-1'), 10_000);
  const schema = Compile(messagingDomainEvent('message.created'));
  assert.ok(schema.Check(created.body), `documented shape: ${JSON.stringify(schema.Errors(created.body)[0])}`);
  assert.equal(created.body.entity, 'events');
  assert.deepEqual(created.body.data, { room: 'events', message });
  assert.equal(created.msgId, created.body.id, 'receivers can dedupe by id (= Nats-Msg-Id)');
  // Every evt.messaging.* this file caused matches its documented schema.
  assert.ok(domainEvents.length > 10);
  for (const e of domainEvents) {
    const name = e.subject.slice('evt.messaging.'.length) as MessagingDomainEventName;
    assert.ok(Object.hasOwn(MESSAGING_DOMAIN_EVENTS, name), `${e.subject} is documented`);
    const check = Compile(messagingDomainEvent(name));
    assert.ok(check.Check(e.body), `${e.subject}: ${JSON.stringify(check.Errors(e.body)[0])}`);
  }
});
