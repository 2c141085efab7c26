/**
 * A loopback HTTP server that records every request it receives (arrival
 * time, method, URL, headers, body, and when the client closed the
 * connection) and answers through a handler the test supplies. The base of
 * the vendor stand-ins of the tests (test/harness) and of the local stack
 * (the AI stand-in `npm start` runs); `stop()` also ends open connections,
 * so a handler that hangs on purpose cannot keep a test alive. It keeps
 * every request: meant for tests and development sessions, not for load.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RecordedRequest {
  /** 0-based arrival index. */
  index: number;
  /** Date.now() when the request's body had been read. */
  at: number;
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Date.now() when the client went away before the response ended (abort), else undefined. */
  closedEarlyAt?: number;
}

export type RecordingHandler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface RecordingHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Resolves when a request matching `predicate` has been recorded (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (requests: RecordedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRecordingHttpServer(handler: RecordingHandler): Promise<RecordingHttpServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        index: requests.length, at: Date.now(), method: req.method ?? '', url: req.url ?? '', headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      res.on('close', () => { if (!res.writableFinished) recorded.closedEarlyAt = Date.now(); });
      Promise.resolve(handler(recorded, res)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`test server handler failed: ${String(err)}`);
      });
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) throw new Error(`test server: condition not met within ${timeoutMs} ms (${requests.length} requests seen)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
