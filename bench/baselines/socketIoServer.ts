/**
 * The Socket.IO baseline: what users would pick instead — a Socket.IO server
 * with `@socket.io/redis-adapter` (several of them share rooms through
 * Redis), doing the same job as switchyard:
 * - `cmd` (with ack): the ack is sent at once (Socket.IO has nothing
 *   durable to wait for), then the same work as the actors
 *   (simulatedWork.ts, in process), then a `result` event to the sender;
 * - `benchroom.post`: an `event` to every member of the room, across
 *   servers via the adapter;
 * - `sub` (with ack): join a room.
 * Auth: the same HS256 token, checked in the handshake.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';
import { MongoClient } from 'mongodb';
import { doWork, nowMs, type WorkRequest, type WorkStore } from './simulatedWork.js';
import { announceBaselineReady } from './baselineProcess.js';

const secret = new TextEncoder().encode(process.env.SY_JWT_SECRET ?? '');
const pub = new Redis(process.env.REDIS_URL ?? '');
const sub = pub.duplicate();
const mongo = new MongoClient(process.env.MONGODB_URI ?? '', { maxPoolSize: 20 });
const db = mongo.db(process.env.SY_MONGODB_DB ?? 'switchyard');
const store: WorkStore = { counters: db.collection('bench_socketio_counter'), ledger: db.collection('bench_socketio_ledger') };
let draining = false;

const http = createServer((req, res) => {
  if (req.url === '/readyz') { res.writeHead(draining ? 503 : 200).end(draining ? 'draining' : 'ready'); return; }
  if (req.url === '/healthz') { res.end('ok'); return; }
});
const io = new Server(http, { path: '/ws', transports: ['websocket'], serveClient: false, perMessageDeflate: false });
// The adapter must be created while its Redis clients are still connecting: created after `sub`
// was ready (e.g. after awaiting MongoDB first), it subscribed but never handed a message on, and
// every server delivered room events to its own sockets only (measured: half of the fan-out missing).
io.adapter(createAdapter(pub, sub));
await mongo.connect();

io.use((socket, next) => {
  const token = (socket.handshake.auth as { token?: string }).token ?? '';
  jwtVerify(token, secret, { algorithms: ['HS256'] }).then(
    ({ payload }) => { socket.data.user = String(payload.sub); next(); },
    () => next(new Error('AUTH_FAILED')),
  );
});

io.on('connection', (socket) => {
  socket.on('sub', (topic: string, ack?: (a: { ok: boolean }) => void) => {
    void socket.join(topic);
    ack?.({ ok: true });
  });
  socket.on('cmd', (cmd: WorkRequest & { id: string; data?: { topic?: string; i?: number; t?: number } }, ack?: (a: { ok: boolean }) => void) => {
    ack?.({ ok: true });
    if (cmd.actor === 'benchroom' && cmd.data?.topic) {
      io.to(cmd.data.topic).emit('event', { topic: cmd.data.topic, name: 'post', data: cmd.data, at: nowMs() });
    }
    void doWork(cmd, store)
      .catch((e: Error) => ({ ok: false as const, error: { code: 'INTERNAL', message: e.message } }))
      .then((answer) => { if (socket.connected) socket.emit('result', { id: cmd.id, ...answer }); });
  });
});

http.listen(0, '127.0.0.1', () => announceBaselineReady('socketIoServer', (http.address() as { port: number }).port));

process.once('SIGTERM', () => {
  draining = true;
  io.close();
  void Promise.allSettled([mongo.close(), pub.quit(), sub.quit()]).finally(() => process.exit(0));
});
