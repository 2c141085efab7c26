/**
 * `npm run bench`: starts the local cluster, the baselines and the floors on
 * this machine, runs every scenario (about ten minutes on a quiet 2-core
 * machine; the expected duration is printed first), prints progress, and
 * writes JSON + Markdown + SVG charts into bench/reports/<timestamp>/.
 *   npm run bench -- --quick                  # a smoke run of every scenario, about five minutes
 *   npm run bench -- --scenario churn --minutes 5
 * `npm run bench -- --help` lists every flag.
 */
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileSources } from '../deploy/local/compiledSources.js';
import { startBenchEnvironment } from './benchEnvironment.js';
import { measureFloors } from './scenarios/floors.js';
import { measureStoreFloorRuns } from './scenarios/storeFloorRuns.js';
import { runAcceptPath } from './scenarios/acceptPath.js';
import { runSteady } from './scenarios/steady.js';
import { runWorkflow } from './scenarios/workflow.js';
import { runFanoutScenario } from './scenarios/fanout.js';
import { runLongWork } from './scenarios/longWork.js';
import { runChurnScenario } from './scenarios/churn.js';
import { runIdleScenario } from './scenarios/idle.js';
import { budgetTable, comparisonRows, type BenchReport } from './report/benchReport.js';
import { writeReport } from './report/writeReport.js';
import { benchSettings, estimatedSeconds, BENCH_HELP, SCENARIOS } from './benchSettings.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' }, quick: { type: 'boolean', default: false }, reps: { type: 'string' },
    connections: { type: 'string' }, threads: { type: 'string' }, gateways: { type: 'string' }, workers: { type: 'string' },
    'accept-rates': { type: 'string' }, 'accept-seconds': { type: 'string' },
    'ladder-fractions': { type: 'string' }, 'ladder-seconds': { type: 'string' }, 'ladder-budget': { type: 'string' },
    'saturation-seconds': { type: 'string' }, 'comparison-rate': { type: 'string' }, 'comparison-seconds': { type: 'string' },
    'workflow-seconds': { type: 'string' }, 'store-seconds': { type: 'string' },
    subscribers: { type: 'string' }, 'fanout-deliveries': { type: 'string' }, 'fanout-seconds': { type: 'string' },
    'idle-sockets': { type: 'string' }, 'hot-entities': { type: 'string' }, minutes: { type: 'string' }, 'churn-interval': { type: 'string' }, 'churn-designs': { type: 'string' },
    'long-rate': { type: 'string' }, 'long-seconds': { type: 'string' },
    out: { type: 'string' }, 'machine-note': { type: 'string' }, help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`${BENCH_HELP}\n`);
  process.exit(0);
}
let settings: ReturnType<typeof benchSettings>;
try {
  settings = benchSettings(values);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${BENCH_HELP}\n`);
  process.exit(2);
}
const scenarios = settings.scenarios;
const started = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const here = dirname(fileURLToPath(import.meta.url));
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const outDir = settings.out ?? join(here, 'reports', stamp);
const expected = estimatedSeconds(settings);
say(`${settings.quick ? 'quick run' : 'full run'}: ${scenarios.join(', ')}; ${settings.reps} repetition(s) of each headline figure; expected about ${Math.ceil(expected / 60)} min (${Math.round(expected)} s)`);

// Gateways, workers and the baselines run as bundles of their entry points, not through tsx: production
// runs compiled JavaScript (deploy/Dockerfile), and a start under tsx costs 4–5 CPU-seconds against
// 0.6–1.0 for a bundle (measured here), which on 2 cores made every process added during the churn
// scenario a few seconds of queueing for everything else. (Inside the test suite the bundles exist already.)
if (!process.env.SY_COMPILED_DIR) {
  const root = join(here, '..');
  const compiledDir = join(root, '.tmp', 'bench-compiled');
  const bundled = await compileSources(root, compiledDir);
  process.env.SY_COMPILED_DIR = compiledDir;
  say(`gateways, workers and baselines run from ${relative(root, compiledDir)} (${bundled} entry points bundled)`);
}

const env = await startBenchEnvironment({ short: settings.quick, gateways: settings.gateways, workers: settings.workers, say, ...(settings.threads ? { threads: settings.threads } : {}) });
let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  say('stopping every process…');
  await env.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));

const partial: Omit<BenchReport, 'budget' | 'comparisons'> = {
  startedAt: new Date(started).toISOString(),
  finishedAt: '',
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: {
    cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version, os: `${platform()} ${release()}`, loadAverageAtStart: loadavg()[0] ?? 0, note: settings.machineNote,
  },
  settings: { ...settings, threads: env.ctx.threads, expectedSeconds: Math.round(expected) },
  skipped: {},
};

/** Runs one scenario with a progress line at its start and end. */
async function scenario<T>(name: string, run: () => Promise<T>): Promise<T> {
  const t = Date.now();
  say(`── ${name} ──`);
  const out = await run();
  say(`── ${name}: done in ${((Date.now() - t) / 1000).toFixed(0)} s ──`);
  return out;
}

try {
  const ctx = env.ctx;
  const s = settings;
  const { reps, connections } = s;
  if (scenarios.includes('floors')) {
    partial.floors = await scenario('floors (in process)', () => measureFloors(ctx));
    partial.storeFloor = await scenario('store floor', () => measureStoreFloorRuns(ctx, { reps, seconds: s.storeSeconds }));
    if (partial.storeFloor.status === 'skipped') partial.skipped['store floor'] = partial.storeFloor.reason ?? '';
  }
  if (scenarios.includes('accept')) {
    partial.accept = await scenario('accept path at rate', () => runAcceptPath(ctx, { rates: s.acceptRates, reps, repeatAt: s.acceptRepeatAt, durationMs: s.acceptMs, connections: Math.max(connections, 40) }));
  }
  if (scenarios.includes('steady')) {
    partial.steady = await scenario('steady', () => runSteady(ctx, {
      ladderFractions: s.ladderFractions, ladderMs: s.ladderMs, ladderBudgetMs: s.ladderBudgetMs, saturationMs: s.saturationMs, concurrency: 8, hotEntities: s.hotEntities,
      comparisonRate: s.comparisonRate, comparisonRateFixed: s.comparisonRateFixed, comparisonMs: s.comparisonMs, reps, connections,
    }));
  }
  if (scenarios.includes('workflow')) {
    partial.workflow = await scenario('checkout workflow', () => runWorkflow(ctx, { factors: [1, 2], durationMs: s.workflowMs, capacityMs: s.workflowMs, connections }));
  }
  if (scenarios.includes('fanout')) {
    partial.fanout = await scenario('fan-out', () => runFanoutScenario(ctx, { subscribers: s.subscribers, deliveriesPerSecond: s.fanoutDeliveriesPerSecond, senderMs: s.fanoutSenderMs, reps }));
    if (partial.fanout.switchyard.status === 'skipped') partial.skipped['fan-out (switchyard)'] = partial.fanout.switchyard.reason ?? '';
  }
  if (scenarios.includes('idle')) partial.idle = await scenario('idle sockets', () => runIdleScenario(ctx, { sockets: s.idleSockets, reps }));
  if (scenarios.includes('longwork')) partial.longWork = await scenario('long work', () => runLongWork(ctx, { rate: s.longRate, durationMs: s.longMs, connections }));
  if (scenarios.includes('churn')) {
    partial.churn = await scenario('churn', () => runChurnScenario(ctx, { rate: partial.steady?.comparisonRate ?? s.comparisonRate, durationMs: s.churnMs, intervalMs: s.churnIntervalMs, connections, designs: s.churnDesigns }));
  }
  for (const x of SCENARIOS) if (!scenarios.includes(x)) partial.skipped[x] = 'not selected (--scenario)';
  partial.finishedAt = new Date().toISOString();
  const report: BenchReport = { ...partial, budget: budgetTable(partial), comparisons: comparisonRows(partial) };
  const written = await writeReport(outDir, report);
  say(`report: ${relative(process.cwd(), join(written.dir, 'report.md'))} (+ report.json, ${written.charts.length} charts)`);
  for (const b of report.budget) say(`  ${b.verdict.padEnd(12)} ${b.figure}: target ${b.target}, measured ${b.measured}`);
  await stopAll(0);
} catch (err) {
  say(`bench failed: ${(err as Error).stack ?? String(err)}`);
  await stopAll(1);
}
