/**
 * Scenario 2 — room fan-out at scale: N subscribers (≥ 1,000 in the default
 * run) join one room through HAProxy, which spreads them over the gateways
 * (2); then one sender posts at `deliveriesPerSecond / N` posts/s for
 * `senderMs`, `reps` times, while the subscribers stay connected. Each post
 * is delivered to every subscriber. Figures per repetition: deliveries and
 * missing ones, duplicates, delivery latency (the post's intended send time
 * → receipt at a subscriber; posts belong to a repetition by that time),
 * deliveries per gateway CPU-second (CPU of the gateways / Socket.IO servers
 * from the sender's start until 1.5 s after it is done).
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
import type { ThreadReport } from '../load/loadPlan.js';
import { summarize, type LatencySummary } from '../stats/latencySummary.js';
import { ProcessSampler } from '../process/processSampler.js';
import { spreadOf, type Spread } from '../stats/repetitions.js';
import { planThreads, runLoad, type LoadOutcome, type ScenarioContext } from './scenarioContext.js';

export interface FanoutRep {
  posts: number;
  deliveries: number;
  expectedDeliveries: number;
  latency: LatencySummary;
  gatewayCpuSeconds: number;
  deliveriesPerGatewayCpuSecond: number;
  /** Deliveries per second over the sender's schedule. */
  deliveriesPerSecond: number;
  sender: LoadOutcome;
}

export interface FanoutRun {
  status: 'measured' | 'skipped';
  reason?: string;
  subscribers?: number;
  /** Gateways (Socket.IO servers) the subscribers were spread over by HAProxy (leastconn). */
  gateways?: number;
  postsPerSecond?: number;
  offeredDeliveriesPerSecond?: number;
  duplicateDeliveries?: number;
  reps?: FanoutRep[];
  figures?: { latencyP50: Spread; latencyP99: Spread; deliveriesPerGatewayCpuSecond: Spread; deliveriesPerSecond: Spread; missing: Spread };
}

export interface FanoutResult {
  switchyard: FanoutRun;
  socketio: FanoutRun;
}

export interface FanoutOptions {
  subscribers: number;
  deliveriesPerSecond: number;
  senderMs: number;
  reps: number;
}

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

async function runFanout(ctx: ScenarioContext, target: 'switchyard' | 'socketio', options: FanoutOptions): Promise<FanoutRun> {
  const topic = `public.${ctx.runTag}${target}`;
  const workload = { kind: 'room' as const, topic };
  const cluster = ctx.clusters[target];
  const postsPerSecond = Math.max(1, Math.ceil(options.deliveriesPerSecond / options.subscribers));
  // Subscribers listen from when they are all connected until told to stop (after the last sender).
  const subSpec = { target, role: 'subscribers' as const, workload, mode: 'open' as const, rate: 0, durationMs: 30 * 60_000, connections: options.subscribers, graceMs: 0, label: `fanout ${target} subscribers` };
  ctx.say(`fanout ${target}: ${options.subscribers} subscribers joining ${topic} through HAProxy (${cluster.gateways.length} gateways)`);
  const subscribers = startLoad(await planThreads(ctx, subSpec, 0, `${ctx.runTag}fsub`), (line) => ctx.say(`  fanout ${target} subscribers: ${line}`));
  await subscribers.started;
  await new Promise((r) => setTimeout(r, 1500)); // every `sub` answered before the first post
  const senders: Array<{ sender: LoadOutcome; cpu: number }> = [];
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      const sampler = new ProcessSampler();
      for (const g of cluster.gateways) sampler.track(g.pid, `${target} gateway ${g.name}`);
      sampler.start();
      const sender = await runLoad(ctx, {
        target, workload, mode: 'open', rate: postsPerSecond, durationMs: options.senderMs, connections: 1, graceMs: 3000,
        label: `fanout ${target} sender ${postsPerSecond} posts/s #${rep + 1}`,
      });
      await new Promise((r) => setTimeout(r, 1500)); // deliveries still on their way are counted, and their CPU
      const cpu = sampler.stop().filter((p) => p.name.startsWith(`${target} gateway`)).reduce((s, p) => s + p.cpuSeconds, 0);
      senders.push({ sender, cpu });
    }
  } finally {
    subscribers.closeIdle();
  }
  const reports: ThreadReport[] = await subscribers.done;
  const opened = reports.reduce((s, r) => s + r.connectionsOpened, 0);
  // Each delivery belongs to the repetition whose schedule holds the post's intended send time.
  const byRep = senders.map(() => ({ latencies: [] as number[] }));
  for (const r of reports) {
    for (let j = 0; j < r.eventLatencies.length; j++) {
      const intended = r.eventTimes[j]! - r.eventLatencies[j]!;
      const k = senders.findIndex(({ sender }) => intended >= sender.origin - 1 && intended <= sender.origin + options.senderMs + 1);
      if (k >= 0) byRep[k]!.latencies.push(r.eventLatencies[j]!);
    }
  }
  const reps: FanoutRep[] = senders.map(({ sender, cpu }, k) => {
    const deliveries = byRep[k]!.latencies.length;
    const rep: FanoutRep = {
      posts: sender.commands.answered,
      deliveries,
      expectedDeliveries: sender.commands.answered * opened,
      latency: summarize(byRep[k]!.latencies),
      gatewayCpuSeconds: cpu,
      deliveriesPerGatewayCpuSecond: cpu > 0 ? deliveries / cpu : Number.NaN,
      deliveriesPerSecond: deliveries / (options.senderMs / 1000),
      sender,
    };
    ctx.say(`  fanout ${target} #${k + 1}: ${deliveries}/${rep.expectedDeliveries} deliveries to ${opened} subscribers, p50 ${rep.latency.p50.toFixed(1)} ms p99 ${rep.latency.p99.toFixed(1)} ms, ${Math.round(rep.deliveriesPerGatewayCpuSecond)} per gateway CPU-s`);
    return rep;
  });
  return {
    status: 'measured',
    subscribers: opened,
    gateways: cluster.gateways.length,
    postsPerSecond,
    offeredDeliveriesPerSecond: postsPerSecond * opened,
    duplicateDeliveries: reports.reduce((s, r) => s + r.eventDuplicates, 0),
    reps,
    figures: {
      latencyP50: spreadOf(reps, (r) => r.latency.p50),
      latencyP99: spreadOf(reps, (r) => r.latency.p99),
      deliveriesPerGatewayCpuSecond: spreadOf(reps, (r) => r.deliveriesPerGatewayCpuSecond),
      deliveriesPerSecond: spreadOf(reps, (r) => r.deliveriesPerSecond),
      missing: spreadOf(reps, (r) => r.expectedDeliveries - r.deliveries),
    },
  };
}

export async function runFanoutScenario(ctx: ScenarioContext, options: FanoutOptions): Promise<FanoutResult> {
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
