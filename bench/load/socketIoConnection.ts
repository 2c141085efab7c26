/**
 * The Socket.IO baseline's client: websocket transport only (no polling, so
 * no sticky-session requirement), `cmd` emitted with an ack callback (the
 * ack is "accepted"), `result` and `event` events later. Socket.IO has no
 * resume: after a reconnect, results of earlier commands cannot arrive.
 */
import { io, type Socket } from 'socket.io-client';
import { reconnectDelayMs, withAffinity, type BenchConnection, type ConnectionOptions, type OutgoingCommand } from './benchConnection.js';

export class SocketIoConnection implements BenchConnection {
  ready = false;
  private socket: Socket | undefined;
  private closing = false;
  private everReady = false;
  private failuresInARow = 0;
  private readonly topics = new Set<string>();

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    const { url, token, affinityKey, localAddress, events } = this.options;
    // The URL's path is Socket.IO's endpoint path; the affinity key rides in the query like for the ws clients.
    const u = new URL(withAffinity(url, affinityKey).replace(/^ws/, 'http'));
    const socket = io(u.origin, {
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token },
      ...(localAddress ? { localAddress } : {}),
    } as Parameters<typeof io>[1]);
    this.socket = socket;
    socket.on('connect', () => {
      const reconnect = this.everReady;
      this.ready = true;
      this.everReady = true;
      this.failuresInARow = 0;
      for (const topic of this.topics) this.emitSub(topic);
      events.onReady(false, reconnect);
    });
    socket.on('result', (r: { id: string; ok: boolean; error?: { code: string } }) => {
      events.onResult(r.id, undefined, r.ok, r.error?.code, performance.timeOrigin + performance.now());
    });
    socket.on('event', (e: { topic: string; data: unknown }) => {
      events.onEvent(e.topic, e.data, undefined, performance.timeOrigin + performance.now());
    });
    socket.on('connect_error', (err) => {
      if (!this.everReady) events.onError(err.message);
      this.failuresInARow++;
      this.retry(0);
    });
    socket.on('disconnect', (reason) => {
      const wasReady = this.ready;
      this.ready = false;
      if (wasReady) events.onDown(0, reason);
      this.retry(0);
    });
  }

  send(cmd: OutgoingCommand): boolean {
    if (!this.ready || !this.socket) return false;
    this.socket.emit('cmd', cmd, (ack: { ok: boolean; code?: string }) => {
      const at = performance.timeOrigin + performance.now();
      if (ack.ok) this.options.events.onAccepted(cmd.id, at);
      else this.options.events.onRejected(cmd.id, ack.code ?? 'INTERNAL', false, at);
    });
    return true;
  }

  subscribe(topic: string): void {
    this.topics.add(topic);
    if (this.ready) this.emitSub(topic);
  }

  private emitSub(topic: string): void {
    this.socket?.emit('sub', topic, (ack: { ok: boolean; reason?: string }) => {
      this.options.events.onSubscribed(topic, ack.ok ? undefined : ack.reason ?? 'refused');
    });
  }

  close(): void {
    this.closing = true;
    this.ready = false;
    this.socket?.disconnect();
  }

  private retry(closeCode: number): void {
    if (this.closing) return;
    const old = this.socket;
    this.socket = undefined;
    old?.removeAllListeners();
    old?.disconnect();
    setTimeout(() => { if (!this.closing) this.start(); }, reconnectDelayMs(closeCode, this.failuresInARow));
  }
}
