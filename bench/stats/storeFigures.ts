/**
 * The entity store figures of issue #16, read from the workers' /metrics:
 * commands per store round trip (group commit at work) and store writes
 * per command (≤ 1.0: at most one document write per command). Counters are
 * cumulative since each worker started: take a reading before and after a
 * run and subtract.
 */
import { processMetric } from '../../test/harness/commandDriver.js';

export interface StoreReading {
  commands: number;
  roundTrips: number;
  writes: number;
  loads: number;
}

/** Sums the counters over the workers listening on `ports`. */
export async function readStore(ports: readonly number[]): Promise<StoreReading> {
  const sum = async (name: string, labels: Record<string, string> = {}) =>
    (await Promise.all(ports.map((p) => processMetric(p, name, labels)))).reduce((a, b) => a + b, 0);
  return {
    commands: await sum('switchyard_actor_commands_total'),
    roundTrips: await sum('switchyard_actor_store_round_trips_total'),
    writes: await sum('switchyard_actor_store_documents_total', { op: 'written' }),
    loads: await sum('switchyard_actor_store_documents_total', { op: 'loaded' }),
  };
}

/** What the workers did between two readings, and the two ratios of issue #16 (NaN when nothing was counted). */
export interface StoreFigures extends StoreReading {
  commandsPerRoundTrip: number;
  writesPerCommand: number;
}

export function storeFiguresBetween(before: StoreReading, after: StoreReading): StoreFigures {
  const commands = after.commands - before.commands;
  const roundTrips = after.roundTrips - before.roundTrips;
  const writes = after.writes - before.writes;
  const loads = after.loads - before.loads;
  return {
    commands, roundTrips, writes, loads,
    commandsPerRoundTrip: roundTrips > 0 ? commands / roundTrips : Number.NaN,
    writesPerCommand: commands > 0 ? writes / commands : Number.NaN,
  };
}

/** One line for a report: the two ratios over the run between `before` and `after`. */
export function storeFiguresLine(before: StoreReading, after: StoreReading): string {
  const f = storeFiguresBetween(before, after);
  const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  return `entity store: ${f.commands} commands, ${f.roundTrips} round trips (${f.loads} documents loaded, ${f.writes} written) → ${ratio(f.commandsPerRoundTrip)} commands per round trip, ${ratio(f.writesPerCommand)} writes per command`;
}
