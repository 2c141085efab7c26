/**
 * Accept path at rate: `benchnoop.run` commands (a handler that does
 * nothing, so the worker side drains fast) offered open loop at each rate
 * through HAProxy, to switchyard and — same generator, same rate, same
 * connections, same path — to the bare accept-path floor (uWS → JetStream
 * publish → ack → `accepted`, baselines/barePathServer.ts). Each rate runs
 * `reps` times, floor and switchyard alternating, so that noise hits both.
 * Figures: accept p50/p99, accepted/s, and the backlog drain time (end of
 * the send schedule → last result: the CMD stream holds what the workers
 * have not taken yet).
 */
import { runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';
import { spreadOf, type Spread } from '../stats/repetitions.js';

export interface AcceptRateRuns {
  rate: number;
  bare: LoadOutcome[];
  switchyard: LoadOutcome[];
  figures: Record<'bare' | 'switchyard', { acceptP50: Spread; acceptP99: Spread; acceptedPerSecond: Spread; drainMs: Spread; resultP50: Spread }>;
}

export interface AcceptPathResult {
  durationMs: number;
  connections: number;
  rates: AcceptRateRuns[];
}

function figuresOf(runs: LoadOutcome[]): AcceptRateRuns['figures']['bare'] {
  return {
    acceptP50: spreadOf(runs, (o) => o.commands.acceptLatency.p50),
    acceptP99: spreadOf(runs, (o) => o.commands.acceptLatency.p99),
    acceptedPerSecond: spreadOf(runs, (o) => o.acceptedPerSecond),
    drainMs: spreadOf(runs, (o) => o.drainMs),
    resultP50: spreadOf(runs, (o) => o.commands.resultLatency.p50),
  };
}

export async function runAcceptPath(ctx: ScenarioContext, options: { rates: number[]; reps: number; repeatAt: number; durationMs: number; connections: number }): Promise<AcceptPathResult> {
  const rates: AcceptRateRuns[] = [];
  for (const rate of options.rates) {
    const bare: LoadOutcome[] = [];
    const switchyard: LoadOutcome[] = [];
    for (let rep = 0; rep < (rate === options.repeatAt ? options.reps : 1); rep++) {
      // Grace: 10 s without an answer (60 s at most) — a 10k/s backlog takes a while to drain, and what drains is not lost.
      const common = { mode: 'open' as const, rate, durationMs: options.durationMs, connections: options.connections, graceMs: 10_000, workload: { kind: 'noop' as const, entities: 1000 } };
      bare.push(await runLoad(ctx, { ...common, target: 'bare', label: `accept floor ${rate}/s #${rep + 1}` }));
      switchyard.push(await runLoad(ctx, { ...common, target: 'switchyard', label: `accept switchyard ${rate}/s #${rep + 1}` }));
    }
    rates.push({ rate, bare, switchyard, figures: { bare: figuresOf(bare), switchyard: figuresOf(switchyard) } });
  }
  return { durationMs: options.durationMs, connections: options.connections, rates };
}
