/**
 * Scenario 5 — idle connections: N authenticated sockets (≥ 15,000 in the
 * default run; this machine's fd limit is 20,000 per process) that then do
 * nothing, opened directly on one measured gateway (HAProxy would add its
 * own memory), from several source addresses in 127.0.0.0/8 so that N can
 * pass one address's ephemeral ports. The same for one Socket.IO server,
 * and for the floor: a bare uWS server (bench/baselines/uwsIdleServer.ts)
 * that answers `hello` with a constant `welcome` and holds the socket, so
 * the gateway's cost per socket can be read against what uWS itself costs.
 *
 * The measured process is started for this scenario with the V8 inspector
 * on a loopback port (no debug code in the product): before every reading a
 * full GC is forced through the inspector, then RSS (/proc) and the V8 heap
 * in use are read. A warm-up set of sockets is opened and closed first (lazy
 * set-up is not per-socket memory); `reps` readings are taken before and
 * with the N sockets open. Bytes per socket = (reading with N − median
 * reading before) / N, from RSS and from the heap, min / median / max.
 */
import { startLoad } from '../load/loadRunner.js';
import { spawnSwitchyardMember, type ClusterMember } from '../../deploy/local/cluster.js';
import { BaselineProcess } from '../baselines/baselineProcess.js';
import { InspectorHeap, inspectableNodeOptions, type MemoryReading } from '../process/inspectorHeap.js';
import { spread, type Spread } from '../stats/repetitions.js';
import { planThreads, type ScenarioContext } from './scenarioContext.js';

/** What one idle run measures: the gateway, Socket.IO, or the bare uWS floor. */
export type IdleTarget = 'switchyard' | 'socketio' | 'uws';

export interface IdleRun {
  target: IdleTarget;
  requested: number;
  opened: number;
  failed: number;
  firstError?: string;
  before: MemoryReading[];
  after: MemoryReading[];
  rssBytesPerSocket: Spread;
  heapBytesPerSocket: Spread;
}

export interface IdleResult {
  switchyard: IdleRun;
  socketio: IdleRun;
  /** The bare uWS floor (absent in reports written before it was measured). */
  uws?: IdleRun;
}

/** 127.0.0.1 … 127.0.0.<n>: Linux answers on the whole 127/8 block, no setup needed. */
export function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => spread(values).median;

const LABELS: Record<IdleTarget, string> = { switchyard: 'gateway', socketio: 'Socket.IO server', uws: 'bare uWS server (floor)' };

async function startMeasured(ctx: ScenarioContext, target: IdleTarget, nodeOptions: string): Promise<ClusterMember> {
  if (target === 'switchyard') return spawnSwitchyardMember('gateway', 'idle-gw', { ...ctx.clusters.switchyard.env, NODE_OPTIONS: nodeOptions });
  if (target === 'socketio') return new BaselineProcess('socketIoServer', { ...ctx.clusters.socketio.env, NODE_OPTIONS: nodeOptions }, 'gateway', 'idle-sio').start();
  return new BaselineProcess('uwsIdleServer', { NODE_OPTIONS: nodeOptions }, 'gateway', 'idle-uws').start();
}

/** The load generator's target kind: the floor is driven like the bare-path server (hello → welcome, no resume). */
function loadTarget(target: IdleTarget): 'switchyard' | 'socketio' | 'bare' {
  return target === 'uws' ? 'bare' : target;
}

/** Opens `sockets` authenticated sockets on `url`; resolves once they are up, with a function that closes them. */
async function openIdle(ctx: ScenarioContext, target: IdleTarget, url: string, sockets: number, label: string) {
  const plans = await planThreads(ctx, {
    target: loadTarget(target), role: 'idle', workload: { kind: 'counter', entities: 1, entityPrefix: 'idle' }, mode: 'open', rate: 0,
    durationMs: 0, connections: sockets, graceMs: 0, label,
  }, Date.now(), `${ctx.runTag}${label.replace(/[^A-Za-z0-9]/g, '')}`);
  const addresses = sourceAddresses(16);
  for (const p of plans) { p.urls = [url]; p.sourceAddresses = addresses; }
  const load = startLoad(plans);
  const open = await load.idleOpen;
  return { open, close: async () => { load.closeIdle(); await load.done; } };
}

async function runIdle(ctx: ScenarioContext, target: IdleTarget, sockets: number, reps: number): Promise<IdleRun> {
  const { port, nodeOptions } = await inspectableNodeOptions();
  const member = await startMeasured(ctx, target, nodeOptions);
  const url = `ws://127.0.0.1:${member.port}/ws`;
  const inspector = await InspectorHeap.connect(port, member.pid!);
  try {
    const warm = await openIdle(ctx, target, url, 200, `idle ${target} warm-up`);
    await warm.close();
    await settle(1000);
    const before: MemoryReading[] = [];
    for (let k = 0; k < reps; k++) before.push(await inspector.read());
    ctx.say(`idle ${target}: opening ${sockets} authenticated sockets on a measured ${LABELS[target]} (pid ${member.pid})`);
    const idle = await openIdle(ctx, target, url, sockets, `idle ${target}`);
    await settle(2000);
    const after: MemoryReading[] = [];
    for (let k = 0; k < reps; k++) after.push(await inspector.read());
    await idle.close();
    const n = idle.open.opened;
    const rssBase = median(before.map((r) => r.rssBytes));
    const heapBase = median(before.map((r) => r.heapUsedBytes));
    const run: IdleRun = {
      target, requested: sockets, opened: n, failed: idle.open.failed,
      ...(idle.open.firstError ? { firstError: idle.open.firstError } : {}),
      before, after,
      rssBytesPerSocket: spread(after.map((r) => (n > 0 ? (r.rssBytes - rssBase) / n : Number.NaN))),
      heapBytesPerSocket: spread(after.map((r) => (n > 0 ? (r.heapUsedBytes - heapBase) / n : Number.NaN))),
    };
    ctx.say(`  idle ${target}: ${n} open (${idle.open.failed} failed), RSS ${(rssBase / 1048576).toFixed(1)} → ${(median(after.map((r) => r.rssBytes)) / 1048576).toFixed(1)} MiB; `
      + `${Math.round(run.rssBytesPerSocket.median)} bytes per socket (RSS), ${Math.round(run.heapBytesPerSocket.median)} (V8 heap), after a forced GC`);
    return run;
  } finally {
    inspector.close();
    await member.stop('SIGTERM');
  }
}

export async function runIdleScenario(ctx: ScenarioContext, options: { sockets: number; reps: number }): Promise<IdleResult> {
  return {
    switchyard: await runIdle(ctx, 'switchyard', options.sockets, options.reps),
    socketio: await runIdle(ctx, 'socketio', options.sockets, options.reps),
    uws: await runIdle(ctx, 'uws', options.sockets, options.reps),
  };
}
