/**
 * mongowire's WAL under steady updates (deploy/local/mongowire/ferretdb-patch.sh,
 * change 6): SQLite restarts its write-ahead log only after a checkpoint
 * caught up with it while no reader held an older snapshot. FerretDB's
 * update kept its query's read open across its write, so every commit had
 * an older reader beside it and the WAL grew without end (the soak's
 * mongowire memory climb). With the read ended before the write, the WAL
 * stays near its autocheckpoint size (10,000 pages, about 41 MB: main.go),
 * for single updates and batched ones (change 7) alike.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startMongo } from '../../deploy/local/servers.js';

const ENTITIES = 64;
/** Conditional updates of ~2 KB documents: with the leak they wrote far more than two checkpoints' worth of WAL. */
const UPDATES = 24_000;
const WAL_BOUND_BYTES = 2 * 10_000 * 4096;

t.test('harness - mongowire keeps its WAL bounded under steady conditional updates (the read of an update ends before its write)', async () => {
  const mongo = await startMongo();
  const client = await MongoClient.connect(mongo.url, { maxPoolSize: 16 });
  try {
    const col = client.db('wal').collection<{ _id: string; version: number; pad: string }>('entities');
    await col.insertMany(Array.from({ length: ENTITIES }, (_, i) => ({ _id: `e-${i}`, version: 0, pad: 'x'.repeat(2000) })));
    const versions = new Array<number>(ENTITIES).fill(0);
    let next = 0;
    // 16 writers, each updating its own entities in turn: every update matches (version conditions hold).
    // Even writers send single updates (the statement loop, change 6), odd ones batches of 4 (change 7).
    await Promise.all(Array.from({ length: 16 }, async (_, w) => {
      while (next < UPDATES) {
        next += 4;
        const ops = [0, 1, 2, 3].map((k) => {
          const i = (w * 4 + k) % ENTITIES;
          return { updateOne: { filter: { _id: `e-${i}`, version: versions[i]! }, update: { $set: { version: ++versions[i]! } } } };
        });
        if (w % 2 === 1) {
          assert.equal((await col.bulkWrite(ops, { ordered: false })).modifiedCount, 4);
        } else {
          for (const { updateOne: { filter, update } } of ops) assert.equal((await col.updateOne(filter, update)).modifiedCount, 1);
        }
      }
    }));
    const wal = statSync(join(mongo.dir, 'wal.sqlite-wal')).size;
    assert.ok(wal <= WAL_BOUND_BYTES, `WAL ${(wal / 1e6).toFixed(1)} MB after ${UPDATES} updates (bound ${(WAL_BOUND_BYTES / 1e6).toFixed(1)} MB)`);
  } finally {
    await client.close();
    await mongo.stop();
  }
});
