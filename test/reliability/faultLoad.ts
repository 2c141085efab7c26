/**
 * What every fault test shares: the workers' and gateways' settings, the
 * load, the phases and the verdict (nothing accepted lost, nothing applied
 * twice, the row recorded for RELIABILITY.md).
 *
 * The load, one of two:
 * - `npm test` (the short version): 4 SDK clients × 4 outstanding counter
 *   adds on 8 entities (closed loop), each client trying its own gateway
 *   first;
 * - `SY_FAULT_LOAD=half` (`npm run faults`): each test file first measures
 *   the saturation S of its own stack (calibrate: closed loop, 32 clients ×
 *   8 outstanding, 5 s), then drives every fault open loop at S / 2 from 32
 *   clients spread over the gateways, on 256 entities.
 */
import assert from 'node:assert/strict';
import type { Stack } from '../harness/stackFixture.js';
import { LocalCluster } from '../../deploy/local/cluster.js';
import { CommandLoad } from './commandLoad.js';
import { sleep, type FaultOutcome, type FaultPhases, type FaultRun } from './faultRunner.js';
import { recordFault } from './reliabilityReport.js';

export const LEASE_TTL_MS = 2000;
export const FAULT_ENV = {
  SY_LEASE_TTL_MS: String(LEASE_TTL_MS),
  SY_REBALANCE_INTERVAL_MS: '300',
  SY_SESSION_HEARTBEAT_MS: '1000',
  SY_PUBLISH_TIMEOUT_MS: '2000',
  SY_RATE_LIMIT_COMMANDS: '0',
  SY_LOG_LEVEL: 'info',
};
export const PHASES: FaultPhases = {
  warmupMs: 1000,
  loadSeconds: Number(process.env.SY_FAULT_SECONDS ?? 3),
  settleMs: 90_000,
};

const AT_HALF_SATURATION = process.env.SY_FAULT_LOAD === 'half';
const CLIENTS = AT_HALF_SATURATION ? 32 : 4;
/**
 * S is the better of `windows` back-to-back windows of one closed-loop run: the machine's noise only
 * ever lowers a window's rate (a 3-node cluster measured 412, 549 and 780 results/s in single 5 s windows).
 */
const CALIBRATION = { outstandingPerClient: 8, entityCount: 256, warmupMs: 1000, measureMs: 5000, windows: 2 };

/** The saturation measured by calibrate() on this file's stack. */
let saturation: number | undefined;

/** What the load runs against: a test stack (clients connect to the gateways directly) or a cluster behind HAProxy. */
export type FaultTarget = Stack | LocalCluster;

/** Stack: client i tries gateway i mod n first, then the others. Cluster: every client connects through HAProxy. */
function urlLists(s: FaultTarget): string[][] {
  if (s instanceof LocalCluster) return Array.from({ length: CLIENTS }, () => [s.wsUrl()]);
  const live = s.gateways;
  return Array.from({ length: CLIENTS }, (_, i) => live.map((_, k) => s.wsUrl(live[(i + k) % live.length]!)));
}

function tokens(s: FaultTarget, name: string): Promise<string[]> {
  return Promise.all(Array.from({ length: CLIENTS }, (_, i) => s.token(`${name}-user-${i}`)));
}

/**
 * With SY_FAULT_LOAD=half: measures the results per second the stack
 * answers in closed loop (its saturation S: the better of two 5 s windows),
 * once per test file, before the faults. Does nothing otherwise.
 */
export async function calibrate(s: FaultTarget): Promise<void> {
  if (!AT_HALF_SATURATION || saturation !== undefined) return;
  const entities = Array.from({ length: CALIBRATION.entityCount }, (_, i) => `calibrate-${Date.now().toString(36)}-e${i}`);
  const load = new CommandLoad({ urls: urlLists(s), tokens: await tokens(s, 'calibrate'), entities, outstandingPerClient: CALIBRATION.outstandingPerClient });
  try {
    await load.start();
    await sleep(CALIBRATION.warmupMs);
    const windows: Array<{ from: number; to: number }> = [];
    for (let i = 0; i < CALIBRATION.windows; i++) {
      const from = Date.now();
      await sleep(CALIBRATION.measureMs);
      windows.push({ from, to: Date.now() });
    }
    await load.stop(30_000);
    const answeredAt = [...load.commands.values()].flatMap((c) => (c.resultAt === undefined ? [] : [c.resultAt]));
    saturation = Math.max(...windows.map(({ from, to }) => Math.round(answeredAt.filter((t) => t >= from && t < to).length / ((to - from) / 1000))));
  } finally {
    await load.close();
  }
  assert.ok(saturation > 0, 'the calibration load was answered');
}

export async function loadFor(s: FaultTarget, name: string): Promise<FaultRun['load']> {
  if (AT_HALF_SATURATION) {
    assert.ok(saturation !== undefined, 'calibrate(stack) runs before the faults');
    const rate = Math.ceil(saturation / 2);
    return {
      urls: urlLists(s), tokens: await tokens(s, name), ratePerSecond: rate, entityCount: CALIBRATION.entityCount,
      note: `${rate}/s = 50 % of S = ${saturation} results/s, measured on this stack just before: closed loop, ${CLIENTS} clients × ${CALIBRATION.outstandingPerClient} outstanding, the better of ${CALIBRATION.windows} windows of ${CALIBRATION.measureMs / 1000} s`,
    };
  }
  return { urls: urlLists(s), tokens: await tokens(s, name), outstandingPerClient: 4, entityCount: 8 };
}

export function verdict(outcome: FaultOutcome, testName: string): void {
  recordFault({ ...outcome, test: testName });
  assert.ok(outcome.accepted > 0, 'the load ran');
  assert.equal(outcome.unsettled, 0, 'every command sent was accepted in the end');
  assert.equal(outcome.lost, 0, 'no accepted command went without a result');
  assert.equal(outcome.duplicates, 0, 'no command was applied twice');
  assert.deepEqual(outcome.failedResults, {}, 'no command ended in an error result');
}
