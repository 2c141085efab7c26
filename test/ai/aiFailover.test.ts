/**
 * The AI actor with the development provider (the default configuration,
 * what `npm start` runs) on two workers: answers are labelled simulated, and
 * a worker killed mid-generation leaves exactly one answer and one result.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient, type Db } from 'mongodb';
import { SIMULATED_LABEL } from '../../integrations/index.js';
import { subjects, type AiChatResult, type AiTurn } from '../../protocol/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { CommandDriver, eventually, processMetric } from '../harness/commandDriver.js';

let stack: Stack;
let mongo: MongoClient;
let db: Db;

t.before(async () => {
  stack = await startStack({ gateways: 1, workers: 2, env: { SY_LEASE_TTL_MS: '2000', SY_REBALANCE_INTERVAL_MS: '300' } });
  mongo = new MongoClient(stack.env.MONGODB_URI!);
  db = mongo.db('switchyard');
});
t.teardown(async () => {
  await mongo?.close();
  await stack?.stop();
});

interface ConversationDoc { _id: string; state: { turns: AiTurn[]; answers: number } }

t.test('ai - the default provider (what npm start runs) is the simulated one, labelled in the result, the stored answer and the worker log', async () => {
  const { client } = await WsTestClient.hello(stack.wsUrl(), await stack.token('olivia'));
  client.send({ type: 'cmd', id: 'sim-1', actor: 'ai', entity: 'conv-sim', name: 'chat', data: { text: 'Are you a real model?' } });
  const result = await client.next((f) => f.type === 'result' && f.id === 'sim-1', 30_000);
  assert.equal(result.ok, true, JSON.stringify(result));
  const data = result.data as AiChatResult;
  assert.deepEqual([data.provider, data.model, data.simulated], ['simulated', 'simulated', true]);
  assert.ok(data.answer.startsWith(SIMULATED_LABEL), data.answer);
  assert.ok(client.all((f) => f.type === 'progress' && f.id === 'sim-1').length > 0, 'the simulated answer streams too');
  const stored = await db.collection<ConversationDoc>('entities_ai').findOne({ _id: 'conv-sim' });
  assert.equal(stored!.state.turns.at(-1)!.simulated, true);
  for (const w of stack.workers) assert.match(w.output(), /AI provider is SIMULATED/);
  await client.close();
});

t.test('guarantee 8 - a worker SIGKILLed mid-generation: the chat runs again on the other worker, exactly one answer is stored and the client gets exactly one result', async () => {
  const completed = (w: (typeof stack.workers)[number]) => processMetric(w.port, 'switchyard_ai_generations_total', { outcome: 'completed' });
  const completedBefore = new Map(await Promise.all(stack.workers.map(async (w) => [w, await completed(w)] as const)));
  const { client, welcome } = await WsTestClient.hello(stack.wsUrl(), await stack.token('peggy'));
  client.send({ type: 'cmd', id: 'kill-1', actor: 'ai', entity: 'conv-kill', name: 'chat', data: { text: 'Please survive a crash.' } });
  await client.next((f) => f.type === 'progress' && f.id === 'kill-1', 30_000);
  const generating = await eventually('one worker is generating', async () => {
    for (const w of stack.workers) if (await processMetric(w.port, 'switchyard_ai_generations_running') === 1) return w;
    return undefined;
  });
  assert.equal(client.all((f) => f.type === 'result' && f.id === 'kill-1').length, 0, 'killed mid-generation, before its result');
  await generating.kill();

  const result = await client.next((f) => f.type === 'result' && f.id === 'kill-1', 60_000);
  assert.equal(result.ok, true, JSON.stringify(result));
  const survivor = stack.workers.find((w) => w !== generating)!;
  assert.equal(await completed(survivor) - completedBefore.get(survivor)!, 1, 'the other worker generated the answer');

  const stored = await db.collection<ConversationDoc>('entities_ai').findOne({ _id: 'conv-kill' });
  const answers = stored!.state.turns.filter((t) => t.role === 'assistant' && t.command === 'kill-1');
  assert.equal(answers.length, 1, 'exactly one stored answer');
  assert.equal(stored!.state.answers, 1);
  assert.equal(answers[0]!.text, (result.data as AiChatResult).answer, 'the result is the stored answer');

  // Everything the session was ever sent, from the OUT stream: one result, however many attempts ran.
  const driver = await CommandDriver.connect(stack.env.NATS_URL!, { partitions: 8 });
  try {
    const pushes = await driver.readOut(subjects.sessionPush(welcome.session as string));
    assert.equal(pushes.filter((p) => p.body.type === 'result' && p.body.id === 'kill-1').length, 1, 'one result in OUT');
  } finally {
    await driver.close();
  }
  assert.equal(client.all((f) => f.type === 'result' && f.id === 'kill-1').length, 1, 'one result at the client');
  await client.close();
});
