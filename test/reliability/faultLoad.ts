/**
 * What every fault test shares: the workers' and gateways' settings, the
 * load (CLIENTS SDK clients, each trying its own gateway first), the phases
 * and the verdict (nothing accepted lost, nothing applied twice, the row
 * recorded for RELIABILITY.md).
 */
import assert from 'node:assert/strict';
import type { Stack } from '../harness/stackFixture.js';
import type { FaultOutcome, FaultPhases } from './faultRunner.js';
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
const CLIENTS = 4;

/** Client i tries gateway i mod n first, then the others. */
function urlLists(s: Stack): string[][] {
  const live = s.gateways;
  return Array.from({ length: CLIENTS }, (_, i) => live.map((_, k) => s.wsUrl(live[(i + k) % live.length]!)));
}

export async function loadFor(s: Stack, name: string) {
  return {
    urls: urlLists(s),
    tokens: await Promise.all(Array.from({ length: CLIENTS }, (_, i) => s.token(`${name}-user-${i}`))),
    outstandingPerClient: 4,
    entityCount: 8,
  };
}

export function verdict(outcome: FaultOutcome, testName: string): void {
  recordFault({ ...outcome, test: testName });
  assert.ok(outcome.accepted > 0, 'the load ran');
  assert.equal(outcome.unsettled, 0, 'every command sent was accepted in the end');
  assert.equal(outcome.lost, 0, 'no accepted command went without a result');
  assert.equal(outcome.duplicates, 0, 'no command was applied twice');
  assert.deepEqual(outcome.failedResults, {}, 'no command ended in an error result');
}
