/**
 * Bench-side actors behind the real switchyard gateway, for the scenarios
 * that need an actor type actors/registry.ts does not have:
 * - `slowwork.run {ms}`: long AI-like work (a simulated provider call);
 * - `benchroom.post {topic,…}`: pushes one `event` to `out.t.<topic>` (room
 *   fan-out until actors/messaging provides rooms);
 * - `benchnoop.run`: answers at once (the accept-path scenario: what is
 *   measured is the gateway and JetStream, and the backlog drains fast);
 * - `checkout.run`: the multi-step workflow of simulatedWork.ts (provider
 *   call, ledger entry in MongoDB, notification), at most
 *   BENCH_WORKFLOW_CONCURRENCY at once; the rest waits in the CMD stream.
 * Same contract as the runtime's worker: a durable consumer on CMD per actor
 * type, result published to `out.s.<session>` with Nats-Msg-Id
 * `result:<key>` before the ack. Unlike the skeleton worker it runs up to
 * BENCH_ACTOR_CONCURRENCY commands at once (a provider call is I/O bound).
 */
import { MongoClient } from 'mongodb';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { HEADERS, STREAMS, commandKey, subjectToken, subjects, type CommandBody } from '../../protocol/index.js';
import { doWork, type WorkStore } from './simulatedWork.js';
import { announceBaselineReady } from './baselineProcess.js';

const nc = await connect({ servers: (process.env.NATS_URL ?? '').split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
const concurrency = Number(process.env.BENCH_ACTOR_CONCURRENCY ?? 1024);
const workflowConcurrency = Number(process.env.BENCH_WORKFLOW_CONCURRENCY ?? 32);
const mongo = new MongoClient(process.env.MONGODB_URI ?? '', { maxPoolSize: 20 });
await mongo.connect();
const db = mongo.db(process.env.SY_MONGODB_DB ?? 'switchyard');
const store: WorkStore = { counters: db.collection('bench_actors_counter'), ledger: db.collection('bench_switchyard_ledger') };
const loops: Array<Promise<void>> = [];

async function handle(actor: string, msg: JsMsg): Promise<void> {
  const body = msg.json<CommandBody>();
  const user = msg.headers?.get(HEADERS.user) ?? '';
  const session = msg.headers?.get(HEADERS.session) ?? '';
  const key = commandKey(subjectToken(user), body.id);
  const data = body.data as { topic?: string } | undefined;
  const answer = await doWork({ actor, entity: msg.subject.split('.')[3] ?? '', name: body.name, data: body.data }, store);
  if (actor === 'benchroom' && data?.topic) {
    await js.publish(subjects.topicPush(data.topic), JSON.stringify({ type: 'event', topic: data.topic, name: 'post', data }), { msgID: `event:${key}` });
  }
  const h = natsHeaders();
  h.set(HEADERS.commandId, body.id);
  const acceptedAt = msg.headers?.get(HEADERS.acceptedAt);
  if (acceptedAt) h.set(HEADERS.acceptedAt, acceptedAt);
  const result = answer.ok ? { type: 'result', id: body.id, ok: true, data: answer.data } : { type: 'result', id: body.id, ok: false, error: answer.error };
  await js.publish(subjects.sessionPush(session), JSON.stringify(result), { msgID: `result:${key}`, headers: h });
  msg.ack();
}

for (const actor of ['slowwork', 'benchroom', 'benchnoop', 'checkout']) {
  const durable = `bench_${actor}`;
  const limit = actor === 'checkout' ? workflowConcurrency : concurrency;
  await jsm.consumers.add(STREAMS.commands, { durable_name: durable, filter_subject: `cmd.${actor}.>`, ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000, max_ack_pending: limit });
  const messages = await (await js.consumers.get(STREAMS.commands, durable)).consume({ max_messages: Math.min(limit, 1000) });
  loops.push((async () => {
    let running = 0;
    for await (const msg of messages) {
      while (running >= limit) await new Promise((r) => setTimeout(r, 5));
      running++;
      void handle(actor, msg).catch(() => msg.nak(500)).finally(() => { running--; });
    }
  })());
}
announceBaselineReady('benchActors', 0);
process.once('SIGTERM', () => { void Promise.allSettled([nc.drain(), mongo.close()]).finally(() => process.exit(0)); });
