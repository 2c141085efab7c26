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
import { fs, type BenchReport } from './benchReport.js';
import { churnRuns } from '../scenarios/churn.js';

const f = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const COLORS = { switchyard: '#1f77b4', sync: '#d62728', socketio: '#2ca02c', bare: '#7f7f7f' } as const;

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
    '| run | offered | sent | accepted | answered | lost | dup | rejected | unconfirmed | retried | reconnects | accept p50 / p90 / p99 / p99.9 / max ms | result p50 / p90 / p99 / p99.9 / max ms | accepted/s | results/s | drain s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|',
    ...outcomes.map((o) => {
      const c = o.commands;
      const a = c.acceptLatency;
      const r = c.resultLatency;
      return `| ${o.label} | ${o.spec.mode === 'open' ? `${o.spec.rate}/s` : `closed ×${o.spec.concurrency ?? 4}`} | ${c.sent} | ${c.accepted} | ${c.answered} | ${c.lost} | ${c.duplicates} | ${c.rejected} | ${c.unconfirmed} | ${c.retried} | ${c.reconnects} | `
        + `${f(a.p50)} / ${f(a.p90)} / ${f(a.p99)} / ${f(a.p999)} / ${f(a.max)} | ${f(r.p50)} / ${f(r.p90)} / ${f(r.p99)} / ${f(r.p999)} / ${f(r.max)} | ${f(o.acceptedPerSecond)} | ${f(o.resultsPerSecond)} | ${f(o.drainMs / 1000)} |`;
    }),
  ];
}

function floorSections(r: BenchReport, md: string[]): void {
  if (r.floors) {
    const fl = r.floors;
    md.push('## Floors, in-process method (same run)', '', '| floor | p50 ms | p99 ms | rate |', '|---|---:|---:|---:|');
    md.push(`| uWS WebSocket echo (round trip) | ${f(fl.uwsEcho.rtt.p50)} | ${f(fl.uwsEcho.rtt.p99)} | |`);
    md.push(`| JetStream publish → ack (one at a time; async window ${fl.jetstreamPublishAck.window}) | ${f(fl.jetstreamPublishAck.latency.p50)} | ${f(fl.jetstreamPublishAck.latency.p99)} | ${f(fl.jetstreamPublishAck.asyncPerSecond)}/s |`);
    md.push(`| JetStream publish → consume (pull consumer) | ${f(fl.jetstreamPublishConsume.latency.p50)} | ${f(fl.jetstreamPublishConsume.latency.p99)} | ${f(fl.jetstreamPublishConsume.perSecond)}/s |`);
    md.push(`| bare path ws → uWS → JetStream → consumer → core publish → push (one server, no HAProxy) | ${f(fl.barePath.rtt.p50)} | ${f(fl.barePath.rtt.p99)} | ${f(fl.barePath.perSecond)}/s (${fl.barePath.connections} connections) |`);
    md.push('', 'The accept-path and bare-path floors the budget divides by are measured by the load generator through HAProxy (sections "Accept path at rate" and "Scenario 1"), not by these.', '');
  }
  const sf = r.storeFloor;
  if (sf) {
    md.push('## Store floor (mongowire, the server the workers use; same run)', '');
    if (sf.status === 'skipped' || !sf.figures) md.push(`Skipped: ${sf.reason}`, '');
    else {
      md.push(`${sf.runs?.length} repetitions of ${sf.secondsPerMeasure} s per measurement; min / median / max.`, '', '| operation | concurrent | ops/s | p50 ms | p99 ms | server CPU ms per operation |', '|---|---:|---|---|---|---|');
      const names = { conditionalUpdate1: ['conditional update (version + fence) of the entity document', 1], conditionalUpdate16: ['conditional update (version + fence) of the entity document', 16], findOneById1: ['findOne by _id', 1], findOneById16: ['findOne by _id', 16] } as const;
      for (const [key, [name, conc]] of Object.entries(names)) {
        const x = sf.figures[key as keyof typeof names];
        md.push(`| ${name} | ${conc} | ${fs(x.opsPerSecond)} | ${fs(x.p50Ms)} | ${fs(x.p99Ms)} | ${fs(x.serverCpuMsPerOperation)} |`);
      }
      md.push('');
    }
  }
}

function acceptSection(r: BenchReport, md: string[]): void {
  if (!r.accept) return;
  md.push(`## Accept path at rate (benchnoop.run, ${r.accept.durationMs / 1000} s per run, ${r.accept.connections} connections, through HAProxy)`, '',
    'switchyard vs the accept-path floor (bare uWS → JetStream publish → ack, same generator, same rate, same path). Drain: end of the send schedule → last result (the CMD stream holds the backlog).', '',
    '| offered | system | accept p50 ms | accept p99 ms | accepted/s | result p50 ms | drain ms |', '|---:|---|---|---|---|---|---|');
  for (const x of r.accept.rates) {
    for (const sys of ['bare', 'switchyard'] as const) {
      const g = x.figures[sys];
      md.push(`| ${x.rate}/s | ${sys === 'bare' ? 'accept-path floor' : 'switchyard'} | ${fs(g.acceptP50)} | ${fs(g.acceptP99)} | ${fs(g.acceptedPerSecond)} | ${fs(g.resultP50)} | ${fs(g.drainMs)} |`);
    }
  }
  md.push('', ...outcomeTable(r.accept.rates.flatMap((x) => [...x.bare, ...x.switchyard])), '');
}

function steadySection(r: BenchReport, md: string[]): void {
  const st = r.steady;
  if (!st) return;
  md.push('## Scenario 1 — steady commands (counter.add)', '');
  md.push(`Ladder (open loop, switchyard): results/s saturate at ${st.resultsSaturateAt ? `${st.resultsSaturateAt}/s offered` : 'no rate of the ladder'} (best ${f(st.bestResultsPerSecond)} results/s); accepted/s fall behind at ${st.acceptsSaturateAt ? `${st.acceptsSaturateAt}/s` : 'no rate of the ladder'}. Closed-loop saturation: ${fs(st.saturationResultsPerSecond, ' results/s')}, after a warm-up run of the same shape that no figure counts (${f(st.warmUp.resultsPerSecond)} results/s; the first row below).`, '');
  md.push(...outcomeTable([st.warmUp, ...st.ladder, ...st.saturation]), '');
  md.push(`### Comparison at ${st.comparisonRate}/s (same generator, same rate, designs alternating; min / median / max)`, '',
    '| design | accept p50 ms | accept p99 ms | result p50 ms | result p99 ms | results/s | gateway CPU per command µs |', '|---|---|---|---|---|---|---|');
  for (const [design, g] of Object.entries(st.comparisonFigures)) {
    md.push(`| ${design === 'bare' ? 'bare path floor' : design} | ${fs(g.acceptP50)} | ${fs(g.acceptP99)} | ${fs(g.resultP50)} | ${fs(g.resultP99)} | ${fs(g.resultsPerSecond)} | ${fs(g.gatewayCpuPerCommandUs)} |`);
  }
  md.push('', ...outcomeTable(Object.values(st.comparison).flat()), '');
}

function workflowSection(r: BenchReport, md: string[]): void {
  const wf = r.workflow;
  if (!wf) return;
  md.push(`## Scenario 6 — checkout workflow (provider ${wf.providerMs.join('–')} ms → ledger entry → notification ${wf.notifyMs.join('–')} ms)`, '',
    `Each design runs at most the same number of checkouts at once: ${wf.concurrencyPerProcess} per sync worker / Socket.IO server, ${wf.switchyardConcurrency} in switchyard's bench actors. The synchronous design's capacity (closed loop): **${f(wf.syncCapacityPerSecond)} checkouts/s**. Response = accept (the synchronous design: its result); errors/timeouts = results with ok:false.`, '',
    '| rate | design | response p50 / p99 ms | result p50 / p99 ms | answered / sent | errors, timeouts | lost | dup | drain s |', '|---:|---|---|---|---:|---|---:|---:|---:|');
  for (const x of wf.rates) {
    for (const [design, o] of Object.entries(x.byDesign)) {
      const c = o.commands;
      md.push(`| ${x.rate}/s (${x.factor} ×) | ${design} | ${f(c.acceptLatency.p50)} / ${f(c.acceptLatency.p99)} | ${f(c.resultLatency.p50)} / ${f(c.resultLatency.p99)} | ${c.answered} / ${c.sent} | ${Object.keys(c.failedResults).length ? JSON.stringify(c.failedResults) : '0'}${c.rejected ? `, rejected ${JSON.stringify(c.rejectedByCode)}` : ''} | ${c.lost} | ${c.duplicates} | ${f(o.drainMs / 1000)} |`);
    }
  }
  md.push('', ...outcomeTable([wf.capacityRun, ...wf.rates.flatMap((x) => Object.values(x.byDesign))]), '');
}

function fanoutSection(r: BenchReport, md: string[]): void {
  if (!r.fanout) return;
  md.push('## Scenario 2 — room fan-out at scale', '', '| design | status | subscribers / gateways | posts/s | deliveries/s offered | deliveries/s | missing | duplicates | latency p50 ms | latency p99 ms | deliveries per gateway CPU-s |', '|---|---|---|---:|---:|---|---|---:|---|---|---|');
  for (const [design, run] of Object.entries(r.fanout)) {
    if (run.status === 'skipped' || !run.figures) { md.push(`| ${design} | skipped: ${run.reason} | | | | | | | | | |`); continue; }
    const g = run.figures;
    md.push(`| ${design} | measured | ${run.subscribers} / ${run.gateways} | ${run.postsPerSecond} | ${f(run.offeredDeliveriesPerSecond)} | ${fs(g.deliveriesPerSecond)} | ${fs(g.missing)} | ${run.duplicateDeliveries} | ${fs(g.latencyP50)} | ${fs(g.latencyP99)} | ${fs(g.deliveriesPerGatewayCpuSecond)} |`);
  }
  md.push('');
}

function idleSection(r: BenchReport, md: string[]): void {
  if (!r.idle) return;
  md.push('## Scenario 5 — idle connections (one measured process, forced GC before each reading)', '',
    '| design | sockets requested | opened | failed | RSS before → with sockets MiB (median) | V8 heap before → with MiB (median) | bytes per socket, RSS | bytes per socket, V8 heap |', '|---|---:|---:|---:|---|---|---|---|');
  const mib = (v: number[]) => f([...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]! / 1048576);
  for (const run of [r.idle.switchyard, r.idle.socketio, ...(r.idle.uws ? [r.idle.uws] : [])]) {
    md.push(`| ${run.target === 'uws' ? 'bare uWS (floor)' : run.target} | ${run.requested} | ${run.opened} | ${run.failed}${run.firstError ? ` (${run.firstError})` : ''} | ${mib(run.before.map((x) => x.rssBytes))} → ${mib(run.after.map((x) => x.rssBytes))} | ${mib(run.before.map((x) => x.heapUsedBytes))} → ${mib(run.after.map((x) => x.heapUsedBytes))} | ${fs(run.rssBytesPerSocket)} | ${fs(run.heapBytesPerSocket)} |`);
  }
  md.push('');
}

function churnSection(r: BenchReport, md: string[]): void {
  const ch = r.churn;
  if (!ch) return;
  const runs = churnRuns(ch);
  md.push(`## Scenario 4 — autoscale churn (${ch.rate}/s for ${ch.durationMs / 1000} s, a change every ${ch.intervalMs / 1000} s, same schedule for each design)`, '', ...outcomeTable(runs.map((x) => x.outcome)), '');
  md.push('### Churn timeline', '', '| t (s) | design | change | member | took ms | result |', '|---:|---|---|---|---:|---|');
  for (const run of runs) {
    for (const e of run.events) md.push(`| ${((e.at - run.outcome.origin) / 1000).toFixed(1)} | ${run.outcome.target} | ${e.action === 'drain' ? 'drain (SIGTERM)' : e.action === 'kill' ? 'kill (SIGKILL)' : 'add'} ${e.kind ?? ''} | ${e.member ?? ''} | ${e.tookMs ?? ''} | ${e.detail ?? ''} |`);
  }
  md.push('');
}

function notesOf(outcomes: LoadOutcome[], md: string[]): void {
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
}

/** Every load run of the report, for the notes and the per-process tables. */
function allOutcomes(r: BenchReport): LoadOutcome[] {
  return [
    ...(r.accept?.rates.flatMap((x) => [...x.bare, ...x.switchyard]) ?? []),
    ...(r.steady ? [...r.steady.ladder, ...r.steady.saturation, ...Object.values(r.steady.comparison).flat()] : []),
    ...(r.workflow ? [r.workflow.capacityRun, ...r.workflow.rates.flatMap((x) => Object.values(x.byDesign))] : []),
    ...(r.longWork ? Object.values(r.longWork.byTarget) : []),
    ...(r.churn ? churnRuns(r.churn).map((x) => x.outcome) : []),
  ];
}

export function markdownReport(r: BenchReport, charts: string[]): string {
  const md: string[] = [];
  md.push(`# switchyard bench — ${r.startedAt}`, '');
  md.push(`Command: \`${r.command}\` (${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 60_000).toFixed(1)} min)`, '');
  md.push(`Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.os}; load average at start ${r.machine.loadAverageAtStart.toFixed(2)}. ${r.machine.note}`, '');
  md.push('Every process (servers, HAProxy, gateways, workers, baselines, the load generator) ran on this one machine; gateways, workers and baselines ran as compiled JavaScript (esbuild bundles of their entry points), not through tsx. Latencies are measured by the load generator from the intended send time (open loop: no coordinated omission) to the frame\'s arrival, through HAProxy. Repeated figures read min / **median** / max; ratios divide medians.', '');
  md.push('## Target vs measured (ARCHITECTURE.md performance budget)', '');
  md.push('Each ratio names, in bold, the floor or baseline it is divided by. "floor" rows state a floor (or a ratio to one) that has no target of its own.', '');
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
  floorSections(r, md);
  acceptSection(r, md);
  steadySection(r, md);
  workflowSection(r, md);
  fanoutSection(r, md);
  idleSection(r, md);
  if (r.longWork) md.push(`## Scenario 3 — long work (${r.longWork.minMs}–${r.longWork.maxMs} ms simulated provider)`, '', ...outcomeTable(Object.values(r.longWork.byTarget)), '');
  churnSection(r, md);
  const outcomes = allOutcomes(r);
  const notes: string[] = [];
  notesOf(outcomes, notes);
  if (notes.length) md.push('## Notes from the runs', '', ...notes, '');
  md.push('## CPU and memory per process', '');
  const runs: LoadOutcome[] = [...(r.steady ? [r.steady.comparison.switchyard[0], r.steady.comparison.sync[0], r.steady.comparison.socketio[0], r.steady.saturation[0]] : []), ...(r.churn ? churnRuns(r.churn).map((x) => x.outcome) : [])]
    .filter((o): o is LoadOutcome => o !== undefined);
  for (const o of runs) md.push(`### ${o.label}`, '', ...processTable(o.processes), '');
  if (charts.length) {
    md.push('## Charts', '');
    for (const c of charts) md.push(`![${c}](${c})`, '');
  }
  md.push('## Definitions', '',
    '- accept latency: intended send time → `accepted` frame at the client (Socket.IO: the ack). The synchronous design holds the request, so its accept latency is its result latency.',
    '- result latency: intended send time → first `result` at the client.',
    '- accepted/s, results/s: accepted (answered) commands ÷ the time from the schedule start to the last acceptance (result) or the schedule end, whichever is later.',
    '- drain: end of the send schedule → last result (how long the backlog took to clear).',
    '- lost: accepted, but no result by the end of the grace period (waiting stops after a grace period with no answer arriving).',
    '- duplicates: commands answered with more than one distinct result (a replayed `seq` after a resume is dropped, as a client must).',
    '- unconfirmed: sent but neither accepted, rejected nor answered (died with its connection and not answered after retries).',
    '- CPU: /proc/<pid>/stat utime+stime over the run; the load generator with process.cpuUsage (all its threads).',
    '- idle memory: a full GC forced through the V8 inspector (the measured process runs with `--inspect` on loopback) before each reading of RSS (/proc) and the V8 heap in use.', '');
  return md.join('\n');
}

export async function writeReport(dir: string, report: BenchReport): Promise<{ dir: string; charts: string[] }> {
  await mkdir(dir, { recursive: true });
  const charts: string[] = [];
  const chart = async (name: string, svg: string) => { await writeFile(join(dir, name), svg); charts.push(name); };
  if (report.churn) {
    for (const run of churnRuns(report.churn)) {
      await chart(`churn-${run.outcome.target}.svg`, latencyChart(`churn: ${run.outcome.target} latency per second, scaling events marked`, [run.outcome], churnMarkers(run.events, run.outcome.origin), ['accept', 'result']));
    }
  }
  const top = report.workflow?.rates[report.workflow.rates.length - 1];
  if (top) await chart('workflow.svg', latencyChart(`checkout workflow at ${top.rate}/s (${top.factor} × sync capacity): response and result latency per second`, Object.values(top.byDesign), [], ['accept', 'result']));
  if (report.longWork) await chart('long-work.svg', latencyChart('long work (200–2000 ms): accept and result latency per second', Object.values(report.longWork.byTarget), [], ['accept', 'result']));
  if (report.steady) {
    const first = Object.values(report.steady.comparison).map((runs) => runs[0]).filter((o): o is LoadOutcome => o !== undefined);
    await chart('steady.svg', latencyChart(`steady ${report.steady.comparisonRate}/s (first repetition): latency per second`, first, [], ['accept', 'result']));
  }
  await writeFile(join(dir, 'report.json'), JSON.stringify(report, jsonReplacer, 2));
  await writeFile(join(dir, 'report.md'), markdownReport(report, charts));
  return { dir, charts };
}
