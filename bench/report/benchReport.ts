/**
 * The shape of a bench report (report.json) and the ARCHITECTURE.md budget
 * table computed from it: "target vs measured", with the ratio to the floor
 * or baseline the target is stated against. A row whose inputs were not
 * measured says so; nothing is estimated.
 */
import type { FloorFigures } from '../scenarios/floors.js';
import type { SteadyResult } from '../scenarios/steady.js';
import type { FanoutResult } from '../scenarios/fanout.js';
import type { LongWorkResult } from '../scenarios/longWork.js';
import type { ChurnResult } from '../scenarios/churn.js';
import type { IdleRun } from '../scenarios/idle.js';

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
  steady?: SteadyResult;
  fanout?: FanoutResult;
  longWork?: LongWorkResult;
  churn?: ChurnResult;
  idle?: { switchyard: IdleRun; socketio: IdleRun };
  /** Scenarios that did not run, with the reason. */
  skipped: Record<string, string>;
  budget: BudgetRow[];
  comparisons: ComparisonRow[];
}

export interface BudgetRow {
  figure: string;
  target: string;
  measured: string;
  verdict: 'met' | 'not met' | 'not measured';
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

const f2 = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));
const row = (figure: string, target: string, measured: string | undefined, ok: boolean | undefined): BudgetRow =>
  ({ figure, target, measured: measured ?? 'not measured in this run', verdict: measured === undefined || ok === undefined ? 'not measured' : ok ? 'met' : 'not met' });

export function budgetTable(r: Omit<BenchReport, 'budget' | 'comparisons'>): BudgetRow[] {
  const rows: BudgetRow[] = [];
  const floors = r.floors;
  const steady = r.steady;
  const base = steady?.switchyard[0]?.commands;
  if (floors && base) {
    const ratio = base.acceptLatency.p50 / floors.jetstreamPublishAck.latency.p50;
    rows.push(row('accept latency p50 (client-measured, through HAProxy) vs JetStream publish-ack floor', '≤ 2 ×',
      `${f2(base.acceptLatency.p50)} ms vs ${f2(floors.jetstreamPublishAck.latency.p50)} ms = ${f2(ratio)} × (at ${steady!.rates[0]}/s)`, ratio <= 2));
  } else rows.push(row('accept latency p50 vs JetStream publish-ack floor', '≤ 2 ×', undefined, undefined));
  const at5k = steady?.switchyard.find((o) => o.spec.rate >= 5000);
  rows.push(at5k
    ? row('accept latency p99 at 5k commands/s', '≤ 2 ms', `${f2(at5k.commands.acceptLatency.p99)} ms at ${at5k.spec.rate}/s`, at5k.commands.acceptLatency.p99 <= 2)
    : row('accept latency p99 at 5k commands/s', '≤ 2 ms', steady ? undefined : undefined, undefined));
  if (at5k === undefined && steady) rows[rows.length - 1]!.measured = `not measured at 5k/s: highest rate run was ${Math.max(...steady.rates)}/s (p99 ${f2(steady.switchyard[steady.switchyard.length - 1]?.commands.acceptLatency.p99)} ms there)`;
  if (floors && base) {
    const ratio = base.resultLatency.p50 / floors.barePath.rtt.p50;
    rows.push(row('result latency p50, trivial handler, vs bare-path floor', '≤ 3 ×', `${f2(base.resultLatency.p50)} ms vs ${f2(floors.barePath.rtt.p50)} ms = ${f2(ratio)} ×`, ratio <= 3));
  } else rows.push(row('result latency p50 vs bare-path floor', '≤ 3 ×', undefined, undefined));
  if (floors && steady) {
    const ratio = steady.saturation.commands.throughputPerSecond / floors.jetstreamPublishConsume.perSecond;
    rows.push(row('end-to-end throughput (closed loop) vs bare JetStream publish→consume', '≥ 60 %',
      `${f2(steady.saturation.commands.throughputPerSecond)}/s vs ${f2(floors.jetstreamPublishConsume.perSecond)}/s = ${(ratio * 100).toFixed(1)} %`, ratio >= 0.6));
  } else rows.push(row('end-to-end throughput vs bare JetStream publish→consume', '≥ 60 %', undefined, undefined));
  const idle = r.idle;
  if (idle) {
    const b = idle.switchyard.bytesPerSocket;
    rows.push(row('gateway memory per idle authenticated socket', '≤ 2 KB', `${f2(b / 1024)} KB (RSS delta / ${idle.switchyard.opened} sockets)`, b <= 2048));
    rows.push(row('≥ 100k idle sockets in one gateway process', '≥ 100k', idle.switchyard.opened >= 100_000 ? `${idle.switchyard.opened} opened` : undefined, idle.switchyard.opened >= 100_000 ? true : undefined));
    if (idle.switchyard.opened < 100_000) rows[rows.length - 1]!.measured = `not measured: this run opened ${idle.switchyard.opened} (use --idle-sockets; this machine's fd limit is the cap)`;
    const ratio = b / idle.socketio.bytesPerSocket;
    rows.push(row('memory per idle socket vs Socket.IO', '≤ 1/6', `${f2(b / 1024)} KB vs ${f2(idle.socketio.bytesPerSocket / 1024)} KB = 1/${f2(1 / ratio)}`, ratio <= 1 / 6));
  } else {
    rows.push(row('gateway memory per idle authenticated socket', '≤ 2 KB', undefined, undefined));
    rows.push(row('memory per idle socket vs Socket.IO', '≤ 1/6', undefined, undefined));
  }
  const churn = r.churn;
  if (churn && steady) {
    const c = churn.switchyard.outcome.commands;
    const steadyP99 = (steady.switchyard.find((o) => o.spec.rate === churn.rate) ?? steady.switchyard[0]!).commands.resultLatency.p99;
    const ratio = c.resultLatency.p99 / steadyP99;
    rows.push(row('p99 result latency while scaling vs steady state; lost; duplicates', '≤ 3 ×; 0; 0',
      `${f2(c.resultLatency.p99)} ms vs ${f2(steadyP99)} ms = ${f2(ratio)} ×; lost ${c.lost}; duplicates ${c.duplicates} (${churn.switchyard.changes} scaling events)`,
      ratio <= 3 && c.lost === 0 && c.duplicates === 0));
  } else rows.push(row('p99 result latency while scaling vs steady; lost 0; duplicates 0', '≤ 3 ×; 0; 0', undefined, undefined));
  const lw = r.longWork;
  if (lw) {
    const sy = lw.byTarget.switchyard.commands.acceptLatency.p50;
    const sync = lw.byTarget.sync.commands.resultLatency.p50;
    rows.push(row('response time vs the synchronous design, long work (p50)', '≥ 10 × lower', `${f2(sy)} ms vs ${f2(sync)} ms = ${f2(sync / sy)} × lower`, sync / sy >= 10));
  } else rows.push(row('response time vs the synchronous design, long work', '≥ 10 × lower', undefined, undefined));
  const fo = r.fanout;
  if (fo?.switchyard.status === 'measured' && fo.socketio.status === 'measured') {
    const ratio = fo.switchyard.deliveriesPerGatewayCpuSecond! / fo.socketio.deliveriesPerGatewayCpuSecond!;
    rows.push(row('room fan-out deliveries per gateway CPU-second vs Socket.IO + redis-adapter', '≥ 2 ×',
      `${f2(fo.switchyard.deliveriesPerGatewayCpuSecond)} vs ${f2(fo.socketio.deliveriesPerGatewayCpuSecond)} = ${f2(ratio)} ×`, ratio >= 2));
  } else {
    rows.push(row('room fan-out deliveries per gateway CPU-second vs Socket.IO + redis-adapter', '≥ 2 ×', undefined, undefined));
    rows[rows.length - 1]!.measured = `not measured: switchyard ${fo?.switchyard.reason ?? 'fan-out did not run'}${fo?.socketio.status === 'measured' ? `; Socket.IO measured ${f2(fo.socketio.deliveriesPerGatewayCpuSecond)} deliveries per CPU-second` : ''}`;
  }
  if (steady) {
    const cpuPer = (o: typeof steady.switchyard[number], prefix: string) =>
      o.processes.filter((p) => p.name.startsWith(prefix)).reduce((s, p) => s + p.cpuSeconds, 0) / Math.max(1, o.commands.answered);
    const sy = cpuPer(steady.byTarget.switchyard, 'switchyard gateway');
    const sio = cpuPer(steady.byTarget.socketio, 'socketio gateway');
    rows.push(row('gateway CPU per command vs Socket.IO server CPU per command (same load; Socket.IO does ack + result, no durability)', '≤ 1 ×',
      `${f2(sy * 1e6)} µs vs ${f2(sio * 1e6)} µs = ${f2(sy / sio)} ×`, sy / sio <= 1));
  } else rows.push(row('gateway CPU per command vs Socket.IO', '≤ 1 ×', undefined, undefined));
  return rows;
}

export function comparisonRows(r: Omit<BenchReport, 'budget' | 'comparisons'>): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const add = (scenario: string, byTarget: Record<string, { commands: import('../stats/commandAccounting.js').CommandFigures }> | undefined) => {
    if (!byTarget) return;
    const sy = byTarget.switchyard?.commands;
    for (const [design, o] of Object.entries(byTarget)) {
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
  add(`steady ${r.steady?.rates[0]}/s (counter.add)`, r.steady?.byTarget);
  add('long work 200–2000 ms', r.longWork?.byTarget);
  if (r.churn) add(`churn ${r.churn.rate}/s`, { switchyard: r.churn.switchyard.outcome, sync: r.churn.sync.outcome });
  return rows;
}
