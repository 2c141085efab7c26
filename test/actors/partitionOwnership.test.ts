import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { eventually, processMetric } from '../harness/commandDriver.js';
import { FencedLeases, leaseKey } from '../../actors/runtime/fencedLeases.js';
import { EntityStore } from '../../actors/runtime/entityStore.js';
import { StaleWriteError } from '../../actors/runtime/commandErrors.js';
import { partitionOf } from '../../protocol/index.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { ownerOf, useActorStack } from './actorStack.js';

const actors = useActorStack({ workers: 2, env: { SY_PROBE_ACTOR: 'true', SY_LEASE_TTL_MS: '2000', SY_REBALANCE_INTERVAL_MS: '300' } });

t.test('guarantee 7 - a zombie owner with a stale fencing token cannot commit, even at the current version', async () => {
  const store = new EntityStore(actors.db, 'entities_fencing', () => ({ writes: [] as string[] }));
  const zombieLeases = new FencedLeases(actors.redis, 'zombie', { ttlMs: 60_000 });
  const ownerLeases = new FencedLeases(actors.redis, 'owner', { ttlMs: 60_000 });
  const zombie = (await zombieLeases.acquire('fencing:0'))!;
  assert.equal(await ownerLeases.acquire('fencing:0'), undefined, 'a held lease is not handed out twice');
  const first = await store.load('e');
  const committed = await store.commit(first, zombie.token, { state: { writes: ['zombie-1'] }, lastSeq: 1, applied: [], outbox: [] });
  // Forced overlap: the zombie's lease vanishes (as if it expired during a pause) while the zombie still believes it owns it.
  await actors.redis.del(leaseKey('fencing:0'));
  const owner = (await ownerLeases.acquire('fencing:0'))!;
  assert.ok(owner.token > zombie.token, 'every new holder gets a larger token');
  assert.equal(await zombieLeases.renew(zombie), false, 'the zombie cannot renew');
  const current = await store.load('e');
  await store.commit(current, owner.token, { state: { writes: ['zombie-1', 'owner-1'] }, lastSeq: 2, applied: [], outbox: [] });
  // The zombie tries with its stale view, and again after reloading the current version: both refused.
  await assert.rejects(store.commit(committed, zombie.token, { state: { writes: ['zombie-1', 'zombie-2'] }, lastSeq: 2, applied: [], outbox: [] }), StaleWriteError);
  const reloaded = await store.load('e');
  await assert.rejects(store.commit(reloaded, zombie.token, { state: { writes: ['zombie-1', 'owner-1', 'zombie-2'] }, lastSeq: 3, applied: [], outbox: [] }), StaleWriteError);
  const doc = await store.load('e');
  assert.deepEqual(doc.state, { writes: ['zombie-1', 'owner-1'] });
  assert.equal(doc.fence, owner.token);
});

/**
 * `writers` stores on separate connections commit the same `perBatch` entities at version 1 at the same
 * moment, `rounds` times; each store's commits of a round go out as one bulkWrite (storeRoundTrips.ts).
 * Exactly one writer must win each entity, and the others get StaleWriteError.
 */
async function raceCommits(collection: string, writers: number, rounds: number, perBatch: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: writers }, () => new MongoClient(actors.stack.env.MONGODB_URI!, { maxPoolSize: 1 }).connect()));
  try {
    const stores = clients.map((c) => new EntityStore(c.db(actors.db.databaseName), collection, () => ({ writers: [] as number[] })));
    for (let round = 0; round < rounds; round++) {
      const entities = Array.from({ length: perBatch }, (_, k) => `race-${round}-${k}`);
      await Promise.all(entities.map(async (e) => stores[0]!.commit(await stores[0]!.load(e), 1, { state: { writers: [] }, lastSeq: 0, applied: [], outbox: [] })));
      const records = await Promise.all(stores.map((s) => Promise.all(entities.map((e) => s.load(e)))));
      const outcomes = await Promise.all(stores.map((s, i) => Promise.allSettled(records[i]!.map((r) => s.commit(r, 1, { state: { writers: [i] }, lastSeq: 1, applied: [], outbox: [] })))));
      for (const [k, entity] of entities.entries()) {
        const won = outcomes.flatMap((o, i) => (o[k]!.status === 'fulfilled' ? [i] : []));
        for (const o of outcomes) if (o[k]!.status === 'rejected') assert.ok((o[k] as PromiseRejectedResult).reason instanceof StaleWriteError, String((o[k] as PromiseRejectedResult).reason));
        assert.equal(won.length, 1, `round ${round}, ${entity}: one commit of version 1 -> 2 wins, not ${won.length}`);
        assert.deepEqual((await stores[0]!.load(entity)).state, { writers: won }, 'the stored state is the winner\'s');
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

t.test('guarantee 7 - two writers committing one entity at the same moment, from separate connections: exactly one commit wins', async () => {
  // The store's commit is ONE conditional update; MongoDB applies it atomically, and the mongo-wire dev
  // server must too (FerretDB alone runs it as query-then-write: deploy/local/mongowire/ferretdb-patch.sh, change 3).
  await raceCommits('entities_racing', 8, 15, 1);
});

t.test('guarantee 7 - writers committing the same entities in multi-entity batches at the same moment: exactly one commit wins per entity', async () => {
  // Each writer commits three entities in one bulkWrite, which the mongo-wire dev server reads with one query and
  // writes in one transaction (ferretdb-patch.sh, change 7): the read and the write must stay one atomic step.
  await raceCommits('entities_racing_batches', 6, 10, 3);
});

t.test('guarantee 7 - an owner paused past its lease (SIGSTOP) is taken over; the command is applied once, in order', async () => {
  const [a, b] = actors.stack.workers as [SwitchyardProcess, SwitchyardProcess];
  await eventually('both workers own 4 probe partitions', async () =>
    (await processMetric(a.port, 'switchyard_actor_partitions_owned', { actor: 'probe' })) === 4
    && (await processMetric(b.port, 'switchyard_actor_partitions_owned', { actor: 'probe' })) === 4 ? true : undefined);
  const entity = 'paused-owner';
  const partition = partitionOf(entity, 8);
  const owner = await eventually('the partition has one owner', () => ownerOf([a, b], 'probe', partition));
  const other = owner === a ? b : a;
  await actors.driver.send({ actor: 'probe', entity, name: 'work', id: 'z1', data: { ms: 3000, steps: 3 } });
  await actors.driver.next((p) => p.body.type === 'progress' && p.body.id === 'z1');
  process.kill(owner.pid!, 'SIGSTOP');
  try {
    await eventually('the other worker takes the partition over', () => (ownerOf([other], 'probe', partition) ? true : undefined), 30_000);
    await actors.driver.send({ actor: 'probe', entity, name: 'note', id: 'z2' });
    await actors.driver.result('z2');
  } finally {
    process.kill(owner.pid!, 'SIGCONT');
  }
  // The resumed zombie finds its partition lost (or its commit fenced) instead of committing.
  await eventually('the resumed owner gives the partition up', () =>
    (owner.logLines().some((l) => l.actor === 'probe' && (l.msg === 'partition lost' || /stale fencing token/.test(String(l.msg)))) ? true : undefined), 30_000);
  await actors.driver.send({ actor: 'probe', entity, name: 'note', id: 'z3' });
  await actors.driver.result('z3');
  const doc = await actors.db.collection('entities_probe').findOne({ _id: entity as never });
  assert.deepEqual(doc?.state.log, ['z1', 'z2', 'z3']);
  const results = (await actors.driver.readOut()).filter((p) => p.body.type === 'result' && ['z1', 'z2', 'z3'].includes(p.body.id));
  assert.deepEqual(results.map((p) => (p.body as { id: string }).id), ['z1', 'z2', 'z3'], 'one result per command, in order');
});
