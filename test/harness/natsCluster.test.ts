import t from 'tap';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startNatsCluster } from '../../deploy/local/servers.js';
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
