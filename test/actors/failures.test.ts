import t from 'tap';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { jetstreamManager } from '@nats-io/jetstream';
import { processMetric } from '../harness/commandDriver.js';
import { HEADERS, STREAMS } from '../../protocol/index.js';
import { useActorStack } from './actorStack.js';
import { entryCommand } from '../../deploy/local/entryCommand.js';

const actors = useActorStack({ workers: 1, env: { SY_PROBE_ACTOR: 'true', SY_ACTOR_MAX_ATTEMPTS: '3', SY_ACTOR_RETRY_BASE_MS: '50', SY_ACTOR_RETRY_MAX_MS: '200' } });

t.test('guarantee 10 - a business or validation error is an ok:false result with a code, and is not retried', async () => {
  const retriesBefore = await processMetric(actors.stack.workers[0]!.port, 'switchyard_actor_retries_total', { actor: 'counter' });
  await actors.driver.send({ actor: 'counter', entity: 'biz', name: 'add', id: 'v1', data: { by: 'seven' } });
  await actors.driver.send({ actor: 'counter', entity: 'biz', name: 'add', id: 'r1', data: { by: 1_000_000_000 } });
  await actors.driver.send({ actor: 'counter', entity: 'biz', name: 'nope', id: 'u1' });
  const invalid = await actors.driver.result('v1');
  const unknown = await actors.driver.result('u1');
  assert.equal(invalid.body.type === 'result' && !invalid.body.ok && invalid.body.error.code, 'VALIDATION');
  assert.equal(unknown.body.type === 'result' && !unknown.body.ok && unknown.body.error.code, 'VALIDATION');
  assert.equal((await actors.driver.result('r1')).body.type, 'result');
  const retriesAfter = await processMetric(actors.stack.workers[0]!.port, 'switchyard_actor_retries_total', { actor: 'counter' });
  assert.equal(retriesAfter, retriesBefore, 'no retries for refusals');
});

t.test('guarantee 10 - a transient failure is retried in place, and later commands of the entity wait for it', async () => {
  await actors.driver.send({ actor: 'probe', entity: 'flaky-1', name: 'flaky', id: 'f1', data: { failures: 2 } });
  await actors.driver.send({ actor: 'probe', entity: 'flaky-1', name: 'note', id: 'n1' });
  await actors.driver.send({ actor: 'probe', entity: 'flaky-1', name: 'note', id: 'n2' });
  const flaky = await actors.driver.result('f1');
  const n1 = await actors.driver.result('n1');
  const n2 = await actors.driver.result('n2');
  assert.deepEqual(flaky.body.type === 'result' && flaky.body.ok && flaky.body.data, { attempts: 3 });
  assert.deepEqual(n1.body.type === 'result' && n1.body.ok && n1.body.data, { position: 2 });
  assert.deepEqual(n2.body.type === 'result' && n2.body.ok && n2.body.data, { position: 3 });
  assert.ok(flaky.seq < n1.seq && n1.seq < n2.seq, 'results in command order');
});

t.test('guarantee 10 - a handler that always throws ends in the DLQ and the client gets an error result', async () => {
  await actors.driver.send({ actor: 'probe', entity: 'doomed', name: 'fail', id: 'd1', traceparent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01' });
  await actors.driver.send({ actor: 'probe', entity: 'doomed', name: 'note', id: 'after-d1' });
  const result = await actors.driver.result('d1');
  assert.equal(result.body.type === 'result' && !result.body.ok && result.body.error.code, 'DEAD_LETTERED');
  assert.equal(result.headers[HEADERS.traceparent], '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01');
  const after = await actors.driver.result('after-d1');
  assert.ok(after.body.type === 'result' && after.body.ok, 'the entity goes on after a dead letter');
  const jsm = await jetstreamManager(actors.driver.nc);
  const info = await jsm.streams.info(STREAMS.deadLetters);
  assert.equal(info.state.messages, 1);
  const dead = await jsm.streams.getMessage(STREAMS.deadLetters, { last_by_subj: 'dlq.probe' });
  assert.equal(dead!.header.get(HEADERS.deadLetterAttempts), '3');
  assert.match(dead!.header.get(HEADERS.deadLetterReason), /always fails/);
  assert.equal(dead!.header.get(HEADERS.deadLetterSubject).endsWith('.doomed'), true);
  assert.deepEqual(dead!.json(), { id: 'd1', name: 'fail' });
  assert.equal(await processMetric(actors.stack.workers[0]!.port, 'switchyard_actor_dead_letters_total', { actor: 'probe' }), 1);
  // Every log line about the command carries its trace id (from traceparent).
  const lines = actors.stack.workers[0]!.logLines().filter((l) => l.command === 'd1');
  assert.deepEqual(lines.map((l) => l.msg), ['command failed; retrying in place', 'command failed; retrying in place', 'command dead-lettered']);
  assert.ok(lines.every((l) => l.trace === '0123456789abcdef0123456789abcdef' && l.entity === 'doomed' && l.actor === 'probe'));
});

const run = promisify(execFile);
const dlq = async (...args: string[]) => {
  const cli = entryCommand('actors/dlqCli.ts', args);
  return (await run(cli.command, cli.args, { env: { ...process.env, ...cli.env, ...actors.stack.env } })).stdout;
};

t.test('dlq CLI - list and show dead letters, replay one after the cause is fixed, purge the rest', async () => {
  const mongo = await MongoClient.connect(actors.stack.env.MONGODB_URI!);
  const switches = actors.db.collection<{ _id: string; on: boolean }>('probe_switches');
  try {
    await switches.insertOne({ _id: 'payments-down', on: true });
    await actors.driver.send({ actor: 'probe', entity: 'fragile-1', name: 'fragile', id: 'fr1', data: { switch: 'payments-down' } });
    const dead = await actors.driver.result('fr1');
    assert.equal(dead.body.type === 'result' && !dead.body.ok && dead.body.error.code, 'DEAD_LETTERED');

    const listed = (await dlq('list', '--actor', 'probe')).trim().split('\n').slice(1).map((l) => l.split('\t'));
    assert.deepEqual(listed.map((c) => [c[2], c[3], c[4], c[5], c[6]]), [['probe', 'doomed', 'fail', 'd1', '3'], ['probe', 'fragile-1', 'fragile', 'fr1', '3']]);
    const seq = listed[1]![0]!;
    const shown = JSON.parse(await dlq('show', seq)) as { headers: Record<string, string>; body: unknown };
    assert.deepEqual(shown.body, { id: 'fr1', name: 'fragile', data: { switch: 'payments-down' } });
    assert.match(shown.headers[HEADERS.deadLetterReason]!, /switch payments-down is on/);

    await switches.updateOne({ _id: 'payments-down' }, { $set: { on: false } });
    assert.match(await dlq('replay', seq), new RegExp(`replayed ${seq}`));
    const replayed = await actors.driver.next((p) => p.body.type === 'result' && p.body.id === 'fr1' && p.body.ok);
    assert.deepEqual(replayed.body.type === 'result' && replayed.body.ok && replayed.body.data, { attempts: 1 });

    assert.match(await dlq('purge', '--all'), /purged/);
    const jsm = await jetstreamManager(actors.driver.nc);
    assert.equal((await jsm.streams.info(STREAMS.deadLetters)).state.messages, 0);
  } finally {
    await mongo.close();
  }
});
