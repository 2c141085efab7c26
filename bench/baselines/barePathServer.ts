/**
 * Floor of switchyard's result path without switchyard's logic:
 * ws → uWS → JetStream publish (awaited ack) → pull consumer →
 * core NATS publish → push on the socket. No auth, no sessions, no MongoDB.
 * A client frame is `{"c":<conn>,"i":<n>}`-like text; it comes back as is.
 */
import { connect } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { WebSocket } from '@trufflesuite/uws-js-unofficial';
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { announceBaselineReady } from './baselineProcess.js';

const STREAM = 'BENCHPATH';
const uws = loadNativeUws();
const nc = await connect({ servers: (process.env.NATS_URL ?? '').split(',') });
const jsm = await jetstreamManager(nc);
await jsm.streams.delete(STREAM).catch(() => false);
await jsm.streams.add({ name: STREAM, subjects: ['benchpath.in.>'], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
await jsm.consumers.add(STREAM, { durable_name: 'path', ack_policy: AckPolicy.Explicit });
const js = jetstream(nc);
const consumer = await js.consumers.get(STREAM, 'path');
const sockets = new Map<number, WebSocket<{ id: number }>>();
let nextId = 0;

// The consumer side: every stored message goes back out as a core publish.
void (async () => {
  for await (const m of await consumer.consume({ max_messages: 512 })) {
    nc.publish(`benchpath.out.${m.subject.slice('benchpath.in.'.length)}`, m.data);
    m.ack();
  }
})();
nc.subscribe('benchpath.out.*', {
  callback: (_err, msg) => {
    const ws = sockets.get(Number(msg.subject.slice('benchpath.out.'.length)));
    ws?.cork(() => ws.send(msg.data, false));
  },
});

uws.App()
  .ws<{ id: number }>('/ws', {
    maxPayloadLength: 65_536,
    upgrade: (res, req, context) => res.upgrade({ id: ++nextId }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context),
    open: (ws) => { sockets.set(ws.getUserData().id, ws); },
    close: (ws) => { sockets.delete(ws.getUserData().id); },
    message: (ws, message) => {
      void js.publish(`benchpath.in.${ws.getUserData().id}`, new Uint8Array(message.slice(0)));
    },
  })
  .listen('127.0.0.1', 0, (token) => {
    if (!token) throw new Error('bare path server could not listen');
    announceBaselineReady('barePathServer', uws.us_socket_local_port(token));
  });
process.once('SIGTERM', () => { void nc.close().finally(() => process.exit(0)); });
