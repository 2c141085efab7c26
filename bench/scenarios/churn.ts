/**
 * Scenario 4 — autoscale churn: steady load through HAProxy while the churn
 * controller adds, drains (SIGTERM) and kills (SIGKILL) gateways and workers
 * on a schedule; then the synchronous design and Socket.IO under the same
 * load and the same schedule (Socket.IO has no workers: its worker steps
 * keep their slot and change nothing). Every change is on the timeline of
 * the report's chart. `designs` narrows the run (e.g. switchyard alone for
 * a long acceptance run); switchyard always runs: the budget reads it.
 */
import type { ClusterEvent } from '../../deploy/local/cluster.js';
import { runChurn } from '../churn/churnController.js';
import type { DesignKind } from '../load/loadPlan.js';
import { runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';
import { recoveryAfterWorkerKills, type KillRecovery } from '../stats/killRecovery.js';

export interface ChurnRun {
  outcome: LoadOutcome;
  /** Scaling events during the run (times are epoch ms). */
  events: ClusterEvent[];
  changes: number;
  /** Per worker SIGKILL: when the results of the commands sent in the second after it had all arrived. */
  workerKills: KillRecovery[];
}

export interface ChurnResult {
  rate: number;
  intervalMs: number;
  durationMs: number;
  switchyard: ChurnRun;
  /** Absent when not selected (`--churn-designs`). */
  sync?: ChurnRun;
  socketio?: ChurnRun;
}

/** The runs of a churn result that took place, switchyard first. */
export function churnRuns(result: ChurnResult): ChurnRun[] {
  return [result.switchyard, result.sync, result.socketio].filter((x): x is ChurnRun => x !== undefined);
}

export async function runChurnScenario(ctx: ScenarioContext, options: { rate: number; durationMs: number; intervalMs: number; connections: number; designs: DesignKind[] }): Promise<ChurnResult> {
  const run = async (target: DesignKind): Promise<ChurnRun> => {
    const cluster = ctx.clusters[target];
    const before = cluster.events.length;
    let changes = 0;
    const outcome = await runLoad(ctx, {
      target, mode: 'open', rate: options.rate, durationMs: options.durationMs, connections: options.connections, graceMs: 15_000,
      workload: { kind: 'counter', entities: 500, entityPrefix: `${ctx.runTag}churn${target}-` },
      label: `churn ${target}`,
    }, async (sampler, origin) => {
      await new Promise((r) => setTimeout(r, Math.max(0, origin - Date.now())));
      // Changes stop one interval before the load does, so the last one is measured too.
      changes = await runChurn(cluster, sampler, {
        intervalMs: options.intervalMs, durationMs: options.durationMs - options.intervalMs, say: ctx.say,
        ...(target === 'socketio' ? { kinds: ['gateway' as const] } : {}),
      });
    });
    const events = cluster.events.slice(before).filter((e) => e.action !== 'mark');
    return { outcome, events, changes, workerKills: recoveryAfterWorkerKills(outcome.reports, events) };
  };
  const switchyard = await run('switchyard');
  const sync = options.designs.includes('sync') ? await run('sync') : undefined;
  const socketio = options.designs.includes('socketio') ? await run('socketio') : undefined;
  return {
    rate: options.rate, intervalMs: options.intervalMs, durationMs: options.durationMs, switchyard,
    ...(sync ? { sync } : {}), ...(socketio ? { socketio } : {}),
  };
}
