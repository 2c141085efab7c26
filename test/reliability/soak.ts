/**
 * `npm run soak [-- --minutes 30] [--churn-every 60] [--out DIR]`: a long run
 * at half the saturation with churn, that fails on a leak.
 *
 * A LocalCluster (2 gateways and 2 workers behind HAProxy) first has its
 * saturation S measured (faultLoad.ts calibrate), then takes S / 2 open loop
 * from 32 SDK clients for the whole run. Every `--churn-every` seconds one
 * change, on an extra member so the base members live through the whole run:
 * add a gateway, drain it; add a worker, SIGKILL it; add a gateway, SIGKILL
 * it; add a worker, drain it; and again. Every 10 s it samples the RSS of
 * every process (/proc), the V8 heap of the gateways and workers (their
 * /metrics) and the JetStream streams' sizes. Pushes are retained 5 minutes
 * instead of an hour, so the OUT stream is at its steady size before the
 * leak window starts.
 *
 * Verdict (exit 1 when any fails): lost 0 and duplicates 0 (faultRunner.ts
 * accounting); no process alive through the last 20 minutes (the last two
 * thirds of a shorter run) grew its RSS by more than 10 % over them, by the
 * least-squares line through its samples (so one late spike is not a leak,
 * a steady climb is). Writes report.md and samples.json to the out directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../../protocol/index.js';
import { LocalCluster, type ClusterMember } from '../../deploy/local/cluster.js';
import { readProcStat } from '../../bench/process/processSampler.js';
import { processMetric } from '../harness/commandDriver.js';
import { runFault, sleep, type FaultOutcome } from './faultRunner.js';
import { FAULT_ENV, calibrate, loadFor } from './faultLoad.js';

const SAMPLE_MS = 10_000;
/** Longest window the leak check looks at, and the growth it allows over it. */
const LEAK_WINDOW_MS = 20 * 60_000;
const LEAK_LIMIT = 0.10;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, 'churn-every': { type: 'string', default: '60' }, out: { type: 'string' } } });
const minutes = Number(values.minutes);
const churnEveryS = Number(values['churn-every']);
if (!(minutes >= 1 && minutes <= 24 * 60) || !(churnEveryS >= 5 && churnEveryS <= 3600)) {
  process.stderr.write('usage: npm run soak -- [--minutes 1..1440] [--churn-every 5..3600 seconds] [--out DIR]\n');
  process.exit(2);
}
if (process.env.SY_FAULT_LOAD !== 'half') {
  // The load shape is faultLoad.ts's half-saturation one; the module reads this when it loads.
  process.stderr.write('run through `npm run soak` (it sets SY_FAULT_LOAD=half)\n');
  process.exit(2);
}
const startedAt = new Date();
const outDir = values.out ?? join(process.cwd(), '.tmp', 'soak', startedAt.toISOString().replace(/[:.]/g, '-'));
const say = (line: string) => process.stdout.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);

interface Sample {
  at: number;
  /** Process name → RSS bytes. */
  rss: Record<string, number>;
  /** Gateway / worker name → V8 heap used, bytes. */
  heap: Record<string, number>;
  streams: Record<string, { messages: number; bytes: number }>;
}

say(`starting a cluster (2 gateways, 2 workers, HAProxy); ${minutes} min at half its saturation, a change every ${churnEveryS} s`);
// Pushes are kept 5 minutes (SY_OUT_MAX_AGE_S; the default is an hour): the OUT stream reaches its steady size
// well before the leak window, so a server growing with it is not taken for a leak (nor one leaking for retention).
const OUT_RETENTION_S = 300;
const cluster = await LocalCluster.start({ gateways: 2, workers: 2, env: { ...FAULT_ENV, SY_LOG_LEVEL: 'warn', SY_OUT_MAX_AGE_S: String(OUT_RETENTION_S) } });
const mongo = await MongoClient.connect(cluster.servers.env.MONGODB_URI);
const nc = await connect({ servers: cluster.servers.env.NATS_URL });
const samples: Sample[] = [];
const changes: Array<{ at: number; what: string }> = [];
let outcome: FaultOutcome | undefined;
try {
  say('measuring the saturation (closed loop, 32 clients × 8 outstanding, the better of two 5 s windows)…');
  await calibrate(cluster);
  const load = await loadFor(cluster, 'soak');
  say(`load: ${load.ratePerSecond}/s open loop from 32 clients (${load.note})`);
  const base: ClusterMember[] = [...cluster.gateways, ...cluster.workers];
  const servers = { 'nats-server': cluster.servers.nats.pid, 'redis-server': cluster.servers.redis.pid, mongowire: cluster.servers.mongo.pid, haproxy: cluster.loadBalancer.pid };
  const jsm = await jetstreamManager(nc);

  const sample = async (): Promise<void> => {
    const rss: Record<string, number> = {};
    const heap: Record<string, number> = {};
    for (const [name, pid] of Object.entries(servers)) {
      const stat = pid === undefined ? undefined : readProcStat(pid);
      if (stat) rss[name] = stat.rssBytes;
    }
    for (const member of base) {
      const stat = member.pid === undefined ? undefined : readProcStat(member.pid);
      if (stat) rss[member.name] = stat.rssBytes;
      const used = await processMetric(member.port, 'nodejs_heap_size_used_bytes').catch(() => undefined);
      if (used !== undefined) heap[member.name] = used;
    }
    const streams: Sample['streams'] = {};
    for (const stream of [STREAMS.commands, STREAMS.pushes]) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      if (info) streams[stream] = { messages: info.state.messages, bytes: info.state.bytes };
    }
    samples.push({ at: Date.now(), rss, heap, streams });
  };

  /** The changes, in turn; each gets the extra member the one before it added, and returns the one it adds. */
  const plan: Array<{ what: string; run: (extra: ClusterMember | undefined) => Promise<ClusterMember | undefined> }> = [
    { what: 'add gateway', run: async () => cluster.addGateway() },
    { what: 'drain gateway', run: async (m) => { await cluster.drain(m!); return undefined; } },
    { what: 'add worker', run: async () => cluster.addWorker() },
    { what: 'SIGKILL worker', run: async (m) => { await cluster.kill(m!); return undefined; } },
    { what: 'add gateway', run: async () => cluster.addGateway() },
    { what: 'SIGKILL gateway', run: async (m) => { await cluster.kill(m!); return undefined; } },
    { what: 'add worker', run: async () => cluster.addWorker() },
    { what: 'drain worker', run: async (m) => { await cluster.drain(m!); return undefined; } },
  ];

  outcome = await runFault({
    name: `soak: ${minutes} min, a change every ${churnEveryS} s`,
    load,
    phases: { warmupMs: 1000, loadSeconds: 1, settleMs: 90_000 },
    db: mongo.db('switchyard'),
    inject: async () => {
      const end = Date.now() + minutes * 60_000;
      let nextChange = Date.now() + churnEveryS * 1000;
      let extra: ClusterMember | undefined;
      let step = 0;
      await sample();
      while (Date.now() < end) {
        await sleep(Math.max(0, Math.min(SAMPLE_MS - (Date.now() - samples.at(-1)!.at), end - Date.now())));
        if (Date.now() >= nextChange && Date.now() < end) {
          const change = plan[step++ % plan.length]!;
          extra = await change.run(extra);
          changes.push({ at: Date.now(), what: change.what });
          nextChange += churnEveryS * 1000;
        }
        if (Date.now() - samples.at(-1)!.at >= SAMPLE_MS) {
          await sample();
          const last = samples.at(-1)!;
          say(`${((last.at - startedAt.getTime()) / 60_000).toFixed(1)} min: ${changes.length} changes; RSS MiB ${Object.entries(last.rss).map(([n, b]) => `${n} ${(b / 2 ** 20).toFixed(0)}`).join(', ')}; CMD ${last.streams[STREAMS.commands]?.messages ?? '?'} msgs, OUT ${last.streams[STREAMS.pushes]?.messages ?? '?'} msgs`);
        }
      }
      if (extra) await cluster.drain(extra);
    },
  });
} finally {
  await nc.close().catch(() => {});
  await mongo.close().catch(() => {});
  await cluster.stop();
}

const verdict = leakVerdict(samples);
const failures = [
  ...(outcome!.lost > 0 ? [`lost ${outcome!.lost}`] : []),
  ...(outcome!.duplicates > 0 ? [`duplicates ${outcome!.duplicates}`] : []),
  ...(outcome!.unsettled > 0 ? [`${outcome!.unsettled} never accepted`] : []),
  ...verdict.filter((v) => v.leak).map((v) => `${v.name} RSS grew ${(100 * v.growth).toFixed(1)} % over the last ${(v.windowMs / 60_000).toFixed(1)} min`),
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'samples.json'), `${JSON.stringify({ samples, changes, outcome }, null, 1)}\n`);
writeFileSync(join(outDir, 'report.md'), report(outcome!, verdict, failures));
say(`${failures.length === 0 ? 'PASSED' : `FAILED: ${failures.join('; ')}`} — report: ${join(outDir, 'report.md')}`);
process.exit(failures.length === 0 ? 0 : 1);

interface ProcessVerdict { name: string; windowMs: number; first: number; last: number; growth: number; leak: boolean }

/** Per process alive through the window: the RSS growth over it by the least-squares line through its samples. */
function leakVerdict(all: Sample[]): ProcessVerdict[] {
  if (all.length < 3) return [];
  const runMs = all.at(-1)!.at - all[0]!.at;
  const windowMs = Math.min(LEAK_WINDOW_MS, (runMs * 2) / 3);
  const inWindow = all.filter((s) => s.at >= all.at(-1)!.at - windowMs);
  const names = Object.keys(inWindow[0]!.rss).filter((n) => inWindow.every((s) => s.rss[n] !== undefined));
  return names.map((name) => {
    const xs = inWindow.map((s) => s.at);
    const ys = inWindow.map((s) => s.rss[name]!);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    const fittedStart = my + slope * (xs[0]! - mx);
    const growth = (slope * (xs.at(-1)! - xs[0]!)) / fittedStart;
    return { name, windowMs, first: ys[0]!, last: ys.at(-1)!, growth, leak: growth > LEAK_LIMIT };
  });
}

function report(o: FaultOutcome, verdicts: ProcessVerdict[], failed: string[]): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const lines = [
    `# Soak — ${startedAt.toISOString()}`,
    '',
    `Command: \`npm run soak -- --minutes ${minutes} --churn-every ${churnEveryS}\`. Verdict: **${failed.length === 0 ? 'passed' : `failed: ${failed.join('; ')}`}**.`,
    '',
    `Load: ${o.load}. Sent ${o.sent}, accepted ${o.accepted}, answered ${o.answered}, **lost ${o.lost}**, **duplicates ${o.duplicates}**, result p99 ${o.resultP99AfterFaultMs ?? '—'} ms, longest stretch without a result ${o.longestResultGapMs} ms; clients saw: ${o.clientsSaw}.`,
    '',
    `Pushes retained ${OUT_RETENTION_S} s (SY_OUT_MAX_AGE_S), so the OUT stream is at its steady size before the leak window.`,
    '',
    `Changes (${changes.length}): ${changes.map((c) => `${((c.at - startedAt.getTime()) / 60_000).toFixed(1)} min ${c.what}`).join(', ')}.`,
    '',
    `## Memory: RSS growth over the last ${verdicts[0] ? (verdicts[0].windowMs / 60_000).toFixed(1) : '?'} min (least-squares line; a leak is > ${100 * LEAK_LIMIT} %)`,
    '',
    '| process | RSS MiB at the window start | at the end | growth | verdict |',
    '|---|---:|---:|---:|---|',
    ...verdicts.map((v) => `| ${v.name} | ${mib(v.first)} | ${mib(v.last)} | ${(100 * v.growth).toFixed(1)} % | ${v.leak ? '**leak**' : 'ok'} |`),
    '',
    '## Over time (every 5 minutes)',
    '',
    `| min | ${Object.keys(samples[0]?.rss ?? {}).map((n) => `${n} RSS MiB`).join(' | ')} | ${Object.keys(samples[0]?.heap ?? {}).map((n) => `${n} heap MiB`).join(' | ')} | CMD msgs | OUT msgs | OUT MiB |`,
    `|---:|${Object.keys(samples[0]?.rss ?? {}).map(() => '---:').join('|')}|${Object.keys(samples[0]?.heap ?? {}).map(() => '---:').join('|')}|---:|---:|---:|`,
  ];
  let nextAt = samples[0]?.at ?? 0;
  for (const s of samples) {
    if (s.at < nextAt && s !== samples.at(-1)) continue;
    nextAt = s.at + 5 * 60_000;
    lines.push(`| ${((s.at - startedAt.getTime()) / 60_000).toFixed(1)} | ${Object.keys(samples[0]!.rss).map((n) => (s.rss[n] === undefined ? '—' : mib(s.rss[n]!))).join(' | ')} | ${Object.keys(samples[0]!.heap).map((n) => (s.heap[n] === undefined ? '—' : mib(s.heap[n]!))).join(' | ')} | ${s.streams[STREAMS.commands]?.messages ?? '—'} | ${s.streams[STREAMS.pushes]?.messages ?? '—'} | ${s.streams[STREAMS.pushes] ? mib(s.streams[STREAMS.pushes]!.bytes) : '—'} |`);
  }
  return `${lines.join('\n')}\n`;
}
