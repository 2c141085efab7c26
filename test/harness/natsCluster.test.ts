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

/** A JetStream publish of `{}` to a CMD subject with Nats-Msg-Id `id`, through the gateway's ack window. */
function publishCommand(window: JetStreamAckWindow, id: string) {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', id);
  return window.publish(`cmd.counter.0.${id}`, '{}', h);
}

t.test('harness - the cluster elects a new stream leader within 3 s of a SIGKILL (nats-server alone waits 4-9 s); command publishes begun meanwhile are stored once, not refused: one sent into the dying connection (resent after the reconnect), one answered 503 while no leader takes the subject (resent until stored)', async () => {
  const cluster = await startNatsCluster(3);
  const admin = await connect({ servers: cluster.urls.split(','), maxReconnectAttempts: -1 });
  const connections = [admin];
  const windows: JetStreamAckWindow[] = [];
  try {
    const jsm = await jetstreamManager(admin, { timeout: 1000 });
    await ensureStreams(admin, { outMaxAgeS: 60, duplicateWindowS: 60, streamReplicas: 3 });
    const leader = (await jsm.streams.info(STREAMS.commands)).cluster?.leader;
    const index = cluster.members.findIndex((_, i) => leader?.endsWith(`-n${i + 1}`));
    assert.ok(index >= 0, `the leader ${leader} is a member`);
    // One publisher connected to the leader only (it learns the others from the cluster), one to a follower.
    const [toLeader, toFollower] = await Promise.all([cluster.members[index]!, cluster.members[(index + 1) % 3]!].map((m) =>
      connect({ servers: m.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })));
    connections.push(toLeader!, toFollower!);
    const [viaLeader, viaFollower] = [new JetStreamAckWindow(toLeader!, 10_000), new JetStreamAckWindow(toFollower!, 10_000)];
    windows.push(viaLeader, viaFollower);

    cluster.members[index]!.signal('SIGKILL');
    const killedAt = Date.now();
    const intoTheDyingConnection = publishCommand(viaLeader, 'dying-connection');
    // Routes to the dead server are gone by now, and no follower can have been elected yet (their
    // election timeout is at least 1 s after the last heartbeat, which came at most 250 ms before).
    await new Promise((r) => setTimeout(r, 300));
    const withoutALeader = publishCommand(viaFollower, 'no-leader');

    let elected: string | undefined;
    while (Date.now() - killedAt < 10_000) {
      elected = (await jsm.streams.info(STREAMS.commands).catch(() => undefined))?.cluster?.leader;
      if (elected && elected !== leader) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const electedAfterMs = Date.now() - killedAt;
    assert.ok(elected && elected !== leader, 'a new leader');
    assert.ok(electedAfterMs < 3000, `elected after ${electedAfterMs} ms (the raft timers of deploy/local/servers.ts)`);
    for (const ack of await Promise.all([intoTheDyingConnection, withoutALeader])) assert.equal(ack.duplicate, false);
    assert.equal((await jsm.streams.info(STREAMS.commands)).state.messages, 2, 'each stored once');
  } finally {
    for (const w of windows) w.close();
    await Promise.all(connections.map((c) => c.close()));
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
