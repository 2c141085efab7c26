/**
 * Scenario 2 — room fan-out: one sender posts to a room at a fixed rate and
 * N subscribers, spread over the gateways by HAProxy, receive every post.
 * Figures: deliveries, delivery latency (sender's intended time → receipt),
 * missing and duplicate deliveries, deliveries per gateway CPU-second.
 *
 * The topic is a `public.<id>` topic (any authenticated user may join, no
 * ACL round trip), so the figures are the gateway's and JetStream's
 * fan-out, not the messaging feature's membership checks. switchyard's part
 * is skipped, with the gateway's answer as the reason, if its gateway refuses
 * `sub`. The post is `benchroom.post`, handled by the bench-side actor,
 * which pushes the event to `out.t.<topic>`.
 */
import WebSocket from 'ws';
import { startLoad } from '../load/loadRunner.js';
import type { TargetKind, ThreadReport } from '../load/loadPlan.js';
import { summarize, type LatencySummary } from '../stats/latencySummary.js';
import { planThreads, runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';

export interface FanoutRun {
  status: 'measured' | 'skipped';
  reason?: string;
  subscribers?: number;
  posts?: number;
  deliveries?: number;
  expectedDeliveries?: number;
  duplicateDeliveries?: number;
  latency?: LatencySummary;
  /** Deliveries per CPU-second of the gateways (Socket.IO servers). */
  deliveriesPerGatewayCpuSecond?: number;
  sender?: LoadOutcome;
}

export type FanoutResult = Record<Exclude<TargetKind, 'sync'>, FanoutRun>;

/** Asks a switchyard gateway to join a topic; undefined when it did, else its answer. */
async function probeSubscribe(url: string, token: string, topic: string): Promise<string | undefined> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve('no answer to sub within 5 s'), 5000);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token })));
      ws.on('error', (err) => { clearTimeout(timer); resolve(`connection failed: ${err.message}`); });
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { type: string; error?: { code: string; message: string } };
        if (f.type === 'welcome') ws.send(JSON.stringify({ type: 'sub', topic }));
        else if (f.type === 'subscribed') { clearTimeout(timer); resolve(undefined); }
        else if (f.type === 'error') { clearTimeout(timer); resolve(`gateway answered sub with ${f.error?.code}: ${f.error?.message}`); }
      });
    });
  } finally {
    ws.terminate();
  }
}

async function runFanout(ctx: ScenarioContext, target: 'switchyard' | 'socketio', options: { subscribers: number; rate: number; durationMs: number }): Promise<FanoutRun> {
  const topic = `public.${ctx.runTag}${target}`;
  const workload = { kind: 'room' as const, topic };
  // Subscribers listen from when they are all connected until well after the sender (which connects after them) is done.
  const subSpec = { target, role: 'subscribers' as const, workload, mode: 'open' as const, rate: 0, durationMs: options.durationMs + 1000, connections: options.subscribers, graceMs: 1500, label: `fanout ${target} subscribers` };
  const subscribers = startLoad(await planThreads(ctx, subSpec, 0, `${ctx.runTag}fsub`));
  await subscribers.started;
  const sender = await runLoad(ctx, { target, workload, mode: 'open', rate: options.rate, durationMs: options.durationMs, connections: 1, graceMs: 3000, label: `fanout ${target} sender` });
  const reports: ThreadReport[] = await subscribers.done;
  const latencies = reports.flatMap((r) => Array.from(r.eventLatencies));
  const deliveries = reports.reduce((s, r) => s + r.eventsDelivered, 0);
  const opened = reports.reduce((s, r) => s + r.connectionsOpened, 0);
  const gatewayCpu = sender.processes.filter((p) => p.name.startsWith(`${target} gateway`)).reduce((s, p) => s + p.cpuSeconds, 0);
  ctx.say(`  fanout ${target}: ${deliveries} deliveries to ${opened} subscribers (${sender.commands.answered} posts)`);
  return {
    status: 'measured',
    subscribers: opened,
    posts: sender.commands.answered,
    deliveries,
    expectedDeliveries: sender.commands.answered * opened,
    duplicateDeliveries: reports.reduce((s, r) => s + r.eventDuplicates, 0),
    latency: summarize(latencies),
    deliveriesPerGatewayCpuSecond: gatewayCpu > 0 ? deliveries / gatewayCpu : Number.NaN,
    sender,
  };
}

export async function runFanoutScenario(ctx: ScenarioContext, options: { subscribers: number; rate: number; durationMs: number }): Promise<FanoutResult> {
  const cluster = ctx.clusters.switchyard;
  const refusal = await probeSubscribe(cluster.wsUrl(), await cluster.token('bench-probe'), `public.${ctx.runTag}probe`);
  let switchyard: FanoutRun;
  if (refusal) {
    ctx.say(`fanout switchyard: skipped: ${refusal}`);
    switchyard = { status: 'skipped', reason: refusal };
  } else {
    switchyard = await runFanout(ctx, 'switchyard', options);
  }
  const socketio = await runFanout(ctx, 'socketio', options);
  return { switchyard, socketio };
}
