/**
 * Actor runtime throughput with the trivial handler (counter): starts real
 * servers and N workers, publishes COMMANDS commands to ENTITIES entities
 * straight to JetStream (with the gateway's headers), waits for every
 * result on the session, and prints commands/s, result latency percentiles
 * (publish → result push), the CPU seconds each process used, and the
 * entity store figures (commands per round trip, writes per command).
 *
 *   npm run bench:actors -- [commands=2000] [entities=100] [workers=1]
 */
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { startServers } from '../deploy/local/servers.js';
import { SwitchyardProcess } from '../deploy/local/switchyardProcess.js';
import { HEADERS, commandMessage, subjects } from '../protocol/index.js';
import { publishCommand } from '../platform/index.js';
import { readStore, storeFiguresLine } from './stats/storeFigures.js';

const [commands = 2000, entities = 100, workers = 1] = process.argv.slice(2).map(Number);
const PARTITIONS = 8;
const say = (line: string) => process.stdout.write(`${line}\n`);

function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const servers = await startServers();
const procs: SwitchyardProcess[] = [];
try {
  const env = { ...servers.env, SY_PARTITIONS: String(PARTITIONS), SY_WORKER_METRICS_PORT: '0', SY_LOG_LEVEL: 'warn' };
  for (let i = 0; i < workers; i++) procs.push(await new SwitchyardProcess('worker', env).start());
  const cpuAtStart = procs.map((p) => cpuSeconds(p.pid));
  const mongoAtStart = cpuSeconds(servers.mongo.pid);
  const storeAtStart = await readStore(procs.map((p) => p.port));
  const nc = await connect({ servers: servers.nats.url });
  const js = jetstream(nc);
  const session = 'bench';
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let done!: () => void;
  const allResults = new Promise<void>((resolve) => { done = resolve; });
  nc.subscribe(subjects.live(subjects.sessionPush(session)), {
    callback: (_err, msg) => {
      const id = msg.headers?.get(HEADERS.commandId) ?? '';
      const at = sentAt.get(id);
      if (at === undefined) return;
      sentAt.delete(id);
      latencies.push(performance.now() - at);
      if (latencies.length === commands) done();
    },
  });
  await nc.flush();
  const t0 = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < commands; i++) {
    const id = `b${i}`;
    const entity = `bench-${i % entities}`;
    sentAt.set(id, performance.now());
    const cmd = { id, actor: 'counter', entity, name: 'add', data: { by: 1 } };
    const p = publishCommand(js, commandMessage(cmd, { kind: 'client', user: 'bench', session, receivedAt: Date.now() }, PARTITIONS));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const published = performance.now();
  await allResults;
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  say(`commands ${commands}, entities ${entities}, workers ${workers}, partitions ${PARTITIONS}`);
  say(`published in ${((published - t0) / 1000).toFixed(2)} s; every result after ${seconds.toFixed(2)} s → ${(commands / seconds).toFixed(0)} commands/s`);
  say(`result latency (publish → push, includes the backlog) ms: p50 ${pct(0.5)}, p90 ${pct(0.9)}, p99 ${pct(0.99)}, max ${pct(1)}`);
  const workerCpu = procs.reduce((sum, p, i) => sum + cpuSeconds(p.pid) - cpuAtStart[i]!, 0);
  const mongoCpu = cpuSeconds(servers.mongo.pid) - mongoAtStart;
  say(storeFiguresLine(storeAtStart, await readStore(procs.map((p) => p.port))));
  say(`CPU per command: workers ${((workerCpu / commands) * 1000).toFixed(2)} ms, mongowire ${((mongoCpu / commands) * 1000).toFixed(2)} ms`);
  await nc.close();
} finally {
  await Promise.all(procs.map((p) => p.stop()));
  await servers.stop();
}
