/**
 * Socket.IO's transport under the connection core (connection.ts), and the
 * Socket.IO fan-out of topic pushes.
 *
 * A frame goes out as an event named after its type, carrying the frame
 * object (`result`, `event`, `welcome`, `error`…). A topic's group is the
 * Socket.IO room named after the topic's `out.` subject, so the
 * redis-adapter sees the same rooms on every node; topic pushes reach every
 * node through NATS already, so each node emits them to its local room
 * members only (`io.local`), never a second time through Redis.
 */
import type { Server, Socket as IoSocket } from 'socket.io';
import { ERROR_CODES, subjects, type ErrorBody } from '../protocol/index.js';
import type { TopicGroups, Transport } from './connection.js';
import type { Push } from './pushFanout.js';

/** How often a connection waiting for its buffer to drain is looked at (engine.io has no event for it). */
const DRAIN_POLL_MS = 10;

/** The Socket.IO room of a topic: its `out.` subject. */
export function ioRoom(topic: string): string {
  return subjects.topicPush(topic);
}

/** The parts of engine.io's connection read here (not in its public typings). */
interface EngineConnection {
  writeBuffer?: Array<{ data?: unknown }>;
  transport?: { name?: string; socket?: { getBufferedAmount?: () => number } };
}

export class SocketIoTransport implements Transport {
  readonly kind = 'socketio';

  constructor(private readonly socket: IoSocket) {}

  write(text: string, type: string): void {
    this.socket.emit(type, JSON.parse(text));
  }

  /** Packets engine.io holds for the client, plus what the uWS socket under the websocket transport holds. */
  bufferedAmount(): number {
    const engine = this.socket.conn as unknown as EngineConnection;
    let bytes = 0;
    for (const packet of engine.writeBuffer ?? []) {
      const data = packet.data;
      bytes += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0;
    }
    if (engine.transport?.name === 'websocket' && !this.socket.disconnected) {
      try {
        bytes += engine.transport.socket?.getBufferedAmount?.() ?? 0;
      } catch {
        // The uWS socket closed under engine.io: nothing more is buffered.
      }
    }
    return bytes;
  }

  /**
   * Emits the error, then closes. A retryable code (DRAINING, SLOW_CONSUMER,
   * UNAVAILABLE) closes the transport, so socket.io-client reconnects by
   * itself and resumes; any other (SESSION_REPLACED, AUTH_*) disconnects
   * the socket, which the client does not retry.
   */
  close(error: ErrorBody, errorText: string): void {
    this.socket.emit('error', JSON.parse(errorText));
    if (ERROR_CODES[error.code].retryable) this.socket.conn.close();
    else this.socket.disconnect(true);
  }

  whenDrained(threshold: number, wake: () => void): void {
    const timer = setInterval(() => {
      if (!this.socket.disconnected && this.bufferedAmount() >= threshold) return;
      clearInterval(timer);
      wake();
    }, DRAIN_POLL_MS);
  }

  joinGroup(topic: string): void {
    void this.socket.join(ioRoom(topic));
  }

  leaveGroup(topic: string): void {
    void this.socket.leave(ioRoom(topic));
  }
}

/** One local room emit per topic push. */
export class SocketIoRooms implements TopicGroups {
  constructor(private readonly io: Server) {}

  publish(topic: string, push: Push): number {
    const room = ioRoom(topic);
    const members = this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
    if (members > 0) this.io.local.to(room).emit(push.type, JSON.parse(push.text));
    return members;
  }
}
