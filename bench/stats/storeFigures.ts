/**
 * The entity store figures of issue #16, read from the workers' /metrics:
 * commands per store round trip (group commit at work) and store writes
 * per command (≤ 1.0: at most one document write per command). Counters are
 * cumulative since each worker started: take a reading before and after a
 * run and subtract.
 */
import { workerMetric } from '../../test/harness/commandDriver.js';

export interface StoreReading {
  commands: number;
  roundTrips: number;
  writes: number;
  loads: number;
}

/** Sums the counters over the workers listening on `ports`. */
export async function readStore(ports: readonly number[]): Promise<StoreReading> {
  const sum = async (name: string, labels: Record<string, string> = {}) =>
    (await Promise.all(ports.map((p) => workerMetric(p, name, labels)))).reduce((a, b) => a + b, 0);
  return {
    commands: await sum('switchyard_actor_commands_total'),
    roundTrips: await sum('switchyard_actor_store_round_trips_total'),
    writes: await sum('switchyard_actor_store_documents_total', { op: 'written' }),
    loads: await sum('switchyard_actor_store_documents_total', { op: 'loaded' }),
  };
}

/** One line for a report: the two ratios over the run between `before` and `after`. */
export function storeFiguresLine(before: StoreReading, after: StoreReading): string {
  const commands = after.commands - before.commands;
  const roundTrips = after.roundTrips - before.roundTrips;
  const writes = after.writes - before.writes;
  const loads = after.loads - before.loads;
  const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : (a / b).toFixed(2));
  return `entity store: ${commands} commands, ${roundTrips} round trips (${loads} documents loaded, ${writes} written) → ${ratio(commands, roundTrips)} commands per round trip, ${ratio(writes, commands)} writes per command`;
}
