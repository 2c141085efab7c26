/**
 * One client connection, whatever its transport (the WebSocket protocol on
 * uWS, or Socket.IO): its state, and the few ways the gateway writes to it.
 * Everything above this file (sessions, push delivery, topics, commands)
 * works on a Connection and reaches the wire only through its Transport
 * (model: centrifugal/centrifuge's Client over its Transport).
 *
 * Contracts kept here: a connection is never written to after it closed
 * (`closed` is checked after every await and before every write); every
 * write is followed by a backpressure check, and a connection whose unsent
 * bytes pass the limit is closed with SLOW_CONSUMER — it can resume, and
 * the pushes it missed are replayed.
 */
import type { ErrorBody, ServerFrame } from '../protocol/index.js';
import { gatewayBackpressureCloses, gatewayFramesOut, gatewayRejections } from '../platform/index.js';
import { AwaitingAcks } from './awaitingAcks.js';
import { RecentIdSet } from './recentIdSet.js';
import type { Push } from './pushFanout.js';

/** What the connection core needs from a transport: one open client connection. */
export interface Transport {
  /** The metric label of the transport. */
  readonly kind: 'websocket' | 'socketio';
  /** Writes one server frame: its JSON text and its frame type. Only called while the connection is open. */
  write(text: string, type: string): void;
  /** Bytes written but not yet sent to the client. */
  bufferedAmount(): number;
  /** Writes the error frame (`errorText`), then closes with the error code's close code; the transport then reports the close. */
  close(error: ErrorBody, errorText: string): void;
  /** Calls `wake` once the buffered bytes fell below `threshold`, or the connection closed. */
  whenDrained(threshold: number, wake: () => void): void;
  /** Joins the transport's own fan-out group of a topic (TopicGroups publishes to it). */
  joinGroup(topic: string): void;
  leaveGroup(topic: string): void;
}

/** Answers one client request (a command, a join, a leave) once, with its answer frame: the WebSocket endpoint writes it, Socket.IO passes it to the event's ack. */
export type Reply = (frame: ServerFrame) => void;

/**
 * One transport's fan-out of a topic push to the local connections in its
 * group of that topic, in one pass (uWS: one native publish; Socket.IO: one
 * local room emit). Returns how many received it.
 */
export interface TopicGroups {
  publish(topic: string, push: Push): number;
}

/**
 * Per-connection state. Kept to a few scalar fields for an idle connection:
 * what only some need (joined topics, delivered result ids) is allocated on
 * first use.
 */
export class Connection {
  /** Set once, when the transport opened (WebSocket: uWS `open`; Socket.IO: `connection`). */
  transport!: Transport;
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
  /** Highest seq of its session's pushes sent or, on a resume, accounted for by the client's seq (PushDelivery's gap check). */
  sessionSeq = 0;
  /** While the session's missed pushes are replayed: live pushes wait here. */
  recovering: Push[] | undefined = undefined;
  /** Set during a replay when live pushes may have been lost since its end was read (NatsGapRecovery): it reads the end again. */
  replayEndStale = false;
  /** Set when the session was resumed elsewhere: the record is no longer ours to release. */
  replaced = false;
  /** Result ids already delivered to this session (created with the first result). */
  delivered: RecentIdSet | undefined = undefined;

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

/** Resolves when the connection's send buffer drained below `threshold` bytes or the connection closed. */
export function waitForDrain(conn: Connection, threshold: number): Promise<void> {
  if (conn.closed || conn.transport.bufferedAmount() < threshold) return Promise.resolve();
  return new Promise((resolve) => conn.transport.whenDrained(threshold, resolve));
}

/** Writes frames to connections, counting them and enforcing the per-connection buffer limit. */
export class ConnectionWriter {
  constructor(private readonly maxBackpressureBytes: number) {}

  get limit(): number {
    return this.maxBackpressureBytes;
  }

  send(conn: Connection, frame: ServerFrame): boolean {
    return this.sendText(conn, JSON.stringify(frame), frame.type);
  }

  /** Sends one frame given as JSON text; false when the connection is closed (or was just closed as a slow consumer). */
  sendText(conn: Connection, text: string, type: string): boolean {
    if (conn.closed) return false;
    conn.transport.write(text, type);
    gatewayFramesOut.inc({ type });
    return this.checkBackpressure(conn);
  }

  /** Closes the connection as a slow consumer when its unsent bytes passed the limit; false when closed. */
  checkBackpressure(conn: Connection): boolean {
    if (conn.closed) return false;
    if (conn.transport.bufferedAmount() <= this.maxBackpressureBytes) return true;
    gatewayBackpressureCloses.inc();
    this.closeWith(conn, { code: 'SLOW_CONSUMER', message: `More than ${this.maxBackpressureBytes} bytes were waiting to be sent; reconnect and resume from your last seq.` });
    return false;
  }

  reject(conn: Connection, id: string, error: ErrorBody): void {
    this.send(conn, rejectedFrame(id, error));
  }

  sendError(conn: Connection, error: ErrorBody, topic?: string): void {
    this.send(conn, errorFrame(error, topic));
  }

  /**
   * Sends an `error` frame, then closes the connection (WebSocket: with the
   * code's close code, ERROR_CODES[code].wsClose). Marked closed at once,
   * whether or not the transport reports its close synchronously.
   */
  closeWith(conn: Connection, error: ErrorBody): void {
    if (conn.closed) return;
    const frame = errorFrame(error);
    gatewayFramesOut.inc({ type: 'error' });
    conn.transport.close(error, JSON.stringify(frame));
    conn.closed = true;
  }
}

/** A `rejected` answer to command `id`, counted among the gateway's rejections. */
export function rejectedFrame(id: string, error: ErrorBody): ServerFrame {
  gatewayRejections.inc({ code: error.code });
  return { type: 'rejected', id, error };
}

/** An `error` frame (naming the topic it is about, if any), counted among the gateway's rejections. */
export function errorFrame(error: ErrorBody, topic?: string): ServerFrame {
  gatewayRejections.inc({ code: error.code });
  return topic === undefined ? { type: 'error', error } : { type: 'error', error, topic };
}
