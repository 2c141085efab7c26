/**
 * The in-process floors of ARCHITECTURE.md's performance budget, measured
 * again in the same run: uWS WebSocket echo, JetStream publish→ack (one at a
 * time, and async with a bounded window), JetStream publish→consume, and the
 * bare path ws → uWS → JetStream → pull consumer → core publish → push (one
 * round trip at a time, directly on one bare server).
 *
 * The floors a budget ratio divides by are measured by the same method as
 * the figure they are compared with: the accept-path and bare-path floors by
 * the load generator through HAProxy (acceptPath.ts, steady.ts), the store
 * floor against the stack's MongoDB-wire server (storeFloorRuns.ts).
 */
import WebSocket from 'ws';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { BaselineProcess } from '../baselines/baselineProcess.js';
import { summarize, type LatencySummary } from '../stats/latencySummary.js';
import type { ScenarioContext } from './scenarioContext.js';

export interface FloorFigures {
  uwsEcho: { rtt: LatencySummary };
  jetstreamPublishAck: { latency: LatencySummary; asyncPerSecond: number; window: number };
  jetstreamPublishConsume: { latency: LatencySummary; perSecond: number };
  barePath: { rtt: LatencySummary; perSecond: number; connections: number };
}

const now = (): number => performance.timeOrigin + performance.now();

/** Sequential round trips over one socket: send, wait for the echo, repeat. */
async function sequentialRoundTrips(url: string, count: number): Promise<LatencySummary> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = now();
    await new Promise<void>((resolve) => { ws.once('message', () => resolve()); ws.send(`{"c":0,"i":${i}}`); });
    if (i >= Math.min(100, count / 10)) samples.push(now() - t); // first round trips warm the path up
  }
  ws.terminate();
  return summarize(samples);
}

/** Round trips per second with `connections` sockets each keeping `depth` messages in flight, for `ms`. */
async function roundTripRate(url: string, connections: number, depth: number, ms: number): Promise<number> {
  let done = 0;
  const until = now() + ms;
  const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  const started = now();
  await Promise.all(sockets.map((ws, c) => new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = () => { while (inFlight < depth && now() < until) { inFlight++; ws.send(`{"c":${c}}`); } if (inFlight === 0) resolve(); };
    ws.on('message', () => { inFlight--; done++; pump(); });
    pump();
  })));
  const rate = done / ((now() - started) / 1000);
  for (const ws of sockets) ws.terminate();
  return rate;
}

async function jetstreamFloors(nc: NatsConnection, count: number): Promise<Pick<FloorFigures, 'jetstreamPublishAck' | 'jetstreamPublishConsume'>> {
  const jsm = await jetstreamManager(nc);
  const stream = 'BENCHJS';
  await jsm.streams.delete(stream).catch(() => false);
  await jsm.streams.add({ name: stream, subjects: ['benchjs.>'], retention: RetentionPolicy.Limits, storage: StorageType.File });
  const js = jetstream(nc);
  const ackLat: number[] = [];
  for (let i = 0; i < Math.min(count, 3000); i++) {
    const t = now();
    await js.publish('benchjs.ack', `{"i":${i}}`);
    if (i >= 100) ackLat.push(now() - t);
  }
  const window = 256;
  const asyncCount = count * 5;
  let next = 0;
  const asyncStart = now();
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < asyncCount) { next++; await js.publish('benchjs.async', '{"i":0}'); }
  }));
  const asyncPerSecond = asyncCount / ((now() - asyncStart) / 1000);

  // publish → consume: a pull consumer on the same stream; latency from publish start to delivery.
  await jsm.consumers.add(stream, { durable_name: 'floor', filter_subject: 'benchjs.pc', ack_policy: AckPolicy.None });
  const consumer = await js.consumers.get(stream, 'floor');
  const messages = await consumer.consume({ max_messages: 1024 });
  const consumeLat: number[] = [];
  let received = 0;
  let wake: () => void = () => {};
  const consuming = (async () => {
    for await (const m of messages) {
      consumeLat.push(now() - Number(m.string()));
      received++;
      wake();
    }
  })();
  const pcCount = count * 5;
  const pcStart = now();
  let sent = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (sent < pcCount) { sent++; await js.publish('benchjs.pc', String(now())); }
  }));
  while (received < pcCount) await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
  const perSecond = pcCount / ((now() - pcStart) / 1000);
  // Latency one at a time (the throughput run above measures queueing, not the path).
  const seqLat: number[] = [];
  for (let i = 0; i < Math.min(count, 2000); i++) {
    const target = received + 1;
    const t = now();
    await js.publish('benchjs.pc', String(t));
    while (received < target) await new Promise<void>((r) => { wake = r; });
    if (i >= 100) seqLat.push(consumeLat[consumeLat.length - 1]!);
  }
  await messages.close();
  await consuming;
  await jsm.streams.delete(stream).catch(() => false);
  return {
    jetstreamPublishAck: { latency: summarize(ackLat), asyncPerSecond, window },
    jetstreamPublishConsume: { latency: summarize(seqLat), perSecond },
  };
}

export async function measureFloors(ctx: ScenarioContext): Promise<FloorFigures> {
  const count = ctx.short ? 1500 : 5000;
  const env = { ...ctx.servers.env };
  const echo = await new BaselineProcess('uwsEchoServer', env).start();
  const path = ctx.clusters.bare.gateways[0]!;
  const nc = await connect({ servers: ctx.servers.env.NATS_URL.split(',') });
  try {
    ctx.say('floors: uWS echo');
    const echoRtt = await sequentialRoundTrips(`ws://127.0.0.1:${echo.port}/ws`, count);
    ctx.say('floors: JetStream publish→ack, publish→consume');
    const js = await jetstreamFloors(nc, count);
    ctx.say('floors: bare path ws → uWS → JetStream → consumer → core publish → push');
    const pathRtt = await sequentialRoundTrips(`ws://127.0.0.1:${path.port}/ws`, count);
    const connections = 16;
    const perSecond = await roundTripRate(`ws://127.0.0.1:${path.port}/ws`, connections, 16, ctx.short ? 2000 : 5000);
    return { uwsEcho: { rtt: echoRtt }, ...js, barePath: { rtt: pathRtt, perSecond, connections } };
  } finally {
    await nc.close();
    await echo.stop();
  }
}
