/**
 * `npm run bench`: starts the local cluster and the baselines on this
 * machine, runs the scenarios (short versions by default, well under two
 * minutes), prints progress, and writes JSON + Markdown + SVG charts into
 * bench/reports/<timestamp>/. Longer runs by flags, e.g.
 *   npm run bench -- --scenario churn --minutes 5
 *   npm run bench -- --scenario steady --rates 500,1000,2000,5000 --duration 30
 * `npm run bench -- --help` lists every flag.
 */
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchEnvironment } from './benchEnvironment.js';
import { measureFloors } from './scenarios/floors.js';
import { runSteady } from './scenarios/steady.js';
import { runFanoutScenario } from './scenarios/fanout.js';
import { runLongWork } from './scenarios/longWork.js';
import { runChurnScenario } from './scenarios/churn.js';
import { runIdleScenario } from './scenarios/idle.js';
import { budgetTable, comparisonRows, type BenchReport } from './report/benchReport.js';
import { writeReport } from './report/writeReport.js';

const SCENARIOS = ['floors', 'steady', 'longwork', 'fanout', 'idle', 'churn'] as const;
type Scenario = typeof SCENARIOS[number];

const HELP = `usage: npm run bench -- [flags]
  --scenario <list>      comma-separated: ${SCENARIOS.join(',')} (default: all, short versions)
  --duration <s>         seconds per load run in steady and long-work (default 2)
  --rates <list>         steady open-loop rates, commands/s (default 40,120)
  --connections <n>      client connections per load run (default 20)
  --minutes <m>          churn duration in minutes (default 0.15)
  --churn-interval <s>   seconds between two scaling events (default: duration / 24, at least 3)
  --churn-rate <n>       commands/s during churn (default: the first steady rate)
  --long-rate <n>        commands/s of long work (default 20)
  --subscribers <n>      fan-out subscribers (default 40)
  --idle-sockets <n>     idle sockets per design (default 500)
  --gateways <n>         gateways per design at start (default 2)
  --workers <n>          workers per design at start (default 2)
  --threads <n>          load-generator threads (default: cores, 1..4)
  --out <dir>            report directory (default bench/reports/<timestamp>)
  --machine-note <text>  said in the report about the machine (default: "measured while the machine was shared")`;

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: SCENARIOS.join(',') },
    duration: { type: 'string', default: '2' },
    rates: { type: 'string', default: '40,120' },
    connections: { type: 'string', default: '20' },
    minutes: { type: 'string', default: '0.15' },
    'churn-interval': { type: 'string' },
    'churn-rate': { type: 'string' },
    'long-rate': { type: 'string', default: '20' },
    subscribers: { type: 'string', default: '40' },
    'idle-sockets': { type: 'string', default: '500' },
    gateways: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    threads: { type: 'string' },
    out: { type: 'string' },
    'machine-note': { type: 'string', default: 'Measured while the machine was shared with other work: figures are noisy.' },
    help: { type: 'boolean', default: false },
  },
});

function num(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= min && n <= max)) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max} (got ${value})\n${HELP}\n`);
    process.exit(2);
  }
  return n;
}

if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const scenarios = values.scenario!.split(',').map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) { process.stderr.write(`unknown scenario ${s}\n${HELP}\n`); process.exit(2); }
const durationMs = num('duration', values.duration, 1, 3600) * 1000;
const rates = values.rates!.split(',').map((r) => num('rates', r, 1, 100_000));
const connections = num('connections', values.connections, 1, 5000);
const churnMs = num('minutes', values.minutes, 0.1, 120) * 60_000;
const churnIntervalMs = values['churn-interval'] ? num('churn-interval', values['churn-interval'], 1, 600) * 1000 : Math.max(3000, Math.floor(churnMs / 24));
const churnRate = values['churn-rate'] ? num('churn-rate', values['churn-rate'], 1, 100_000) : rates[0]!;
const longRate = num('long-rate', values['long-rate'], 1, 10_000);
const subscribers = num('subscribers', values.subscribers, 1, 50_000);
const idleSockets = num('idle-sockets', values['idle-sockets'], 1, 500_000);
const gateways = num('gateways', values.gateways, 1, 16);
const workers = num('workers', values.workers, 1, 16);
const short = durationMs <= 5000 && churnMs <= 60_000;

const started = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const here = dirname(fileURLToPath(import.meta.url));
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const outDir = values.out ?? join(here, 'reports', stamp);

const env = await startBenchEnvironment({ short, gateways, workers, say, ...(values.threads ? { threads: num('threads', values.threads, 1, 16) } : {}) });
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
    node: process.version, os: `${platform()} ${release()}`, loadAverageAtStart: loadavg()[0] ?? 0, note: values['machine-note']!,
  },
  settings: { scenarios, durationMs, rates, connections, churnMs, churnIntervalMs, churnRate, longRate, subscribers, idleSockets, gateways, workers, threads: env.ctx.threads },
  skipped: {},
};

try {
  const ctx = env.ctx;
  if (scenarios.includes('floors')) partial.floors = await measureFloors(ctx);
  if (scenarios.includes('steady')) partial.steady = await runSteady(ctx, { rates, durationMs, connections });
  if (scenarios.includes('longwork')) partial.longWork = await runLongWork(ctx, { rate: longRate, durationMs, connections });
  if (scenarios.includes('fanout')) {
    partial.fanout = await runFanoutScenario(ctx, { subscribers, rate: 20, durationMs });
    if (partial.fanout.switchyard.status === 'skipped') partial.skipped['fan-out (switchyard)'] = partial.fanout.switchyard.reason ?? '';
  }
  if (scenarios.includes('idle')) partial.idle = await runIdleScenario(ctx, { sockets: idleSockets });
  if (scenarios.includes('churn')) partial.churn = await runChurnScenario(ctx, { rate: churnRate, durationMs: churnMs, intervalMs: churnIntervalMs, connections });
  for (const s of SCENARIOS) if (!scenarios.includes(s)) partial.skipped[s] = 'not selected (--scenario)';
  partial.finishedAt = new Date().toISOString();
  const report: BenchReport = { ...partial, budget: budgetTable(partial), comparisons: comparisonRows(partial) };
  const written = await writeReport(outDir, report);
  say(`report: ${relative(process.cwd(), join(written.dir, 'report.md'))} (+ report.json, ${written.charts.length} charts)`);
  for (const b of report.budget) say(`  ${b.verdict.padEnd(12)} ${b.figure}: target ${b.target}, measured ${b.measured}`);
  for (const c of report.comparisons) {
    say(`  ${c.scenario} ${c.design}: accept p50 ${c.acceptP50.toFixed(2)} ms, result p50 ${c.resultP50.toFixed(2)} ms; switchyard ÷ ${c.design}: accept ${c.acceptRatio.toFixed(3)}, result ${c.resultRatio.toFixed(3)}`);
  }
  await stopAll(0);
} catch (err) {
  say(`bench failed: ${(err as Error).stack ?? String(err)}`);
  await stopAll(1);
}
