/**
 * Group commit (actors/runtime/entityTake.ts, entityStore.ts): a take's
 * commands of one entity in one write, the writes of several entities in
 * one bulkWrite, each still conditional on its own version and fence.
 * Real MongoDB-wire server and NATS; no worker runs (the test pulls the
 * commands itself, takeKit.ts).
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { actorStoreRoundTrips } from '../../platform/metrics.js';
import { PartitionLostError } from '../../actors/runtime/commandErrors.js';
import { FencedLeases, ensureLeaseForCommit, leaseKey } from '../../actors/runtime/fencedLeases.js';
import { useActorStack } from './actorStack.js';
import { ownership, takeKit } from './takeKit.js';

const actors = useActorStack({ workers: 0 });

async function roundTrips(kind: string): Promise<number> {
  const m = await actorStoreRoundTrips.get();
  return m.values.find((v) => v.labels.actor === 'counter' && v.labels.kind === kind)?.value ?? 0;
}

t.test('group commit - commands of one entity in a take apply in stream order, in one write, and their results are published in that order', async () => {
  const kit = await takeKit(actors, 'entities_take_order');
  const ids = ['o1', 'o2', 'o3', 'o4', 'o5'];
  const envs = await kit.deliver('ordered', ids);
  assert.deepEqual(envs.map((e) => e.body.id), ids);
  const commitsBefore = await roundTrips('commit');
  const outcome = await kit.takes.run(envs, ownership({ name: 'take:0', token: 1, validUntil: Date.now() + 60_000 }));
  assert.deepEqual(outcome, { kind: 'done' });
  assert.equal(await roundTrips('commit') - commitsBefore, 1, 'one store round trip for the five commands');
  const doc = await kit.store.collection.findOne({ _id: 'ordered' });
  assert.equal(doc?.version, 1, 'one write');
  assert.deepEqual(doc?.state, { value: 5, applied: 5 });
  for (const id of ids) await actors.driver.result(id);
  const results = actors.driver.live.filter((p) => p.body.type === 'result' && ids.includes(p.body.id));
  assert.deepEqual(results.map((p) => p.body.type === 'result' && p.body.ok && p.body.data), [1, 2, 3, 4, 5].map((value) => ({ value })), 'each result is its command\'s position: applied in stream order');
  assert.deepEqual(results.map((p) => p.body.type === 'result' && p.body.id), ids, 'published in stream order');
  await kit.ack(envs);
});

t.test('group commit - one entity\'s refused commit in a batch leaves the others committed exactly once', async () => {
  const kit = await takeKit(actors, 'entities_take_refused');
  const entities = ['g0', 'g1', 'g2', 'g3'];
  const lease = { name: 'take:0', token: 1, validUntil: Date.now() + 60_000 };
  // g2 exists at version 1 (written by another take with a cache of its own); the other three are new.
  const other = await takeKit(actors, 'entities_take_refused');
  const earlier = await other.deliver('g2', ['g2-a']);
  assert.deepEqual(await other.takes.run(earlier, ownership(lease)), { kind: 'done' });
  await other.ack(earlier);
  // Between the take's load and its commit, someone else writes g2 (the commits wait for that write, then go out together).
  const commit = kit.takes.commit.bind(kit.takes);
  let interference: Promise<unknown> | undefined;
  kit.takes.commit = async (...args) => {
    interference ??= kit.store.collection.updateOne({ _id: 'g2' }, { $inc: { version: 1 }, $set: { updatedAt: new Date(0) } });
    await interference;
    return commit(...args);
  };
  const second = [];
  for (const e of entities) second.push(await kit.deliver(e, [`${e}-b`]));
  const [commitsBefore, loadsBefore] = [await roundTrips('commit'), await roundTrips('load')];
  const outcomes = await Promise.all(second.map((envs) => kit.takes.run(envs, ownership(lease))));
  assert.deepEqual(outcomes.map((o) => o.kind), ['done', 'done', 'stale', 'done']);
  assert.equal(await roundTrips('load') - loadsBefore, 1, 'the four entities were loaded with one find');
  assert.equal(await roundTrips('commit') - commitsBefore, 1, 'the four takes went out as one bulkWrite');
  for (const e of ['g0', 'g1', 'g3']) {
    const doc = await kit.store.collection.findOne({ _id: e });
    assert.deepEqual({ version: doc?.version, state: doc?.state }, { version: 1, state: { value: 1, applied: 1 } }, `${e} committed once`);
  }
  const refused = await kit.store.collection.findOne({ _id: 'g2' });
  assert.deepEqual({ version: refused?.version, state: refused?.state }, { version: 2, state: { value: 1, applied: 1 } }, 'the refused take wrote nothing');
  // Run again (as the partition loop does): the stale take now applies, from the stored document.
  assert.deepEqual(await kit.takes.run(second[2]!, ownership(lease)), { kind: 'done' });
  assert.deepEqual((await kit.store.collection.findOne({ _id: 'g2' }))?.state, { value: 2, applied: 2 });
  for (const envs of second) await kit.ack(envs);
});

t.test('guarantee 7 - a zombie\'s whole batch is refused: after its lease was taken over, none of its takes commits', async () => {
  const kit = await takeKit(actors, 'entities_take_zombie');
  const zombieLeases = new FencedLeases(actors.redis, 'zombie', { ttlMs: 60_000 });
  const ownerLeases = new FencedLeases(actors.redis, 'owner', { ttlMs: 60_000 });
  const zombie = (await zombieLeases.acquire('takezombie:0'))!;
  const entities = ['z0', 'z1', 'z2'];
  const batch = await Promise.all(entities.map((e) => kit.deliver(e, [`${e}-1`, `${e}-2`])));
  // The zombie pauses past its lease; a newer owner takes the partition and writes z0.
  zombie.validUntil = Date.now() - 1;
  await actors.redis.del(leaseKey('takezombie:0'));
  const owner = (await ownerLeases.acquire('takezombie:0'))!;
  await kit.store.commit(await kit.store.load('z0'), owner.token, { state: { value: 100, applied: 100 }, lastSeq: 0, applied: [], outbox: [] });
  const asZombie = ownership(zombie, () => ensureLeaseForCommit(zombie, 60_000, () => zombieLeases.renew(zombie)));
  const outcomes = await Promise.allSettled(batch.map((envs) => kit.takes.run(envs, asZombie)));
  for (const o of outcomes) assert.ok(o.status === 'rejected' && o.reason instanceof PartitionLostError, `refused as a lost partition: ${JSON.stringify(o)}`);
  assert.deepEqual((await kit.store.collection.findOne({ _id: 'z0' }))?.state, { value: 100, applied: 100 }, 'the newer owner\'s write stands');
  assert.equal(await kit.store.collection.countDocuments({ _id: { $in: ['z1', 'z2'] } }), 0, 'nothing of the zombie\'s batch was written');
  // A zombie whose lease still looks valid locally is stopped by the fence on what the newer owner wrote.
  zombie.validUntil = Date.now() + 60_000;
  assert.deepEqual(await kit.takes.run(batch[0]!, ownership(zombie)), { kind: 'fenced', fence: owner.token });
  assert.deepEqual((await kit.store.collection.findOne({ _id: 'z0' }))?.state, { value: 100, applied: 100 });
  for (const envs of batch) await kit.ack(envs);
});

t.test('guarantee 9 - a stored outbox entry older than the duplicate window is published again only while its command is still in CMD', async () => {
  const kit = await takeKit(actors, 'entities_take_owed');
  const [done] = await kit.deliver('owed', ['owed-done']);
  await kit.ack([done!]);
  const [queued] = await kit.deliver('owed', ['owed-queued']);
  const old = Date.now() - 10 * 60_000;
  const entry = (id: string, seq: number) => ({
    kind: 'publish', id: `result:tester:${id}`, subject: `out.s.${actors.driver.session}`, seq, at: old,
    body: JSON.stringify({ type: 'result', id, ok: true, data: { value: 0 } }), headers: { 'Sy-Cmd': id },
  });
  await kit.store.collection.insertOne({
    _id: 'owed', state: { value: 7, applied: 7 }, version: 7, fence: 0, lastSeq: done!.seq, applied: '[]',
    outbox: JSON.stringify([entry('owed-done', done!.seq), entry('owed-queued', queued!.seq)]), updatedAt: new Date(old),
  });
  // The queued command's own take: its entry is published first (its command is still in CMD), then it applies.
  assert.deepEqual(await kit.takes.run([queued!], ownership({ name: 'take:0', token: 1, validUntil: Date.now() + 60_000 })), { kind: 'done' });
  await kit.ack([queued!]);
  const pushes = (await actors.driver.readOut()).filter((p) => p.body.type === 'result' && p.body.id.startsWith('owed-'));
  assert.deepEqual(pushes.map((p) => p.body.type === 'result' && p.body.id), ['owed-queued'],
    'the entry of the acked command (published long ago) is not published again; the queued one\'s is, once (JetStream drops the repeat)');
  assert.deepEqual((await kit.store.collection.findOne({ _id: 'owed' }))?.state, { value: 8, applied: 8 });
});
