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
import { gatewayBackpressureCloses, gatewayFramesOut, gatewayRejections } from '../platform/index.js';
import { AwaitingAcks } from './awaitingAcks.js';
import { RecentIdSet } from './recentIdSet.js';
import type { Push } from './pushFanout.js';

/**
 * uWS copies the own properties of the object given to `res.upgrade()` onto
 * the socket object (in dictionary mode, ~45 bytes a property), so the user
 * data has one property: the SocketSession, a class instance whose fields
 * live in the object itself. Read it with stateOf(ws).
 */
export interface SocketUserData {
  readonly state: SocketSession;
}

/**
 * Per-socket state. Kept to a few scalar fields for an idle socket: what
 * only some sockets need (joined topics, delivered result ids, drain
 * waiters) is allocated on first use.
 */
export class SocketSession {
  closed = false;
  /** The authenticated user (JWT `sub`), set once hello succeeded. */
  user: string | undefined = undefined;
  session = '';
  /** This connection's epoch of the session record; a higher one elsewhere replaces it. */
  epoch = 0;
  /** A hello is being processed (a second one is refused). */
  helloStarted = false;
  /** Cleared (and dropped) once hello succeeded or the socket closed. */
  helloTimer: NodeJS.Timeout | undefined = undefined;
  /** Topics joined (names, not subjects); undefined while none. */
  topics: Set<string> | undefined = undefined;
  /** Commands received but not yet accepted or rejected. */
  inFlight = 0;
  /** Their ids, so a result that overtakes its JetStream ack is preceded by its `accepted` (created with the first command). */
  awaitingAcks: AwaitingAcks | undefined = undefined;
  /** Highest seq pushed to this socket. */
  lastSeq = 0;
  /** Highest seq of its session's pushes sent or, on a resume, accounted for by the client's seq (WsPushDelivery's gap check). */
  sessionSeq = 0;
  /** While the session's missed pushes are replayed: live pushes wait here. */
  recovering: Push[] | undefined = undefined;
  /** Set during a replay when live pushes may have been lost since its end was read (NatsGapRecovery): it reads the end again. */
  replayEndStale = false;
  /** Set when the session was resumed elsewhere: the record is no longer ours to release. */
  replaced = false;
  /** Result ids already delivered to this session (created with the first result). */
  delivered: RecentIdSet | undefined = undefined;
  drainWaiters: Array<() => void> | undefined = undefined;

  /** @param remoteIp the peer address counted against SY_MAX_CONNECTIONS_PER_IP (released on close). */
  constructor(readonly remoteIp: string) {}

  /** Whether the socket joined `topic`. */
  joined(topic: string): boolean {
    return this.topics?.has(topic) ?? false;
  }

  get topicCount(): number {
    return this.topics?.size ?? 0;
  }

  acks(): AwaitingAcks {
    return (this.awaitingAcks ??= new AwaitingAcks());
  }

  /** Remembers a delivered result id; false when it was delivered before (a duplicate). */
  firstDelivery(commandId: string, memory: number): boolean {
    this.delivered ??= new RecentIdSet(memory);
    return this.delivered.add(commandId);
  }
}

export function stateOf(ws: Socket): SocketSession {
  return ws.getUserData().state;
}

/** Resolves when the socket's send buffer drained below `threshold` bytes or the socket closed. */
export function waitForDrain(ws: Socket, threshold: number): Promise<void> {
  const state = stateOf(ws);
  if (state.closed || ws.getBufferedAmount() < threshold) return Promise.resolve();
  return new Promise((resolve) => (state.drainWaiters ??= []).push(resolve));
}

/** Called from the uWS `drain` and `close` handlers. */
export function wakeDrainWaiters(state: SocketSession): void {
  const waiters = state.drainWaiters;
  if (!waiters) return;
  state.drainWaiters = undefined;
  for (const wake of waiters) wake();
}

export type Socket = WebSocket<SocketUserData>;

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
    if (stateOf(ws).closed) return false;
    ws.cork(() => { ws.send(text, false); });
    gatewayFramesOut.inc({ type });
    return this.checkBackpressure(ws);
  }

  /** Closes the socket as a slow consumer when its unsent bytes passed the limit; false when closed. */
  checkBackpressure(ws: Socket): boolean {
    const state = stateOf(ws);
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
    const state = stateOf(ws);
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
