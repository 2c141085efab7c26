/**
 * Per-socket state of a WebSocket connection (uWS user data) and the few
 * ways the gateway writes to a socket.
 *
 * uWS contracts kept here: a socket is never touched after its `close`
 * handler ran (`closed` is checked after every await and before every
 * write); `ws.end()` runs the close handler synchronously; writes are
 * corked; every `send()` is followed by a backpressure check, and a socket
 * whose unsent bytes pass the limit is closed with SLOW_CONSUMER (4008) —
 * it can resume, and the pushes it missed are replayed.
 */
import type { WebSocket } from '@trufflesuite/uws-js-unofficial';
import { ERROR_CODES, type ErrorBody, type ServerFrame } from '../protocol/index.js';
import { gatewayBackpressureCloses, gatewayFramesOut, gatewayRejections } from '../platform/metrics.js';
import { AwaitingAcks } from './awaitingAcks.js';
import { RecentIdSet } from './recentIdSet.js';
import type { Push } from './pushFanout.js';

/**
 * uWS copies the own properties of the object given to `res.upgrade()` into
 * the socket's user data, so this is a plain object (no prototype methods):
 * create it with newSocketSession() and use the functions below.
 */
export interface SocketSession {
  closed: boolean;
  /** The authenticated user (JWT `sub`), set once hello succeeded. */
  user: string | undefined;
  /** The user as a NATS subject token. */
  userToken: string;
  session: string;
  /** This connection's epoch of the session record; a higher one elsewhere replaces it. */
  epoch: number;
  /** A hello is being processed (a second one is refused). */
  helloStarted: boolean;
  helloTimer: NodeJS.Timeout | undefined;
  /** Topics joined (names, not subjects). */
  topics: Set<string>;
  /** `out.` subjects this socket holds in the PushFanout (released on close). */
  retained: Set<string>;
  /** Commands received but not yet accepted or rejected. */
  inFlight: number;
  /** Their ids, so a result that overtakes its JetStream ack is preceded by its `accepted`. */
  awaitingAcks: AwaitingAcks;
  /** Highest seq pushed to this socket. */
  lastSeq: number;
  /** While the session's missed pushes are replayed: live pushes wait here. */
  recovering: Push[] | undefined;
  /** Set when the session was resumed elsewhere: the record is no longer ours to release. */
  replaced: boolean;
  /** Result ids already delivered to this session. */
  delivered: RecentIdSet;
  drainWaiters: Array<() => void>;
  /** The peer address counted against SY_MAX_CONNECTIONS_PER_IP (released on close). */
  remoteIp: string;
}

export function newSocketSession(deliveredResultMemory: number): SocketSession {
  return {
    closed: false, user: undefined, userToken: '', session: '', epoch: 0, helloStarted: false, helloTimer: undefined,
    topics: new Set(), retained: new Set(), inFlight: 0, awaitingAcks: new AwaitingAcks(), lastSeq: 0, recovering: undefined, replaced: false,
    delivered: new RecentIdSet(deliveredResultMemory), drainWaiters: [], remoteIp: '',
  };
}

/** Resolves when the socket's send buffer drained below `threshold` bytes or the socket closed. */
export function waitForDrain(ws: Socket, threshold: number): Promise<void> {
  const state = ws.getUserData();
  if (state.closed || ws.getBufferedAmount() < threshold) return Promise.resolve();
  return new Promise((resolve) => state.drainWaiters.push(resolve));
}

/** Called from the uWS `drain` and `close` handlers. */
export function wakeDrainWaiters(state: SocketSession): void {
  const waiters = state.drainWaiters;
  state.drainWaiters = [];
  for (const wake of waiters) wake();
}

export type Socket = WebSocket<SocketSession>;

/** Writes frames to sockets, counting them and enforcing the per-socket buffer limit. */
export class SocketWriter {
  constructor(private readonly maxBackpressureBytes: number) {}

  get limit(): number {
    return this.maxBackpressureBytes;
  }

  send(ws: Socket, frame: ServerFrame): boolean {
    return this.sendText(ws, JSON.stringify(frame), frame.type);
  }

  /** Sends one text frame; false when the socket is closed (or was just closed as a slow consumer). */
  sendText(ws: Socket, text: string, type: string): boolean {
    if (ws.getUserData().closed) return false;
    ws.cork(() => { ws.send(text, false); });
    gatewayFramesOut.inc({ type });
    return this.checkBackpressure(ws);
  }

  /** Closes the socket as a slow consumer when its unsent bytes passed the limit; false when closed. */
  checkBackpressure(ws: Socket): boolean {
    const state = ws.getUserData();
    if (state.closed) return false;
    if (ws.getBufferedAmount() <= this.maxBackpressureBytes) return true;
    gatewayBackpressureCloses.inc();
    this.closeWith(ws, { code: 'SLOW_CONSUMER', message: `More than ${this.maxBackpressureBytes} bytes were waiting to be sent; reconnect and resume from your last seq.` });
    return false;
  }

  reject(ws: Socket, id: string, error: ErrorBody): void {
    gatewayRejections.inc({ code: error.code });
    this.send(ws, { type: 'rejected', id, error });
  }

  sendError(ws: Socket, error: ErrorBody, topic?: string): void {
    gatewayRejections.inc({ code: error.code });
    this.send(ws, topic === undefined ? { type: 'error', error } : { type: 'error', error, topic });
  }

  /** Sends an `error` frame, then closes with the code's WebSocket close code. */
  closeWith(ws: Socket, error: ErrorBody): void {
    const state = ws.getUserData();
    if (state.closed) return;
    gatewayRejections.inc({ code: error.code });
    const text = JSON.stringify({ type: 'error', error });
    ws.cork(() => { ws.send(text, false); });
    gatewayFramesOut.inc({ type: 'error' });
    ws.end(ERROR_CODES[error.code].wsClose, closeReason(error.message));
  }
}

/** A close reason must fit in 123 bytes of UTF-8. */
export function closeReason(message: string): string {
  let reason = message.slice(0, 120);
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}
