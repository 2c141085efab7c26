/**
 * Helpers shared by the gateway tests: a NATS connection to the stack,
 * publishing pushes to OUT the way an actor does, reading gateway metrics,
 * polling with a deadline (the harness's eventually, re-exported), and a
 * raw WebSocket whose reading can be paused (a slow consumer).
 */
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import WebSocket from 'ws';
import { HEADERS, subjects } from '../../protocol/index.js';
import type { Stack } from '../harness/stackFixture.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { WsTestClient, type Frame } from '../harness/wsTestClient.js';
import { eventually } from '../harness/commandDriver.js';

export { eventually };

export async function natsOf(stack: Stack): Promise<NatsConnection> {
  return connect({ servers: stack.env.NATS_URL });
}

/** Publishes a push to OUT as an actor would; resolves with its seq. */
export async function publishPush(nc: NatsConnection, outSubject: string, body: Record<string, unknown>, commandId?: string): Promise<number> {
  const h = natsHeaders();
  if (commandId !== undefined) h.set(HEADERS.commandId, commandId);
  const ack = await jetstream(nc).publish(outSubject, JSON.stringify(body), { headers: h });
  return ack.seq;
}

export function publishEvent(nc: NatsConnection, topic: string, name: string, data: unknown): Promise<number> {
  return publishPush(nc, subjects.topicPush(topic), { type: 'event', topic, name, data });
}

/** The value of one metric series from a gateway's /metrics (0 when absent). */
export async function metric(stack: Stack, gateway: SwitchyardProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${stack.httpUrl(gateway)}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (wanted.every((w) => rest.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

let counter = 0;
/** A command id unique within the test run. */
export function uniqueId(prefix = 'c'): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

export function addCommand(id: string, entity: string, by = 1): Record<string, unknown> {
  return { type: 'cmd', id, actor: 'counter', entity, name: 'add', data: { by } };
}

/** A quick proof that a gateway still serves: a fresh client gets welcome, accepted and the result of a command. */
export async function assertServes(stack: Stack, gateway?: SwitchyardProcess): Promise<void> {
  const { client } = await WsTestClient.hello(stack.wsUrl(gateway), await stack.token(uniqueId('probe-user')));
  const id = uniqueId('probe');
  client.send(addCommand(id, uniqueId('probe-entity')));
  await client.next((f) => f.type === 'accepted' && f.id === id);
  await client.next((f) => f.type === 'result' && f.id === id);
  await client.close();
}

/** Highest seq among the frames a client received (the seq to resume from). */
export function lastSeq(frames: Frame[], welcome: Frame): number {
  return frames.reduce((max, f) => (typeof f.seq === 'number' && f.type !== 'welcome' && f.seq > max ? f.seq : max), welcome.seq as number);
}

/**
 * A raw WebSocket that can stop reading (its TCP receive window fills and
 * the gateway's send buffer grows): the slow consumer of guarantee 3.
 */
export class PausableSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code) => { this.closeCode = code; resolve(code); }));
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    ws.on('error', () => {});
  }

  static async hello(url: string, token: string, resume?: { session: string; seq: number }): Promise<{ socket: PausableSocket; welcome: Frame }> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const socket = new PausableSocket(ws);
    ws.send(JSON.stringify(resume ? { type: 'hello', token, resume } : { type: 'hello', token }));
    const welcome = await eventually('welcome', () => socket.frames.find((f) => f.type === 'welcome'));
    return { socket, welcome };
  }

  pauseReading(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resumeReading(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  terminate(): void {
    this.ws.terminate();
  }
}
