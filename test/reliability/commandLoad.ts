/**
 * Steady load for the fault suite: several SwitchyardClients (the real SDK:
 * reconnect with backoff, resume by seq, resend of not-yet-accepted
 * commands with the same id) send `counter add {by:1}` commands round robin
 * over a set of entities until stopped: closed loop (each client keeps a
 * fixed number outstanding) or open loop (a fixed total rate, spread over
 * the clients, whatever is outstanding).
 *
 * It records, per command, when it was sent, accepted and answered, and
 * what every client saw on the wire (rejections and error frames by code,
 * closes by code, welcomes that did not resume or recover), so a test can
 * say what was accepted, what was lost, and what the clients went through.
 */
import WebSocket from 'ws';
import { SwitchyardClient, type WebSocketConstructor } from '../../client/index.js';

export interface LoadOptions {
  /** Gateway URL lists, one per client (a client tries its list in order on reconnects). */
  urls: string[][];
  /** A token per client (one user each). */
  tokens: string[];
  /** Counter entities the commands go to (round robin). */
  entities: string[];
  /** Closed loop: commands each client keeps outstanding. @default 4 */
  outstandingPerClient?: number;
  /** Open loop instead: commands per second in all, spread evenly over the clients. */
  ratePerSecond?: number;
}

/** How often an open-loop client sends what has come due. */
const OPEN_LOOP_TICK_MS = 10;

export interface CommandRecord {
  id: string;
  entity: string;
  /** When it was sent (open loop: when it was due to be sent). */
  sentAt: number;
  acceptedAt?: number;
  resultAt?: number;
  /** The counter value the result reported (ok results). */
  value?: number;
  /** The code of a failed result or a final rejection. */
  error?: string;
}

/** What the clients saw, counted over all of them. */
export class ClientObservations {
  readonly rejected = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly closes = new Map<number, number>();
  welcomes = 0;
  notResumed = 0;
  notRecovered = 0;

  frame(text: string): void {
    let f: { type?: string; error?: { code?: string }; resumed?: boolean; recovered?: boolean };
    try { f = JSON.parse(text) as typeof f; } catch { return; }
    if (f.type === 'rejected') bump(this.rejected, f.error?.code ?? '?');
    else if (f.type === 'error') bump(this.errors, f.error?.code ?? '?');
    else if (f.type === 'welcome') {
      this.welcomes++;
      if (f.resumed === false) this.notResumed++;
      if (f.resumed === true && f.recovered === false) this.notRecovered++;
    }
  }

  close(code: number): void {
    bump(this.closes, code);
  }

  /** One line: `rejected UNAVAILABLE×3; closes 1006×4; …` (or `nothing unusual`). */
  summary(clients: number): string {
    const parts: string[] = [];
    const list = <K>(m: Map<K, number>) => [...m].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, n]) => `${String(k)}×${n}`).join(', ');
    if (this.rejected.size > 0) parts.push(`rejected ${list(this.rejected)}`);
    if (this.errors.size > 0) parts.push(`error frames ${list(this.errors)}`);
    if (this.closes.size > 0) parts.push(`closes ${list(this.closes)}`);
    // Each client's first welcome is a fresh session (resumed:false): only later ones are reconnects.
    const reconnects = this.welcomes - clients;
    if (reconnects > 0) parts.push(`${reconnects} reconnects (${Math.max(0, this.notResumed - clients)} not resumed, ${this.notRecovered} not recovered)`);
    return parts.length > 0 ? parts.join('; ') : 'nothing unusual';
  }
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** `ws` that reports every frame and close to `seen` (the SDK's own handlers still run). */
function observingWebSocket(seen: ClientObservations): WebSocketConstructor {
  class ObservingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      this.on('message', (data) => seen.frame(data.toString()));
      this.on('close', (code) => seen.close(code));
      this.on('error', () => {});
    }
  }
  return ObservingWebSocket as unknown as WebSocketConstructor;
}

export class CommandLoad {
  readonly commands = new Map<string, CommandRecord>();
  readonly seen = new ClientObservations();
  private readonly clients: SwitchyardClient[] = [];
  private readonly loops: Array<Promise<void>> = [];
  private running = false;
  private next = 0;

  constructor(private readonly options: LoadOptions) {}

  /** Connects every client and starts sending. */
  async start(): Promise<void> {
    const WebSocketCtor = observingWebSocket(this.seen);
    for (let i = 0; i < this.options.tokens.length; i++) {
      const client = new SwitchyardClient({
        url: this.options.urls[i % this.options.urls.length]!,
        token: this.options.tokens[i]!,
        WebSocket: WebSocketCtor,
        backoff: { baseMs: 50, capMs: 1000 },
        idPrefix: `c${i}-${Math.random().toString(36).slice(2, 8)}`,
      });
      await client.connect();
      this.clients.push(client);
    }
    this.running = true;
    const rate = this.options.ratePerSecond;
    for (const [i, client] of this.clients.entries()) {
      if (rate !== undefined) this.loops.push(this.openLoop(client, i, rate / this.clients.length));
      else for (let k = 0; k < (this.options.outstandingPerClient ?? 4); k++) this.loops.push(this.loop(client));
    }
  }

  /**
   * Stops sending new commands and waits up to `settleMs` for every
   * outstanding one to finish (result or final rejection). Clients stay
   * connected until close().
   */
  async stop(settleMs: number): Promise<void> {
    this.running = false;
    // The timer is cleared once the loops end: a pending one kept the test process alive for the rest of settleMs.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.loops), new Promise((r) => { timer = setTimeout(r, settleMs); })]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }

  private async loop(client: SwitchyardClient): Promise<void> {
    while (this.running) await this.sendOne(client, Date.now());
  }

  /**
   * Sends `rate` commands a second on `client` at fixed intended times
   * (offset per client, so the clients do not send in bursts together),
   * without waiting for their results; resolves when every one it sent
   * settled. A command's latency counts from its intended time.
   */
  private async openLoop(client: SwitchyardClient, index: number, rate: number): Promise<void> {
    const pending = new Set<Promise<void>>();
    const intervalMs = 1000 / rate;
    let due = Date.now() + (index / this.clients.length) * intervalMs;
    while (this.running) {
      const now = Date.now();
      for (; due <= now && this.running; due += intervalMs) {
        const sent = this.sendOne(client, Math.round(due));
        pending.add(sent);
        void sent.finally(() => pending.delete(sent));
      }
      await new Promise((r) => setTimeout(r, OPEN_LOOP_TICK_MS));
    }
    await Promise.all([...pending]);
  }

  /** Sends one command and records it until it settles (result, or final rejection). */
  private async sendOne(client: SwitchyardClient, intendedAt: number): Promise<void> {
    const entity = this.options.entities[this.next++ % this.options.entities.length]!;
    const handle = client.send<{ value: number }>('counter', entity, 'add', { by: 1 });
    const record: CommandRecord = { id: handle.id, entity, sentAt: intendedAt };
    this.commands.set(handle.id, record);
    void handle.accepted.then(() => { record.acceptedAt ??= Date.now(); }, () => {});
    try {
      const result = await handle.result;
      record.resultAt = Date.now();
      record.acceptedAt ??= record.resultAt;
      record.value = result.value;
    } catch (err) {
      record.resultAt = Date.now();
      record.error = (err as { code?: string }).code ?? String(err);
    }
  }
}
