/**
 * mongowire's _id $in pushdown (deploy/local/mongowire/ferretdb-patch.sh,
 * change 5): the entity store loads a group commit's entities with one
 * find({_id: {$in}}). The pushdown turns it into an indexed IN; what it
 * returns must be exactly what MongoDB returns — every listed document that
 * matches the whole filter, nothing else — for string ids, with other
 * conditions beside the $in, and for id lists it does not push down
 * (numbers, mixed types) which take FerretDB's own path.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { startMongo } from '../../deploy/local/servers.js';

t.test('harness - mongowire answers find by _id $in exactly, pushed down or not, with other conditions applied', async () => {
  const mongo = await startMongo();
  const client = await MongoClient.connect(mongo.url);
  try {
    const col = client.db('idin').collection<{ _id: string | number; version: number }>('entities');
    await col.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `e-${i}`, version: i % 3 })));
    await col.insertMany([{ _id: 7, version: 0 }, { _id: 8, version: 1 }]);
    const ids = (docs: Array<{ _id: string | number }>) => docs.map((d) => d._id).sort();

    const wanted = ['e-5', 'e-17', 'e-299', 'e-0', 'missing'];
    assert.deepEqual(ids(await col.find({ _id: { $in: wanted } }).toArray()), ['e-0', 'e-17', 'e-299', 'e-5']);
    assert.deepEqual(ids(await col.find({ _id: { $in: wanted }, version: 2 }).toArray()), ['e-17', 'e-299', 'e-5'], 'the other condition still applies');
    assert.deepEqual(ids(await col.find({ _id: { $in: ['missing'] } }).toArray()), []);
    assert.deepEqual(ids(await col.find({ _id: { $in: [7, 8, 9] } }).toArray()), [7, 8], 'number ids (not pushed down)');
    assert.deepEqual(ids(await col.find({ _id: { $in: ['e-1', 8] } }).toArray()), [8, 'e-1'].sort(), 'mixed id types (not pushed down)');
    const many = Array.from({ length: 1200 }, (_, i) => `e-${i}`);
    assert.equal((await col.find({ _id: { $in: many } }).toArray()).length, 300, 'more ids than one IN takes (not pushed down)');
    const result = await col.updateOne({ _id: { $in: ['e-4'] } as never, version: 1 }, { $set: { version: 9 } });
    assert.equal(result.modifiedCount, 1, 'a conditional update through the $in path changes the one matching document');
    assert.equal((await col.findOne({ _id: 'e-4' }))?.version, 9);
  } finally {
    await client.close();
    await mongo.stop();
  }
});
