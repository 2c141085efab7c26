/**
 * The shape of a bench report (report.json) and the ARCHITECTURE.md budget
 * table computed from it: "target vs measured", every budget row, each
 * ratio naming the floor or baseline it is divided by (and how that floor
 * was measured). Repeated figures are divided median by median and shown as
 * min / median / max. A row whose inputs were not measured says so; nothing
 * is estimated.
 */
import type { FloorFigures } from '../scenarios/floors.js';
import type { StoreFloorRuns } from '../scenarios/storeFloorRuns.js';
import type { AcceptPathResult } from '../scenarios/acceptPath.js';
import type { SteadyResult } from '../scenarios/steady.js';
import type { FanoutResult } from '../scenarios/fanout.js';
import type { LongWorkResult } from '../scenarios/longWork.js';
import type { ChurnResult } from '../scenarios/churn.js';
import type { IdleResult } from '../scenarios/idle.js';
import type { WorkflowResult } from '../scenarios/workflow.js';
import type { CommandFigures } from '../stats/commandAccounting.js';
import { scaleSpread, spreadOf, type Spread } from '../stats/repetitions.js';
import type { LoadOutcome } from '../scenarios/scenarioContext.js';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: > cores means the machine was busy with other work. */
  loadAverageAtStart: number;
  /** What the operator said about the machine (flag --machine-note). */
  note: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineFacts;
  settings: Record<string, unknown>;
  floors?: FloorFigures;
  storeFloor?: StoreFloorRuns;
  accept?: AcceptPathResult;
  steady?: SteadyResult;
  fanout?: FanoutResult;
  longWork?: LongWorkResult;
  workflow?: WorkflowResult;
  churn?: ChurnResult;
  idle?: IdleResult;
  /** Scenarios that did not run, with the reason. */
  skipped: Record<string, string>;
  budget: BudgetRow[];
  comparisons: ComparisonRow[];
}

export interface BudgetRow {
  figure: string;
  target: string;
  measured: string;
  /** `floor`: a row that states a floor or a ratio to one with no target of its own (it shows how much of a cost is switchyard's). */
  verdict: 'met' | 'not met' | 'not measured' | 'floor';
}

export interface ComparisonRow {
  scenario: string;
  design: string;
  acceptP50: number;
  acceptP99: number;
  resultP50: number;
  resultP99: number;
  throughput: number;
  lost: number;
  duplicates: number;
  /** Results with ok:false (the synchronous design's timeouts and no-responder errors land here). */
  failed: number;
  /** switchyard's figure ÷ this design's (accept p50, result p50): < 1 means switchyard is faster. */
  acceptRatio: number;
  resultRatio: number;
}

type ReportInput = Omit<BenchReport, 'budget' | 'comparisons'>;

export const f2 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));
/** `min / median / max` of a repeated figure (one value when it ran once). */
export const fs = (s: Spread | undefined, unit = ''): string => {
  if (!s) return 'n/a';
  const n = s.values.filter(Number.isFinite).length;
  return n <= 1 ? `${f2(s.median)}${unit} (1 run)` : `${f2(s.min)} / **${f2(s.median)}** / ${f2(s.max)}${unit} (${n} runs)`;
};
/** A verdict from a figure: undefined (not measured) when the figure is not a number. */
const check = (value: number, pass: (v: number) => boolean): boolean | undefined => (Number.isFinite(value) ? pass(value) : undefined);
const row = (figure: string, target: string, measured: string | undefined, ok: boolean | undefined): BudgetRow =>
  ({ figure, target, measured: measured ?? 'not measured in this run', verdict: measured === undefined || ok === undefined ? 'not measured' : ok ? 'met' : 'not met' });
const floorRow = (figure: string, measured: string | undefined): BudgetRow =>
  ({ figure, target: '(floor: no target of its own)', measured: measured ?? 'not measured in this run', verdict: measured === undefined ? 'not measured' : 'floor' });

function acceptRows(r: ReportInput): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const lowest = r.accept?.rates[0];
  if (lowest) {
    const sy = lowest.figures.switchyard.acceptP50;
    const floor = lowest.figures.bare.acceptP50;
    const ratio = sy.median / floor.median;
    rows.push(row(`accept latency p50 ÷ **accept-path floor** (bare uWS → JetStream publish → ack → \`accepted\`; same generator, open loop, same rate ${lowest.rate}/s, same HAProxy path)`, '≤ 2 ×',
      `${fs(sy, ' ms')} ÷ ${fs(floor, ' ms')} = **${f2(ratio)} ×**`, check(ratio, (x) => x <= 2)));
  } else rows.push(row('accept latency p50 ÷ accept-path floor (same generator, same rate)', '≤ 2 ×', undefined, undefined));
  const comp = r.steady?.comparisonFigures;
  if (comp && r.floors) {
    const ratio = comp.switchyard.acceptP50.median / r.floors.jetstreamPublishAck.latency.p50;
    rows.push(floorRow(`accept latency p50 at ${r.steady!.comparisonRate}/s ÷ in-process JetStream publish-ack floor (one publish at a time, no WebSocket, no HAProxy: a different method, shown for reference)`,
      `${f2(comp.switchyard.acceptP50.median)} ms ÷ ${f2(r.floors.jetstreamPublishAck.latency.p50)} ms = ${f2(ratio)} ×`));
  }
  const at5k = r.accept?.rates.find((x) => x.rate >= 5000);
  if (at5k) {
    const p99 = at5k.figures.switchyard.acceptP99;
    rows.push(row(`accept latency p99 at ${at5k.rate} commands/s offered (accept-path floor at the same rate: ${fs(at5k.figures.bare.acceptP99, ' ms')})`, '≤ 2 ms',
      `${fs(p99, ' ms')}; accepted ${fs(at5k.figures.switchyard.acceptedPerSecond, '/s')}; backlog drained ${fs(at5k.figures.switchyard.drainMs, ' ms')} after the last send`, check(p99.median, (x) => x <= 2)));
  } else rows.push(row('accept latency p99 at 5k commands/s', '≤ 2 ms', undefined, undefined));
  return rows;
}

function resultAndThroughputRows(r: ReportInput): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const comp = r.steady?.comparisonFigures;
  if (comp) {
    const ratio = comp.switchyard.resultP50.median / comp.bare.resultP50.median;
    rows.push(row(`result latency p50, trivial handler (counter.add), ÷ **bare-path floor** (ws → uWS → JetStream → pull consumer → core publish → push; same generator, same rate ${r.steady!.comparisonRate}/s, same HAProxy path)`, '≤ 3 ×',
      `${fs(comp.switchyard.resultP50, ' ms')} ÷ ${fs(comp.bare.resultP50, ' ms')} = **${f2(ratio)} ×**`, check(ratio, (x) => x <= 3)));
  } else rows.push(row('result latency p50, trivial handler, ÷ bare-path floor (same generator, same rate)', '≤ 3 ×', undefined, undefined));
  if (r.floors && comp) {
    rows.push(floorRow('bare-path floor, in-process method (one round trip at a time, directly on one bare server, no HAProxy), for reference',
      `${f2(r.floors.barePath.rtt.p50)} ms p50; ${f2(r.floors.barePath.perSecond)} round trips/s (${r.floors.barePath.connections} connections × 16 in flight)`));
  }
  const steady = r.steady;
  if (steady && r.floors) {
    const sat = steady.saturationResultsPerSecond;
    const ratio = sat.median / r.floors.jetstreamPublishConsume.perSecond;
    rows.push(row('end-to-end throughput (closed loop, counter.add) ÷ **bare JetStream publish → consume floor** (in process, async window 256)', '≥ 60 %',
      `${fs(sat, '/s')} ÷ ${f2(r.floors.jetstreamPublishConsume.perSecond)}/s = **${(ratio * 100).toFixed(1)} %**`, check(ratio, (x) => x >= 0.6)));
  } else rows.push(row('end-to-end throughput ÷ bare JetStream publish → consume floor', '≥ 60 %', undefined, undefined));
  const store = r.storeFloor;
  if (store?.status === 'measured' && store.figures && steady) {
    const upd16 = store.figures.conditionalUpdate16;
    const ratio = steady.saturationResultsPerSecond.median / upd16.opsPerSecond.median;
    rows.push(floorRow('**store floor**: conditional single-document updates/s of the entity document (version + fence condition), 16 concurrent, against the stack\'s mongowire',
      `${fs(upd16.opsPerSecond, '/s')} (p50 ${f2(upd16.p50Ms.median)} ms, p99 ${f2(upd16.p99Ms.median)} ms, server CPU ${f2(upd16.serverCpuMsPerOperation.median)} ms per update); 1 concurrent ${fs(store.figures.conditionalUpdate1.opsPerSecond, '/s')}; findOne by _id ${f2(store.figures.findOneById1.opsPerSecond.median)}/s (×1), ${f2(store.figures.findOneById16.opsPerSecond.median)}/s (×16)`));
    rows.push(row('end-to-end saturation (closed loop, counter.add, 500 entities; HAProxy, 2 gateways, 2 workers) ÷ **store floor** (conditional updates/s, 16 concurrent): the share of the store\'s capacity the runtime turns into results',
      '≥ 80 %', `${fs(steady.saturationResultsPerSecond, '/s')} ÷ ${f2(upd16.opsPerSecond.median)}/s = **${(ratio * 100).toFixed(1)} %**`, check(ratio, (x) => x >= 0.8)));
    const hot = steady.hotSaturation;
    if (hot) {
      const hotRatio = hot.resultsPerSecond / upd16.opsPerSecond.median;
      rows.push(row(`end-to-end saturation with ${steady.hotEntities} hot entities (closed loop, counter.add, 1 run) ÷ **store floor** (conditional updates/s, 16 concurrent)`,
        '≥ 5 ×', `${f2(hot.resultsPerSecond)}/s ÷ ${f2(upd16.opsPerSecond.median)}/s = **${f2(hotRatio)} ×**${storeNote(hot)}`, check(hotRatio, (x) => x >= 5)));
    } else rows.push(row('end-to-end saturation with 20 hot entities ÷ store floor', '≥ 5 ×', undefined, undefined));
    const half = steady.halfSaturationStep;
    const bareP50 = r.steady?.comparisonFigures.bare.resultP50.median;
    if (half && bareP50 !== undefined) {
      const bound = upd16.p50Ms.median + 3 * bareP50;
      const p50 = half.commands.resultLatency.p50;
      rows.push(row(`result latency p50 at half of saturation (${half.spec.rate}/s open loop, counter.add, 500 entities) vs **store floor** p50 (16 concurrent) + 3 × **bare-path floor** p50`, '≤ bound',
        `${f2(p50)} ms vs ${f2(upd16.p50Ms.median)} + 3 × ${f2(bareP50)} = ${f2(bound)} ms`, check(p50, (x) => x <= bound)));
    }
    const lad = steady.resultsSaturateAt;
    rows.push(floorRow('steady ladder: results/s saturate at (open loop, first rate answered below 90 %); accepted/s saturate at',
      `results: ${lad ? `${lad}/s offered (best ${f2(steady.bestResultsPerSecond)} results/s)` : `not within the ladder (best ${f2(steady.bestResultsPerSecond)} results/s)`}; accepts: ${steady.acceptsSaturateAt ? `${steady.acceptsSaturateAt}/s` : 'not within the ladder (see the accept-path rows)'}`));
  } else {
    rows.push(floorRow('store floor: conditional updates/s of the entity document, 16 concurrent, against the stack\'s mongowire', undefined));
    if (store?.reason) rows[rows.length - 1]!.measured = `not measured: ${store.reason}`;
  }
  return rows;
}

/** The entity store's work during the runs of the steady scenario (workers' /metrics, before and after each run). */
function storeWorkRows(r: ReportInput): BudgetRow[] {
  const steady = r.steady;
  const half = steady?.halfSaturationStep?.store;
  const saturated = (steady?.saturation ?? []).filter((o) => o.store && Number.isFinite(o.store.commandsPerRoundTrip));
  const rows: BudgetRow[] = [];
  if (half && Number.isFinite(half.writesPerCommand)) {
    rows.push(row(`store writes per command at a steady rate (half of saturation, ${steady!.halfSaturationStep!.spec.rate}/s open loop, 500 entities)`, '≤ 1.0',
      `${half.writes} documents written for ${half.commands} commands = **${f2(half.writesPerCommand)}** (${f2(half.commandsPerRoundTrip)} commands per store round trip)`, check(half.writesPerCommand, (x) => x <= 1)));
  } else rows.push(row('store writes per command at a steady rate (half of saturation, 500 entities)', '≤ 1.0', undefined, undefined));
  if (saturated.length > 0) {
    const perTrip = spreadOf(saturated, (o) => o.store!.commandsPerRoundTrip);
    rows.push(row('commands per store round trip at saturation (closed loop, 500 entities)', '≥ 8',
      `**${fs(perTrip, '')}** (writes per command ${fs(spreadOf(saturated, (o) => o.store!.writesPerCommand), '')})`, check(perTrip.median, (x) => x >= 8)));
  } else rows.push(row('commands per store round trip at saturation (closed loop, 500 entities)', '≥ 8', undefined, undefined));
  return rows;
}

function storeNote(o: LoadOutcome): string {
  return o.store ? `; ${f2(o.store.commandsPerRoundTrip)} commands per store round trip, ${f2(o.store.writesPerCommand)} writes per command` : '';
}

function memoryRows(r: ReportInput): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const idle = r.idle;
  if (idle) {
    const sy = idle.switchyard;
    const b = sy.rssBytesPerSocket.median;
    rows.push(row(`gateway memory per idle authenticated socket (${sy.opened} sockets on one gateway, forced GC before each reading)`, '≤ 2 KB',
      `RSS ${fs(scaleSpread(sy.rssBytesPerSocket, 1 / 1024), ' KB')}; V8 heap ${fs(scaleSpread(sy.heapBytesPerSocket, 1 / 1024), ' KB')}`, check(b, (x) => x <= 2048)));
    rows.push(row('≥ 100k idle sockets in one gateway process', '≥ 100k', `not measured at 100k: this machine's fd limit is 20,000 per process; ${sy.opened} opened (${sy.failed} failed)`, sy.opened >= 100_000 ? true : undefined));
    const sio = idle.socketio.rssBytesPerSocket.median;
    const ratio = b / sio;
    rows.push(row(`memory per idle socket ÷ **Socket.IO** (${idle.socketio.opened} sockets on one server, same method)`, '≤ 1/6',
      `RSS ${f2(b / 1024)} KB ÷ ${f2(sio / 1024)} KB = **1/${f2(1 / ratio)}**; V8 heap ${f2(sy.heapBytesPerSocket.median / 1024)} KB ÷ ${f2(idle.socketio.heapBytesPerSocket.median / 1024)} KB`, check(ratio, (x) => x <= 1 / 6)));
    const floor = idle.uws;
    rows.push(floorRow(`memory per idle socket ÷ **bare uWS floor** (${floor?.opened ?? 0} sockets on a uWS server that only answers hello and holds them, same method)`,
      floor ? `RSS ${f2(b / 1024)} KB ÷ ${f2(floor.rssBytesPerSocket.median / 1024)} KB = **${f2(b / floor.rssBytesPerSocket.median)} ×**; V8 heap ${f2(sy.heapBytesPerSocket.median / 1024)} KB vs ${f2(floor.heapBytesPerSocket.median / 1024)} KB` : undefined));
  } else {
    rows.push(row('gateway memory per idle authenticated socket', '≤ 2 KB', undefined, undefined));
    rows.push(row('≥ 100k idle sockets in one gateway process', '≥ 100k', undefined, undefined));
    rows.push(row('memory per idle socket ÷ Socket.IO', '≤ 1/6', undefined, undefined));
    rows.push(floorRow('memory per idle socket ÷ bare uWS floor', undefined));
  }
  return rows;
}

function designRows(r: ReportInput): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const churn = r.churn;
  const steady = r.steady;
  if (churn && steady) {
    const c = churn.switchyard.outcome.commands;
    const steadyP99 = steady.comparisonRate === churn.rate ? steady.comparisonFigures.switchyard.resultP99.median : Number.NaN;
    const ratio = c.resultLatency.p99 / steadyP99;
    rows.push(row(`p99 result latency while scaling ÷ steady state (the comparison runs at the same rate, ${churn.rate}/s); lost; duplicates`, '≤ 3 ×; 0; 0',
      `${f2(c.resultLatency.p99)} ms ÷ ${f2(steadyP99)} ms = **${f2(ratio)} ×**; lost ${c.lost}; duplicates ${c.duplicates} (${churn.switchyard.changes} scaling events, 1 run)`,
      Number.isFinite(ratio) ? ratio <= 3 && c.lost === 0 && c.duplicates === 0 : undefined));
  } else rows.push(row('p99 result latency while scaling ÷ steady state; lost; duplicates', '≤ 3 ×; 0; 0', undefined, undefined));
  if (churn && steady) {
    const saturation = steady.saturationResultsPerSecond.median;
    const share = churn.rate / saturation;
    const count = (action: string, kind: string) => churn.switchyard.events.filter((e) => e.action === action && e.kind === kind).length;
    const kills = { worker: count('kill', 'worker'), gateway: count('kill', 'gateway') };
    const minutes = churn.durationMs / 60_000;
    // Half of S is taken in whole commands/s, rounded down (steady.ts), so a rate of floor(S / 2) counts as half.
    const halfOfS = churn.rate >= Math.floor(saturation / 2);
    rows.push(row('churn run: length; scaling events (SIGKILLs of workers and gateways among them); rate ÷ closed-loop saturation S of this run',
      '≥ 5 min; ≥ 20 events incl. SIGKILLs of both; ≥ 50 % of S (⌊S / 2⌋ in whole commands/s)',
      `${f2(minutes)} min; ${churn.switchyard.changes} events (SIGKILL: ${kills.worker} workers, ${kills.gateway} gateways); ${churn.rate}/s ÷ ${f2(saturation)}/s = **${f2(share * 100)} %**`,
      Number.isFinite(share) ? minutes >= 5 && churn.switchyard.changes >= 20 && kills.worker > 0 && kills.gateway > 0 && halfOfS : undefined));
  }
  const kills = churn?.switchyard.workerKills ?? [];
  if (kills.length > 0) {
    const worst = Math.max(...kills.map((k) => k.lastResultMs));
    const seconds = (ms: number) => (Number.isFinite(ms) ? `${f2(ms / 1000)} s` : 'a result never came');
    rows.push(row('after a worker SIGKILL (default lease), the last result of the commands sent in the second after it arrives within (so its partitions resumed)', '≤ 1.5 s',
      `${kills.map((k) => `${seconds(k.lastResultMs)} (${k.commands} commands)`).join('; ')} — worst **${seconds(worst)}** (${kills.length} kill${kills.length > 1 ? 's' : ''}, 1 run)`,
      worst <= 1500));
  } else rows.push(row('after a worker SIGKILL, results of its partitions resume within', '≤ 1.5 s', churn ? 'not measured: no worker was SIGKILLed in this run' : undefined, undefined));
  const wf = r.workflow?.rates.find((x) => x.factor === 1) ?? r.workflow?.rates[0];
  if (wf) {
    const sy = wf.byDesign.switchyard.commands.acceptLatency.p50;
    const sync = wf.byDesign.sync.commands.resultLatency.p50;
    rows.push(row(`response time ÷ **the synchronous design**, long work (checkout workflow 400–1100 ms at ${wf.rate}/s = ${wf.factor} × its capacity; p50; 1 run)`, '≥ 10 × lower',
      `${f2(sy)} ms vs ${f2(sync)} ms = **${f2(sync / sy)} × lower**`, check(sync / sy, (x) => x >= 10)));
  } else if (r.longWork) {
    const sy = r.longWork.byTarget.switchyard.commands.acceptLatency.p50;
    const sync = r.longWork.byTarget.sync.commands.resultLatency.p50;
    rows.push(row('response time ÷ the synchronous design, long work 200–2000 ms (p50; 1 run)', '≥ 10 × lower', `${f2(sy)} ms vs ${f2(sync)} ms = ${f2(sync / sy)} × lower`, check(sync / sy, (x) => x >= 10)));
  } else rows.push(row('response time ÷ the synchronous design, long work', '≥ 10 × lower', undefined, undefined));
  const fo = r.fanout;
  if (fo?.switchyard.status === 'measured' && fo.socketio.status === 'measured') {
    const sy = fo.switchyard.figures!.deliveriesPerGatewayCpuSecond;
    const sio = fo.socketio.figures!.deliveriesPerGatewayCpuSecond;
    const ratio = sy.median / sio.median;
    rows.push(row(`room fan-out deliveries per gateway CPU-second ÷ **Socket.IO + redis-adapter** (${fo.switchyard.subscribers} subscribers over ${fo.switchyard.gateways} gateways, ${f2(fo.switchyard.offeredDeliveriesPerSecond)} deliveries/s offered)`, '≥ 2 ×',
      `${fs(sy)} ÷ ${fs(sio)} = **${f2(ratio)} ×**; delivery p50 / p99 ${f2(fo.switchyard.figures!.latencyP50.median)} / ${f2(fo.switchyard.figures!.latencyP99.median)} ms vs ${f2(fo.socketio.figures!.latencyP50.median)} / ${f2(fo.socketio.figures!.latencyP99.median)} ms`, check(ratio, (x) => x >= 2)));
  } else {
    rows.push(row('room fan-out deliveries per gateway CPU-second ÷ Socket.IO + redis-adapter', '≥ 2 ×', undefined, undefined));
    if (fo) rows[rows.length - 1]!.measured = `not measured: switchyard ${fo.switchyard.reason ?? fo.switchyard.status}; Socket.IO ${fo.socketio.reason ?? fo.socketio.status}`;
  }
  if (steady) {
    const sy = steady.comparisonFigures.switchyard.gatewayCpuPerCommandUs;
    const sio = steady.comparisonFigures.socketio.gatewayCpuPerCommandUs;
    const ratio = sy.median / sio.median;
    rows.push(row(`gateway CPU per command ÷ **Socket.IO** server CPU per command (same load, ${steady.comparisonRate}/s; Socket.IO does ack + work + result, nothing durable)`, '≤ 1 ×',
      `${fs(sy, ' µs')} ÷ ${fs(sio, ' µs')} = **${f2(ratio)} ×**`, check(ratio, (x) => x <= 1)));
  } else rows.push(row('gateway CPU per command ÷ Socket.IO', '≤ 1 ×', undefined, undefined));
  return rows;
}

export function budgetTable(r: ReportInput): BudgetRow[] {
  return [...acceptRows(r), ...resultAndThroughputRows(r), ...storeWorkRows(r), ...memoryRows(r), ...designRows(r)];
}

export function comparisonRows(r: ReportInput): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const add = (scenario: string, byDesign: Partial<Record<string, { commands: CommandFigures }>> | undefined) => {
    if (!byDesign) return;
    const sy = byDesign.switchyard?.commands;
    for (const [design, o] of Object.entries(byDesign)) {
      if (!o) continue;
      const c = o.commands;
      rows.push({
        scenario, design,
        acceptP50: c.acceptLatency.p50, acceptP99: c.acceptLatency.p99, resultP50: c.resultLatency.p50, resultP99: c.resultLatency.p99,
        throughput: c.throughputPerSecond, lost: c.lost, duplicates: c.duplicates,
        failed: Object.values(c.failedResults).reduce((a, b) => a + b, 0),
        acceptRatio: sy ? sy.acceptLatency.p50 / c.acceptLatency.p50 : Number.NaN,
        resultRatio: sy ? sy.resultLatency.p50 / c.resultLatency.p50 : Number.NaN,
      });
    }
  };
  if (r.steady) {
    const c = r.steady.comparison;
    // The repetition with the median result p50 stands for each design.
    const medianRun = <T extends { commands: CommandFigures }>(runs: T[]): T | undefined => [...runs].sort((a, b) => a.commands.resultLatency.p50 - b.commands.resultLatency.p50)[Math.floor(runs.length / 2)];
    add(`steady ${r.steady.comparisonRate}/s (counter.add; median run of ${c.switchyard.length})`, { switchyard: medianRun(c.switchyard), sync: medianRun(c.sync), socketio: medianRun(c.socketio), bare: medianRun(c.bare) });
  }
  for (const wf of r.workflow?.rates ?? []) add(`workflow checkout ${wf.rate}/s (${wf.factor} × sync capacity)`, wf.byDesign);
  add('long work 200–2000 ms', r.longWork?.byTarget);
  if (r.churn) add(`churn ${r.churn.rate}/s`, { switchyard: r.churn.switchyard.outcome, sync: r.churn.sync?.outcome, socketio: r.churn.socketio?.outcome });
  return rows;
}
