/**
 * Scenario 5 — idle connections: N authenticated sockets that then do
 * nothing, opened directly on one gateway (HAProxy would add its own
 * memory), from several source addresses in 127.0.0.0/8 so that N can pass
 * one address's ephemeral ports. Figure: the gateway's RSS growth per
 * socket. The same for one Socket.IO server.
 */
import { startLoad } from '../load/loadRunner.js';
import { readProcStat } from '../process/processSampler.js';
import { planThreads, type ScenarioContext } from './scenarioContext.js';

export interface IdleRun {
  target: 'switchyard' | 'socketio';
  requested: number;
  opened: number;
  failed: number;
  firstError?: string;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** (RSS after − RSS before) / opened sockets, bytes. */
  bytesPerSocket: number;
}

/** 127.0.0.1 … 127.0.0.<n>: Linux answers on the whole 127/8 block, no setup needed. */
export function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runIdle(ctx: ScenarioContext, target: 'switchyard' | 'socketio', sockets: number): Promise<IdleRun> {
  const cluster = ctx.clusters[target];
  const gateway = cluster.gateways[cluster.gateways.length - 1]!;
  await settle(1000);
  const before = readProcStat(gateway.pid!)?.rssBytes ?? Number.NaN;
  ctx.say(`idle ${target}: opening ${sockets} authenticated sockets on ${gateway.name}`);
  const plans = await planThreads(ctx, {
    target, role: 'idle', workload: { kind: 'counter', entities: 1, entityPrefix: 'idle' }, mode: 'open', rate: 0,
    durationMs: 0, connections: sockets, graceMs: 0, label: `idle ${target}`,
  }, Date.now(), `${ctx.runTag}idle`);
  const addresses = sourceAddresses(8);
  for (const p of plans) { p.urls = [cluster.gatewayUrl(gateway)]; p.sourceAddresses = addresses; }
  const load = startLoad(plans);
  const open = await load.idleOpen;
  await settle(2000);
  const after = readProcStat(gateway.pid!)?.rssBytes ?? Number.NaN;
  load.closeIdle();
  await load.done;
  const run: IdleRun = {
    target, requested: sockets, opened: open.opened, failed: open.failed,
    ...(open.firstError ? { firstError: open.firstError } : {}),
    rssBeforeMiB: before / 1048576, rssAfterMiB: after / 1048576,
    bytesPerSocket: open.opened > 0 ? (after - before) / open.opened : Number.NaN,
  };
  ctx.say(`  idle ${target}: ${open.opened} open (${open.failed} failed), RSS ${run.rssBeforeMiB.toFixed(1)} → ${run.rssAfterMiB.toFixed(1)} MiB, ${Math.round(run.bytesPerSocket)} bytes per socket`);
  return run;
}

export async function runIdleScenario(ctx: ScenarioContext, options: { sockets: number }): Promise<{ switchyard: IdleRun; socketio: IdleRun }> {
  return { switchyard: await runIdle(ctx, 'switchyard', options.sockets), socketio: await runIdle(ctx, 'socketio', options.sockets) };
}
