/**
 * The fault suite: each fault injected under steady load from WebSocket
 * clients (the SDK, reconnecting and resuming), with the verdicts asserted
 * (fault (a), the JetStream leader, is in jetStreamLeaderFault.test.ts; the
 * rolling restart (i) in rollingRestart.test.ts): nothing accepted is lost,
 * nothing is applied twice. Times are measured and recorded for
 * RELIABILITY.md, never asserted. The load: faultLoad.ts.
 *
 * SY_FAULT_SECONDS sets the load after each injection (default 3: the short
 * version in `npm test`); `npm run faults` runs it longer and writes the report.
 *
 * Behaviour while a backing service is down (documented in RELIABILITY.md
 * and docs/ARCHITECTURE.md), asserted in (b) and (c):
 * - Redis down: a new hello is refused with UNAVAILABLE (close 1013);
 *   connected clients keep sending, and their commands are accepted (durable
 *   in JetStream); workers stop applying once their partition leases run
 *   out, and apply everything after Redis is back, once each.
 * - MongoDB down: hellos and commands are accepted as usual; workers retry
 *   the store in place, and results arrive after MongoDB is back.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient, type Db } from 'mongodb';
import WebSocket from 'ws';
import { SwitchyardClient, type WebSocketConstructor } from '../../client/index.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { CuttableTcpProxy } from '../harness/cuttableTcpProxy.js';
import { startServers } from '../../deploy/local/servers.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { eventually, processMetric } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import type { ServerProcess } from '../../deploy/local/servers.js';
import { runFault, sleep } from './faultRunner.js';
import { FAULT_ENV, LEASE_TTL_MS, PHASES, calibrate, loadFor, verdict } from './faultLoad.js';

/**
 * Single-node NATS (file storage), 2 gateways, 2 workers reaching the
 * Mongo-wire server through a proxy that can slow it down: faults (b)–(h),
 * each leaving the stack as it found it.
 */
let stack: Stack;
let storeProxy: CuttableTcpProxy;
let mongo: MongoClient;
let db: Db;

t.before(async () => {
  const servers = await startServers();
  storeProxy = await CuttableTcpProxy.start(servers.mongo.port);
  const proxied = new URL(servers.env.MONGODB_URI);
  proxied.port = String(storeProxy.port);
  // One worker first (it creates the streams), then the rest.
  stack = await startStack({ servers, gateways: 0, workers: 1, env: { ...FAULT_ENV, MONGODB_URI: proxied.toString() } });
  await Promise.all([stack.startWorker(), stack.startGateway(), stack.startGateway()]);
  mongo = await MongoClient.connect(servers.env.MONGODB_URI);
  db = mongo.db('switchyard');
  await calibrate(stack);
});
t.teardown(async () => {
  await mongo?.close();
  await stack?.stop();
  await storeProxy?.stop();
});

/** What a brand-new connection gets for its hello right now: `welcome` or `<code>/<close>`. */
async function helloNow(s: Stack, user: string): Promise<string> {
  const client = await WsTestClient.connect(s.wsUrl());
  client.send({ type: 'hello', token: await s.token(user) });
  const first = await client.next((f) => f.type === 'welcome' || f.type === 'error', 15_000).catch(() => undefined);
  if (first?.type === 'welcome') {
    await client.close();
    return 'welcome';
  }
  await client.closed;
  return `${(first?.error as { code?: string } | undefined)?.code ?? 'no error frame'}/${client.closeCode}`;
}

/** An SDK client connected before the fault, used to probe what happens during it. */
async function probeClient(s: Stack, user: string): Promise<SwitchyardClient> {
  const client = new SwitchyardClient({ url: s.wsUrl(), token: await s.token(user), WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: { baseMs: 50, capMs: 1000 } });
  await client.connect();
  return client;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
/**
 * Stops `server` under load, probes what a new hello and a connected
 * client's command get while it is down, waits `downMs`, starts it again
 * (same port, same data directory), and waits for the probe's result.
 */
async function outageUnderLoad(key: string, name: string, server: ServerProcess, what: string, downMs: number) {
  const probe = await probeClient(stack, `${key}-probe`);
  let helloWhileDown = '';
  let acceptedWhileDown = false;
  let probeResult: Promise<unknown> | undefined;
  const outcome = await runFault({
    name,
    load: await loadFor(stack, key),
    phases: PHASES,
    db,
    inject: async () => {
      await server.stop();
      helloWhileDown = await helloNow(stack, `${key}-newcomer`);
      const handle = probe.send('counter', `${key}-probe-${Date.now()}`, 'add', { by: 1 });
      probeResult = handle.result;
      await withTimeout(handle.accepted, 15_000, `acceptance while ${what} is down`);
      acceptedWhileDown = !server.running;
      await sleep(downMs);
      await server.start();
    },
  });
  outcome.notes.push(`while ${what} was down: a new hello got ${helloWhileDown}; a connected client's command was ${acceptedWhileDown ? 'accepted' : 'NOT accepted'}`);
  await withTimeout(probeResult!, 60_000, 'the probe command\'s result after the restart');
  await probe.close();
  return { outcome, helloWhileDown, acceptedWhileDown };
}

const B = 'reliability - (b) restart of Redis under load: new hellos get UNAVAILABLE meanwhile, accepted commands wait and are applied once after it';
t.test(B, async () => {
  // Down past every partition lease: workers stop applying until Redis is back.
  const { outcome, helloWhileDown, acceptedWhileDown } = await outageUnderLoad('b', '(b) restart of Redis (no persistence: every key lost)', stack.servers.redis, 'Redis', LEASE_TTL_MS + 1000);
  verdict(outcome, B);
  assert.equal(helloWhileDown, 'UNAVAILABLE/1013', 'a hello while Redis is down is refused with UNAVAILABLE, close 1013');
  assert.ok(acceptedWhileDown, 'a connected client\'s command is accepted while Redis is down');
  assert.equal(await helloNow(stack, 'b-after'), 'welcome', 'hellos work again after the restart');
});

const C = 'reliability - (c) restart of the Mongo-wire server under load: commands are accepted meanwhile and applied once after it';
t.test(C, async () => {
  const { outcome, helloWhileDown, acceptedWhileDown } = await outageUnderLoad('c', '(c) restart of the Mongo-wire server (same data directory)', stack.servers.mongo, 'MongoDB', 2000);
  verdict(outcome, C);
  assert.equal(helloWhileDown, 'welcome', 'sessions do not need MongoDB');
  assert.ok(acceptedWhileDown, 'commands are accepted (durable in JetStream) while MongoDB is down');
});

/** SIGKILLs the first of `processes` under load, asserts the verdict, then replaces it so the next fault finds two again. */
async function crashUnderLoad(key: string, name: string, testName: string, processes: SwitchyardProcess[], replace: () => Promise<SwitchyardProcess>) {
  const victim = processes[0]!;
  const outcome = await runFault({ name, load: await loadFor(stack, key), phases: PHASES, db, inject: async () => { await victim.kill(); } });
  verdict(outcome, testName);
  processes.splice(processes.indexOf(victim), 1);
  await replace();
}

const D = 'reliability - (d) SIGKILL of a gateway under load: clients resume on the other one; nothing accepted is lost or applied twice';
t.test(D, () => crashUnderLoad('d', '(d) SIGKILL of one of two gateways', D, stack.gateways, () => stack.startGateway()));

const E = 'reliability - (e) SIGKILL of a worker under load: its partitions move after the lease; nothing accepted is lost or applied twice';
t.test(E, () => crashUnderLoad('e', '(e) SIGKILL of one of two workers', E, stack.workers, () => stack.startWorker()));

const F = 'reliability - (f) SIGSTOP of a worker past its lease, then SIGCONT, under load: the zombie commits nothing; nothing is lost or applied twice';
t.test(F, async () => {
  const zombie: SwitchyardProcess = stack.workers[0]!;
  const logBefore = zombie.logLines().length;
  const outcome = await runFault({
    name: '(f) SIGSTOP of one of two workers for 2 × the lease TTL, then SIGCONT',
    load: await loadFor(stack, 'f'),
    phases: PHASES,
    db,
    inject: async () => {
      process.kill(zombie.pid!, 'SIGSTOP');
      try {
        await sleep(LEASE_TTL_MS * 2 + 500);
      } finally {
        process.kill(zombie.pid!, 'SIGCONT');
      }
    },
  });
  const gaveUp = await eventually('the resumed worker gives up the partitions it lost', () => {
    const lines = zombie.logLines().slice(logBefore).filter((l) => l.actor === 'counter' && (l.msg === 'partition lost' || /stale fencing token/.test(String(l.msg))));
    return lines.length > 0 ? lines.length : undefined;
  }, 30_000);
  const refused = await processMetric(zombie.port, 'switchyard_actor_stale_writes_total', { actor: 'counter' });
  outcome.notes.push(`the resumed worker logged ${gaveUp} partition losses; its commits refused by fencing or version: ${refused}`);
  verdict(outcome, F);
});

/** The p50 of 50 findOne round trips through the store proxy (the latency the workers see), ms. */
async function storeLatencyMs(): Promise<number> {
  const client = await MongoClient.connect(stack.env.MONGODB_URI!);
  try {
    const collection = client.db('switchyard').collection('entities_counter');
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await collection.findOne({ _id: `latency-probe-${i}` as never });
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[25]!;
  } finally {
    await client.close();
  }
}

const G = 'reliability - (g) the store slowed to 10 × its latency under load: results slow down, nothing accepted is lost or applied twice';
t.test(G, async () => {
  const latency = await storeLatencyMs();
  // Both ways held: a round trip takes its own time plus twice the delay, ≈ 10 × the latency measured.
  const delayEachWay = Math.max(1, Math.ceil((9 * latency) / 2));
  const outcome = await runFault({
    name: '(g) the Mongo-wire server slowed to 10 × its latency (a delaying proxy) for the whole load after the fault',
    load: await loadFor(stack, 'g'),
    phases: PHASES,
    db,
    inject: async () => { storeProxy.delay(delayEachWay); },
    healed: async () => { storeProxy.restore(); },
  });
  outcome.notes.push(`findOne p50 ${latency.toFixed(2)} ms before; every chunk held ${delayEachWay} ms each way while slowed`);
  verdict(outcome, G);
});

const H = 'reliability - (h) restart of the single NATS server (JetStream file storage) under load: streams come back from disk, nothing accepted is lost or applied twice';
t.test(H, async () => {
  const nats = stack.servers.nats;
  let helloWhileDown = '';
  const outcome = await runFault({
    name: '(h) restart of the single NATS server (JetStream file storage, same data directory), down 2 s',
    load: await loadFor(stack, 'h'),
    phases: PHASES,
    db,
    inject: async () => {
      await nats.stop();
      const hello = helloNow(stack, 'h-newcomer');
      await sleep(2000);
      await nats.start();
      helloWhileDown = await hello;
    },
  });
  outcome.notes.push(`a hello sent while NATS was down got ${helloWhileDown}`);
  verdict(outcome, H);
  assert.equal(await helloNow(stack, 'h-after'), 'welcome', 'hellos work again after the restart');
});

/**
 * Starts one more `kind` whose connection to `server` goes through a proxy,
 * cuts that link under load for `cutMs` (the process runs on, cut off),
 * restores it, then stops the extra process with SIGTERM, so the next fault
 * finds the stack as it was.
 */
async function cutOffUnderLoad(key: string, name: string, testName: string, kind: 'gateway' | 'worker', server: 'nats' | 'redis', cutMs: number) {
  const target = server === 'nats' ? stack.servers.nats : stack.servers.redis;
  const proxy = await CuttableTcpProxy.start(target.port);
  const variable = server === 'nats' ? 'NATS_URL' : 'REDIS_URL';
  const url = new URL(stack.env[variable]!);
  url.port = String(proxy.port);
  const list = kind === 'gateway' ? stack.gateways : stack.workers;
  const member = kind === 'gateway' ? await stack.startGateway({ [variable]: url.toString() }) : await stack.startWorker({ [variable]: url.toString() });
  try {
    // A new worker takes its share of the partitions within a few rebalance rounds.
    if (kind === 'worker') await sleep(2000);
    const outcome = await runFault({
      name, load: await loadFor(stack, key), phases: PHASES, db,
      inject: async () => {
        proxy.cut();
        await sleep(cutMs);
        proxy.restore();
      },
    });
    verdict(outcome, testName);
  } finally {
    list.splice(list.indexOf(member), 1);
    await member.stop('SIGTERM');
    await proxy.stop();
  }
}

const J = 'reliability - (j) a worker cut off from NATS under load, then reconnected: its partitions move; nothing accepted is lost or applied twice';
t.test(J, () => cutOffUnderLoad('j', `(j) a third worker cut off from NATS (not killed) for ${2 * LEASE_TTL_MS} ms, then reconnected`, J, 'worker', 'nats', 2 * LEASE_TTL_MS));

const K = 'reliability - (k) a worker cut off from Redis under load, then reconnected: it loses its leases; nothing accepted is lost or applied twice';
t.test(K, () => cutOffUnderLoad('k', `(k) a third worker cut off from Redis (not killed) for ${2 * LEASE_TTL_MS} ms, then reconnected`, K, 'worker', 'redis', 2 * LEASE_TTL_MS));

const L = 'reliability - (l) a gateway cut off from NATS under load, then reconnected: its clients see UNAVAILABLE or move; nothing accepted is lost or applied twice';
t.test(L, () => cutOffUnderLoad('l', '(l) a third gateway cut off from NATS (not killed) for 3000 ms, then reconnected', L, 'gateway', 'nats', 3000));
