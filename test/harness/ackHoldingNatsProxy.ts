/**
 * A loopback TCP proxy in front of nats-server that can reorder what the
 * server sends to one client: once armed, replies to the client's inboxes
 * (`_INBOX.…`: JetStream publish acks among them) are held back until a
 * message on `live.s.…` (a session push) has been passed on, and only then
 * forwarded. So a gateway behind it sees a command's result before the
 * JetStream ack of that command: the race a fast worker can win, made
 * certain. Everything else passes in order; the client → server direction
 * is piped untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

const CRLF = Buffer.from('\r\n');

export class AckHoldingNatsProxy {
  private armed = false;
  private readonly open = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(natsPort: number): Promise<AckHoldingNatsProxy> {
    let proxy: AckHoldingNatsProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, natsPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new AckHoldingNatsProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** Holds inbox replies from now until the next session push has gone through. */
  holdRepliesUntilNextSessionPush(): void {
    this.armed = true;
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, natsPort: number): void {
    const upstream = connect(natsPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
      socket.on('close', () => { this.open.delete(socket); client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    let held: Buffer[] = [];
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const op = nextOp(pending);
        if (!op) break;
        pending = pending.subarray(op.length);
        const bytes = Buffer.from(op.bytes);
        if (this.armed && op.subject?.startsWith('_INBOX.')) {
          held.push(bytes);
          continue;
        }
        client.write(bytes);
        if (this.armed && op.subject?.startsWith('live.s.') && held.length > 0) {
          this.armed = false;
          for (const h of held) client.write(h);
          held = [];
        }
      }
    });
  }
}

/** The next complete protocol operation in `buf` (a MSG/HMSG with its payload, or one line), or undefined. */
function nextOp(buf: Buffer): { bytes: Buffer; length: number; subject: string | undefined } | undefined {
  const eol = buf.indexOf(CRLF);
  if (eol < 0) return undefined;
  const line = buf.subarray(0, eol).toString('latin1');
  const tokens = line.split(' ');
  const verb = tokens[0]!.toUpperCase();
  if (verb !== 'MSG' && verb !== 'HMSG') return { bytes: buf.subarray(0, eol + 2), length: eol + 2, subject: undefined };
  const total = eol + 2 + Number(tokens.at(-1)) + 2;
  if (buf.length < total) return undefined;
  return { bytes: buf.subarray(0, total), length: total, subject: tokens[1] };
}
