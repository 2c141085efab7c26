/**
 * A plain WebSocket client for tests that speaks the protocol by hand
 * (no SDK), records every frame, and waits for frames by predicate.
 */
import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string };

export class WsTestClient {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private readonly ws: WebSocket;
  private waiters: Array<() => void> = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
      resolve();
    }));
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    this.ws.on('error', () => {});
  }

  static async connect(url: string): Promise<WsTestClient> {
    const client = new WsTestClient(url);
    await client.opened;
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Connects, sends hello, and waits for welcome (or throws with the error frame). */
  static async hello(url: string, token: string, resume?: { session: string; seq: number }): Promise<{ client: WsTestClient; welcome: Frame }> {
    const client = await WsTestClient.connect(url);
    client.send(resume ? { type: 'hello', token, resume } : { type: 'hello', token });
    const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error');
    if (welcome.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(welcome)}`);
    return { client, welcome };
  }

  /** The first recorded frame matching `match`, waiting up to `timeoutMs` for it. */
  async next(match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) while waiting; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a frame; last frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Every recorded frame matching `match`. */
  all(match: (f: Frame) => boolean): Frame[] {
    return this.frames.filter(match);
  }

  close(): Promise<void> {
    this.ws.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close frame (a dead client). */
  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
