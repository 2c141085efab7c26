import t from 'tap';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { natsServerBinary, startNatsCluster } from '../../deploy/local/servers.js';
import { JetStreamAckWindow } from '../../gateway/jetStreamAckWindow.js';
import { ensureStreams } from '../../platform/nats.js';
import { STREAMS } from '../../protocol/index.js';

t.test('harness - a 3-node JetStream cluster takes switchyard streams with replicas 3', async () => {
  const cluster = await startNatsCluster(3);
  const nc = await connect({ servers: cluster.urls.split(','), maxReconnectAttempts: -1 });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStreams(nc, { outMaxAgeS: 60, duplicateWindowS: 60, streamReplicas: 3 });
    const info = await jsm.streams.info(STREAMS.commands);
    assert.equal(info.config.num_replicas, 3);
    assert.equal(1 + (info.cluster?.replicas?.length ?? 0), 3, 'a leader and two replicas');
    const ack = await jetstream(nc).publish('cmd.counter.0.e1', '{}', { msgID: 'cluster-1' });
    assert.equal(ack.stream, STREAMS.commands);
  } finally {
    await nc.close();
    await cluster.stop();
  }
});

t.test('harness - the cluster elects a new stream leader within 3 s of a SIGKILL (nats-server alone waits 4-9 s), and a command publish begun meanwhile is stored once, not refused (a 503 and a broken connection are retried)', async () => {
  const cluster = await startNatsCluster(3);
  const nc = await connect({ servers: cluster.urls.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const window = new JetStreamAckWindow(nc, 10_000);
  try {
    const jsm = await jetstreamManager(nc, { timeout: 1000 });
    await ensureStreams(nc, { outMaxAgeS: 60, duplicateWindowS: 60, streamReplicas: 3 });
    const leader = (await jsm.streams.info(STREAMS.commands)).cluster?.leader;
    const member = cluster.members.find((m) => leader?.endsWith(`-n${cluster.members.indexOf(m) + 1}`));
    assert.ok(member, `the leader ${leader} is a member`);
    member.signal('SIGKILL');
    const killedAt = Date.now();
    const published = window.publish('cmd.counter.0.e1', '{}', natsHeaders({ 'Nats-Msg-Id': 'during-election' }));
    let elected: string | undefined;
    while (Date.now() - killedAt < 10_000) {
      elected = (await jsm.streams.info(STREAMS.commands).catch(() => undefined))?.cluster?.leader;
      if (elected && elected !== leader) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const electedAfterMs = Date.now() - killedAt;
    assert.ok(elected && elected !== leader, 'a new leader');
    assert.ok(electedAfterMs < 3000, `elected after ${electedAfterMs} ms (the raft timers of deploy/local/servers.ts)`);
    const ack = await published;
    assert.equal(ack.duplicate, false);
    assert.equal((await jsm.streams.info(STREAMS.commands)).state.messages, 1, 'stored once');
  } finally {
    window.close();
    await nc.close();
    await cluster.stop();
  }
});

t.test('harness - nats-server refuses raft timers that are not ordered (heartbeat x 3 <= election min < max) or not durations, with the variable named', async () => {
  for (const [env, expected] of [
    [{ NATS_RAFT_HEARTBEAT: '1s', NATS_RAFT_ELECTION_TIMEOUT_MIN: '2s' }, /need 3 x NATS_RAFT_HEARTBEAT <= NATS_RAFT_ELECTION_TIMEOUT_MIN/],
    [{ NATS_RAFT_ELECTION_TIMEOUT_MAX: 'soon' }, /NATS_RAFT_ELECTION_TIMEOUT_MAX="soon" is not a positive Go duration/],
  ] as const) {
    const run = spawnSync(natsServerBinary(), ['--version'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(run.status, 2, JSON.stringify(env));
    assert.match(run.stderr, expected);
  }
});
