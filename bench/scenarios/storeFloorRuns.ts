/**
 * The store floor, repeated: what the stack's MongoDB-wire server does alone
 * for the entity document's operations (conditional update with version and
 * fence, findOne by _id; 1 and 16 concurrent), measured by storeFloor.ts
 * against the same server the workers use, in the same run, with the
 * server's CPU per operation. Every repetition is reported; the budget
 * divides by the median.
 */
import { spreadOf, repeat, type Spread } from '../stats/repetitions.js';
import { measureStoreFloor, type RateFigure, type StoreFloor } from './storeFloor.js';
import type { ScenarioContext } from './scenarioContext.js';

export type StoreFloorKey = 'conditionalUpdate1' | 'conditionalUpdate16' | 'findOneById1' | 'findOneById16';

export interface StoreFloorRuns {
  status: 'measured' | 'skipped';
  reason?: string;
  secondsPerMeasure?: number;
  runs?: StoreFloor[];
  /** opsPerSecond / p50Ms / p99Ms of each operation over the repetitions. */
  figures?: Record<StoreFloorKey, { opsPerSecond: Spread; p50Ms: Spread; p99Ms: Spread; serverCpuMsPerOperation: Spread }>;
}

const PICK: Record<StoreFloorKey, (f: StoreFloor) => RateFigure> = {
  conditionalUpdate1: (f) => f.conditionalUpdate.concurrency1,
  conditionalUpdate16: (f) => f.conditionalUpdate.concurrency16,
  findOneById1: (f) => f.findOneById.concurrency1,
  findOneById16: (f) => f.findOneById.concurrency16,
};

async function measureOnce(ctx: ScenarioContext, rep: number, options: { reps: number; seconds: number }): Promise<StoreFloor> {
  ctx.say(`store floor ${rep + 1}/${options.reps}: conditional updates and findOne by _id, 1 and 16 concurrent, ${options.seconds} s each, against mongowire`);
  const floor = await measureStoreFloor(ctx.servers.env.MONGODB_URI, {
    seconds: options.seconds, database: `bench_store_floor_${ctx.runTag}`,
    ...(ctx.servers.mongo.pid ? { serverPids: [ctx.servers.mongo.pid] } : {}),
  });
  ctx.say(`  store floor: conditional update ${Math.round(floor.conditionalUpdate.concurrency1.opsPerSecond)}/s (×1), ${Math.round(floor.conditionalUpdate.concurrency16.opsPerSecond)}/s (×16); `
    + `findOne ${Math.round(floor.findOneById.concurrency1.opsPerSecond)}/s (×1), ${Math.round(floor.findOneById.concurrency16.opsPerSecond)}/s (×16)`);
  return floor;
}

export async function measureStoreFloorRuns(ctx: ScenarioContext, options: { reps: number; seconds: number }): Promise<StoreFloorRuns> {
  let runs: StoreFloor[];
  try {
    runs = await repeat(options.reps, (rep) => measureOnce(ctx, rep, options));
  } catch (err) {
    // A store that loses a conditional write fails the probe: the report says so instead of a figure.
    const reason = `the store floor probe failed: ${(err as Error).message.split('\n')[0]}`;
    ctx.say(`  store floor: ${reason}`);
    return { status: 'skipped', reason };
  }
  const figures = Object.fromEntries(Object.entries(PICK).map(([key, pick]) => [key, {
    opsPerSecond: spreadOf(runs, (r) => pick(r).opsPerSecond),
    p50Ms: spreadOf(runs, (r) => pick(r).p50Ms),
    p99Ms: spreadOf(runs, (r) => pick(r).p99Ms),
    serverCpuMsPerOperation: spreadOf(runs, (r) => pick(r).serverCpuMsPerOperation ?? Number.NaN),
  }])) as NonNullable<StoreFloorRuns['figures']>;
  return { status: 'measured', secondsPerMeasure: options.seconds, runs, figures };
}
