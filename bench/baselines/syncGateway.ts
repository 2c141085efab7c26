/**
 * The synchronous design ("before"): a uWS WebSocket server speaking the
 * same JSON frames as switchyard, which holds each `cmd` until a worker
 * finished it (NATS request/reply to `bench.sync.<actor>`), then answers
 * with the `result`. No `accepted`, no durability, no resume: a request
 * whose worker or gateway dies fails or is retried by the client.
 *
 * SIGTERM: stop listening, wait for in-flight requests (up to
 * SY_DRAIN_GRACE_MS), close the clients with 1012 — the same courtesy
 * switchyard's gateway gives.
 */
import { connect } from '@nats-io/transport-node';
import { jwtVerify } from 'jose';
import type { us_listen_socket } from '@trufflesuite/uws-js-unofficial';
import { loadNativeUws } from '../../gateway/nativeUws.js';
import { listenBaseline } from './baselineProcess.js';

interface State { user?: string; closed: boolean }

const uws = loadNativeUws();
const secret = new TextEncoder().encode(process.env.SY_JWT_SECRET ?? '');
const nc = await connect({ servers: (process.env.NATS_URL ?? '').split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
const requestTimeoutMs = Number(process.env.BENCH_SYNC_TIMEOUT_MS ?? 10_000);
const graceMs = Number(process.env.SY_DRAIN_GRACE_MS ?? 10_000);
const sockets = new Set<import('@trufflesuite/uws-js-unofficial').WebSocket<State>>();
let inFlight = 0;
let draining = false;
let listenSocket: us_listen_socket | undefined;

const app = uws.App()
  .ws<State>('/ws', {
    maxPayloadLength: 65_536,
    idleTimeout: 120,
    upgrade: (res, req, context) => {
      if (draining) { res.writeStatus('503 Service Unavailable').end('draining'); return; }
      res.upgrade({ closed: false }, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
    open: (ws) => { sockets.add(ws); },
    close: (ws) => { ws.getUserData().closed = true; sockets.delete(ws); },
    message: (ws, message) => {
      const frame = JSON.parse(Buffer.from(message).toString()) as { type: string; token?: string; id?: string; actor?: string; entity?: string; name?: string; data?: unknown };
      const state = ws.getUserData();
      if (frame.type === 'hello') {
        void jwtVerify(frame.token ?? '', secret, { algorithms: ['HS256'] }).then(({ payload }) => {
          if (state.closed) return;
          state.user = String(payload.sub);
          ws.send(JSON.stringify({ type: 'welcome', session: 'sync', node: 'sync', user: state.user, resumed: false, recovered: false, seq: 0 }));
        }, () => { if (!state.closed) ws.end(4401, 'auth failed'); });
        return;
      }
      if (frame.type !== 'cmd' || !state.user) return;
      inFlight++;
      const body = JSON.stringify({ actor: frame.actor, entity: frame.entity, name: frame.name, data: frame.data });
      nc.request(`bench.sync.${frame.actor}`, body, { timeout: requestTimeoutMs }).then(
        (reply) => {
          inFlight--;
          if (state.closed) return;
          const answer = reply.json<{ ok: boolean; data?: unknown; error?: unknown }>();
          ws.cork(() => ws.send(JSON.stringify({ type: 'result', id: frame.id, ...answer })));
        },
        (err: Error) => {
          inFlight--;
          if (state.closed) return;
          ws.cork(() => ws.send(JSON.stringify({ type: 'result', id: frame.id, ok: false, error: { code: 'UNAVAILABLE', message: err.message } })));
        },
      );
    },
  })
  .get('/healthz', (res) => { res.end('ok'); })
  .get('/readyz', (res) => { if (draining) res.writeStatus('503 Service Unavailable').end('draining'); else res.end('ready'); });

listenSocket = await listenBaseline(uws, app, 'syncGateway');

process.once('SIGTERM', () => {
  draining = true;
  if (listenSocket) uws.us_listen_socket_close(listenSocket);
  const deadline = Date.now() + graceMs;
  const finish = () => {
    if (inFlight > 0 && Date.now() < deadline) { setTimeout(finish, 20); return; }
    for (const ws of [...sockets]) ws.end(1012, 'draining: reconnect');
    void nc.drain().finally(() => process.exit(0));
  };
  finish();
});
