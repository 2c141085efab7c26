/**
 * A loopback TCP proxy whose link can be cut and restored: while cut, every
 * open connection is destroyed and new ones are closed at once, so the
 * client behind it sees its server go away (and keeps reconnecting) while
 * the server itself stays up for everyone else.
 *
 * It can also swallow: while swallowing, what the server sends is dropped
 * and the connection stays open — what a client sees of a server that dies
 * with data in its buffers (the server believes it sent it).
 *
 * And it can delay: every chunk, both ways, is held `ms` before it is
 * passed on (a slow server or network), in order — a chunk never overtakes
 * one that came before it on its connection, also when the delay changes.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class CuttableTcpProxy {
  private cutOff = false;
  private swallowing = false;
  private delayMs = 0;
  private readonly open = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(targetPort: number): Promise<CuttableTcpProxy> {
    let proxy: CuttableTcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CuttableTcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  restore(): void {
    this.cutOff = false;
    this.swallowing = false;
    this.delayMs = 0;
  }

  /** From now until restore() or delay(0), every chunk is held `ms` before it is passed on. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** From now until restore() or cut(), bytes from the server are dropped; the connections stay open. */
  swallow(): void {
    this.swallowing = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      this.open.add(from);
      const pass = (chunk: Buffer) => {
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      };
      const held = new HeldChunks(pass);
      from.on('data', (chunk: Buffer) => {
        if (from === upstream && this.swallowing) return;
        if (this.delayMs > 0 || held.waiting) held.add(chunk, Date.now() + this.delayMs);
        else pass(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => { this.open.delete(from); to.destroy(); });
    }
  }
}

/** Chunks of one direction held until their release time, passed on in arrival order. */
class HeldChunks {
  private readonly queue: Array<{ chunk: Buffer; at: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pass: (chunk: Buffer) => void) {}

  get waiting(): boolean {
    return this.queue.length > 0;
  }

  /** Holds `chunk` until `at` (or until the chunks before it went, if later). */
  add(chunk: Buffer, at: number): void {
    this.queue.push({ chunk, at });
    this.timer ??= setTimeout(() => this.release(), Math.max(0, this.queue[0]!.at - Date.now()));
  }

  private release(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) this.pass(this.queue.shift()!.chunk);
    if (this.queue.length > 0) this.timer = setTimeout(() => this.release(), this.queue[0]!.at - now);
  }
}
