/**
 * Worker of the synchronous design: answers NATS requests on
 * `bench.sync.>` (queue group, so any live worker takes a request) by doing
 * the same work as switchyard's actors (simulatedWork.ts). SIGTERM finishes
 * the requests in hand; SIGKILL loses them (their callers time out).
 */
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { doWork, type WorkRequest, type WorkStore } from './simulatedWork.js';
import { announceBaselineReady } from './baselineProcess.js';

const nc = await connect({ servers: (process.env.NATS_URL ?? '').split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
const mongo = new MongoClient(process.env.MONGODB_URI ?? '', { maxPoolSize: 20 });
await mongo.connect();
const db = mongo.db(process.env.SY_MONGODB_DB ?? 'switchyard');
const store: WorkStore = { counters: db.collection('bench_sync_counter'), ledger: db.collection('bench_sync_ledger') };
let inFlight = 0;

const sub = nc.subscribe('bench.sync.>', {
  queue: 'sync-workers',
  callback: (err, msg) => {
    if (err) return;
    inFlight++;
    void doWork(msg.json<WorkRequest>(), store)
      .catch((e: Error) => ({ ok: false as const, error: { code: 'INTERNAL', message: e.message } }))
      .then((answer) => { msg.respond(JSON.stringify(answer)); })
      .finally(() => { inFlight--; });
  },
});
await nc.flush();
announceBaselineReady('syncWorker', 0);

process.once('SIGTERM', async () => {
  sub.unsubscribe();
  const deadline = Date.now() + Number(process.env.SY_DRAIN_GRACE_MS ?? 10_000);
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await nc.drain();
  await mongo.close();
  process.exit(0);
});
