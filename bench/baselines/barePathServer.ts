/**
 * Floor of switchyard's accept and result paths without switchyard's logic,
 * speaking the same frames so that the bench's own load generator drives it
 * exactly as it drives the gateway (open loop, through HAProxy):
 * - `hello` → `welcome` (no token check, no session store);
 * - `cmd` → JetStream publish → on the ack, `accepted` (the accept-path floor);
 * - a pull consumer takes the stored command → core NATS publish → `result`
 *   pushed on the socket (the bare-path floor).
 * No auth, no validation, no rate limit, no sessions, no MongoDB. Any other
 * text frame (the in-process floor's `{"c":…}` probes) goes the same way and
 * comes back as is. Several instances may run at once: each has its own stream.
 */
import { connect } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { WebSocket } from '@trufflesuite/uws-js-unofficial';
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { listenBaseline } from './baselineProcess.js';

const STREAM = `BENCHPATH_${process.pid}`;
const PREFIX = `benchpath.${process.pid}`;
const uws = loadNativeUws();
const nc = await connect({ servers: (process.env.NATS_URL ?? '').split(',') });
const jsm = await jetstreamManager(nc);
await jsm.streams.delete(STREAM).catch(() => false);
await jsm.streams.add({ name: STREAM, subjects: [`${PREFIX}.in.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
await jsm.consumers.add(STREAM, { durable_name: 'path', ack_policy: AckPolicy.Explicit });
const js = jetstream(nc);
const consumer = await js.consumers.get(STREAM, 'path');
const sockets = new Map<number, WebSocket<{ id: number }>>();
const decoder = new TextDecoder();
let nextId = 0;
let draining = false;

/** `{"type":"cmd","id":"…"` → the id, read without parsing the whole frame (the gateway's parse is what the floor leaves out). */
function commandId(text: string): string | undefined {
  if (!text.startsWith('{"type":"cmd"')) return undefined;
  const m = /"id":"([^"]*)"/.exec(text);
  return m?.[1];
}

// The consumer side: every stored message goes back out as a core publish; the socket's owner pushes it.
void (async () => {
  for await (const m of await consumer.consume({ max_messages: 512 })) {
    const text = decoder.decode(m.data);
    const id = commandId(text);
    const out = id === undefined ? m.data : `{"type":"result","id":"${id}","ok":true}`;
    nc.publish(`${PREFIX}.out.${m.subject.slice(`${PREFIX}.in.`.length)}`, out);
    m.ack();
  }
})();
nc.subscribe(`${PREFIX}.out.*`, {
  callback: (_err, msg) => {
    const ws = sockets.get(Number(msg.subject.slice(`${PREFIX}.out.`.length)));
    ws?.cork(() => ws.send(msg.data, false));
  },
});

const app = uws.App()
  .ws<{ id: number }>('/ws', {
    maxPayloadLength: 65_536,
    upgrade: (res, req, context) => res.upgrade({ id: ++nextId }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context),
    open: (ws) => { sockets.set(ws.getUserData().id, ws); },
    close: (ws) => { sockets.delete(ws.getUserData().id); },
    message: (ws, message) => {
      const bytes = new Uint8Array(message.slice(0));
      const text = decoder.decode(bytes);
      const sid = ws.getUserData().id;
      if (text.startsWith('{"type":"hello"')) {
        ws.send(`{"type":"welcome","session":"bare${sid}","node":"bare","resumed":false,"recovered":false,"seq":0}`);
        return;
      }
      const id = commandId(text);
      void js.publish(`${PREFIX}.in.${sid}`, bytes).then(() => {
        const live = sockets.get(sid);
        if (id !== undefined && live) live.cork(() => live.send(`{"type":"accepted","id":"${id}"}`));
      }, () => {
        const live = sockets.get(sid);
        if (id !== undefined && live) live.cork(() => live.send(`{"type":"rejected","id":"${id}","error":{"code":"UNAVAILABLE","message":"publish failed"}}`));
      });
    },
  })
  .get('/readyz', (res) => { if (draining) res.writeStatus('503 Service Unavailable').end('draining'); else res.end('ready'); })
  .get('/healthz', (res) => { res.end('ok'); });
await listenBaseline(uws, app, 'barePathServer');
process.once('SIGTERM', () => {
  draining = true;
  void jsm.streams.delete(STREAM).catch(() => false).finally(() => void nc.close().finally(() => process.exit(0)));
});
