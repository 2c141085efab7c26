import t from 'tap';
import assert from 'node:assert/strict';
import { processMetric } from '../harness/commandDriver.js';
import { useActorStack } from './actorStack.js';

const actors = useActorStack({
  workers: 1,
  env: {
    SY_PROBE_ACTOR: 'true',
    // Without in-progress acks JetStream would redeliver a command held longer than 1 s.
    SY_ACTOR_ACK_WAIT_MS: '1000',
    SY_ACTOR_TYPE_CONCURRENCY: '2',
    SY_ACTOR_HANDLER_TIMEOUT_MS: '4000',
    SY_ACTOR_MAX_ATTEMPTS: '2',
    SY_ACTOR_RETRY_BASE_MS: '50',
  },
});

const data = (p: { body: unknown }) => (p.body as { data: Record<string, number> }).data;

t.test('guarantee 11 - long work heartbeats its message: no redelivery while it runs past the ack wait', async () => {
  const port = actors.stack.workers[0]!.port;
  const before = await processMetric(port, 'switchyard_actor_redeliveries_total', { actor: 'probe' });
  await actors.driver.send({ actor: 'probe', entity: 'long-1', name: 'work', id: 'w1', data: { ms: 3000, steps: 3 } });
  // Waiting behind it in the same mailbox, also longer than the ack wait.
  await actors.driver.send({ actor: 'probe', entity: 'long-1', name: 'note', id: 'w1-next' });
  const result = await actors.driver.result('w1');
  assert.equal(data(result).attempt, 1);
  const progress = actors.driver.live.filter((p) => p.body.type === 'progress' && p.body.id === 'w1');
  assert.deepEqual(progress.map((p) => (p.body as { data: { step: number } }).data.step), [1, 2, 3]);
  assert.ok(progress.every((p) => p.seq < result.seq), 'progress before the result');
  assert.deepEqual(data(await actors.driver.result('w1-next')), { position: 2 });
  // Anything JetStream redelivered meanwhile sits in the mailbox before this one.
  await actors.driver.send({ actor: 'probe', entity: 'long-1', name: 'note', id: 'w1-last' });
  assert.deepEqual(data(await actors.driver.result('w1-last')), { position: 3 });
  assert.equal(await processMetric(port, 'switchyard_actor_redeliveries_total', { actor: 'probe' }), before);
});

t.test('guarantee 11 - a cancel command aborts the running handler or a waiting command; the entity goes on', async () => {
  await actors.driver.send({ actor: 'probe', entity: 'long-2', name: 'work', id: 'w2', data: { ms: 60_000, steps: 600 } });
  await actors.driver.send({ actor: 'probe', entity: 'long-2', name: 'work', id: 'w2-waiting', data: { ms: 60_000, steps: 600 } });
  await actors.driver.send({ actor: 'probe', entity: 'long-2', name: 'note', id: 'w2-next' });
  await actors.driver.next((p) => p.body.type === 'progress' && p.body.id === 'w2');
  // The waiting one first (it never starts), then the running one (its ctx.signal aborts).
  await actors.driver.send({ actor: 'probe', entity: 'long-2', name: 'cancel', id: 'c2b', data: { id: 'w2-waiting' } });
  assert.deepEqual(data(await actors.driver.result('c2b')), { cancelled: true });
  await actors.driver.send({ actor: 'probe', entity: 'long-2', name: 'cancel', id: 'c2', data: { id: 'w2' } });
  assert.deepEqual(data(await actors.driver.result('c2')), { cancelled: true });
  for (const id of ['w2', 'w2-waiting']) {
    const result = await actors.driver.result(id);
    assert.equal(result.body.type === 'result' && !result.body.ok && result.body.error.code, 'CANCELLED', id);
  }
  assert.ok(!actors.driver.live.some((p) => p.body.type === 'progress' && p.body.id === 'w2-waiting'), 'the waiting command never ran');
  assert.deepEqual(data(await actors.driver.result('w2-next')), { position: 1 }, 'the cancelled commands changed nothing');
  // Cancelling what is not held (any more) says so; only the sender's own commands can be cancelled.
  await actors.driver.send({ actor: 'probe', entity: 'long-2', name: 'cancel', id: 'c3', data: { id: 'w2' } });
  assert.deepEqual(data(await actors.driver.result('c3')), { cancelled: false });
});

t.test('guarantee 11 - handlers of one actor type never exceed the per-type concurrency limit', async () => {
  const ids = Array.from({ length: 6 }, (_, i) => `cc${i}`);
  await Promise.all(ids.map((id, i) => actors.driver.send({ actor: 'probe', entity: `conc-${i}`, name: 'work', id, data: { ms: 400 } })));
  const spans = await Promise.all(ids.map(async (id) => data(await actors.driver.result(id))));
  // Most handlers running at one instant: at some handler's start, count those started and not yet ended.
  const most = Math.max(...spans.map((s) => spans.filter((o) => o.startedAt! <= s.startedAt! && s.startedAt! < o.endedAt!).length));
  assert.ok(most <= 2, `at most 2 handlers at once (saw ${most})`);
  assert.ok(most >= 2, 'different entities do run concurrently');
});

t.test('guarantee 11 - a handler running past its timeout is aborted and retried, then dead-lettered', async () => {
  await actors.driver.send({ actor: 'probe', entity: 'long-3', name: 'work', id: 'w3', data: { ms: 20_000, steps: 20 } });
  const result = await actors.driver.result('w3', 60_000);
  assert.equal(result.body.type === 'result' && !result.body.ok && result.body.error.code, 'DEAD_LETTERED');
  assert.deepEqual((result.body as { error: { details: unknown } }).error.details, { attempts: 2 });
});
