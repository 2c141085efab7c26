/**
 * The autoscaling signals of deploy/k8s, read from the manifests as they are
 * and evaluated against real servers carrying real load: a real nats-server
 * (with its monitoring endpoint), a real worker that made its consumers, the
 * real prometheus-nats-exporter (-jsz=all) and a real Prometheus scraping it
 * and the gateway. Every KEDA trigger is evaluated the way KEDA would:
 * `prometheus` by running its query, `nats-jetstream` by reading the named
 * consumer from the server's /jsz. A trigger naming a consumer that does not
 * exist, or a query that misses consumers, reads less than the backlog and
 * fails here.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../../protocol/index.js';
import { startServers } from '../../deploy/local/servers.js';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { CommandDriver } from '../harness/commandDriver.js';
import { WsTestClient } from '../harness/wsTestClient.js';
import { prometheusMissing, startPrometheus, type PrometheusUnderTest } from '../harness/prometheusFixture.js';

interface Trigger { type: string; metadata: Record<string, string> }

/** The triggers of one KEDA ScaledObject, as written in deploy/k8s/base. */
function scaledObjectTriggers(file: string, name: string): Trigger[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { triggers?: Trigger[] } } | null);
  const scaled = docs.find((d) => d?.kind === 'ScaledObject' && d.metadata?.name === name);
  assert.ok(scaled?.spec?.triggers?.length, `${file} has a ScaledObject ${name} with triggers`);
  return scaled.spec.triggers;
}

const PARTITIONS = 8;
/** Two actor types with a backlog: entities spread over every partition. */
const BACKLOG = { counter: 40, ai: 25 } as const;

const missing = prometheusMissing();
let stack: Stack;
let prometheus: PrometheusUnderTest | undefined;

t.before(async () => {
  if (missing) return;
  const servers = await startServers({ nats: { monitor: true } });
  // Two workers: one is paused below and holds its partitions' backlog (pending and ack-pending), the other stays live
  // and reports the backlog. Leases outlive the test and failure detection is off, so the live one never takes the
  // paused one's partitions over.
  stack = await startStack({ servers, gateways: 1, workers: 2, env: { SY_PARTITIONS: String(PARTITIONS), SY_LEASE_TTL_MS: '120000', SY_FAILURE_DETECTION_MS: '0' } });
  prometheus = await startPrometheus({ gateways: [`127.0.0.1:${stack.gateways[0]!.port}`], workers: stack.workers.map((w) => `127.0.0.1:${w.port}`) });
});
t.teardown(async () => {
  const pid = stack?.workers[0]?.pid;
  if (pid) process.kill(pid, 'SIGCONT');
  await prometheus?.stop();
  await stack?.stop();
});

/** What KEDA reads from one trigger now, against this test's servers. */
async function signal(trigger: Trigger): Promise<number> {
  if (trigger.type === 'prometheus') {
    const result = await prometheus!.query(trigger.metadata.query!);
    return result.reduce((sum, r) => sum + Number(r.value[1]), 0);
  }
  if (trigger.type === 'nats-jetstream') {
    const jsz = await (await fetch(`${stack.servers.nats.monitorUrl}/jsz?consumers=true&accounts=true`)).json() as {
      account_details?: Array<{ name: string; stream_detail?: Array<{ name: string; consumer_detail?: Array<{ name: string; num_pending: number; num_ack_pending: number }> }> }>;
    };
    const stream = jsz.account_details?.find((a) => a.name === trigger.metadata.account)?.stream_detail?.find((s) => s.name === trigger.metadata.stream);
    const consumer = stream?.consumer_detail?.find((c) => c.name === trigger.metadata.consumer);
    return consumer ? consumer.num_pending + consumer.num_ack_pending : 0;
  }
  throw new Error(`trigger type ${trigger.type} is not evaluated by this test: add it`);
}

async function settle(read: () => Promise<number>, want: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = NaN;
  while (Date.now() < deadline) {
    last = await read();
    if (last === want) return last;
    await sleep(250);
  }
  return last;
}

/** switchyard_actor_partitions_owned of one worker, by actor type, read from its /metrics. */
async function partitionsOwned(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^switchyard_actor_partitions_owned\{actor="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

t.test('k8s autoscaling - the worker ScaledObject reads the whole CMD backlog of two actor types (pending + ack-pending) from the workers\' own gauge through Prometheus', { skip: missing }, async () => {
  const driver = await CommandDriver.connect(stack.servers.nats.url, { partitions: PARTITIONS });
  const jsm = await jetstreamManager(driver.nc);
  // Both workers own a share of every partition of both actor types.
  const shared = async () => {
    const owned = await Promise.all(stack.workers.map((w) => partitionsOwned(w.port)));
    return Object.keys(BACKLOG).every((actor) => owned.every((o) => (o[actor] ?? 0) > 0) && owned.reduce((n, o) => n + (o[actor] ?? 0), 0) === PARTITIONS);
  };
  const deadline = Date.now() + 30_000;
  while (!await shared() && Date.now() < deadline) await sleep(200);
  assert.ok(await shared(), `both workers own partitions of ${Object.keys(BACKLOG).join(', ')}: ${JSON.stringify(await Promise.all(stack.workers.map((w) => partitionsOwned(w.port))))}`);

  // Paused, not stopped: its pulls stay open, so part of its backlog is delivered and ack-pending, the rest pending.
  // The live worker finishes the commands of its own partitions.
  process.kill(stack.workers[0]!.pid!, 'SIGSTOP');
  try {
    for (const [actor, count] of Object.entries(BACKLOG)) {
      for (let i = 0; i < count; i++) await driver.send({ actor, entity: `${actor}-e${i}`, name: 'add', id: `${actor}-backlog-${i}`, data: { by: 1 } });
    }
    const streamCount = async (subject?: string) => {
      const info = await jsm.streams.info(STREAMS.commands, subject ? { subjects_filter: subject } : undefined);
      return subject ? Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0) : info.state.messages;
    };
    // What the live worker can finish it finishes: wait until the stream holds steady.
    let total = await streamCount();
    for (let steady = 0; steady < 8; steady++) {
      await sleep(250);
      const now = await streamCount();
      if (now !== total) steady = 0;
      total = now;
    }
    assert.ok(total > 0, `CMD holds the paused worker's backlog: ${total}`);

    const triggers = scaledObjectTriggers('deploy/k8s/base/worker.yaml', 'switchyard-worker');
    const read = async () => (await Promise.all(triggers.map(signal))).reduce((a, b) => a + b, 0);
    const seen = await settle(read, total);
    assert.equal(seen, total, `the ScaledObject's triggers (${triggers.map((t) => t.metadata.query ?? t.metadata.consumer).join('; ')}) read ${seen}, the CMD stream holds ${total} unfinished commands`);

    // Per actor type, the gauge agrees with the stream's own count of that type's subjects; both types have a backlog.
    for (const actor of Object.keys(BACKLOG)) {
      const stored = await streamCount(`cmd.${actor}.>`);
      assert.ok(stored > 0, `${actor} has a backlog`);
      const byActor = async () => Number((await prometheus!.query(`max(switchyard_cmd_backlog_by_actor_messages{actor="${actor}"})`))[0]?.value[1] ?? NaN);
      assert.equal(await settle(byActor, stored), stored, `switchyard_cmd_backlog_by_actor_messages{actor="${actor}"}`);
    }
    const info = await jsm.consumers.list(STREAMS.commands).next();
    const ackPending = info.reduce((a, c) => a + c.num_ack_pending, 0);
    assert.ok(ackPending > 0, 'the paused worker holds part of the backlog ack-pending');
  } finally {
    await driver.close();
  }
});

t.test('k8s autoscaling - the gateway ScaledObject reads open connections and frames per second from the gateways\' own /metrics', { skip: missing }, async () => {
  const triggers = scaledObjectTriggers('deploy/k8s/base/gateway.yaml', 'switchyard-gateway');
  const queries = triggers.filter((t) => t.type === 'prometheus');
  const connections = queries.find((t) => t.metadata.query!.includes('switchyard_gateway_connections'));
  const frames = queries.find((t) => t.metadata.query!.includes('switchyard_gateway_frames_in_total'));
  assert.ok(connections && frames, `a connections trigger and a frames trigger: ${JSON.stringify(triggers)}`);

  const clients = await Promise.all([1, 2, 3].map(async (i) => (await WsTestClient.hello(stack.wsUrl(), await stack.token(`scaler-${i}`))).client));
  try {
    const seen = await settle(() => signal(connections), clients.length);
    assert.equal(seen, clients.length, `${connections.metadata.query} reads ${seen} with ${clients.length} sockets open`);
    let framesPerSecond = 0;
    const deadline = Date.now() + 30_000;
    while (framesPerSecond <= 0 && Date.now() < deadline) {
      for (const c of clients) c.send({ type: 'ping' });
      await sleep(250);
      framesPerSecond = await signal(frames);
    }
    assert.ok(framesPerSecond > 0, `${frames.metadata.query} reads the frames the clients send`);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
});
