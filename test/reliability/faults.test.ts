/**
 * The fault suite: each fault injected under steady load from WebSocket
 * clients (the SDK, reconnecting and resuming), with the verdicts asserted
 * (fault (a), the JetStream leader, is in jetStreamLeaderFault.test.ts):
 * nothing accepted is lost, nothing is applied twice. Times are measured
 * and recorded for RELIABILITY.md, never asserted.
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
import { WsTestClient } from '../harness/wsTestClient.js';
import { eventually, workerMetric } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import type { ServerProcess } from '../../deploy/local/servers.js';
import { runFault, sleep } from './faultRunner.js';
import { FAULT_ENV, LEASE_TTL_MS, PHASES, loadFor, verdict } from './faultLoad.js';

/** Single-node NATS, 2 gateways, 2 workers: faults (b)–(f), each leaving it as it found it. */
let stack: Stack;
let mongo: MongoClient;
let db: Db;

t.before(async () => {
  // One worker first (it creates the streams), then the rest.
  stack = await startStack({ gateways: 0, workers: 1, env: FAULT_ENV });
  await Promise.all([stack.startWorker(), stack.startGateway(), stack.startGateway()]);
  mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
  db = mongo.db('switchyard');
});
t.teardown(async () => {
  await mongo?.close();
  await stack?.stop();
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
  const refused = await workerMetric(zombie.port, 'switchyard_actor_stale_writes_total', { actor: 'counter' });
  outcome.notes.push(`the resumed worker logged ${gaveUp} partition losses; its commits refused by fencing or version: ${refused}`);
  verdict(outcome, F);
});
