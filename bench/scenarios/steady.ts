/**
 * Scenario 1 — steady commands (counter.add, the trivial handler: one entity
 * write per command) through HAProxy:
 * - a warm-up (not counted): one closed-loop run of the same shape, half as
 *   long (at most 10 s), on entities of its own — the first saturation run
 *   after the accept scenario was the slowest of three in every acceptance
 *   run (v8 1,005 / 981 / 1,166 results/s; v9 1,206 / 1,253 / 1,434; v10
 *   900 / 992 / 1,278): JIT, the store's pages and caches warm up under load;
 * - closed-loop saturation (`concurrency` outstanding per connection),
 *   `saturationMs` long, `reps` times: its median S sets the ladder;
 * - a ladder: open loop at rising fractions of S (`ladderFractions`, e.g.
 *   0.5 S … 2 S), each for `ladderMs`, until saturation is found — results/s
 *   below 90 % of the offered rate (the workers and the store cannot keep
 *   up) — or the ladder's time budget is spent; accepted/s is reported
 *   separately (the accept path takes more than the workers apply: the CMD
 *   stream holds the difference). Rates relative to S find the knee whatever
 *   the build's capacity, and the 0.5 S step is "half of saturation";
 * - hot entities: closed-loop saturation again, once, with every command on
 *   one of `hotEntities` entities (many commands of one entity queue up, so
 *   group commit writes several with one document write);
 * - the comparison: the same open-loop rate to switchyard, the synchronous
 *   design, Socket.IO and the bare path floor (same generator, same rate,
 *   same HAProxy path), `reps` times, designs alternating; the rate is at
 *   most half the closed-loop saturation (a steady state, not a backlog).
 */
import { runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';
import type { TargetKind } from '../load/loadPlan.js';
import { spreadOf, type Spread } from '../stats/repetitions.js';
import { warmUpMs } from '../benchSettings.js';

export interface SteadyOptions {
  /** Ladder rates as fractions of the closed-loop saturation, rising. */
  ladderFractions: number[];
  ladderMs: number;
  /** Stop climbing once the ladder has run this long (the step under way finishes). */
  ladderBudgetMs: number;
  saturationMs: number;
  concurrency: number;
  /** Entities of the hot-entity saturation run (0: skip it). */
  hotEntities: number;
  /** The comparison's rate, or its upper bound when `comparisonRateFixed` is false. */
  comparisonRate: number;
  /** false: the comparison runs at min(comparisonRate, half the closed-loop saturation), so that it measures a steady state, not a backlog. */
  comparisonRateFixed: boolean;
  comparisonMs: number;
  reps: number;
  connections: number;
}

export interface ComparisonFigures {
  acceptP50: Spread;
  acceptP99: Spread;
  resultP50: Spread;
  resultP99: Spread;
  resultsPerSecond: Spread;
  /** CPU seconds of the target's gateways (Socket.IO: its servers) per answered command, µs. */
  gatewayCpuPerCommandUs: Spread;
}

export interface SteadyResult {
  ladder: LoadOutcome[];
  /** The ladder step at half the closed-loop saturation, when `ladderFractions` holds 0.5. */
  halfSaturationStep?: LoadOutcome;
  /** First ladder rate whose results/s fell below 90 % of the offered rate (undefined: never, within the ladder). */
  resultsSaturateAt?: number;
  /** First ladder rate whose accepted/s fell below 95 % of the offered rate. */
  acceptsSaturateAt?: number;
  bestResultsPerSecond: number;
  /** The warm-up run before the saturation runs (not in any figure; kept in the JSON report). */
  warmUp: LoadOutcome;
  saturation: LoadOutcome[];
  saturationResultsPerSecond: Spread;
  /** Closed-loop saturation with `hotEntities` entities (one run). */
  hotSaturation?: LoadOutcome;
  hotEntities: number;
  comparisonRate: number;
  comparison: Record<TargetKind, LoadOutcome[]>;
  comparisonFigures: Record<TargetKind, ComparisonFigures>;
}

export function gatewayCpuPerCommandUs(o: LoadOutcome): number {
  const cpu = o.processes.filter((p) => p.name.startsWith(`${o.target} gateway`)).reduce((s, p) => s + p.cpuSeconds, 0);
  return (cpu / Math.max(1, o.commands.answered)) * 1e6;
}

function comparisonFigures(runs: LoadOutcome[]): ComparisonFigures {
  return {
    acceptP50: spreadOf(runs, (o) => o.commands.acceptLatency.p50),
    acceptP99: spreadOf(runs, (o) => o.commands.acceptLatency.p99),
    resultP50: spreadOf(runs, (o) => o.commands.resultLatency.p50),
    resultP99: spreadOf(runs, (o) => o.commands.resultLatency.p99),
    resultsPerSecond: spreadOf(runs, (o) => o.resultsPerSecond),
    gatewayCpuPerCommandUs: spreadOf(runs, gatewayCpuPerCommandUs),
  };
}

/** Open-loop rates for the ladder: each fraction of `saturation`, at least 1/s, rising, no repeats. */
export function ladderRatesFor(saturation: number, fractions: number[]): number[] {
  const base = Number.isFinite(saturation) && saturation > 0 ? saturation : 1;
  return [...new Set(fractions.map((f) => Math.max(1, Math.round(base * f))))].sort((a, b) => a - b);
}

export async function runSteady(ctx: ScenarioContext, options: SteadyOptions): Promise<SteadyResult> {
  const workload = (label: string) => ({ kind: 'counter' as const, entities: 500, entityPrefix: `${ctx.runTag}${label}-` });
  // A saturated step's backlog drains before the next run starts (grace: 10 s of silence, 60 s at most).
  const common = { mode: 'open' as const, connections: options.connections, graceMs: 10_000 };
  const warmUp = await runLoad(ctx, {
    ...common, mode: 'closed', rate: 0, concurrency: options.concurrency, durationMs: warmUpMs(options.saturationMs), target: 'switchyard',
    workload: workload('warm'), label: 'steady switchyard warm-up (not counted)',
  });
  const saturation: LoadOutcome[] = [];
  for (let rep = 0; rep < options.reps; rep++) {
    saturation.push(await runLoad(ctx, {
      ...common, mode: 'closed', rate: 0, concurrency: options.concurrency, durationMs: options.saturationMs, target: 'switchyard',
      workload: workload(`sat${rep}`), label: `steady switchyard saturation #${rep + 1}`,
    }));
  }
  const saturationMedian = spreadOf(saturation, (o) => o.resultsPerSecond).median;
  const hotSaturation = options.hotEntities > 0
    ? await runLoad(ctx, {
      ...common, mode: 'closed', rate: 0, concurrency: options.concurrency, durationMs: options.saturationMs, target: 'switchyard',
      workload: { ...workload('hot'), entities: options.hotEntities }, label: `steady switchyard saturation, ${options.hotEntities} hot entities`,
    })
    : undefined;
  const ladderRates = ladderRatesFor(saturationMedian, options.ladderFractions);
  ctx.say(`  steady: ladder at ${ladderRates.join(', ')}/s (${options.ladderFractions.join(', ')} × the closed-loop saturation ${Math.round(saturationMedian)}/s)`);
  const ladder: LoadOutcome[] = [];
  const ladderStart = Date.now();
  let resultsSaturateAt: number | undefined;
  let acceptsSaturateAt: number | undefined;
  for (const rate of ladderRates) {
    const o = await runLoad(ctx, { ...common, durationMs: options.ladderMs, target: 'switchyard', rate, workload: workload(`l${rate}`), label: `steady switchyard ${rate}/s` });
    ladder.push(o);
    if (acceptsSaturateAt === undefined && o.acceptedPerSecond < 0.95 * rate) acceptsSaturateAt = rate;
    if (o.resultsPerSecond < 0.9 * rate) { resultsSaturateAt = rate; break; }
    if (Date.now() - ladderStart >= options.ladderBudgetMs) { ctx.say(`  steady: ladder stops at ${rate}/s (its time budget is spent) without finding saturation`); break; }
  }
  const halfRate = ladderRatesFor(saturationMedian, [0.5])[0];
  const halfSaturationStep = ladder.find((o) => o.spec.rate === halfRate);
  const halfSaturation = Math.floor(saturationMedian / 2);
  const rate = options.comparisonRateFixed || !(halfSaturation >= 1) ? options.comparisonRate : Math.min(options.comparisonRate, halfSaturation);
  if (rate !== options.comparisonRate) ctx.say(`  steady: the comparison runs at ${rate}/s (half the closed-loop saturation; ${options.comparisonRate}/s would measure a backlog)`);
  const comparison: Record<TargetKind, LoadOutcome[]> = { switchyard: [], sync: [], socketio: [], bare: [] };
  for (let rep = 0; rep < options.reps; rep++) {
    for (const target of ['switchyard', 'sync', 'socketio', 'bare'] as const) {
      comparison[target].push(await runLoad(ctx, {
        ...common, graceMs: 5000, durationMs: options.comparisonMs, target, rate,
        workload: workload(`${target.slice(0, 2)}${rep}`), label: `steady ${target} ${rate}/s #${rep + 1}`,
      }));
    }
  }
  return {
    ladder,
    ...(halfSaturationStep ? { halfSaturationStep } : {}),
    ...(resultsSaturateAt !== undefined ? { resultsSaturateAt } : {}),
    ...(acceptsSaturateAt !== undefined ? { acceptsSaturateAt } : {}),
    bestResultsPerSecond: Math.max(...ladder.map((o) => o.resultsPerSecond).filter(Number.isFinite), 0),
    warmUp,
    saturation,
    saturationResultsPerSecond: spreadOf(saturation, (o) => o.resultsPerSecond),
    ...(hotSaturation ? { hotSaturation } : {}),
    hotEntities: options.hotEntities,
    comparisonRate: rate,
    comparison,
    comparisonFigures: {
      switchyard: comparisonFigures(comparison.switchyard), sync: comparisonFigures(comparison.sync),
      socketio: comparisonFigures(comparison.socketio), bare: comparisonFigures(comparison.bare),
    },
  };
}
