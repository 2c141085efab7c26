/**
 * The JSON WebSocket protocol of protocol/README.md over the `ws` package,
 * kept cheap: one JSON.parse per frame, no schema checks (the gateway is
 * under test, not the client).
 *
 * Reconnect/resume as ARCHITECTURE.md documents it: after a close the client
 * connects again (through HAProxy, same affinity key) and sends
 * `hello.resume {session, seq}` with the last `seq` it saw; the driver then
 * re-sends commands that were never accepted, under the same id (the gateway
 * deduplicates). The synchronous baseline speaks the same frames without
 * `accepted`, `seq` and resume.
 */
import WebSocket from 'ws';
import { reconnectDelayMs, withAffinity, type BenchConnection, type ConnectionOptions, type OutgoingCommand } from './benchConnection.js';
import { ERROR_CODES } from '../../protocol/index.js';

interface IncomingFrame {
  type: string;
  id?: string;
  seq?: number;
  ok?: boolean;
  error?: { code: string; message: string };
  session?: string;
  resumed?: boolean;
  topic?: string;
  data?: unknown;
}

export class WsProtocolConnection implements BenchConnection {
  ready = false;
  private ws: WebSocket | undefined;
  private session: string | undefined;
  private lastSeq = 0;
  private closing = false;
  private failuresInARow = 0;
  private everReady = false;
  /** Topics to (re)join after every welcome. */
  private readonly topics = new Set<string>();
  /** Topics whose `sub` was not answered yet. */
  private readonly pendingTopics = new Set<string>();

  constructor(private readonly options: ConnectionOptions & { resume: boolean }) {}

  start(): void {
    const { url, affinityKey, localAddress } = this.options;
    const ws = new WebSocket(withAffinity(url, affinityKey), { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    this.ws = ws;
    ws.on('open', () => {
      const hello = this.options.resume && this.session
        ? { type: 'hello', token: this.options.token, resume: { session: this.session, seq: this.lastSeq } }
        : { type: 'hello', token: this.options.token };
      ws.send(JSON.stringify(hello));
    });
    ws.on('message', (data) => this.onFrame(JSON.parse(data.toString()) as IncomingFrame));
    ws.on('error', (err) => { if (!this.everReady) this.options.events.onError(err.message); });
    ws.on('close', (code, reason) => {
      const wasReady = this.ready;
      this.ready = false;
      if (wasReady) this.options.events.onDown(code, reason.toString());
      else this.failuresInARow++;
      if (this.closing) return;
      setTimeout(() => this.start(), reconnectDelayMs(code, wasReady ? 0 : this.failuresInARow));
    });
  }

  send(cmd: OutgoingCommand): boolean {
    if (!this.ready || !this.ws) return false;
    this.ws.send(JSON.stringify({ type: 'cmd', ...cmd }));
    return true;
  }

  subscribe(topic: string): void {
    this.topics.add(topic);
    if (this.ready) this.sendSub(topic);
  }

  private sendSub(topic: string): void {
    this.pendingTopics.add(topic);
    this.ws?.send(JSON.stringify({ type: 'sub', topic }));
  }

  close(): void {
    this.closing = true;
    this.ready = false;
    this.ws?.terminate();
  }

  private onFrame(f: IncomingFrame): void {
    const now = performance.timeOrigin + performance.now();
    const events = this.options.events;
    if (typeof f.seq === 'number' && f.seq > this.lastSeq) this.lastSeq = f.seq;
    switch (f.type) {
      case 'accepted': events.onAccepted(f.id!, now); return;
      case 'result': events.onResult(f.id!, f.seq, f.ok === true, f.error?.code, now); return;
      case 'event': events.onEvent(f.topic!, f.data, f.seq, now); return;
      case 'rejected': {
        const code = f.error?.code ?? 'INTERNAL';
        events.onRejected(f.id!, code, (ERROR_CODES as Record<string, { retryable: boolean }>)[code]?.retryable ?? false, now);
        return;
      }
      case 'subscribed': this.pendingTopics.delete(f.topic!); events.onSubscribed(f.topic!, undefined); return;
      case 'welcome': {
        const reconnect = this.everReady;
        const resumed = reconnect && f.resumed === true && f.session === this.session;
        this.session = f.session;
        if (!resumed) this.lastSeq = 0;
        this.ready = true;
        this.everReady = true;
        this.failuresInARow = 0;
        for (const topic of this.topics) this.sendSub(topic);
        events.onReady(resumed, reconnect);
        return;
      }
      case 'error': {
        const message = `${f.error?.code}: ${f.error?.message}`;
        // The skeleton answers `sub` with a topic-less error; an error after a pending sub is its refusal.
        if (f.topic || this.pendingTopics.size > 0) {
          for (const topic of f.topic ? [f.topic] : [...this.pendingTopics]) {
            this.pendingTopics.delete(topic);
            this.topics.delete(topic);
            events.onSubscribed(topic, message);
          }
        } else {
          events.onError(message);
        }
        return;
      }
      default: return;
    }
  }
}
