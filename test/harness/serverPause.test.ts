/**
 * The premise of every "JetStream is stopped" test (guarantee 1, guarantee 5's
 * in-flight limit): after ServerProcess.pause() the nats-server answers
 * nothing. kill(SIGSTOP) alone does not give that: it returns before the
 * process stops, and on a loaded machine a nats-server stored and acked a
 * JetStream publish sent right after it (a guarantee-1 test then saw
 * `accepted`). This test publishes right after each pause(), when that
 * window is widest; with a bare signal('SIGSTOP') it fails under load.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { isStopped, startNats, waitForJetStream } from '../../deploy/local/servers.js';

t.test('harness - a paused nats-server acknowledges no JetStream publish until resumed; then it stores them all', async () => {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
  try {
    await waitForJetStream(nats.url);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'PAUSE', subjects: ['pause.>'] });
    const js = jetstream(nc);
    const rounds = 25;
    const ackedWhilePaused: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await nats.pause();
      try {
        assert.ok(isStopped(nats.pid!), 'stopped when pause() resolved');
        await js.publish(`pause.${i}`, 'x', { timeout: 200 }).then(() => { ackedWhilePaused.push(i); }, () => {});
      } finally {
        nats.resume();
      }
      await sleep(10);
    }
    assert.deepEqual(ackedWhilePaused, [], 'no publish acknowledged while the server was paused');
    assert.equal(isStopped(nats.pid!), false, 'running again after resume()');
    // The publishes did reach the server: once resumed it stores every one of them.
    const deadline = Date.now() + 10_000;
    let stored = 0;
    while ((stored = (await jsm.streams.info('PAUSE')).state.messages) < rounds && Date.now() < deadline) await sleep(50);
    assert.equal(stored, rounds, 'every publish stored after resume()');
  } finally {
    await nc.close().catch(() => {});
    await nats.stop();
  }
});
