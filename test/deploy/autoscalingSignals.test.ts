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
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '../../protocol/index.js';
import { startNatsExporter, startServers, type ServerProcess } from '../../deploy/local/servers.js';
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
let exporter: (ServerProcess & { target: string }) | undefined;
let prometheus: PrometheusUnderTest | undefined;

before(async () => {
  if (missing) return;
  const servers = await startServers({ nats: { monitor: true } });
  stack = await startStack({ servers, gateways: 1, workers: 1, env: { SY_PARTITIONS: String(PARTITIONS) } });
  exporter = await startNatsExporter(servers.nats.monitorUrl!);
  prometheus = await startPrometheus({ gateways: [`127.0.0.1:${stack.gateways[0]!.port}`], workers: [`127.0.0.1:${stack.workers[0]!.port}`], natsExporters: [exporter.target] });
});
after(async () => {
  const pid = stack?.workers[0]?.pid;
  if (pid) process.kill(pid, 'SIGCONT');
  await prometheus?.stop();
  await exporter?.stop();
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

test('k8s autoscaling - the worker ScaledObject reads the whole CMD backlog of two actor types (pending + ack-pending) through the real exporter and Prometheus', { skip: missing }, async () => {
  const driver = await CommandDriver.connect(stack.servers.nats.url, { partitions: PARTITIONS });
  const jsm = await jetstreamManager(driver.nc);
  // The worker made its consumers for every actor type it runs; wait for both of ours.
  const consumersOf = async (actor: string) => (await jsm.consumers.list(STREAMS.commands).next())
    .filter((c) => c.config.filter_subject?.startsWith(`cmd.${actor}.`)).length;
  for (const actor of Object.keys(BACKLOG)) {
    const deadline = Date.now() + 30_000;
    while (await consumersOf(actor) < PARTITIONS && Date.now() < deadline) await sleep(200);
    assert.equal(await consumersOf(actor), PARTITIONS, `the worker consumes every partition of ${actor}`);
  }

  // Paused, not stopped: its pulls stay open, so part of the backlog is delivered and ack-pending, the rest pending.
  process.kill(stack.workers[0]!.pid!, 'SIGSTOP');
  try {
    for (const [actor, count] of Object.entries(BACKLOG)) {
      for (let i = 0; i < count; i++) await driver.send({ actor, entity: `${actor}-e${i}`, name: 'add', id: `${actor}-backlog-${i}`, data: { by: 1 } });
    }
    const backlog = async () => (await jsm.streams.info(STREAMS.commands)).state.messages;
    const total = await backlog();
    assert.ok(total >= BACKLOG.counter + BACKLOG.ai, `CMD holds the backlog: ${total}`);

    const triggers = scaledObjectTriggers('deploy/k8s/base/worker.yaml', 'switchyard-worker');
    const read = async () => (await Promise.all(triggers.map(signal))).reduce((a, b) => a + b, 0);
    const seen = await settle(read, total);
    assert.equal(seen, total, `the ScaledObject's triggers (${triggers.map((t) => t.metadata.query ?? t.metadata.consumer).join('; ')}) read ${seen}, the CMD stream holds ${total} unfinished commands`);

    // Both parts of the backlog are there (the query must add ack-pending to pending), per actor type.
    const byActor = await prometheus!.query('sum by (consumer_name) (jetstream_consumer_num_pending{stream_name="CMD"} + jetstream_consumer_num_ack_pending{stream_name="CMD"})');
    const info = await jsm.consumers.list(STREAMS.commands).next();
    const actorOf = new Map(info.map((c) => [c.name, c.config.filter_subject!.split('.')[1]!]));
    const perActor: Record<string, number> = {};
    for (const r of byActor) perActor[actorOf.get(r.metric.consumer_name!)!] = (perActor[actorOf.get(r.metric.consumer_name!)!] ?? 0) + Number(r.value[1]);
    assert.equal(perActor.counter, BACKLOG.counter);
    assert.equal(perActor.ai, BACKLOG.ai);
    const ackPending = info.reduce((a, c) => a + c.num_ack_pending, 0);
    assert.ok(ackPending > 0, 'the paused worker holds part of the backlog ack-pending');
  } finally {
    await driver.close();
  }
});

test('k8s autoscaling - the gateway ScaledObject reads open connections and frames per second from the gateways\' own /metrics', { skip: missing }, async () => {
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
