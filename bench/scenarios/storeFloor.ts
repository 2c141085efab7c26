/**
 * The store floor: what the MongoDB-wire server behind MONGODB_URI does with
 * the two operations the actor runtime issues per command, measured with the
 * same driver the runtime uses (`mongodb`):
 *
 * - conditionalUpdate: `updateOne({_id, version, fence: {$lte: token}}, {$set: …})`
 *   of a document shaped like the runtime's entity documents (see
 *   actors/runtime/entityStore.ts: state, version, fence, lastSeq, the
 *   `applied` list with 32 stored results as a JSON string, an outbox entry,
 *   updatedAt), bumping the version — the commit of one command;
 * - findOneById: `findOne({_id})` of such a document — an entity activation.
 *
 * Each at concurrency 1 and 16 for `seconds`. At 16, every worker owns its
 * own slice of the documents, so no update conflicts: an update that does
 * not match is an error (the server lost a write or broke atomicity).
 *
 * CLI: `npx tsx bench/scenarios/storeFloor.ts <mongoUri> [--seconds 5]
 * [--documents 500] [--server-pid <pid>]…` prints the figures as JSON.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { MongoClient, type Collection } from 'mongodb';
import { readProcStat } from '../process/processSampler.js';
import { summarize } from '../stats/latencySummary.js';

export interface RateFigure {
  opsPerSecond: number;
  /** Milliseconds, per operation. */
  p50Ms: number;
  p99Ms: number;
  /** Operations completed inside the window. */
  operations: number;
  /**
   * CPU milliseconds the server spent per operation (the processes named in
   * `serverPids` and their children, from /proc): steadier than opsPerSecond
   * on a busy machine. Absent without `serverPids`.
   */
  serverCpuMsPerOperation?: number;
}

export interface StoreFloor {
  conditionalUpdate: { concurrency1: RateFigure; concurrency16: RateFigure };
  findOneById: { concurrency1: RateFigure; concurrency16: RateFigure };
}

export interface StoreFloorOptions {
  /** Seconds per measurement (four measurements). @default 5 */
  seconds?: number;
  /** Entity documents seeded. @default 500 */
  documents?: number;
  /** Database used (its `entities` collection is dropped before and after). @default 'storefloor' */
  database?: string;
  /** Server processes whose CPU (with their children's) is counted per operation. @default [] */
  serverPids?: number[];
}

/** The runtime's `appliedMemory` default (SY_ACTOR_APPLIED_MEMORY). */
const APPLIED_ENTRIES = 32;
const HIGH_CONCURRENCY = 16;

interface EntityShape {
  _id: string;
  state: unknown;
  version: number;
  fence: number;
  lastSeq: number;
  applied: string;
  outbox: string;
  updatedAt: Date;
}

/** One applied command as the runtime stores it: the command key and the result pushed to its sender. */
function appliedEntry(seq: number): { key: string; result: unknown } {
  const id = randomUUID();
  return { key: `cmd:${id}`, result: { type: 'result', id, ok: true, data: { seq, accepted: true, at: 1_764_806_400_000 + seq } } };
}

/** The outbox a commit stores: the result publish the commit owes. */
function outboxOf(entity: string, seq: number): string {
  const id = randomUUID();
  return JSON.stringify([{
    kind: 'publish', id: `${id}:result`, subject: `out.s.${randomUUID()}`,
    body: JSON.stringify({ type: 'result', id, ok: true, data: { seq, entity } }), headers: { 'Sy-Trace': id }, at: 1_764_806_400_000 + seq,
  }]);
}

function stateOf(entity: string, seq: number): unknown {
  return { name: entity, members: ['u-alice', 'u-bob', 'u-carol'], lastMessage: seq, counters: { sent: seq, edited: 0, deleted: 0 } };
}

/** Applied lists to rotate through (same length and size as the runtime's at steady state), built once. */
function appliedLists(count: number): string[] {
  const entries = Array.from({ length: APPLIED_ENTRIES + count }, (_, i) => appliedEntry(i));
  return Array.from({ length: count }, (_, i) => JSON.stringify(entries.slice(i, i + APPLIED_ENTRIES)));
}

/** CPU seconds of `pids` and every descendant process alive now. */
function treeCpuSeconds(pids: number[]): number {
  if (pids.length === 0) return 0;
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parents.get(p), hops++) if (pids.includes(p)) return true;
    return false;
  };
  let total = 0;
  for (const pid of parents.keys()) if (inTree(pid)) total += readProcStat(pid)?.cpuSeconds ?? 0;
  return total;
}

/** Runs `op(worker, i)` from `concurrency` workers for `seconds`; each latency is one sample. */
async function measureRate(concurrency: number, seconds: number, serverPids: number[], op: (worker: number) => Promise<void>): Promise<RateFigure> {
  const samples: number[] = [];
  const cpuBefore = treeCpuSeconds(serverPids);
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (performance.now() < until) {
      const t = performance.now();
      await op(worker);
      samples.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = treeCpuSeconds(serverPids) - cpuBefore;
  const latency = summarize(samples);
  return {
    opsPerSecond: Math.round(samples.length / elapsed),
    p50Ms: Number(latency.p50.toFixed(2)),
    p99Ms: Number(latency.p99.toFixed(2)),
    operations: samples.length,
    ...(serverPids.length ? { serverCpuMsPerOperation: Number(((cpu * 1000) / Math.max(1, samples.length)).toFixed(3)) } : {}),
  };
}

async function seed(collection: Collection<EntityShape>, documents: number, applied: string[]): Promise<EntityShape[]> {
  await collection.drop().catch(() => false);
  const docs = Array.from({ length: documents }, (_, i): EntityShape => {
    const _id = `room-${String(i).padStart(6, '0')}`;
    return { _id, state: stateOf(_id, 0), version: 1, fence: 1, lastSeq: 1, applied: applied[i % applied.length]!, outbox: outboxOf(_id, 1), updatedAt: new Date() };
  });
  for (let i = 0; i < docs.length; i += 100) await collection.insertMany(docs.slice(i, i + 100));
  return docs;
}

/** Measures the store floor against `mongoUri` (see the file header). */
export async function measureStoreFloor(mongoUri: string, options: StoreFloorOptions = {}): Promise<StoreFloor> {
  const seconds = options.seconds ?? 5;
  const documents = Math.max(HIGH_CONCURRENCY, options.documents ?? 500);
  const serverPids = options.serverPids ?? [];
  const client = new MongoClient(mongoUri, { maxPoolSize: HIGH_CONCURRENCY, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const collection = client.db(options.database ?? 'storefloor').collection<EntityShape>('entities');
    const applied = appliedLists(64);
    const docs = await seed(collection, documents, applied);
    const fence = 1;
    let seq = 1;

    // Worker w of n owns documents w, w+n, w+2n…: its updates never conflict with another worker's.
    const commitFrom = (n: number) => {
      const cursor = Array.from({ length: n }, (_, w) => w);
      return async (worker: number): Promise<void> => {
        const i = cursor[worker]!;
        cursor[worker] = i + n < docs.length ? i + n : worker;
        const doc = docs[i]!;
        seq++;
        const res = await collection.updateOne(
          { _id: doc._id, version: doc.version, fence: { $lte: fence } },
          { $set: { state: stateOf(doc._id, seq), version: doc.version + 1, fence, lastSeq: seq, applied: applied[seq % applied.length]!, outbox: outboxOf(doc._id, seq), updatedAt: new Date() } },
        );
        if (res.matchedCount !== 1) throw new Error(`store floor: the conditional update of ${doc._id} at version ${doc.version} matched ${res.matchedCount} documents (expected 1)`);
        doc.version++;
      };
    };
    let next = 0;
    const findOne = async (): Promise<void> => {
      const doc = docs[next++ % docs.length]!;
      if (!(await collection.findOne({ _id: doc._id }))) throw new Error(`store floor: ${doc._id} not found`);
    };

    // Warm up connections, caches and prepared paths outside the measurements.
    await measureRate(HIGH_CONCURRENCY, Math.min(1, seconds / 5), [], commitFrom(HIGH_CONCURRENCY));
    await measureRate(HIGH_CONCURRENCY, Math.min(1, seconds / 5), [], findOne);

    const figures: StoreFloor = {
      conditionalUpdate: {
        concurrency1: await measureRate(1, seconds, serverPids, commitFrom(1)),
        concurrency16: await measureRate(HIGH_CONCURRENCY, seconds, serverPids, commitFrom(HIGH_CONCURRENCY)),
      },
      findOneById: {
        concurrency1: await measureRate(1, seconds, serverPids, findOne),
        concurrency16: await measureRate(HIGH_CONCURRENCY, seconds, serverPids, findOne),
      },
    };
    await collection.drop().catch(() => false);
    return figures;
  } finally {
    await client.close();
  }
}
