/**
 * The switchyard client for browsers and Node, written against protocol/
 * only (protocol/README.md is the contract).
 *
 * What it promises the application:
 * - `send()` resolves once with the command's result (or rejects once with a
 *   ClientError), across reconnects: commands not yet accepted are sent
 *   again with the same id (the gateway de-duplicates), results are matched
 *   by command id and pushes by `seq`, so nothing is delivered twice.
 * - It reconnects with exponential backoff and full jitter, resumes its
 *   session with the last `seq` it saw, reconnects after the DRAINING
 *   error's `reconnectAfterMs` on close 1012 (node draining), waits out
 *   rate-limit hints, and tells the application
 *   through `on('recovery')` when the gateway could not replay everything.
 * - Buffers are bounded: at most `maxQueued` commands wait for acceptance.
 */
import type {
  AcceptedFrame, ErrorFrame, EventFrame, ProgressFrame, RejectedFrame, ResultFrame, ServerFrame, WelcomeFrame,
} from '../protocol/frames.js';
import type { ErrorBody } from '../protocol/errors.js';
import { ERROR_CODES } from '../protocol/errors.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { ClientError } from './clientError.js';

/** The subset of the WebSocket API the client uses (browser WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ClientOptions {
  /** Gateway WebSocket URL, e.g. ws://127.0.0.1:8080/ws; with several, each reconnect tries the next. */
  url: string | string[];
  /** A JWT, or a function returning a fresh one (called before every connect). */
  token: string | (() => string | Promise<string>);
  /** WebSocket implementation. @default globalThis.WebSocket (pass `ws`'s WebSocket on Node 20) */
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff. @default { baseMs: 250, capMs: 10000 } */
  backoff?: BackoffOptions;
  /** Commands that may wait for acceptance (offline or in flight) before send() refuses with LIMIT_EXCEEDED. @default 1000 */
  maxQueued?: number;
  /** Prefix of generated command ids. @default a random 8-character string */
  idPrefix?: string;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SendOptions {
  /** Command id; generate it yourself to make a send idempotent across page reloads. @default generated */
  id?: string;
  /** Called for each `progress` push of this command, in order. */
  onProgress?: (data: unknown) => void;
  /** W3C traceparent to correlate logs. */
  traceparent?: string;
}

/** A command in flight: awaitable for its result, with the `accepted` step observable. */
export interface CommandHandle<T = unknown> extends PromiseLike<T> {
  readonly id: string;
  /** Resolves when the gateway confirmed the command is durable. */
  readonly accepted: Promise<void>;
  /** The same promise the handle stands for. */
  readonly result: Promise<T>;
}

export interface RecoveryInfo {
  /** True when the session was resumed (false: a new session started). */
  resumed: boolean;
  /** True when every push after our last seq was replayed. */
  recovered: boolean;
  /** Commands that were accepted but whose result had not arrived: sent again with the same id. */
  resent: string[];
}

interface PendingCommand {
  id: string;
  frame: string;
  stage: 'queued' | 'sent' | 'accepted';
  onProgress: ((data: unknown) => void) | undefined;
  resolveAccepted: () => void;
  rejectAccepted: (err: ClientError) => void;
  resolve: (data: unknown) => void;
  reject: (err: ClientError) => void;
}

type Listeners = {
  state: (state: ConnectionState) => void;
  recovery: (info: RecoveryInfo) => void;
  /** Connection-level errors (`error` frames, fatal closes). */
  error: (err: ClientError) => void;
  welcome: (welcome: WelcomeFrame) => void;
};

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSES = new Set<number>([ERROR_CODES.SESSION_REPLACED.wsClose]);

export class SwitchyardClient {
  private ws: WebSocketLike | undefined;
  private readonly options: ClientOptions;
  private readonly backoff: Backoff;
  private readonly pending = new Map<string, PendingCommand>();
  private readonly topics = new Map<string, Set<(event: EventFrame) => void>>();
  private readonly listeners: { [K in keyof Listeners]: Set<Listeners[K]> } = { state: new Set(), recovery: new Set(), error: new Set(), welcome: new Set() };
  private currentState: ConnectionState = 'idle';
  private session: string | undefined;
  private seq = 0;
  private nextId = 0;
  private readonly idPrefix: string;
  private maxInFlight = 256;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private firstWelcome: { resolve: (w: WelcomeFrame) => void; reject: (e: ClientError) => void } | undefined;
  private pauseUntil = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private connectAttempts = 0;
  /** `details.reconnectAfterMs` of the DRAINING error that precedes a close 1012. */
  private drainReconnectMs: number | undefined;

  constructor(options: ClientOptions) {
    this.options = options;
    this.backoff = new Backoff(options.backoff);
    this.idPrefix = options.idPrefix ?? Math.random().toString(36).slice(2, 10);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The session id once welcomed (kept across resumes). */
  get sessionId(): string | undefined {
    return this.session;
  }

  /** Highest push `seq` delivered to the application. */
  get lastSeq(): number {
    return this.seq;
  }

  on<K extends keyof Listeners>(event: K, listener: Listeners[K]): () => void {
    this.listeners[event].add(listener);
    return () => { this.listeners[event].delete(listener); };
  }

  /** Opens the connection; resolves with the first welcome. Later reconnects happen on their own. */
  connect(): Promise<WelcomeFrame> {
    if (this.currentState !== 'idle' && this.currentState !== 'closed') return Promise.reject(new Error('already connected or connecting'));
    return new Promise<WelcomeFrame>((resolve, reject) => {
      this.firstWelcome = { resolve, reject };
      this.setState('connecting');
      void this.open();
    });
  }

  /**
   * Sends a command. The handle resolves with the result's data or rejects
   * with a ClientError carrying the code (business errors included).
   */
  send<T = unknown>(actor: string, entity: string, name: string, data?: unknown, options: SendOptions = {}): CommandHandle<T> {
    const id = options.id ?? `${this.idPrefix}-${++this.nextId}`;
    let resolveAccepted!: () => void;
    let rejectAccepted!: (err: ClientError) => void;
    const accepted = new Promise<void>((res, rej) => { resolveAccepted = res; rejectAccepted = rej; });
    accepted.catch(() => {}); // observed through `result` too
    let resolve!: (data: unknown) => void;
    let reject!: (err: ClientError) => void;
    const result = new Promise<T>((res, rej) => { resolve = res as (d: unknown) => void; reject = rej; });
    const handle: CommandHandle<T> = { id, accepted, result, then: (a, b) => result.then(a, b) };
    if (this.currentState === 'closed') {
      reject(new ClientError({ code: 'UNAVAILABLE', message: 'The client is closed.' }));
      return handle;
    }
    if (this.pending.has(id)) {
      reject(new ClientError({ code: 'CONFLICT', message: `Command id ${id} is already in flight.` }));
      return handle;
    }
    const waiting = [...this.pending.values()].filter((c) => c.stage !== 'accepted').length;
    if (waiting >= (this.options.maxQueued ?? 1000)) {
      reject(new ClientError({ code: 'LIMIT_EXCEEDED', message: `More than ${this.options.maxQueued ?? 1000} commands are waiting; wait for some to be accepted.`, details: { limit: 'maxQueued' } }));
      return handle;
    }
    const frame = JSON.stringify({ type: 'cmd', id, actor, entity, name, ...(data === undefined ? {} : { data }), ...(options.traceparent ? { traceparent: options.traceparent } : {}) });
    this.pending.set(id, { id, frame, stage: 'queued', onProgress: options.onProgress, resolveAccepted, rejectAccepted, resolve, reject });
    this.flush();
    return handle;
  }

  /** Joins a topic; the listener receives its events once each, in order. Returns a function that leaves it. */
  subscribe(topic: string, listener: (event: EventFrame) => void): () => void {
    let set = this.topics.get(topic);
    if (!set) {
      this.topics.set(topic, (set = new Set()));
      if (this.currentState === 'open') this.write({ type: 'sub', topic });
    }
    set.add(listener);
    return () => {
      const current = this.topics.get(topic);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.topics.delete(topic);
        if (this.currentState === 'open') this.write({ type: 'unsub', topic });
      }
    };
  }

  /** Closes for good: pending commands reject with UNAVAILABLE. */
  async close(): Promise<void> {
    this.setState('closed');
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.flushTimer);
    this.ws?.close(1000, 'client closed');
    this.ws = undefined;
    this.failAll({ code: 'UNAVAILABLE', message: 'The client was closed before the command finished.' });
  }

  // ---- connection lifecycle ----

  private async open(): Promise<void> {
    let token: string;
    try {
      token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch (err) {
      this.scheduleReconnect();
      this.emit('error', new ClientError({ code: 'AUTH_REQUIRED', message: `The token provider failed: ${(err as Error).message}` }));
      return;
    }
    if (this.currentState === 'closed') return;
    const Ctor = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new Error('No WebSocket implementation: pass options.WebSocket (e.g. the `ws` package on Node 20).');
    const urls = Array.isArray(this.options.url) ? this.options.url : [this.options.url];
    const ws = new Ctor(urls[this.connectAttempts++ % urls.length]!);
    this.ws = ws;
    ws.onopen = () => {
      const hello = this.session ? { type: 'hello', token, resume: { session: this.session, seq: this.seq } } : { type: 'hello', token };
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      this.onFrame(frame);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.onClose(ev.code, ev.reason);
    };
  }

  private onClose(code: number, reason: string): void {
    if (this.currentState === 'closed') return;
    for (const c of this.pending.values()) if (c.stage === 'sent') c.stage = 'queued';
    if (FATAL_CLOSES.has(code)) {
      const err = new ClientError({ code: 'SESSION_REPLACED', message: reason || ERROR_CODES.SESSION_REPLACED.message });
      this.emit('error', err);
      this.setState('closed');
      this.firstWelcome?.reject(err);
      this.failAll(err);
      return;
    }
    if (code === ERROR_CODES.AUTH_FAILED.wsClose && typeof this.options.token === 'string') {
      const err = new ClientError({ code: 'AUTH_FAILED', message: reason || ERROR_CODES.AUTH_FAILED.message });
      this.emit('error', err);
      this.setState('closed');
      this.firstWelcome?.reject(err);
      this.failAll(err);
      return;
    }
    this.setState('reconnecting');
    // A draining node says when to come back (it spreads its clients); without a hint, spread them a little anyway.
    const drainDelay = this.drainReconnectMs ?? Math.floor(Math.random() * 100);
    this.drainReconnectMs = undefined;
    this.scheduleReconnect(code === ERROR_CODES.DRAINING.wsClose ? drainDelay : undefined);
  }

  private scheduleReconnect(delayMs?: number): void {
    if (this.currentState === 'closed') return;
    clearTimeout(this.reconnectTimer);
    const delay = Math.max(delayMs ?? this.backoff.next(), this.pauseUntil - Date.now());
    this.reconnectTimer = setTimeout(() => { void this.open(); }, delay);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome': this.onWelcome(frame); return;
      case 'accepted': this.onAccepted(frame); return;
      case 'rejected': this.onRejected(frame); return;
      case 'result': this.onResult(frame); return;
      case 'progress': this.onProgress(frame); return;
      case 'event': this.onEvent(frame); return;
      case 'error': this.onError(frame); return;
      default: return;
    }
  }

  private onWelcome(welcome: WelcomeFrame): void {
    const wasResume = this.session !== undefined;
    this.session = welcome.session;
    // The protocol's one rule: pushes above the welcome's seq are ours (after a resume it is where the replay starts).
    this.seq = welcome.seq;
    this.maxInFlight = welcome.limits.maxInFlight;
    this.backoff.reset();
    this.setState('open');
    if (!welcome.resumed) {
      // A new session: the gateway knows none of our topics and keeps no push for us.
      for (const topic of this.topics.keys()) this.write({ type: 'sub', topic });
    }
    const resent: string[] = [];
    if (wasResume && (!welcome.resumed || !welcome.recovered)) {
      // Results of accepted commands may be gone with the old session or out of retention:
      // send them again with the same id; the actor returns its stored result.
      for (const c of this.pending.values()) if (c.stage === 'accepted') { c.stage = 'queued'; resent.push(c.id); }
    }
    if (wasResume) this.emit('recovery', { resumed: welcome.resumed, recovered: welcome.resumed && welcome.recovered, resent });
    this.emit('welcome', welcome);
    this.firstWelcome?.resolve(welcome);
    this.firstWelcome = undefined;
    this.flush();
  }

  private onAccepted(frame: AcceptedFrame): void {
    const c = this.pending.get(frame.id);
    if (!c || c.stage === 'accepted') return;
    c.stage = 'accepted';
    c.resolveAccepted();
    this.flush();
  }

  private onRejected(frame: RejectedFrame): void {
    const c = this.pending.get(frame.id);
    if (!c) return;
    const retryable = ERROR_CODES[frame.error.code]?.retryable ?? false;
    if (retryable && frame.error.code !== 'INTERNAL') {
      // Not durable yet: keep it and send it again (same id) after the hinted pause or a backoff step.
      c.stage = 'queued';
      const hint = Number((frame.error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs);
      const wait = Number.isFinite(hint) && hint > 0 ? hint : this.backoff.next();
      this.pauseUntil = Math.max(this.pauseUntil, Date.now() + wait);
      this.flush(); // paused: schedules itself for the end of the pause
      return;
    }
    this.pending.delete(c.id);
    const err = new ClientError(frame.error);
    c.rejectAccepted(err);
    c.reject(err);
  }

  private onResult(frame: ResultFrame): void {
    if (!this.advanceSeq(frame.seq)) return;
    const c = this.pending.get(frame.id);
    if (!c) return; // a result we already delivered (or not ours): once only
    this.pending.delete(c.id);
    c.resolveAccepted();
    if (frame.ok) c.resolve(frame.data);
    else c.reject(new ClientError(frame.error ?? { code: 'INTERNAL', message: 'The command failed.' }));
    this.flush();
  }

  private onProgress(frame: ProgressFrame): void {
    if (!this.advanceSeq(frame.seq)) return;
    this.pending.get(frame.id)?.onProgress?.(frame.data);
  }

  private onEvent(frame: EventFrame): void {
    if (!this.advanceSeq(frame.seq)) return;
    for (const listener of this.topics.get(frame.topic) ?? []) listener(frame);
  }

  private onError(frame: ErrorFrame): void {
    if (frame.error.code === 'DRAINING') {
      const hint = Number((frame.error.details as { reconnectAfterMs?: unknown } | undefined)?.reconnectAfterMs);
      if (Number.isFinite(hint) && hint >= 0) this.drainReconnectMs = hint;
    }
    this.emit('error', new ClientError(frame.error));
  }

  /** Pushes carry the OUT stream seq, increasing per session; anything at or below the last one is a replayed copy. */
  private advanceSeq(seq: number): boolean {
    if (seq <= this.seq) return false;
    this.seq = seq;
    return true;
  }

  /**
   * Sends queued commands while the connection is open and the in-flight
   * window allows. During a pause (rate limit, retryable rejection) it runs
   * again when the pause ends: a queued command is never left waiting for
   * some other event (a timer that fired a millisecond early against
   * Date.now() used to strand every command of a client whose whole window
   * had been rejected).
   */
  private flush(): void {
    if (this.currentState !== 'open' || !this.ws) return;
    const pausedMs = this.pauseUntil - Date.now();
    if (pausedMs > 0) {
      this.flushTimer ??= setTimeout(() => { this.flushTimer = undefined; this.flush(); }, pausedMs + 1);
      return;
    }
    let inFlight = 0;
    for (const c of this.pending.values()) if (c.stage === 'sent') inFlight++;
    for (const c of this.pending.values()) {
      if (inFlight >= this.maxInFlight) break;
      if (c.stage !== 'queued') continue;
      c.stage = 'sent';
      inFlight++;
      this.ws.send(c.frame);
    }
  }

  private write(frame: object): void {
    this.ws?.send(JSON.stringify(frame));
  }

  private failAll(body: ErrorBody): void {
    for (const c of this.pending.values()) {
      const err = new ClientError(body);
      c.rejectAccepted(err);
      c.reject(err);
    }
    this.pending.clear();
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private emit<K extends keyof Listeners>(event: K, ...args: Parameters<Listeners[K]>): void {
    for (const listener of this.listeners[event]) (listener as (...a: unknown[]) => void)(...args);
  }
}
