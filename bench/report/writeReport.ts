/**
 * Writes a bench report into bench/reports/<timestamp>/: report.json (every
 * figure), report.md (tables, the budget as "target vs measured", ratios
 * against each baseline) and SVG charts of latency over time with the
 * churn events marked.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterEvent } from '../../deploy/local/cluster.js';
import type { LoadOutcome } from '../scenarios/scenarioContext.js';
import type { ProcessFigures } from '../process/processSampler.js';
import { lineChartSvg, type ChartMarker, type ChartSeries } from './svgLineChart.js';
import type { BenchReport } from './benchReport.js';

const f = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const COLORS = { switchyard: '#1f77b4', sync: '#d62728', socketio: '#2ca02c' } as const;

/** LoadOutcome without the raw per-thread records (which are large and already summarized). */
function compactOutcome(o: LoadOutcome): Omit<LoadOutcome, 'reports'> {
  const { reports: _reports, ...rest } = o;
  return rest;
}

function jsonReplacer(key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && 'reports' in value && 'commands' in value && 'origin' in value) return compactOutcome(value as LoadOutcome);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return key === 'eventLatencies' || key === 'eventTimes' ? undefined : value;
}

function churnMarkers(events: ClusterEvent[], origin: number): ChartMarker[] {
  const color = { add: '#2ca02c', drain: '#ff7f0e', kill: '#d62728', mark: '#777' } as const;
  return events.map((e) => ({
    x: (e.at - origin) / 1000,
    label: `${e.action === 'drain' ? 'SIGTERM' : e.action === 'kill' ? 'SIGKILL' : '+'} ${e.member ?? e.detail ?? ''}`,
    color: color[e.action],
  }));
}

function latencyChart(title: string, outcomes: LoadOutcome[], markers: ChartMarker[], what: Array<'accept' | 'result'>): string {
  const series: ChartSeries[] = [];
  for (const o of outcomes) {
    for (const w of what) {
      const s = w === 'accept' ? o.commands.acceptSeries : o.commands.resultSeries;
      if (w === 'accept' && o.target === 'sync') continue; // the same as its result latency
      series.push({ name: `${o.target} ${w} p50`, color: COLORS[o.target], dashed: w === 'accept', points: s.map((p) => ({ x: p.t, y: p.p50 })) });
      series.push({ name: `${o.target} ${w} p99`, color: COLORS[o.target], dashed: w === 'accept', points: s.map((p) => ({ x: p.t, y: p.p99 })) });
    }
  }
  return lineChartSvg({ title, xLabel: 'seconds since the start of the load (by intended send time)', yLabel: 'latency, ms', series, markers });
}

function processTable(processes: ProcessFigures[]): string[] {
  return [
    '| process | CPU s | cores | RSS MiB (end) | peak RSS MiB | alive at end |',
    '|---|---:|---:|---:|---:|---|',
    ...processes.map((p) => `| ${p.name} | ${f(p.cpuSeconds)} | ${f(p.cpuCores)} | ${f(p.rssMiB)} | ${f(p.peakRssMiB)} | ${p.aliveAtEnd ? 'yes' : 'no'} |`),
  ];
}

function outcomeTable(outcomes: LoadOutcome[]): string[] {
  return [
    '| run | offered | sent | accepted | answered | lost | dup | rejected | unconfirmed | retried | reconnects | accept p50 / p90 / p99 / p99.9 / max ms | result p50 / p90 / p99 / p99.9 / max ms | results/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|',
    ...outcomes.map((o) => {
      const c = o.commands;
      const a = c.acceptLatency;
      const r = c.resultLatency;
      return `| ${o.label} | ${o.spec.mode === 'open' ? `${o.spec.rate}/s` : `closed ×${o.spec.concurrency ?? 4}`} | ${c.sent} | ${c.accepted} | ${c.answered} | ${c.lost} | ${c.duplicates} | ${c.rejected} | ${c.unconfirmed} | ${c.retried} | ${c.reconnects} | `
        + `${f(a.p50)} / ${f(a.p90)} / ${f(a.p99)} / ${f(a.p999)} / ${f(a.max)} | ${f(r.p50)} / ${f(r.p90)} / ${f(r.p99)} / ${f(r.p999)} / ${f(r.max)} | ${f(c.throughputPerSecond)} |`;
    }),
  ];
}

export function markdownReport(r: BenchReport, charts: string[]): string {
  const md: string[] = [];
  md.push(`# switchyard bench — ${r.startedAt}`, '');
  md.push(`Command: \`${r.command}\``, '');
  md.push(`Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.os}; load average at start ${r.machine.loadAverageAtStart.toFixed(2)}. ${r.machine.note}`, '');
  md.push('Every process (servers, HAProxy, gateways, workers, baselines, the load generator) ran on this one machine. Latencies are measured by the load generator from the intended send time (open loop: no coordinated omission) to the frame\'s arrival, through HAProxy.', '');
  md.push('## Target vs measured (ARCHITECTURE.md performance budget)', '');
  md.push('| figure | target | measured | verdict |', '|---|---|---|---|');
  for (const b of r.budget) md.push(`| ${b.figure} | ${b.target} | ${b.measured} | ${b.verdict} |`);
  md.push('');
  md.push('## switchyard vs the synchronous design vs Socket.IO (same load, same run)', '');
  md.push('Ratios are switchyard ÷ that design (p50); below 1 means switchyard answers sooner. The synchronous design has no `accepted`: its response is its result.', '');
  md.push('| scenario | design | accept p50 ms | accept p99 ms | result p50 ms | result p99 ms | results/s | lost | dup | failed (ok:false) | accept ratio | result ratio |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of r.comparisons) md.push(`| ${c.scenario} | ${c.design} | ${f(c.acceptP50)} | ${f(c.acceptP99)} | ${f(c.resultP50)} | ${f(c.resultP99)} | ${f(c.throughput)} | ${c.lost} | ${c.duplicates} | ${c.failed} | ${f(c.acceptRatio)} | ${f(c.resultRatio)} |`);
  md.push('');
  if (Object.keys(r.skipped).length) {
    md.push('## Skipped', '');
    for (const [k, v] of Object.entries(r.skipped)) md.push(`- ${k}: skipped: ${v}`);
    md.push('');
  }
  if (r.floors) {
    const fl = r.floors;
    md.push('## Floors (same run)', '', '| floor | p50 ms | p99 ms | rate |', '|---|---:|---:|---:|');
    md.push(`| uWS WebSocket echo (round trip) | ${f(fl.uwsEcho.rtt.p50)} | ${f(fl.uwsEcho.rtt.p99)} | |`);
    md.push(`| JetStream publish → ack (one at a time; async window ${fl.jetstreamPublishAck.window}) | ${f(fl.jetstreamPublishAck.latency.p50)} | ${f(fl.jetstreamPublishAck.latency.p99)} | ${f(fl.jetstreamPublishAck.asyncPerSecond)}/s |`);
    md.push(`| JetStream publish → consume (pull consumer) | ${f(fl.jetstreamPublishConsume.latency.p50)} | ${f(fl.jetstreamPublishConsume.latency.p99)} | ${f(fl.jetstreamPublishConsume.perSecond)}/s |`);
    md.push(`| bare path ws → uWS → JetStream → consumer → core publish → push | ${f(fl.barePath.rtt.p50)} | ${f(fl.barePath.rtt.p99)} | ${f(fl.barePath.perSecond)}/s (${fl.barePath.connections} connections) |`);
    md.push('');
  }
  const sections: Array<[string, LoadOutcome[]]> = [];
  if (r.steady) sections.push(['Scenario 1 — steady commands', [...r.steady.switchyard, r.steady.saturation, r.steady.byTarget.sync, r.steady.byTarget.socketio]]);
  if (r.longWork) sections.push([`Scenario 3 — long work (${r.longWork.minMs}–${r.longWork.maxMs} ms simulated provider)`, Object.values(r.longWork.byTarget)]);
  if (r.churn) sections.push([`Scenario 4 — autoscale churn (${r.churn.rate}/s, a change every ${r.churn.intervalMs / 1000} s)`, [r.churn.switchyard.outcome, r.churn.sync.outcome]]);
  for (const [title, outcomes] of sections) {
    md.push(`## ${title}`, '', ...outcomeTable(outcomes), '');
    for (const o of outcomes) {
      const extra = [
        Object.keys(o.commands.rejectedByCode).length ? `rejected by code ${JSON.stringify(o.commands.rejectedByCode)}` : '',
        Object.keys(o.commands.failedResults).length ? `results with ok:false ${JSON.stringify(o.commands.failedResults)}` : '',
        o.commands.sessionsNotResumed ? `${o.commands.sessionsNotResumed} reconnects where the session was not resumed` : '',
        o.commands.replayedFrames ? `${o.commands.replayedFrames} replayed frames dropped by seq` : '',
        o.commands.lostExamples.length ? `lost e.g. ${o.commands.lostExamples.slice(0, 3).join(', ')}` : '',
        ...o.commands.notes,
      ].filter(Boolean);
      if (extra.length) md.push(`- ${o.label}: ${extra.join('; ')}`);
    }
    md.push('');
  }
  if (r.churn) {
    md.push('### Churn timeline', '', '| t (s) | design | change | member | took ms | result |', '|---:|---|---|---|---:|---|');
    for (const run of [r.churn.switchyard, r.churn.sync]) {
      for (const e of run.events) md.push(`| ${((e.at - run.outcome.origin) / 1000).toFixed(1)} | ${run.outcome.target} | ${e.action === 'drain' ? 'drain (SIGTERM)' : e.action === 'kill' ? 'kill (SIGKILL)' : 'add'} ${e.kind ?? ''} | ${e.member ?? ''} | ${e.tookMs ?? ''} | ${e.detail ?? ''} |`);
    }
    md.push('');
  }
  if (r.fanout) {
    md.push('## Scenario 2 — room fan-out', '', '| design | status | subscribers | posts | deliveries / expected | duplicates | latency p50 / p99 / max ms | deliveries per gateway CPU-s |', '|---|---|---:|---:|---:|---:|---|---:|');
    for (const [design, run] of Object.entries(r.fanout)) {
      if (run.status === 'skipped') md.push(`| ${design} | skipped: ${run.reason} | | | | | | |`);
      else md.push(`| ${design} | measured | ${run.subscribers} | ${run.posts} | ${run.deliveries} / ${run.expectedDeliveries} | ${run.duplicateDeliveries} | ${f(run.latency?.p50)} / ${f(run.latency?.p99)} / ${f(run.latency?.max)} | ${f(run.deliveriesPerGatewayCpuSecond)} |`);
    }
    md.push('');
  }
  if (r.idle) {
    md.push('## Scenario 5 — idle connections', '', '| design | sockets requested | opened | failed | RSS before → after MiB | bytes per socket |', '|---|---:|---:|---:|---|---:|');
    for (const run of [r.idle.switchyard, r.idle.socketio]) md.push(`| ${run.target} | ${run.requested} | ${run.opened} | ${run.failed}${run.firstError ? ` (${run.firstError})` : ''} | ${f(run.rssBeforeMiB)} → ${f(run.rssAfterMiB)} | ${f(run.bytesPerSocket)} |`);
    md.push('');
  }
  md.push('## CPU and memory per process', '');
  const runs: LoadOutcome[] = [...(r.steady ? [r.steady.byTarget.switchyard, r.steady.byTarget.sync, r.steady.byTarget.socketio] : []), ...(r.churn ? [r.churn.switchyard.outcome, r.churn.sync.outcome] : [])];
  for (const o of runs) md.push(`### ${o.label}`, '', ...processTable(o.processes), '');
  if (charts.length) {
    md.push('## Charts', '');
    for (const c of charts) md.push(`![${c}](${c})`, '');
  }
  md.push('## Definitions', '',
    '- accept latency: intended send time → `accepted` frame at the client (Socket.IO: the ack). The synchronous design holds the request, so its accept latency is its result latency.',
    '- result latency: intended send time → first `result` at the client.',
    '- lost: accepted, but no result by the end of the grace period (waiting stops after a grace period with no answer arriving).',
    '- duplicates: commands answered with more than one distinct result (a replayed `seq` after a resume is dropped, as a client must).',
    '- unconfirmed: sent but neither accepted, rejected nor answered (died with its connection and not answered after retries).',
    '- CPU: /proc/<pid>/stat utime+stime over the run; the load generator with process.cpuUsage (all its threads).', '');
  return md.join('\n');
}

export async function writeReport(dir: string, report: BenchReport): Promise<{ dir: string; charts: string[] }> {
  await mkdir(dir, { recursive: true });
  const charts: string[] = [];
  const chart = async (name: string, svg: string) => { await writeFile(join(dir, name), svg); charts.push(name); };
  if (report.churn) {
    for (const run of [report.churn.switchyard, report.churn.sync]) {
      await chart(`churn-${run.outcome.target}.svg`, latencyChart(`churn: ${run.outcome.target} latency per second, scaling events marked`, [run.outcome], churnMarkers(run.events, run.outcome.origin), ['accept', 'result']));
    }
  }
  if (report.longWork) await chart('long-work.svg', latencyChart('long work (200–2000 ms): accept and result latency per second', Object.values(report.longWork.byTarget), [], ['accept', 'result']));
  if (report.steady) await chart('steady.svg', latencyChart(`steady ${report.steady.rates[0]}/s: latency per second`, Object.values(report.steady.byTarget), [], ['accept', 'result']));
  await writeFile(join(dir, 'report.json'), JSON.stringify(report, jsonReplacer, 2));
  await writeFile(join(dir, 'report.md'), markdownReport(report, charts));
  return { dir, charts };
}
