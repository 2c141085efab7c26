/**
 * Fault (a) of the fault suite (faults.test.ts has the others): SIGKILL of
 * the JetStream CMD stream leader in a 3-node cluster (replicas 3) under
 * load. A file of its own because it needs its own cluster and is the
 * longest fault: it runs beside the others.
 *
 * The OUT stream's leadership is moved to the CMD stream's leader first, so
 * the one SIGKILL also cuts the live republishes that leader had in flight
 * (decision 1: core NATS, at most once) and the test covers their repair
 * (gateway/natsGapRecovery.ts), not only the commands' durability.
 *
 * SY_FAULT_SECONDS sets the load after the injection (default 3: the short
 * version in `npm test`); `npm run faults` runs it longer.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '../../protocol/index.js';
import { startClusterServers, startStack, stepDownStreamLeader, type Stack } from '../harness/stackFixture.js';
import { eventually } from '../harness/commandDriver.js';
import { runFault } from './faultRunner.js';
import { FAULT_ENV, PHASES, calibrate, loadFor, verdict } from './faultLoad.js';

/** A 3-node JetStream cluster (replicas 3), 2 gateways, 1 worker; stopped by the test. */
let cluster: Stack;
let clusterNats: Awaited<ReturnType<typeof startClusterServers>>['cluster'];

t.before(async () => {
  // One process at a time: two creating the replicated streams at once can time out.
  const servers = await startClusterServers();
  clusterNats = servers.cluster;
  cluster = await startStack({ servers, gateways: 2, workers: 1, env: { ...FAULT_ENV, SY_STREAM_REPLICAS: '3' } });
  await calibrate(cluster);
});
t.teardown(async () => {
  await cluster?.stop();
});

/** Steps the OUT stream's leader down in favour of the CMD stream's leader until one node leads both. */
async function leadOutFromTheCmdLeader(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  await eventually('one node leads both CMD and OUT', async () => {
    const cmdLeader = (await jsm.streams.info(STREAMS.commands)).cluster?.leader;
    const outLeader = (await jsm.streams.info(STREAMS.pushes)).cluster?.leader;
    if (cmdLeader && cmdLeader === outLeader) return true;
    if (cmdLeader && outLeader) {
      await stepDownStreamLeader(nc, STREAMS.pushes, cmdLeader);
    }
    return undefined;
  }, 30_000, 500);
}

const A = 'reliability - (a) SIGKILL of the JetStream leader (3-node cluster, replicas 3) under load: nothing accepted is lost or applied twice';
t.test(A, async () => {
  let client: MongoClient | undefined;
  let nc: NatsConnection | undefined;
  try {
    client = await MongoClient.connect(cluster.env.MONGODB_URI!);
    nc = await connect({ servers: clusterNats.urls.split(','), maxReconnectAttempts: -1 });
    const live = nc;
    await leadOutFromTheCmdLeader(live);
    let killed = '';
    const outcome = await runFault({
      name: '(a) SIGKILL of the JetStream CMD stream leader, 3-node cluster, replicas 3',
      load: await loadFor(cluster, 'a'),
      phases: PHASES,
      db: client.db('switchyard'),
      inject: async () => {
        const jsm = await jetstreamManager(live, { checkAPI: false });
        const leader = (await jsm.streams.info(STREAMS.commands)).cluster?.leader;
        const outLeader = (await jsm.streams.info(STREAMS.pushes)).cluster?.leader;
        // Members are named <cluster>-n1, -n2, -n3 in order (startNatsCluster).
        const member = clusterNats.members[Number(/-n(\d+)$/.exec(leader ?? '')?.[1] ?? 0) - 1];
        assert.ok(member, `the CMD stream leader ${leader} is one of the members`);
        killed = `killed ${leader} (CMD leader${outLeader === leader ? ', also OUT leader' : `; OUT leader was ${outLeader}`})`;
        member.signal('SIGKILL');
      },
      healed: async () => {
        const jsm = await jetstreamManager(live, { checkAPI: false });
        await eventually('a new CMD stream leader is elected', async () => ((await jsm.streams.info(STREAMS.commands)).cluster?.leader ? true : undefined), 60_000);
      },
    });
    const workerLog = cluster.workers[0]!.logLines();
    const count = (msg: string) => workerLog.filter((l) => l.msg === msg).length;
    outcome.notes.push(killed, `the worker meanwhile lost ${count('partition lost')} partitions and failed ${count('could not start the partition consumer; releasing the lease')} consumer re-creations (timeouts) before it had them all again`);
    verdict(outcome, A);
  } finally {
    await nc?.close().catch(() => {});
    await client?.close();
    await cluster.stop();
  }
});
