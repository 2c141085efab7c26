import t from 'tap';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventually, processMetric } from '../harness/commandDriver.js';
import { HEADERS, STREAMS, subjects, type DomainEventBody } from '../../protocol/index.js';
import { useActorStack } from './actorStack.js';

// A 1 s duplicate window lets a test store the same command twice and see a re-sent result in OUT.
const actors = useActorStack({ workers: 1, env: { SY_PROBE_ACTOR: 'true', SY_DUPLICATE_WINDOW_S: '1' } });

const counters = () => actors.db.collection('entities_counter');

t.test('guarantee 8 - a redelivered command is not applied again; its stored result is re-sent', async () => {
  await actors.driver.send({ actor: 'counter', entity: 'once', name: 'add', id: 'a1', data: { by: 5 } });
  const first = await actors.driver.result('a1');
  // The same command (same user and id) again, past every de-duplication window: as if it were redelivered after the commit.
  await new Promise((r) => setTimeout(r, 1200));
  await actors.driver.send({ actor: 'counter', entity: 'once', name: 'add', id: 'a1', data: { by: 5 } });
  const again = await actors.driver.next((p) => p.body.type === 'result' && p.body.id === 'a1' && p.seq !== first.seq);
  assert.deepEqual(again.body, first.body, 'the stored result, not a second application');
  const doc = await counters().findOne({ _id: 'once' as never });
  assert.deepEqual(doc?.state, { value: 5, applied: 1 });
  assert.equal(doc?.version, 1);
  assert.equal(await processMetric(actors.stack.workers[0]!.port, 'switchyard_actor_commands_total', { actor: 'counter', outcome: 'duplicate' }), 1);
});

t.test('guarantee 8 - state, applied ids and outbox change in one document write, and nothing writes the document again to clear the outbox', async () => {
  await actors.driver.send({ actor: 'counter', entity: 'doc', name: 'add', id: 'd1', data: { by: 2 } });
  await actors.driver.result('d1');
  const doc = await counters().findOne({ _id: 'doc' as never });
  assert.ok(doc);
  assert.equal(doc.version, 1);
  assert.equal(typeof doc.fence, 'number');
  assert.ok(doc.fence > 0);
  assert.deepEqual(JSON.parse(doc.applied as string), [{ key: 'tester:d1', result: { type: 'result', id: 'd1', ok: true, data: { value: 2 } } }]);
  const outbox = JSON.parse(doc.outbox as string) as Array<{ id: string; seq?: number }>;
  assert.deepEqual(outbox.map((e) => e.id), ['result:tester:d1'], 'the entry the commit owed stays, marked with its command\'s stream sequence');
  assert.ok(typeof outbox[0]!.seq === 'number' && outbox[0]!.seq > 0);
  await new Promise((r) => setTimeout(r, 600));
  const later = await counters().findOne({ _id: 'doc' as never });
  assert.deepEqual(later?.updatedAt, doc.updatedAt, 'no second write once the entity is idle');
});

t.test('guarantee 9 - outbox entries left by a crash are published first when the entity is next activated', async () => {
  // What a worker that died between the commit and the publish leaves behind.
  const session = actors.driver.session;
  const pending = { type: 'result', id: 'lost-1', ok: true, data: { value: 41 } };
  await counters().insertOne({
    _id: 'crashed' as never, state: { value: 41, applied: 41 }, version: 41, fence: 0, lastSeq: 0,
    applied: JSON.stringify([{ key: 'tester:lost-1', result: pending }]),
    outbox: JSON.stringify([{ kind: 'publish', id: 'result:tester:lost-1', subject: subjects.sessionPush(session), body: JSON.stringify(pending), headers: { [HEADERS.commandId]: 'lost-1' }, at: Date.now() }]),
    updatedAt: new Date(),
  });
  await actors.driver.send({ actor: 'counter', entity: 'crashed', name: 'add', id: 'next-1', data: { by: 1 } });
  const next = await actors.driver.result('next-1');
  const recovered = await actors.driver.result('lost-1');
  assert.deepEqual(recovered.body, pending);
  assert.ok(recovered.seq < next.seq, 'the pending result is published before the next command is handled');
  assert.deepEqual(next.body.type === 'result' && next.body.ok && next.body.data, { value: 42 });
});

t.test('guarantee 9 - topic and domain events are published with stable ids for receivers to de-duplicate', async () => {
  const topicSub = actors.driver.nc.subscribe(subjects.live(subjects.topicPush('room.r1')));
  await actors.driver.nc.flush();
  await actors.driver.send({ actor: 'probe', entity: 'speaker', name: 'announce', id: 'e1', data: { topic: 'room.r1' } });
  await actors.driver.result('e1');
  const topicMsg = await (async () => { for await (const m of topicSub) return m; })();
  topicSub.unsubscribe();
  assert.deepEqual(topicMsg!.json(), { type: 'event', topic: 'room.r1', name: 'announced', data: { by: 'tester', command: 'e1' } });
  const jsm = await jetstreamManager(actors.driver.nc);
  const outMsg = await jsm.streams.getMessage(STREAMS.pushes, { last_by_subj: subjects.topicPush('room.r1') });
  assert.equal(outMsg!.header.get(HEADERS.msgId), 'tester:e1:t0');
  const evt = await jsm.streams.getMessage(STREAMS.events, { last_by_subj: subjects.event('probe', 'announced') });
  const body = evt!.json<DomainEventBody>();
  assert.equal(body.id, 'probe:speaker:tester:e1:e0');
  assert.equal(evt!.header.get(HEADERS.msgId), body.id);
  assert.deepEqual({ actor: body.actor, entity: body.entity, name: body.name, data: body.data }, { actor: 'probe', entity: 'speaker', name: 'announced', data: { entity: 'speaker', command: 'e1' } });
});
