/**
 * The AI actor end to end: a client on the gateway, a worker, and the
 * OpenAI-compatible provider pointed at a local server speaking the Chat
 * Completions streaming format (deploy/local/chatCompletionsServer.ts).
 * The worker runs with a 1 s ack wait (so a generation longer than that
 * must be heartbeated), one generation per user and one per worker.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { MongoClient, type Db } from 'mongodb';
import { Compile } from 'typebox/compile';
import {
  AiAnswerCompletedEvent, AiChatProgress, AiChatResult, AiHistoryResult, HEADERS, STREAMS, commandKey, subjectToken,
} from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../deploy/local/chatCompletionsServer.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';
import { CommandDriver, eventually, processMetric } from '../harness/commandDriver.js';
import { since } from '../harness/integrationAssertions.js';

const checkResult = Compile(AiChatResult);
const checkProgress = Compile(AiChatProgress);

let ai: ChatCompletionsServer;
let stack: Stack;
let mongo: MongoClient;
let db: Db;
let driver: CommandDriver;

t.before(async () => {
  ai = await startChatCompletionsServer();
  stack = await startStack({
    gateways: 1,
    workers: 1,
    env: {
      SY_AI_PROVIDER: 'openai', SY_AI_BASE_URL: ai.baseUrl, SY_AI_MODEL: 'stand-in-model', SY_AI_MAX_ATTEMPTS: '2',
      SY_ACTOR_ACK_WAIT_MS: '1000', SY_ACTOR_MAX_ATTEMPTS: '2', SY_ACTOR_RETRY_BASE_MS: '50', SY_ACTOR_RETRY_MAX_MS: '200',
      SY_AI_USER_CONCURRENCY: '1', SY_AI_WORKER_CONCURRENCY: '1', SY_AI_PROGRESS_INTERVAL_MS: '300', SY_AI_CONTEXT_CHARS: '8000',
    },
  });
  mongo = new MongoClient(stack.env.MONGODB_URI!);
  db = mongo.db('switchyard');
  driver = await CommandDriver.connect(stack.env.NATS_URL!, { partitions: 8 });
});
t.teardown(async () => {
  await driver?.close();
  await mongo?.close();
  await stack?.stop();
  await ai?.stop();
});

async function client(user: string): Promise<WsTestClient> {
  return (await WsTestClient.hello(stack.wsUrl(), await stack.token(user))).client;
}

function chat(c: WsTestClient, id: string, conversation: string, data: Record<string, unknown>): void {
  c.send({ type: 'cmd', id, actor: 'ai', entity: conversation, name: 'chat', data });
}

const resultOf = (c: WsTestClient, id: string, timeoutMs = 30_000) => c.next((f) => f.type === 'result' && f.id === id, timeoutMs);
const progressOf = (c: WsTestClient, id: string) => c.all((f) => f.type === 'progress' && f.id === id);
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i} `);

t.test('ai - a 3-second generation: accepted before the first chunk, progress in order and coalesced, exactly one result; heartbeats keep it from being redelivered (guarantee 11)', async () => {
  const c = await client('alice');
  const first = ai.requests.length;
  const pieces = words(30);
  ai.script({ kind: 'stream', pieces, delayMs: 100, usage: { prompt_tokens: 12, completion_tokens: 30 } });
  chat(c, 'long-1', 'conv-long', { text: 'Tell me a long story.' });
  const result = await resultOf(c, 'long-1');

  const frames = c.all((f) => f.id === 'long-1');
  assert.equal(frames[0]!.type, 'accepted', `accepted comes first: ${frames.map((f) => f.type).join(',')}`);
  const progress = progressOf(c, 'long-1');
  assert.ok(progress.length > 1, 'the answer streamed in several pushes');
  assert.ok(progress.length < pieces.length, `coalesced: ${progress.length} pushes for ${pieces.length} chunks`);
  assert.ok(frames.indexOf(progress.at(-1)!) < frames.indexOf(result), 'every progress push before the result');
  let offset = 0;
  for (const p of progress) {
    assert.ok(checkProgress.Check(p.data), `progress data has the documented shape: ${JSON.stringify(p.data)}`);
    const data = p.data as AiChatProgress;
    assert.equal(data.offset, offset, 'progress in order, none missing');
    offset += data.delta.length;
  }
  assert.deepEqual(progress.map((p) => p.seq), [...progress.map((p) => p.seq as number)].sort((a, b) => a - b));
  assert.equal(progress.map((p) => (p.data as AiChatProgress).delta).join(''), pieces.join(''));
  assert.equal(c.all((f) => f.type === 'result' && f.id === 'long-1').length, 1, 'exactly one result');

  assert.equal(result.ok, true, JSON.stringify(result));
  assert.ok(checkResult.Check(result.data), `result data has the documented shape: ${JSON.stringify(result.data)}`);
  const data = result.data as AiChatResult;
  assert.equal(data.answer, pieces.join(''));
  assert.deepEqual(data.usage, { promptTokens: 12, completionTokens: 30, estimated: false });
  assert.deepEqual([data.provider, data.model, data.simulated, data.turn, data.finishReason], ['openai-compatible', 'stand-in-model', false, 1, 'stop']);

  assert.equal(since(ai.requests, first).length, 1, 'the provider was asked once');
  // A redelivered copy would wait in the conversation's mailbox behind the chat: once a later command of the
  // conversation is answered, any copy has been seen (and counted) by the worker.
  await historyOf(c, 'conv-long');
  assert.equal(await processMetric(stack.workers[0]!.port, 'switchyard_actor_redeliveries_total', { actor: 'ai' }), 0, 'not redelivered although it outlived the 1 s ack wait');
  await c.close();
});

t.test('ai - provider 429 then 200: one answer, and the retry waited for Retry-After', async () => {
  const c = await client('bob');
  const first = ai.requests.length;
  ai.script({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
    { kind: 'stream', pieces: ['after ', 'the ', 'wait'] });
  chat(c, 'rl-1', 'conv-rl', { text: 'Hello?' });
  const result = await resultOf(c, 'rl-1');
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal((result.data as AiChatResult).answer, 'after the wait');
  const requests = since(ai.requests, first);
  assert.equal(requests.length, 2, 'one rejected request, one answered');
  assert.ok(requests[1]!.at - requests[0]!.at >= 1000, 'the second request came no earlier than Retry-After said');
  assert.equal(c.all((f) => f.type === 'result' && f.id === 'rl-1').length, 1);
  const history = await historyOf(c, 'conv-rl');
  assert.deepEqual(history.turns.map((t) => t.role), ['user', 'assistant'], 'one answer stored');
  await c.close();
});

t.test('ai - provider 500 on every attempt: the client gets an error result with a code, and the command is in the DLQ (guarantee 10)', async () => {
  const c = await client('carol');
  const first = ai.requests.length;
  ai.script(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500 })));
  chat(c, 'down-1', 'conv-down', { text: 'Anyone there?' });
  const result = await resultOf(c, 'down-1');
  assert.equal(result.ok, false);
  assert.equal((result.error as { code: string }).code, 'DEAD_LETTERED');
  assert.equal(since(ai.requests, first).length, 4, '2 provider attempts in each of 2 command attempts');
  assert.equal(progressOf(c, 'down-1').length, 0);

  const jsm = await jetstreamManager(driver.nc);
  const dead = await jsm.streams.getMessage(STREAMS.deadLetters, { last_by_subj: 'dlq.ai' });
  assert.deepEqual(dead!.json(), { id: 'down-1', name: 'chat', data: { text: 'Anyone there?' } });
  assert.equal(dead!.header.get(HEADERS.deadLetterAttempts), '2');
  assert.match(dead!.header.get(HEADERS.deadLetterReason), /UNAVAILABLE/);
  assert.deepEqual((await historyOf(c, 'conv-down')).turns, [], 'nothing stored for a failed generation');
  ai.script();
  await c.close();
});

t.test('ai - cancel mid-stream: the provider request is closed, the client gets a CANCELLED result and no progress after it', async () => {
  const c = await client('dave');
  const first = ai.requests.length;
  ai.script({ kind: 'stream', pieces: words(100), delayMs: 100 });
  chat(c, 'stop-1', 'conv-stop', { text: 'Count to a hundred slowly.' });
  await c.next((f) => f.type === 'progress' && f.id === 'stop-1');
  c.send({ type: 'cmd', id: 'stop-1-cancel', actor: 'ai', entity: 'conv-stop', name: 'cancel', data: { id: 'stop-1' } });
  const result = await resultOf(c, 'stop-1');
  assert.equal(result.ok, false);
  assert.equal((result.error as { code: string }).code, 'CANCELLED');
  const cancel = await resultOf(c, 'stop-1-cancel');
  assert.deepEqual(cancel.data, { cancelled: true });

  const [request] = since(ai.requests, first);
  await ai.server.waitFor(() => request!.closedEarlyAt !== undefined);
  assert.equal(since(ai.requests, first).length, 1, 'not retried');
  const frames = c.all((f) => f.id === 'stop-1');
  assert.ok(frames.filter((f) => f.type === 'progress').every((p) => frames.indexOf(p) < frames.indexOf(result)), 'no progress after the result');
  assert.deepEqual((await historyOf(c, 'conv-stop')).turns, [], 'a cancelled chat stores no turn');
  const usage = await eventuallyUsage('dave', (u) => u.cancelled === 1);
  assert.equal(usage.requests, 1);
  assert.ok(usage.completionTokens > 0 && usage.estimatedTokens === usage.promptTokens + usage.completionTokens, 'the streamed part is counted, as an estimate');
  await c.close();
});

t.test('ai - a user with a generation running is refused a second one with LIMIT_EXCEEDED, and may send again once it is cancelled', async () => {
  const c = await client('erin');
  ai.script({ kind: 'stream', pieces: words(100), delayMs: 100 });
  chat(c, 'busy-1', 'conv-busy-a', { text: 'Take your time.' });
  await c.next((f) => f.type === 'progress' && f.id === 'busy-1');
  chat(c, 'busy-2', 'conv-busy-b', { text: 'And this too?' });
  const refused = await resultOf(c, 'busy-2');
  assert.equal(refused.ok, false);
  assert.deepEqual(refused.error, {
    code: 'LIMIT_EXCEEDED',
    message: 'You already have 1 AI answer being generated (the limit is 1); wait for one to finish or cancel one, then send again.',
    details: { limit: 'ai.generationsPerUser', max: 1, running: 1 },
  });
  c.send({ type: 'cmd', id: 'busy-1-cancel', actor: 'ai', entity: 'conv-busy-a', name: 'cancel', data: { id: 'busy-1' } });
  await resultOf(c, 'busy-1');
  // The slot is released as the generation stops, which runs beside the runtime's CANCELLED result.
  await eventually('the cancelled generation released its slot', async () => {
    const doc = await db.collection<{ _id: string; slots: Record<string, number> }>('ai_user_generations').findOne({ _id: 'erin' });
    return doc && Object.keys(doc.slots).length === 0 ? true : undefined;
  });
  ai.script({ kind: 'stream', pieces: ['now ', 'there ', 'is ', 'room'] });
  chat(c, 'busy-3', 'conv-busy-b', { text: 'And now?' });
  const after = await resultOf(c, 'busy-3');
  assert.equal(after.ok, true, `the slot was released by the cancel: ${JSON.stringify(after)}`);
  await c.close();
});

t.test('ai - beyond the per-worker limit a generation waits for a slot instead of being refused (guarantee 11)', async () => {
  ai.script({ kind: 'stream', pieces: words(8), delayMs: 100 }, { kind: 'stream', pieces: words(8), delayMs: 100 });
  await driver.send({ actor: 'ai', entity: 'conv-w1', name: 'chat', id: 'w1', user: 'frank', data: { text: 'one' } });
  await driver.next((p) => p.body.type === 'progress' && p.body.id === 'w1');
  await driver.send({ actor: 'ai', entity: 'conv-w2', name: 'chat', id: 'w2', user: 'grace', data: { text: 'two' } });
  const [r1, r2] = [await driver.result('w1'), await driver.result('w2')];
  assert.ok(r1.body.type === 'result' && r1.body.ok && r2.body.type === 'result' && r2.body.ok, 'both answered');
  const seqs = (id: string) => driver.live.filter((p) => p.body.type === 'progress' && p.body.id === id).map((p) => p.seq);
  assert.ok(Math.max(...seqs('w1')) < Math.min(...seqs('w2')), `the second streamed only after the first: ${seqs('w1')} / ${seqs('w2')}`);
});

t.test('ai - the context sent to the provider is bounded: the oldest turns are dropped first', async () => {
  const c = await client('heidi');
  const first = ai.requests.length;
  for (const [i, letter] of ['a', 'b', 'c'].entries()) {
    ai.script({ kind: 'stream', pieces: [`answer ${letter}`] });
    chat(c, `ctx-${i}`, 'conv-ctx', { text: letter.repeat(3000) });
    const r = await resultOf(c, `ctx-${i}`);
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  const third = JSON.parse(since(ai.requests, first)[2]!.body) as { messages: Array<{ role: string; content: string }>; max_tokens: number };
  assert.deepEqual(third.messages.map((m) => `${m.role}:${m.content.slice(0, 8)}`), ['user:bbbbbbbb', 'assistant:answer b', 'user:cccccccc'],
    'with an 8000-character budget the first exchange no longer fits');
  assert.equal(third.max_tokens, 1024, 'SY_AI_MAX_ANSWER_TOKENS is sent');
  const last = await resultOf(c, 'ctx-2');
  assert.deepEqual((last.data as AiChatResult).context, { turns: 2, dropped: 2 });
  const history = await historyOf(c, 'conv-ctx');
  assert.deepEqual(history.turns.map((t) => t.text.slice(0, 8)), ['aaaaaaaa', 'answer a', 'bbbbbbbb', 'answer b', 'cccccccc', 'answer c'], 'storage keeps what the context left out');
  assert.equal(history.answers, 3);

  const intruder = await client('mallory');
  chat(intruder, 'steal-1', 'conv-ctx', { text: 'What did they ask?' });
  assert.equal(((await resultOf(intruder, 'steal-1')).error as { code: string }).code, 'FORBIDDEN');
  intruder.send({ type: 'cmd', id: 'steal-2', actor: 'ai', entity: 'conv-ctx', name: 'history' });
  assert.equal(((await resultOf(intruder, 'steal-2')).error as { code: string }).code, 'FORBIDDEN');
  await intruder.close();
  await c.close();
});

t.test('ai - usage is counted per user once per command, and a completed answer with postTo emits evt.ai.answer.completed for messaging', async () => {
  const c = await client('ivan');
  ai.script({ kind: 'stream', pieces: ['posted ', 'answer'], usage: { prompt_tokens: 7, completion_tokens: 2 } });
  chat(c, 'post-1', 'conv-post', { text: 'Summarise the meeting.', postTo: { room: 'r-standup' } });
  const result = await resultOf(c, 'post-1');
  assert.equal(result.ok, true, JSON.stringify(result));

  // The result and the event are published together (outbox.ts), so the result can arrive before the event is stored.
  const jsm = await jetstreamManager(driver.nc);
  const stored = await eventually('the answer-completed event of post-1 is stored', async () => {
    const last = await jsm.streams.getMessage(STREAMS.events, { last_by_subj: 'evt.ai.answer.completed' });
    return (last?.json<{ data?: { command?: string } }>().data?.command === 'post-1') ? last : undefined;
  });
  const event = stored.json<Record<string, unknown>>();
  assert.ok(Compile(AiAnswerCompletedEvent).Check(event), `the event has the documented shape: ${JSON.stringify(event)}`);
  const data = event.data as { postTo: { room: string; clientId: string }; answer: string; user: string; conversation: string; command: string };
  assert.deepEqual([data.answer, data.user, data.conversation, data.command, data.postTo.room], ['posted answer', 'ivan', 'conv-post', 'post-1', 'r-standup']);
  assert.equal(stored.header.get(HEADERS.msgId), event.id, 'deduplicated by id');

  const usage = await eventuallyUsage('ivan', (u) => u.requests === 1);
  assert.deepEqual(usage, { requests: 1, completed: 1, cancelled: 0, promptTokens: 7, completionTokens: 2, estimatedTokens: 0 });
  const key = commandKey(subjectToken('ivan'), 'post-1');
  const { UsageLedger } = await import('../../actors/ai/usageLedger.js');
  const ledger = new UsageLedger(db);
  assert.equal(await ledger.record('ivan', key, { promptTokens: 7, completionTokens: 2, estimated: false }, 'completed', Date.now()), false, 'the same command key is not counted twice');
  assert.equal((await ledger.totals('ivan')).requests, 1);
  await c.close();
});

async function historyOf(c: WsTestClient, conversation: string): Promise<AiHistoryResult> {
  const id = `h-${conversation}-${Math.random().toString(36).slice(2, 8)}`;
  c.send({ type: 'cmd', id, actor: 'ai', entity: conversation, name: 'history' });
  const r: Frame = await resultOf(c, id);
  assert.equal(r.ok, true, JSON.stringify(r));
  return r.data as AiHistoryResult;
}

interface Usage { requests: number; completed: number; cancelled: number; promptTokens: number; completionTokens: number; estimatedTokens: number }

async function eventuallyUsage(user: string, done: (u: Usage) => boolean): Promise<Usage> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const doc = await db.collection<{ _id: string } & Usage>('ai_usage').findOne({ _id: user });
    if (doc) {
      const { requests, completed, cancelled, promptTokens, completionTokens, estimatedTokens } = doc;
      const u = { requests, completed, cancelled, promptTokens, completionTokens, estimatedTokens };
      if (done(u)) return u;
    }
    assert.ok(Date.now() < deadline, `usage of ${user} not as expected: ${JSON.stringify(doc)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
