/**
 * Scenario 3 — long AI-like work: every command is a simulated provider call
 * of 200–2000 ms (the same duration per command index for every design).
 * switchyard answers `accepted` once the command is durable and pushes the
 * result later (the bench-side `slowwork` actor, baselines/benchActors.ts);
 * the synchronous design holds the request until the work is done; Socket.IO
 * acks at once and emits the result later, with nothing durable in between.
 */
import { runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';
import type { DesignKind } from '../load/loadPlan.js';

export interface LongWorkResult {
  minMs: number;
  maxMs: number;
  byTarget: Record<DesignKind, LoadOutcome>;
}

export async function runLongWork(ctx: ScenarioContext, options: { rate: number; durationMs: number; connections: number }): Promise<LongWorkResult> {
  const workload = { kind: 'slow' as const, minMs: 200, maxMs: 2000 };
  const common = { mode: 'open' as const, rate: options.rate, durationMs: options.durationMs, connections: options.connections, graceMs: 5000, workload };
  const byTarget = {} as Record<DesignKind, LoadOutcome>;
  for (const target of ['switchyard', 'sync', 'socketio'] as const) {
    byTarget[target] = await runLoad(ctx, { ...common, target, label: `long work ${target}` });
  }
  return { minMs: workload.minMs, maxMs: workload.maxMs, byTarget };
}
