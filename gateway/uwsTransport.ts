/**
 * The WebSocket protocol's transport: a uWS socket under the connection
 * core (connection.ts), and the uWS fan-out of topic pushes.
 *
 * uWS contracts kept here: writes are corked; `ws.end()` runs the close
 * handler synchronously (the endpoint marks the connection closed there);
 * the socket is never touched after that.
 */
import type { TemplatedApp, WebSocket } from '@trufflesuite/uws-js-unofficial';
import { ERROR_CODES, type ErrorBody } from '../protocol/index.js';
import type { Connection, TopicGroups, Transport } from './connection.js';
import type { Push } from './pushFanout.js';

/**
 * uWS copies the own properties of the object given to `res.upgrade()` onto
 * the socket object (in dictionary mode, ~45 bytes a property), so the user
 * data has one property: the Connection, a class instance whose fields live
 * in the object itself.
 */
export interface SocketUserData {
  readonly conn: Connection;
}

export type Socket = WebSocket<SocketUserData>;

/** The uWS topic of a topic name (own namespace: Socket.IO's rooms start with "out."). */
export function uwsTopic(topic: string): string {
  return `sy:t.${topic}`;
}

/**
 * The uWS `maxBackpressure` of a socket (WebSocket endpoint and Socket.IO's
 * websocket transport alike): above SY_MAX_BACKPRESSURE_BYTES with room to
 * spare, so the gateway's own check closes a slow consumer with
 * SLOW_CONSUMER, its error frame included, before uWS would drop a write.
 */
export function hardBackpressureLimit(maxBackpressureBytes: number): number {
  return maxBackpressureBytes * 2 + 1024 * 1024;
}

/** A close reason must fit in 123 bytes of UTF-8. */
export function closeReason(message: string): string {
  let reason = message.slice(0, 120);
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

export class UwsTransport implements Transport {
  readonly kind = 'websocket';
  /** Woken by the uWS `drain` and `close` handlers (wakeDrainWaiters); undefined while nobody waits. */
  private drainWaiters: Array<() => void> | undefined = undefined;

  constructor(private readonly ws: Socket) {}

  write(text: string): void {
    this.ws.cork(() => { this.ws.send(text, false); });
  }

  bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }

  close(error: ErrorBody, errorText: string): void {
    this.ws.cork(() => { this.ws.send(errorText, false); });
    this.ws.end(ERROR_CODES[error.code].wsClose, closeReason(error.message));
  }

  whenDrained(_threshold: number, wake: () => void): void {
    (this.drainWaiters ??= []).push(wake);
  }

  /** Called from the uWS `drain` and `close` handlers. */
  wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (!waiters) return;
    this.drainWaiters = undefined;
    for (const wake of waiters) wake();
  }

  joinGroup(topic: string): void {
    this.ws.subscribe(uwsTopic(topic));
  }

  leaveGroup(topic: string): void {
    this.ws.unsubscribe(uwsTopic(topic));
  }
}

/** One native `app.publish()` per topic push reaches every local WebSocket member, with no per-member JavaScript. */
export class UwsTopicGroups implements TopicGroups {
  constructor(private readonly app: TemplatedApp) {}

  publish(topic: string, push: Push): number {
    const uws = uwsTopic(topic);
    const subscribers = this.app.numSubscribers(uws);
    if (subscribers > 0) this.app.publish(uws, push.text, false);
    return subscribers;
  }
}
