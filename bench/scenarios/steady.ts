/**
 * Scenario 1 — steady commands (counter.add, the trivial handler) at several
 * open-loop rates through HAProxy, then a closed-loop run for the saturation
 * throughput; the synchronous design and Socket.IO get the same load at the
 * comparison rate (the lowest one).
 */
import { runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';
import type { TargetKind } from '../load/loadPlan.js';

export interface SteadyResult {
  rates: number[];
  switchyard: LoadOutcome[];
  saturation: LoadOutcome;
  /** The comparison rate's run for each design (switchyard's is switchyard[0]). */
  byTarget: Record<TargetKind, LoadOutcome>;
}

export async function runSteady(ctx: ScenarioContext, options: { rates: number[]; durationMs: number; connections: number }): Promise<SteadyResult> {
  const workload = (label: string) => ({ kind: 'counter' as const, entities: 500, entityPrefix: `${ctx.runTag}${label}-` });
  const common = { mode: 'open' as const, durationMs: options.durationMs, connections: options.connections, graceMs: 5000 };
  const switchyard: LoadOutcome[] = [];
  for (const rate of options.rates) {
    switchyard.push(await runLoad(ctx, { ...common, target: 'switchyard', rate, workload: workload(`s${rate}`), label: `steady switchyard ${rate}/s` }));
  }
  const saturation = await runLoad(ctx, {
    ...common, mode: 'closed', rate: 0, concurrency: 8, target: 'switchyard', workload: workload('sat'), label: 'steady switchyard saturation',
  });
  const rate = options.rates[0]!;
  const sync = await runLoad(ctx, { ...common, target: 'sync', rate, workload: workload(`y${rate}`), label: `steady sync ${rate}/s` });
  const socketio = await runLoad(ctx, { ...common, target: 'socketio', rate, workload: workload(`i${rate}`), label: `steady socketio ${rate}/s` });
  return { rates: options.rates, switchyard, saturation, byTarget: { switchyard: switchyard[0]!, sync, socketio } };
}
