/**
 * The store floor, repeated: what the stack's MongoDB-wire server does alone
 * for the entity document's operations (conditional update with version and
 * fence, findOne by _id; 1 and 16 concurrent), measured by storeFloor.ts
 * (written with the store work) against the same server the workers use, in
 * the same run. Every repetition is reported; the budget divides by the
 * median.
 */
import { spreadOf, repeat, type Spread } from '../stats/repetitions.js';
import type { ScenarioContext } from './scenarioContext.js';

/** What storeFloor.ts's measureStoreFloor returns (its contract). */
export interface RateFigure { opsPerSecond: number; p50Ms: number; p99Ms: number; operations: number }
export interface StoreFloor {
  conditionalUpdate: { concurrency1: RateFigure; concurrency16: RateFigure };
  findOneById: { concurrency1: RateFigure; concurrency16: RateFigure };
}
type MeasureStoreFloor = (mongoUri: string, options?: { seconds?: number; documents?: number; database?: string }) => Promise<StoreFloor>;

export type StoreFloorKey = 'conditionalUpdate1' | 'conditionalUpdate16' | 'findOneById1' | 'findOneById16';

export interface StoreFloorRuns {
  status: 'measured' | 'skipped';
  reason?: string;
  secondsPerMeasure?: number;
  runs?: StoreFloor[];
  /** opsPerSecond / p50Ms / p99Ms of each operation over the repetitions. */
  figures?: Record<StoreFloorKey, { opsPerSecond: Spread; p50Ms: Spread; p99Ms: Spread }>;
}

const PICK: Record<StoreFloorKey, (f: StoreFloor) => RateFigure> = {
  conditionalUpdate1: (f) => f.conditionalUpdate.concurrency1,
  conditionalUpdate16: (f) => f.conditionalUpdate.concurrency16,
  findOneById1: (f) => f.findOneById.concurrency1,
  findOneById16: (f) => f.findOneById.concurrency16,
};

export async function measureStoreFloorRuns(ctx: ScenarioContext, options: { reps: number; seconds: number }): Promise<StoreFloorRuns> {
  let measure: MeasureStoreFloor;
  try {
    // Loaded by name: the module comes with the store work (bench/scenarios/storeFloor.ts).
    const modulePath = './storeFloor.js';
    measure = ((await import(modulePath)) as { measureStoreFloor: MeasureStoreFloor }).measureStoreFloor;
  } catch (err) {
    const reason = `bench/scenarios/storeFloor.ts is not available: ${(err as Error).message.split('\n')[0]}`;
    ctx.say(`store floor: skipped: ${reason}`);
    return { status: 'skipped', reason };
  }
  const runs = await repeat(options.reps, async (rep) => {
    ctx.say(`store floor ${rep + 1}/${options.reps}: conditional updates and findOne by _id, 1 and 16 concurrent, ${options.seconds} s each, against mongowire`);
    const floor = await measure(ctx.servers.env.MONGODB_URI, { seconds: options.seconds, database: `bench_store_floor_${ctx.runTag}` });
    ctx.say(`  store floor: conditional update ${Math.round(floor.conditionalUpdate.concurrency1.opsPerSecond)}/s (×1), ${Math.round(floor.conditionalUpdate.concurrency16.opsPerSecond)}/s (×16); `
      + `findOne ${Math.round(floor.findOneById.concurrency1.opsPerSecond)}/s (×1), ${Math.round(floor.findOneById.concurrency16.opsPerSecond)}/s (×16)`);
    return floor;
  });
  const figures = Object.fromEntries(Object.entries(PICK).map(([key, pick]) => [key, {
    opsPerSecond: spreadOf(runs, (r) => pick(r).opsPerSecond),
    p50Ms: spreadOf(runs, (r) => pick(r).p50Ms),
    p99Ms: spreadOf(runs, (r) => pick(r).p99Ms),
  }])) as StoreFloorRuns['figures'];
  return { status: 'measured', secondsPerMeasure: options.seconds, runs, ...(figures ? { figures } : {}) };
}
