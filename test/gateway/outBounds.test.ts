/**
 * OutReplay.bounds() under a burst of hellos: calls made together share
 * stream-info requests, a failed request is sent again for a few seconds,
 * and every answer is at least as recent as its call
 * (a welcome's `seq` must never be below a push already stored when the
 * hello was handled: guarantee 2's resume would replay it again).
 *
 * The requests are counted on the real server: a second connection listens
 * on the JetStream API subject of the OUT stream's info.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startNats, waitForJetStream } from '../../deploy/local/servers.js';
import { ensureStreams } from '../../platform/nats.js';
import { STREAMS } from '../../protocol/index.js';
import { OutReplay } from '../../gateway/recovery.js';

t.test('guarantee 2 - stream bounds read for a burst of hellos share requests, are never older than the call, and wait for a stream that answers with an error for a while', async () => {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const observer = await connect({ servers: nats.url });
  try {
    await waitForJetStream(nats.url);
    await ensureStreams(nc, { outMaxAgeS: 3600, duplicateWindowS: 60, streamReplicas: 1 });
    let infoRequests = 0;
    observer.subscribe(`$JS.API.STREAM.INFO.${STREAMS.pushes}`, { callback: () => { infoRequests++; } });
    await observer.flush();
    const js = jetstream(nc);
    const replay = await OutReplay.create(nc);

    let storedSeq = 0;
    const calls: Array<Promise<{ storedAtCall: number; lastSeq: number }>> = [];
    for (let round = 0; round < 20; round++) {
      const ack = await js.publish(`out.t.bounds.${round}`, `{"n":${round}}`);
      storedSeq = ack.seq;
      for (let k = 0; k < 50; k++) {
        const storedAtCall = storedSeq;
        calls.push(replay.bounds().then((b) => ({ storedAtCall, lastSeq: b.lastSeq })));
      }
    }
    const answers = await Promise.all(calls);
    for (const a of answers) assert.ok(a.lastSeq >= a.storedAtCall, `bounds ${a.lastSeq} older than the push ${a.storedAtCall} stored before the call`);
    await observer.flush();
    assert.ok(infoRequests >= 1 && infoRequests < answers.length / 10, `${answers.length} calls made ${infoRequests} stream-info requests`);

    // A failed request fails the calls that shared it, and the next call sends a new one.
    await nats.pause();
    try {
      await assert.rejects(replay.bounds(), 'the request times out while the server answers nothing');
    } finally {
      nats.resume();
    }
    const after = await replay.bounds();
    assert.equal(after.lastSeq, storedSeq, 'a call after a failure gets fresh bounds');

    // OUT answering with an error for a while (as while its replicas elect a leader; here it is deleted
    // and created again) is asked again: the call waits instead of failing.
    await jetstreamManager(nc).then((jsm) => jsm.streams.delete(STREAMS.pushes));
    const waited = replay.bounds();
    await new Promise((r) => setTimeout(r, 600));
    await ensureStreams(nc, { outMaxAgeS: 3600, duplicateWindowS: 60, streamReplicas: 1 });
    assert.equal((await waited).lastSeq, 0, 'the bounds of OUT as it came back');
  } finally {
    await observer.close();
    await nc.close();
    await nats.stop();
  }
});
