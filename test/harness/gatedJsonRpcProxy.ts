/**
 * An HTTP proxy in front of a JSON-RPC node that can hold requests: open,
 * it forwards everything; `close()` makes new requests wait; `allow(n)`
 * lets the next n through and closes again; `open()` lets everything
 * (waiting requests included) through. Tests use it to stop a chain
 * watcher at a chosen point of a block range, e.g. before SIGKILLing it.
 * A request whose client went away while it waited is dropped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface GatedJsonRpcProxy {
  url: string;
  /** JSON-RPC methods forwarded so far, in order. */
  readonly methods: string[];
  /** Requests waiting at the gate. */
  waiting(): number;
  close(): void;
  allow(n: number): void;
  open(): void;
  stop(): Promise<void>;
}

export async function startGatedJsonRpcProxy(target: string): Promise<GatedJsonRpcProxy> {
  let budget = Infinity;
  const queue: Array<() => void> = [];
  const methods: string[] = [];
  const pump = () => {
    while (budget > 0 && queue.length > 0) {
      budget--;
      queue.shift()!();
    }
  };
  const forward = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (res.destroyed || req.socket.destroyed) return;
    try {
      const parsed = JSON.parse(body) as { method?: string } | Array<{ method?: string }>;
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) methods.push(m.method ?? '?');
    } catch { /* forwarded as is */ }
    try {
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    } catch {
      res.writeHead(502).end();
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue.push(() => void forward(req, res, Buffer.concat(chunks).toString()));
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    waiting: () => queue.length,
    close: () => { budget = 0; },
    allow: (n) => { budget = n; pump(); },
    open: () => { budget = Infinity; pump(); },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
