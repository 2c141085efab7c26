/**
 * The AI actor's parts without servers: the conversation service (context
 * budget, stored turns), progress coalescing and the per-worker slots.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { AI_LIMITS, AiAnswerCompleted, type AiChatProgress, type AiTurn } from '../../protocol/index.js';
import {
  contextFor, initialConversation, mayUse, postClientId, withExchange, type ConversationState,
} from '../../actors/ai/conversationService.js';
import { ProgressCoalescer } from '../../actors/ai/progressCoalescer.js';
import { WorkerGenerationSlots } from '../../actors/ai/workerGenerationSlots.js';
import { eventually } from '../harness/commandDriver.js';

function turn(role: AiTurn['role'], text: string, command: string): AiTurn {
  return { role, text, at: 0, command };
}

function conversationOf(...exchanges: Array<[string, string]>): ConversationState {
  return exchanges.reduce((s, [q, a], i) => withExchange(s, 'alice', turn('user', q, `c${i}`), turn('assistant', a, `c${i}`)), initialConversation());
}

t.test('ai conversation - the context is the question plus the newest turns that fit the budget, oldest dropped first', async () => {
  const state = conversationOf(['q1'.padEnd(300, '.'), 'a1'.padEnd(100, '.')], ['q2'.padEnd(300, '.'), 'a2'.padEnd(100, '.')]);
  const all = contextFor(state, 'q3', 10_000);
  assert.deepEqual(all.messages.map((m) => `${m.role}:${m.content.slice(0, 2)}`), ['user:q1', 'assistant:a1', 'user:q2', 'assistant:a2', 'user:q3']);
  assert.deepEqual([all.turns, all.dropped], [4, 0]);

  // 2 + 100 + 300 fit in 500; adding a1 (100) would too, but an answer without its question is left out as well.
  const bounded = contextFor(state, 'q3', 500);
  assert.deepEqual(bounded.messages.map((m) => `${m.role}:${m.content.slice(0, 2)}`), ['user:q2', 'assistant:a2', 'user:q3']);
  assert.deepEqual([bounded.turns, bounded.dropped], [2, 2]);

  const alone = contextFor(state, 'x'.padEnd(AI_LIMITS.messageChars, 'x'), 100);
  assert.deepEqual(alone.messages.map((m) => m.role), ['user'], 'the question always goes, even over the budget');
  assert.deepEqual([alone.turns, alone.dropped], [0, 4]);
});

t.test('ai conversation - stored turns are bounded; the answer count and the owner are kept', async () => {
  const exchanges = Array.from({ length: AI_LIMITS.storedTurns }, (_, i): [string, string] => [`q${i}`, `a${i}`]);
  const state = conversationOf(...exchanges);
  assert.equal(state.turns.length, AI_LIMITS.storedTurns);
  assert.equal(state.answers, AI_LIMITS.storedTurns);
  assert.equal(state.turns[0]!.role, 'user', 'trimming keeps question-answer pairs');
  assert.equal(state.turns.at(-1)!.text, `a${AI_LIMITS.storedTurns - 1}`);
  assert.equal(state.owner, 'alice');
  assert.ok(mayUse(state, 'alice') && !mayUse(state, 'mallory') && mayUse(initialConversation(), 'mallory'));

  const long = 'x'.repeat(AI_LIMITS.answerChars);
  const big = conversationOf(...Array.from({ length: 40 }, (_, i): [string, string] => [`q${i}`, long]));
  const chars = big.turns.reduce((n, t) => n + t.text.length, 0);
  assert.ok(chars <= AI_LIMITS.storedChars, `${chars} characters stored`);
  assert.equal(big.turns[0]!.role, 'user');
  assert.equal(big.turns.at(-2)!.text, 'q39', 'the newest exchange stays');
  assert.equal(big.answers, 40);
});

t.test('ai conversation - the messaging clientId of an answer is stable per command key and fits messaging ids', async () => {
  const id = postClientId('=dXNlcg:chat-1');
  assert.equal(id, postClientId('=dXNlcg:chat-1'));
  assert.notEqual(id, postClientId('=dXNlcg:chat-2'));
  const pattern = new RegExp((AiAnswerCompleted.properties.postTo.properties.clientId as { pattern?: string }).pattern!);
  assert.match(id, pattern);
});

t.test('ai progress - token-sized chunks become few pushes whose deltas rebuild the answer in order', async () => {
  const pushes: AiChatProgress[] = [];
  const coalescer = new ProgressCoalescer({ intervalMs: 60_000, maxChars: 40, push: (p) => pushes.push(p) });
  const words = Array.from({ length: 100 }, (_, i) => `w${i} `);
  for (const w of words) coalescer.add(w);
  coalescer.flush();
  assert.equal(pushes.map((p) => p.delta).join(''), words.join(''));
  assert.equal(pushes[0]!.delta, 'w0 ', 'the first text goes out at once');
  assert.ok(pushes.length < words.length / 5, `${pushes.length} pushes for ${words.length} chunks`);
  let offset = 0;
  for (const p of pushes) {
    assert.equal(p.offset, offset, 'each push starts where the previous ended');
    offset += p.delta.length;
  }
});

t.test('ai progress - text gathered after a push goes out when the interval ends, without more text arriving', async () => {
  const pushes: AiChatProgress[] = [];
  const coalescer = new ProgressCoalescer({ intervalMs: 20, maxChars: 1000, push: (p) => pushes.push(p) });
  coalescer.add('first ');
  coalescer.add('second ');
  coalescer.add('third');
  assert.deepEqual(pushes.map((p) => p.delta), ['first ']);
  await eventually('the gathered text is pushed', () => (pushes.length === 2 ? true : undefined), 5000, 5);
  assert.deepEqual(pushes[1], { delta: 'second third', offset: 6 });
});

t.test('ai progress - discarded text is never pushed; the next push starts after it', async () => {
  const pushes: AiChatProgress[] = [];
  // A long interval: the text after the first push is gathered, never pushed
  // by the timer, however slow the machine.
  const coalescer = new ProgressCoalescer({ intervalMs: 60_000, maxChars: 1000, push: (p) => pushes.push(p) });
  coalescer.add('first ');
  coalescer.add('dropped');
  coalescer.discard();
  coalescer.flush();
  assert.deepEqual(pushes.map((p) => p.delta), ['first '], 'discarded text is never pushed');
  coalescer.add('x'.repeat(1000));
  assert.equal(pushes[1]!.offset, 'first dropped'.length, 'the offset counts the discarded text');
});

t.test('ai worker slots - beyond the limit a generation waits its turn; an abort while waiting takes no slot', async () => {
  const slots = new WorkerGenerationSlots(1);
  const never = new AbortController().signal;
  await slots.acquire(never);
  const order: string[] = [];
  const second = slots.acquire(never).then(() => order.push('second'));
  const leaving = new AbortController();
  const third = slots.acquire(leaving.signal).then(() => order.push('third'), () => order.push('third aborted'));
  leaving.abort(new Error('cancelled'));
  await third;
  assert.deepEqual(order, ['third aborted']);
  slots.release();
  await second;
  assert.deepEqual(order, ['third aborted', 'second']);
  assert.equal(slots.running, 1);
  slots.release();
  assert.equal(slots.running, 0);
});
