/**
 * Fault (i): a rolling restart of every gateway and every worker under load,
 * one by one with SIGTERM — what a Kubernetes Deployment's RollingUpdate
 * does with maxSurge 1 and maxUnavailable 0: start a new member, wait until
 * it is ready (a gateway: in HAProxy's rotation), then take an old one out
 * (a gateway first leaves the rotation) and SIGTERM it, and wait for it to
 * exit. The clients connect through HAProxy, as through a Service.
 * Asserted: nothing accepted is lost, nothing is applied twice; the result
 * p99 meanwhile is measured for RELIABILITY.md.
 */
import t from 'tap';
import { MongoClient, type Db } from 'mongodb';
import { LocalCluster } from '../../deploy/local/cluster.js';
import { runFault } from './faultRunner.js';
import { FAULT_ENV, PHASES, calibrate, loadFor, verdict } from './faultLoad.js';

let cluster: LocalCluster;
let mongo: MongoClient;
let db: Db;

t.before(async () => {
  cluster = await LocalCluster.start({ gateways: 2, workers: 2, env: FAULT_ENV });
  mongo = await MongoClient.connect(cluster.servers.env.MONGODB_URI);
  db = mongo.db('switchyard');
  await calibrate(cluster);
});
t.teardown(async () => {
  await mongo?.close();
  await cluster?.stop();
});

const I = 'reliability - (i) a rolling restart of every gateway and every worker (one by one, SIGTERM) under load: nothing accepted is lost or applied twice';
t.test(I, async () => {
  const replaced: string[] = [];
  const outcome = await runFault({
    name: '(i) rolling restart of both gateways and both workers, one by one (a new one ready, then SIGTERM to an old one), clients through HAProxy',
    load: await loadFor(cluster, 'i'),
    phases: PHASES,
    db,
    inject: async () => {
      for (const old of [...cluster.gateways, ...cluster.workers]) {
        const fresh = old.kind === 'gateway' ? await cluster.addGateway() : await cluster.addWorker();
        const code = await cluster.drain(old);
        replaced.push(`${old.name} → ${fresh.name} (exit ${code})`);
      }
    },
  });
  outcome.notes.push(`replaced ${replaced.join(', ')}`);
  verdict(outcome, I);
});
