/**
 * A loopback TCP proxy whose link can be cut and restored: while cut, every
 * open connection is destroyed and new ones are closed at once, so the
 * client behind it sees its server go away (and keeps reconnecting) while
 * the server itself stays up for everyone else.
 *
 * It can also swallow: while swallowing, what the server sends is dropped
 * and the connection stays open — what a client sees of a server that dies
 * with data in its buffers (the server believes it sent it).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class CuttableTcpProxy {
  private cutOff = false;
  private swallowing = false;
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
      from.on('data', (chunk: Buffer) => {
        if (from === upstream && this.swallowing) return;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('error', () => to.destroy());
      from.on('close', () => { this.open.delete(from); to.destroy(); });
    }
  }
}
