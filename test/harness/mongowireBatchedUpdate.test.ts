/**
 * mongowire's batched multi-statement update (deploy/local/mongowire/ferretdb-patch.sh,
 * change 7): an `update` command whose statements each name one document by
 * _id (no multi, no upsert, no _id twice) is read with one query and written
 * in one transaction. Every statement must still get the outcome the
 * statement loop gave: its own filter decides (a stale version or fence
 * matches nothing), a missing document matches nothing (or is inserted by
 * an upsert, reported under its statement's index: change 8), each update
 * applies to its own document only — and a command outside the batched shape
 * (an _id named twice) keeps the loop's order-dependent results.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { startMongo } from '../../deploy/local/servers.js';

interface Entity { _id: string; version: number; fence: number; state: { n: number }; log: string }

t.test('harness - mongowire applies a multi-statement update exactly as one statement after another, upserts reported under their statement', async () => {
  const mongo = await startMongo();
  const client = await MongoClient.connect(mongo.url);
  try {
    const col = client.db('batched').collection<Entity>('entities');
    await col.insertMany(Array.from({ length: 6 }, (_, i) => ({ _id: `e-${i}`, version: 1, fence: 1, state: { n: i }, log: `"quoted" ${i}` })));
    const commit = (id: string, version: number, token: number, n: number) => ({
      updateOne: { filter: { _id: id, version, fence: { $lte: token } }, update: { $set: { version: version + 1, fence: token, state: { n }, log: `[{"k":"${id}"}]` } } },
    });

    const res = await col.bulkWrite([
      commit('e-0', 1, 1, 100), // matches
      commit('e-1', 7, 1, 101), // stale version: no match
      commit('e-2', 1, 2, 102), // newer token: matches, fence moves to 2
      commit('missing', 1, 1, 103), // no such document
      commit('e-4', 1, 0, 104), // older token than the stored fence: refused
      commit('e-5', 1, 1, 105), // matches
    ], { ordered: false });
    assert.equal(res.matchedCount, 3);
    assert.equal(res.modifiedCount, 3);

    const docs = new Map((await col.find({}).toArray()).map((d) => [d._id, d]));
    assert.equal(docs.size, 6, 'no document appears or disappears');
    assert.deepEqual(docs.get('e-0'), { _id: 'e-0', version: 2, fence: 1, state: { n: 100 }, log: '[{"k":"e-0"}]' });
    assert.deepEqual(docs.get('e-1'), { _id: 'e-1', version: 1, fence: 1, state: { n: 1 }, log: '"quoted" 1' });
    assert.deepEqual(docs.get('e-2'), { _id: 'e-2', version: 2, fence: 2, state: { n: 102 }, log: '[{"k":"e-2"}]' });
    assert.deepEqual(docs.get('e-3'), { _id: 'e-3', version: 1, fence: 1, state: { n: 3 }, log: '"quoted" 3' });
    assert.deepEqual(docs.get('e-4'), { _id: 'e-4', version: 1, fence: 1, state: { n: 4 }, log: '"quoted" 4' });
    assert.deepEqual(docs.get('e-5'), { _id: 'e-5', version: 2, fence: 1, state: { n: 105 }, log: '[{"k":"e-5"}]' });

    // One _id twice: the statements depend on each other and run one after another (the second sees the first's write).
    const chained = await col.bulkWrite([commit('e-3', 1, 1, 200), commit('e-3', 2, 1, 201)], { ordered: false });
    assert.equal(chained.modifiedCount, 2);
    assert.deepEqual((await col.findOne({ _id: 'e-3' }))?.state, { n: 201 });

    // An upsert is reported under its own statement's index (change 8), batched or not; the driver maps it to the operation.
    const upserted = await col.bulkWrite([
      commit('e-1', 7, 1, 300), // stale: no match, nothing inserted (the document exists)
      { updateOne: { filter: { _id: 'e-new', version: 0 }, update: { $set: { version: 1, fence: 1, state: { n: 301 }, log: '' } }, upsert: true } },
      commit('e-5', 2, 1, 302),
    ], { ordered: false });
    assert.deepEqual(upserted.upsertedIds, { 1: 'e-new' });
    assert.equal(upserted.matchedCount, 1);
    assert.equal(upserted.modifiedCount, 1);
    assert.deepEqual((await col.findOne({ _id: 'e-new' }))?.state, { n: 301 });
    assert.deepEqual((await col.findOne({ _id: 'e-5' }))?.state, { n: 302 });
    assert.deepEqual((await col.findOne({ _id: 'e-1' }))?.state, { n: 1 });
    const looped = await col.bulkWrite([
      commit('e-0', 1, 1, 400), // stale (e-0 is at version 2)
      commit('e-0', 2, 1, 401),
      { updateOne: { filter: { _id: 'e-other', version: 0 }, update: { $set: { version: 1, fence: 1, state: { n: 402 }, log: '' } }, upsert: true } },
    ], { ordered: false });
    assert.deepEqual(looped.upsertedIds, { 2: 'e-other' });
    assert.deepEqual((await col.findOne({ _id: 'e-0' }))?.state, { n: 401 });
  } finally {
    await client.close();
    await mongo.stop();
  }
});
