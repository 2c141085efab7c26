/**
 * What every scenario gets: the servers, the load balancer, the three
 * clusters (switchyard, the synchronous design, Socket.IO), run settings,
 * and `runLoad`, which drives load threads against one target while
 * sampling the CPU and memory of the processes involved.
 */
import { cpus } from 'node:os';
import type { Servers } from '../../deploy/local/servers.js';
import type { LoadBalancer } from '../../deploy/local/haproxy/loadBalancer.js';
import type { ClusterMember, LocalCluster } from '../../deploy/local/cluster.js';
import { startLoad } from '../load/loadRunner.js';
import type { TargetKind, ThreadPlan, ThreadReport, ThreadRole, Workload } from '../load/loadPlan.js';
import { accountCommands, type CommandFigures } from '../stats/commandAccounting.js';
import { ProcessSampler, type ProcessFigures } from '../process/processSampler.js';
import { readStore, storeFiguresBetween, type StoreFigures, type StoreReading } from '../stats/storeFigures.js';

export interface ScenarioContext {
  /** The short version of every scenario (`npm run bench` without flags). */
  short: boolean;
  servers: Servers;
  loadBalancer: LoadBalancer;
  clusters: Record<TargetKind, LocalCluster>;
  /** Load threads per run. */
  threads: number;
  /** Checkouts running at once: per sync worker / Socket.IO server, and in switchyard's bench actors in all. */
  workflowConcurrency: { perSyncWorker: number; switchyard: number };
  /** Unique per bench run: entity and command ids never collide with an earlier run on the same servers. */
  runTag: string;
  say(line: string): void;
  /** Processes sampled in every run besides the target's members (servers, HAProxy). */
  infrastructure(): Array<{ pid: number | undefined; name: string }>;
}

export interface LoadSpec {
  target: TargetKind;
  role?: ThreadRole;
  workload: Workload;
  mode: 'open' | 'closed';
  /** Commands per second, all threads together (open loop). */
  rate: number;
  /** Outstanding commands per connection (closed loop). @default 4 */
  concurrency?: number;
  durationMs: number;
  connections: number;
  graceMs: number;
  /** Connect to these URLs instead of the target's load balancer. */
  urls?: string[];
  /** Label for ids and progress lines. */
  label: string;
  /** Start time (epoch ms); when absent, 300 ms after every load thread has its connections up. */
  startAt?: number;
}

export interface LoadOutcome {
  label: string;
  target: TargetKind;
  spec: Omit<LoadSpec, 'urls'>;
  /** Epoch ms of the schedule start (the charts' zero). */
  origin: number;
  commands: CommandFigures;
  /** Time from the end of the send schedule to the last result (the backlog drain), ms; NaN when nothing was answered. */
  drainMs: number;
  /** Results per second over the schedule and the drain: answered / (schedule + drain). */
  resultsPerSecond: number;
  /** Accepted per second over the schedule (open loop: what the accept path took of what was offered). */
  acceptedPerSecond: number;
  reports: ThreadReport[];
  processes: ProcessFigures[];
  /**
   * switchyard without churn: what its workers' entity stores did during the
   * run (from their /metrics before and after; the grace drain included).
   * Absent for other targets, under churn (a restarted worker's counters
   * start again at 0) and when a worker could not be read.
   */
  store?: StoreFigures;
}

export function membersOf(cluster: LocalCluster): ClusterMember[] {
  return [...cluster.gateways, ...cluster.workers];
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, cpus().length));
}

/** Builds the thread plans of a load, splitting connections and rate evenly. */
export async function planThreads(ctx: ScenarioContext, spec: LoadSpec, startAt: number, idPrefix: string): Promise<ThreadPlan[]> {
  const cluster = ctx.clusters[spec.target];
  const threads = Math.max(1, Math.min(ctx.threads, spec.connections));
  return Promise.all(Array.from({ length: threads }, async (_, t) => ({
    threadIndex: t,
    role: spec.role ?? 'commands',
    target: spec.target,
    urls: spec.urls ?? [cluster.wsUrl()],
    token: await cluster.token(`bench-${spec.target}-${t}`),
    connections: Math.floor(spec.connections / threads) + (t < spec.connections % threads ? 1 : 0),
    workload: spec.workload,
    mode: spec.mode,
    ratePerSecond: spec.rate / threads,
    concurrency: spec.concurrency ?? 4,
    startAt,
    durationMs: spec.durationMs,
    maxCommands: Math.ceil((spec.mode === 'open' ? (spec.rate / threads) * (spec.durationMs / 1000) : 200_000)) + 1,
    graceMs: spec.graceMs,
    idPrefix,
  })));
}

/**
 * Runs one load against one target and returns its figures. `during` runs
 * alongside (the churn controller); the sampler follows members it adds.
 */
export async function runLoad(ctx: ScenarioContext, spec: LoadSpec, during?: (sampler: ProcessSampler, origin: number) => Promise<void>): Promise<LoadOutcome> {
  const idPrefix = `${ctx.runTag}${spec.label.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 40);
  const plans = await planThreads(ctx, spec, spec.startAt ?? 0, idPrefix);
  const sampler = new ProcessSampler();
  for (const m of membersOf(ctx.clusters[spec.target])) sampler.track(m.pid, `${spec.target} ${m.kind} ${m.name}`);
  for (const p of ctx.infrastructure()) sampler.track(p.pid, p.name);
  ctx.say(`${spec.label}: ${spec.mode === 'open' ? `${spec.rate}/s open loop` : `closed loop × ${spec.concurrency ?? 4}`}, ${spec.connections} connections, ${Math.round(spec.durationMs / 1000)} s`);
  const storeWorkers = spec.target === 'switchyard' && !during ? ctx.clusters.switchyard.workers.map((w) => w.port) : [];
  const storeBefore = await readStoreQuietly(storeWorkers);
  const load = startLoad(plans, (line) => ctx.say(`  ${spec.label}: ${line}`));
  let reports: ThreadReport[];
  let startAt: number;
  try {
    startAt = await Promise.race([load.started, load.done.then(() => Number.NaN)]);
    sampler.start();
    const side = during ? during(sampler, startAt) : Promise.resolve();
    [reports] = await Promise.all([load.done, side]);
  } catch (err) {
    await load.terminate();
    throw err;
  }
  const processes = sampler.stop();
  const storeAfter = await readStoreQuietly(storeWorkers);
  const store = storeBefore && storeAfter ? storeFiguresBetween(storeBefore, storeAfter) : undefined;
  const commands = accountCommands(reports, startAt, idPrefix);
  const { urls: _urls, ...specWithoutUrls } = spec;
  let lastResult = 0;
  let lastAccepted = 0;
  for (const r of reports) {
    for (let i = 0; i < r.commands.count; i++) {
      lastResult = Math.max(lastResult, r.commands.result[i]!);
      lastAccepted = Math.max(lastAccepted, r.commands.accepted[i]!);
    }
  }
  const scheduleEnd = startAt + spec.durationMs;
  const drainMs = lastResult > 0 ? Math.max(0, lastResult - scheduleEnd) : Number.NaN;
  const resultsPerSecond = commands.answered / ((Math.max(scheduleEnd, lastResult) - startAt) / 1000);
  const acceptedPerSecond = commands.accepted / ((Math.max(scheduleEnd, lastAccepted) - startAt) / 1000);
  ctx.say(`  ${spec.label}: answered ${commands.answered}/${commands.sent}, lost ${commands.lost}, duplicates ${commands.duplicates}, rejected ${commands.rejected}, `
    + `accept p50 ${fmt(commands.acceptLatency.p50)} p99 ${fmt(commands.acceptLatency.p99)} ms, result p50 ${fmt(commands.resultLatency.p50)} p99 ${fmt(commands.resultLatency.p99)} ms, `
    + `${Math.round(acceptedPerSecond || 0)} accepted/s, ${Math.round(resultsPerSecond || 0)} results/s, drain ${fmt(drainMs / 1000)} s`
    + (store && store.commands > 0 ? `; store: ${fmt(store.commandsPerRoundTrip)} commands per round trip, ${fmt(store.writesPerCommand)} writes per command` : ''));
  return {
    label: spec.label, target: spec.target, spec: specWithoutUrls, origin: startAt, commands, drainMs, resultsPerSecond, acceptedPerSecond, reports, processes,
    ...(store ? { store } : {}),
  };
}

/** The workers' store counters summed, or undefined when there are none or one cannot be read. */
async function readStoreQuietly(ports: readonly number[]): Promise<StoreReading | undefined> {
  if (ports.length === 0 || ports.some((p) => p <= 0)) return undefined;
  try {
    return await readStore(ports);
  } catch {
    return undefined;
  }
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
