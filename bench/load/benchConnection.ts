/**
 * One client connection of the load generator, as the thread's driver sees
 * it: send a command, join a topic, and be told about what comes back. Two
 * implementations: the JSON WebSocket protocol (switchyard and the
 * synchronous baseline) and Socket.IO. They reconnect by themselves until
 * `close()`; the driver re-sends what was not accepted when `onReady` says
 * the connection is back.
 */

export interface OutgoingCommand {
  id: string;
  actor: string;
  entity: string;
  name: string;
  data?: unknown;
}

export interface ConnectionEvents {
  /** Connected and authenticated. `resumed`: the previous session (and its pending results) continues. */
  onReady(resumed: boolean, reconnect: boolean): void;
  /** The connection went away; it reconnects by itself. */
  onDown(closeCode: number, reason: string): void;
  onAccepted(id: string, at: number): void;
  onRejected(id: string, code: string, retryable: boolean, at: number): void;
  /** `seq` when the target numbers its pushes (switchyard), otherwise undefined. */
  onResult(id: string, seq: number | undefined, ok: boolean, errorCode: string | undefined, at: number): void;
  onEvent(topic: string, data: unknown, seq: number | undefined, at: number): void;
  /** Answer to `subscribe`: undefined when joined, else the reason it was refused. */
  onSubscribed(topic: string, refusal: string | undefined): void;
  /** Connection-level error frame or handshake failure. */
  onError(message: string): void;
}

export interface BenchConnection {
  readonly ready: boolean;
  start(): void;
  /** Returns false when the connection is not ready (the command was not sent). */
  send(cmd: OutgoingCommand): boolean;
  subscribe(topic: string): void;
  close(): void;
}

export interface ConnectionOptions {
  url: string;
  token: string;
  /** Sent as `?affinity=` so HAProxy brings a reconnect back to the same server while it lives. */
  affinityKey: string;
  localAddress?: string | undefined;
  events: ConnectionEvents;
}

/** Reconnect delay: at once after a drain (1012), otherwise backing off to 1 s. */
export function reconnectDelayMs(closeCode: number, failuresInARow: number): number {
  if (closeCode === 1012 && failuresInARow === 0) return 0;
  return Math.min(1000, 25 * 2 ** failuresInARow);
}

export function withAffinity(url: string, key: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}affinity=${encodeURIComponent(key)}`;
}
