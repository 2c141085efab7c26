/**
 * A small HTTP server for processes without the gateway's uWS app (actor
 * workers): GET /metrics, /healthz, /readyz.
 */
import { createServer, type Server } from 'node:http';
import { metricsText } from './metrics.js';
import type { Service } from './lifecycle.js';

export class MetricsServer implements Service {
  readonly name = 'metrics-server';
  private server: Server | undefined;
  private ready = false;
  port = 0;

  constructor(private readonly host: string, private readonly wantedPort: number) {}

  /** Readiness reported on /readyz (false while draining). */
  setReady(ready: boolean): void {
    this.ready = ready;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/metrics') {
        void metricsText().then(({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body));
      } else if (req.url === '/healthz') {
        res.end('ok');
      } else if (req.url === '/readyz') {
        res.writeHead(this.ready ? 200 : 503).end(this.ready ? 'ready' : 'not ready');
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.wantedPort, this.host, () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.ready = false;
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
