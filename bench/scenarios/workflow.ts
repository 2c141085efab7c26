/**
 * Scenario 6 — the multi-step workflow the product exists for: a
 * checkout-like command that calls a slow payment provider (300–800 ms),
 * writes a ledger entry (MongoDB) and sends a notification (100–300 ms)
 * (baselines/simulatedWork.ts; the same durations per command index for
 * every design). Each design runs at most the same number of checkouts at
 * once (a bounded pool: per sync worker / Socket.IO server, and in
 * switchyard's bench actors as many as all sync workers together).
 *
 * First the synchronous design's capacity is measured (closed loop, more
 * outstanding than it has slots); then every design gets the same open-loop
 * rates, up to 2 × that capacity. Figures per design and rate: response
 * time (accept), result latency, errors and timeouts (results with
 * ok:false), lost, duplicates.
 */
import { runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';
import type { DesignKind, Workload } from '../load/loadPlan.js';

export interface WorkflowRate {
  /** Multiple of the synchronous design's capacity. */
  factor: number;
  rate: number;
  byDesign: Record<DesignKind, LoadOutcome>;
}

export interface WorkflowResult {
  providerMs: [number, number];
  notifyMs: [number, number];
  /** Checkouts one sync worker / Socket.IO server runs at once; switchyard's bench actors run syncWorkers × this. */
  concurrencyPerProcess: number;
  switchyardConcurrency: number;
  capacityRun: LoadOutcome;
  /** Results/s of the synchronous design, closed loop. */
  syncCapacityPerSecond: number;
  rates: WorkflowRate[];
}

export async function runWorkflow(ctx: ScenarioContext, options: { factors: number[]; durationMs: number; capacityMs: number; connections: number }): Promise<WorkflowResult> {
  const workload: Workload = { kind: 'checkout', providerMs: [300, 800], notifyMs: [100, 300] };
  const syncSlots = ctx.workflowConcurrency.perSyncWorker * ctx.clusters.sync.workers.length;
  // Twice as many outstanding as the synchronous design has slots: it runs full, and waits stay under its 10 s request timeout.
  const perConnection = Math.max(1, Math.ceil((2 * syncSlots) / options.connections));
  const capacityRun = await runLoad(ctx, {
    target: 'sync', mode: 'closed', rate: 0, concurrency: perConnection, durationMs: options.capacityMs, connections: options.connections,
    graceMs: 12_000, workload, label: 'workflow sync capacity',
  });
  const capacity = capacityRun.resultsPerSecond;
  ctx.say(`  workflow: the synchronous design's capacity is ${capacity.toFixed(1)} checkouts/s (${syncSlots} at once)`);
  const rates: WorkflowRate[] = [];
  for (const factor of options.factors) {
    const rate = Math.max(1, Math.round(capacity * factor));
    const byDesign = {} as Record<DesignKind, LoadOutcome>;
    for (const target of ['switchyard', 'sync', 'socketio'] as const) {
      // Grace above the synchronous design's request timeout (10 s): its timeouts arrive as results with ok:false.
      byDesign[target] = await runLoad(ctx, {
        target, mode: 'open', rate, durationMs: options.durationMs, connections: options.connections, graceMs: 12_000, workload,
        label: `workflow ${target} ${rate}/s (${factor} × sync capacity)`,
      });
    }
    rates.push({ factor, rate, byDesign });
  }
  return {
    providerMs: [300, 800], notifyMs: [100, 300], concurrencyPerProcess: ctx.workflowConcurrency.perSyncWorker,
    switchyardConcurrency: ctx.workflowConcurrency.switchyard, capacityRun, syncCapacityPerSecond: capacity, rates,
  };
}
