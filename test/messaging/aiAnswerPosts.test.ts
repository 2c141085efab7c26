/**
 * AI answers posted into a messaging room (`ai.chat` with `postTo`): the
 * AI feature's committed `evt.ai.answer.completed` event, relayed by the
 * messaging workers as the system command `ai.answer` to the room
 * (actors/messaging/aiAnswerRelay.ts). Runs the real gateway, one worker
 * with both features, and the simulated AI provider.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MongoClient, type Db } from 'mongodb';
import { STREAMS, roomTopic, type AiAnswerCompletedEvent, type Message } from '../../protocol/index.js';
import { decodeStoredList } from '../../actors/runtime/entityStore.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { eventually } from '../harness/commandDriver.js';
import { MessagingClient } from './messagingClient.js';

const ROOM = 'ai-lounge';

let stack: Stack;
let nc: NatsConnection;
let mongo: MongoClient;
let db: Db;
let alice: MessagingClient;
let bob: MessagingClient;
let carol: MessagingClient;

t.before(async () => {
  stack = await startStack({ gateways: 1, workers: 1, env: { SY_AI_PROVIDER: 'simulated' } });
  nc = await connect({ servers: stack.env.NATS_URL! });
  mongo = new MongoClient(stack.env.MONGODB_URI!);
  db = mongo.db('switchyard');
  const member = async (user: string) => MessagingClient.connect(stack.wsUrl(), user, await stack.token(user));
  [alice, bob, carol] = await Promise.all([member('alice'), member('bob'), member('carol')]);
  await alice.ok(ROOM, 'create', { title: 'Ask the AI' });
  await alice.ok(ROOM, 'invite', { user: 'bob' });
  await bob.ok(ROOM, 'join');
  assert.equal((await bob.subscribe(roomTopic(ROOM))).type, 'subscribed');
});
t.teardown(async () => {
  await Promise.allSettled([alice, bob, carol].map((c) => c?.close()));
  await nc?.close();
  await mongo?.close();
  await stack?.stop();
});

/** Keys of the commands the room has applied (its entity document's bookkeeping). */
async function appliedToRoom(): Promise<Array<{ key: string; result: { ok: boolean; error?: { code: string } } }>> {
  const doc = await db.collection('entities_messaging').findOne({ _id: ROOM as never });
  return decodeStoredList(doc?.applied);
}

async function aiMessages(): Promise<Message[]> {
  const page = await alice.ok(ROOM, 'history', { });
  return (page.messages as Message[]).filter((m) => m.via === 'ai');
}

/** The stored `evt.ai.answer.completed` event of conversation `conversation`. */
async function answerEvent(conversation: string): Promise<AiAnswerCompletedEvent> {
  const jsm = await jetstreamManager(nc);
  const msg = await jsm.streams.getMessage(STREAMS.events, { last_by_subj: 'evt.ai.answer.completed' });
  const event = msg!.json<AiAnswerCompletedEvent>();
  assert.equal(event.entity, conversation, 'the last answer event is the one of this test');
  return event;
}

t.test('ai + messaging - an answer asked with postTo is posted into the room once, on behalf of the asker, marked via "ai"', async () => {
  const chat = await alice.command('ai', 'conv-lounge', 'chat', { text: 'Summarise the lounge rules.', postTo: { room: ROOM } });
  assert.equal(chat.ok, true, JSON.stringify(chat.error));
  const answer = chat.data.answer as string;

  const event = await bob.nextEvent(roomTopic(ROOM), (f) => f.name === 'message.created' && (f.data as { message: Message }).message.via === 'ai');
  const message = (event.data as { message: Message }).message;
  assert.equal(message.author, 'alice', 'posted on behalf of the user who asked');
  assert.equal(message.text, answer, 'the stored answer, as the chat result gave it');

  // The same event delivered again after JetStream's duplicate window (a new event id, same clientId): nothing new is posted.
  const stored = await answerEvent('conv-lounge');
  const again: AiAnswerCompletedEvent = { ...stored, id: `${stored.id}-redelivered` };
  await jetstream(nc).publish('evt.ai.answer.completed', JSON.stringify(again), { msgID: again.id });
  const replay = await eventually('the redelivered event reached the room', async () =>
    (await appliedToRoom()).find((a) => a.key === `ai-answer/${again.id}`));
  assert.equal(replay.result.ok, true);
  const posted = await aiMessages();
  assert.equal(posted.length, 1, `one AI message in the room's history: ${JSON.stringify(posted)}`);
  assert.equal(bob.events(roomTopic(ROOM), 'message.created').filter((f) => (f.data as { message: Message }).message.via === 'ai').length, 1,
    'the member saw it once');
});

t.test('ai + messaging - an answer for a user who is not a member of the room is not posted', async () => {
  const before = (await aiMessages()).length;
  const chat = await carol.command('ai', 'conv-carol', 'chat', { text: 'Let me in.', postTo: { room: ROOM } });
  assert.equal(chat.ok, true, 'the chat itself succeeds');
  const event = await answerEvent('conv-carol');
  const refused = await eventually('the post reached the room and was refused', async () =>
    (await appliedToRoom()).find((a) => a.key === `ai-answer/${event.id}`));
  assert.equal(refused.result.ok, false);
  assert.equal(refused.result.error?.code, 'FORBIDDEN');
  assert.equal((await aiMessages()).length, before, 'nothing posted for a non-member');
});

t.test('ai + messaging - a client cannot send the ai.answer system command itself', async () => {
  const forged = await alice.room(ROOM, 'ai.answer', { user: 'bob', clientId: 'ai:forged', text: 'I am bob', conversation: 'x' });
  assert.equal(forged.ok, false, 'refused');
  assert.ok(!(await alice.ok(ROOM, 'history', {})).messages.some((m: Message) => m.clientId === 'ai:forged'), 'nothing posted');
});
