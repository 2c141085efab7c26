/**
 * A test member of the messaging feature: one WebSocket session (hand-made
 * protocol frames, no SDK) with helpers to send room commands and wait for
 * their results and for room events.
 */
import { subjectToken } from '../../protocol/index.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';

export interface CommandResult {
  ok: boolean;
  data: any;
  error?: { code: string; message: string };
  seq: number;
}

export class MessagingClient {
  private counter = 0;

  private constructor(readonly user: string, readonly ws: WsTestClient) {}

  static async connect(url: string, user: string, token: string): Promise<MessagingClient> {
    const { client } = await WsTestClient.hello(url, token);
    return new MessagingClient(user, client);
  }

  /** Sends a command and waits for its result. `id` defaults to a fresh one. */
  async command(actor: string, entity: string, name: string, data?: unknown, id = `${this.user}-${++this.counter}`): Promise<CommandResult> {
    this.ws.send(data === undefined ? { type: 'cmd', id, actor, entity, name } : { type: 'cmd', id, actor, entity, name, data });
    const frame = await this.ws.next((f) => (f.type === 'result' || f.type === 'rejected') && f.id === id, 30_000);
    if (frame.type === 'rejected') throw new Error(`command ${name} rejected: ${JSON.stringify(frame.error)}`);
    return { ok: frame.ok as boolean, data: frame.data, error: frame.error as CommandResult['error'], seq: frame.seq as number };
  }

  /** A command to the room actor (`messaging`, entity = room). */
  room(room: string, name: string, data?: unknown, id?: string): Promise<CommandResult> {
    return this.command('messaging', room, name, data, id);
  }

  /** A command that must succeed: its result data. */
  async ok(room: string, name: string, data?: unknown): Promise<any> {
    const result = await this.room(room, name, data);
    if (!result.ok) throw new Error(`${name} on ${room} failed: ${JSON.stringify(result.error)}`);
    return result.data;
  }

  inbox(data: unknown = {}): Promise<CommandResult> {
    return this.command('messaging_inbox', subjectToken(this.user), 'list', data);
  }

  /** Subscribes to a topic; resolves with the `subscribed` frame or the `error` frame for it. */
  async subscribe(topic: string): Promise<Frame> {
    const before = this.ws.frames.length;
    this.ws.send({ type: 'sub', topic });
    return this.ws.next((f) => this.ws.frames.indexOf(f) >= before && (f.type === 'subscribed' || f.type === 'error') && f.topic === topic, 30_000);
  }

  /** `event` frames received on `topic` named `name` (all names when omitted), in arrival order. */
  events(topic: string, name?: string): Frame[] {
    return this.ws.all((f) => f.type === 'event' && f.topic === topic && (name === undefined || f.name === name));
  }

  nextEvent(topic: string, match: (f: Frame) => boolean, timeoutMs = 30_000): Promise<Frame> {
    return this.ws.next((f) => f.type === 'event' && f.topic === topic && match(f), timeoutMs);
  }

  close(): Promise<void> {
    return this.ws.close();
  }
}
