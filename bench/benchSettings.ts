/**
 * The settings of a bench run: the default run (every scenario, sized to
 * take about ten minutes on a quiet 2-core machine), the `--quick` smoke run
 * (every scenario, tiny), and flags that override single values. Also the
 * run's expected duration, estimated from the settings (printed first, so
 * that whoever starts a run knows when it ends).
 */

import type { DesignKind } from './load/loadPlan.js';

export const SCENARIOS = ['floors', 'accept', 'steady', 'workflow', 'fanout', 'idle', 'churn', 'longwork'] as const;
export type Scenario = typeof SCENARIOS[number];
/** `longwork` (slowwork 200–2000 ms) is not in the default run: the workflow scenario covers long work. */
const DEFAULT_SCENARIOS: Scenario[] = ['floors', 'accept', 'steady', 'workflow', 'fanout', 'idle', 'churn'];

export interface BenchSettings {
  scenarios: Scenario[];
  quick: boolean;
  /** Repetitions of each headline figure. */
  reps: number;
  connections: number;
  threads?: number;
  gateways: number;
  workers: number;
  storeSeconds: number;
  acceptRates: number[];
  acceptMs: number;
  /** The accept rate repeated `reps` times (the budget's 5k/s); the others run once. */
  acceptRepeatAt: number;
  /** Ladder rates as fractions of the closed-loop saturation (bench/scenarios/steady.ts). */
  ladderFractions: number[];
  ladderMs: number;
  ladderBudgetMs: number;
  saturationMs: number;
  /** Entities of the hot-entity closed-loop saturation run (0: skip it). */
  hotEntities: number;
  /** The rate every design gets (and churn); at most half the closed-loop saturation unless set by flag. */
  comparisonRate: number;
  /** --comparison-rate was given as a number: use it as is. */
  comparisonRateFixed: boolean;
  /** Designs the churn scenario runs (switchyard always). */
  churnDesigns: DesignKind[];
  comparisonMs: number;
  workflowMs: number;
  subscribers: number;
  fanoutDeliveriesPerSecond: number;
  fanoutSenderMs: number;
  idleSockets: number;
  churnMs: number;
  churnIntervalMs: number;
  longRate: number;
  longMs: number;
  out?: string;
  machineNote: string;
}

const DESIGNS: DesignKind[] = ['switchyard', 'sync', 'socketio'];
/** `--comparison-rate half`: no cap of its own, so the comparison runs at half the closed-loop saturation. */
const HALF_SATURATION = 100_000;

type Sized = Omit<BenchSettings, 'scenarios' | 'quick' | 'machineNote' | 'comparisonRateFixed' | 'churnDesigns'>;

const DEFAULTS: Sized = {
  reps: 3, connections: 20, gateways: 2, workers: 2, storeSeconds: 1.5,
  acceptRates: [1000, 5000, 10000], acceptMs: 4000, acceptRepeatAt: 5000,
  ladderFractions: [0.5, 0.8, 1, 1.25, 1.6, 2], ladderMs: 20_000, ladderBudgetMs: 100_000,
  saturationMs: 20_000, hotEntities: 20, comparisonRate: 50, comparisonMs: 7000,
  workflowMs: 6000,
  subscribers: 1000, fanoutDeliveriesPerSecond: 50_000, fanoutSenderMs: 4000,
  idleSockets: 15_000,
  churnMs: 20_000, churnIntervalMs: 4000,
  longRate: 20, longMs: 5000,
};

const QUICK: Sized = {
  reps: 1, connections: 8, gateways: 2, workers: 2, storeSeconds: 1,
  acceptRates: [200, 500], acceptMs: 2000, acceptRepeatAt: 500,
  ladderFractions: [0.5, 1.25], ladderMs: 2000, ladderBudgetMs: 4000,
  saturationMs: 2000, hotEntities: 20, comparisonRate: 20, comparisonMs: 2000,
  workflowMs: 3000,
  subscribers: 40, fanoutDeliveriesPerSecond: 400, fanoutSenderMs: 2000,
  idleSockets: 300,
  churnMs: 9000, churnIntervalMs: 3000,
  longRate: 10, longMs: 2000,
};

export const BENCH_HELP = `usage: npm run bench -- [flags]
  --quick                    every scenario, tiny (a smoke run, about five minutes); default: the full run (about twelve minutes; the estimate is printed first)
  --scenario <list>          comma-separated: ${SCENARIOS.join(',')} (default: all but longwork)
  --reps <n>                 repetitions of each headline figure (default ${DEFAULTS.reps}; --quick 1)
  --connections <n>          client connections per command load (default ${DEFAULTS.connections})
  --threads <n>              load-generator threads (default: cores, 1..4)
  --gateways <n>, --workers <n>   per design at start (default ${DEFAULTS.gateways}, ${DEFAULTS.workers})
  --store-seconds <s>        seconds per store-floor measurement (default ${DEFAULTS.storeSeconds})
  --accept-rates <list>      accept path: offered commands/s (default ${DEFAULTS.acceptRates.join(',')}); --accept-seconds <s> per run (default ${DEFAULTS.acceptMs / 1000})
  --ladder-fractions <list>  steady ladder rates as fractions of the closed-loop saturation, rising (default ${DEFAULTS.ladderFractions.join(',')}); --ladder-seconds <s> per rate (default ${DEFAULTS.ladderMs / 1000});
                             --ladder-budget <s>: no higher rate starts after this long (default ${DEFAULTS.ladderBudgetMs / 1000})
  --saturation-seconds <s>   closed-loop saturation run (default ${DEFAULTS.saturationMs / 1000})
  --hot-entities <n>         entities of the extra hot-entity saturation run, 0 to skip (default ${DEFAULTS.hotEntities})
  --comparison-rate <n|half> the rate every design gets, also the churn rate (default: ${DEFAULTS.comparisonRate}, or half the closed-loop saturation when that is lower;
                             half: half the closed-loop saturation measured in this run); --comparison-seconds <s> (default ${DEFAULTS.comparisonMs / 1000})
  --workflow-seconds <s>     per design and rate of the checkout workflow (default ${DEFAULTS.workflowMs / 1000})
  --subscribers <n>          fan-out room size (default ${DEFAULTS.subscribers}); --fanout-deliveries <n>/s offered (default ${DEFAULTS.fanoutDeliveriesPerSecond}); --fanout-seconds <s> per repetition (default ${DEFAULTS.fanoutSenderMs / 1000})
  --idle-sockets <n>         idle sockets per design (default ${DEFAULTS.idleSockets}; this machine's fd limit is 20,000)
  --minutes <m>              churn per design (default ${DEFAULTS.churnMs / 60_000}); --churn-interval <s> between changes (default ${DEFAULTS.churnIntervalMs / 1000})
  --churn-designs <list>     designs the churn scenario runs: ${DESIGNS.join(',')} (default all; switchyard always runs)
  --long-rate <n>, --long-seconds <s>   the longwork scenario (slowwork 200–2000 ms)
  --out <dir>                report directory (default bench/reports/<timestamp>)
  --machine-note <text>      said in the report about the machine (default: "measured while the machine was shared")`;

type Flags = Record<string, string | boolean | undefined>;

function num(flags: Flags, name: string, fallback: number, min: number, max: number, scale = 1): number {
  const raw = flags[name];
  if (raw === undefined) return fallback * scale;
  const n = Number(raw);
  if (!(Number.isFinite(n) && n >= min && n <= max)) throw new Error(`--${name} must be a number from ${min} to ${max} (got ${String(raw)})`);
  return n * scale;
}

function list(flags: Flags, name: string, fallback: number[], min: number, max: number): number[] {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  return String(raw).split(',').map((r) => num({ [name]: r }, name, 0, min, max));
}

export function benchSettings(flags: Flags): BenchSettings {
  const quick = flags.quick === true;
  const d = quick ? QUICK : DEFAULTS;
  const scenarios = flags.scenario === undefined ? DEFAULT_SCENARIOS : String(flags.scenario).split(',').map((x) => x.trim()) as Scenario[];
  for (const x of scenarios) if (!SCENARIOS.includes(x)) throw new Error(`unknown scenario ${x}`);
  const acceptRates = list(flags, 'accept-rates', d.acceptRates, 1, 100_000);
  const half = flags['comparison-rate'] === 'half';
  const churnDesigns = flags['churn-designs'] === undefined ? DESIGNS : ['switchyard' as const, ...String(flags['churn-designs']).split(',').map((x) => x.trim()).filter((x) => x !== 'switchyard')] as DesignKind[];
  for (const x of churnDesigns) if (!DESIGNS.includes(x)) throw new Error(`--churn-designs: unknown design ${x} (one of ${DESIGNS.join(', ')})`);
  return {
    scenarios, quick,
    reps: num(flags, 'reps', d.reps, 1, 20),
    connections: num(flags, 'connections', d.connections, 1, 5000),
    ...(flags.threads !== undefined ? { threads: num(flags, 'threads', 0, 1, 16) } : {}),
    gateways: num(flags, 'gateways', d.gateways, 1, 16),
    workers: num(flags, 'workers', d.workers, 1, 16),
    storeSeconds: num(flags, 'store-seconds', d.storeSeconds, 0.5, 120),
    acceptRates,
    acceptMs: num(flags, 'accept-seconds', d.acceptMs / 1000, 1, 600, 1000),
    acceptRepeatAt: acceptRates.includes(5000) ? 5000 : acceptRates[acceptRates.length - 1]!,
    ladderFractions: list(flags, 'ladder-fractions', d.ladderFractions, 0.01, 100),
    ladderMs: num(flags, 'ladder-seconds', d.ladderMs / 1000, 1, 600, 1000),
    ladderBudgetMs: num(flags, 'ladder-budget', d.ladderBudgetMs / 1000, 1, 3600, 1000),
    saturationMs: num(flags, 'saturation-seconds', d.saturationMs / 1000, 1, 600, 1000),
    hotEntities: num(flags, 'hot-entities', d.hotEntities, 0, 500),
    comparisonRate: half ? HALF_SATURATION : num(flags, 'comparison-rate', d.comparisonRate, 1, 100_000),
    comparisonRateFixed: flags['comparison-rate'] !== undefined && !half,
    comparisonMs: num(flags, 'comparison-seconds', d.comparisonMs / 1000, 1, 600, 1000),
    workflowMs: num(flags, 'workflow-seconds', d.workflowMs / 1000, 1, 600, 1000),
    subscribers: num(flags, 'subscribers', d.subscribers, 1, 18_000),
    fanoutDeliveriesPerSecond: num(flags, 'fanout-deliveries', d.fanoutDeliveriesPerSecond, 1, 10_000_000),
    fanoutSenderMs: num(flags, 'fanout-seconds', d.fanoutSenderMs / 1000, 1, 600, 1000),
    idleSockets: num(flags, 'idle-sockets', d.idleSockets, 1, 500_000),
    churnMs: num(flags, 'minutes', d.churnMs / 60_000, 0.1, 120, 60_000),
    churnIntervalMs: num(flags, 'churn-interval', d.churnIntervalMs / 1000, 1, 600, 1000),
    churnDesigns,
    longRate: num(flags, 'long-rate', d.longRate, 1, 10_000),
    longMs: num(flags, 'long-seconds', d.longMs / 1000, 1, 600, 1000),
    ...(typeof flags.out === 'string' ? { out: flags.out } : {}),
    machineNote: typeof flags['machine-note'] === 'string' ? flags['machine-note'] : 'Measured while the machine was shared with other work: figures are noisy.',
  };
}

/** The warm-up's length: half a saturation run, at most 10 s. */
export function warmUpMs(saturationMs: number): number {
  return Math.min(10_000, saturationMs / 2);
}

/**
 * Expected wall time of a run from its settings: each load's schedule plus
 * its fixed costs (connecting, the grace wait, a saturated step's drain),
 * measured on this machine. An estimate for planning, not a figure.
 */
export function estimatedSeconds(s: BenchSettings): number {
  const run = (ms: number, overhead = 3) => ms / 1000 + overhead;
  const parts: Record<Scenario, number> = {
    floors: 20 + s.reps * (4 * s.storeSeconds + 3),
    accept: s.acceptRates.reduce((t, rate) => t + (rate === s.acceptRepeatAt ? s.reps : 1) * 2 * run(s.acceptMs, 4), 0),
    steady: Math.min(s.ladderFractions.length * run(s.ladderMs), s.ladderBudgetMs / 1000 + run(s.ladderMs, 15))
      + run(warmUpMs(s.saturationMs), 6) + (s.reps + (s.hotEntities > 0 ? 1 : 0)) * run(s.saturationMs, 6) + s.reps * 4 * run(s.comparisonMs),
    workflow: run(s.workflowMs, 12) + 6 * run(s.workflowMs, 6),
    fanout: 2 * (8 + s.subscribers / 200 + s.reps * run(s.fanoutSenderMs, 3.5)),
    idle: 3 * (10 + s.idleSockets / 600),
    churn: s.churnDesigns.length * run(s.churnMs, 8),
    longwork: 3 * run(s.longMs, 5),
  };
  return 25 + s.scenarios.reduce((t, x) => t + parts[x], 0);
}
