/**
 * Reads a child process's heap through the V8 inspector, with no debug code
 * in the program measured: the process is started with
 * `--inspect=127.0.0.1:<port>` (NODE_OPTIONS), and this client forces a full
 * garbage collection (`HeapProfiler.collectGarbage`) before reading
 * `Runtime.getHeapUsage`. RSS comes from /proc right after the same GC.
 */
import WebSocket from 'ws';
import { freePort } from '../../deploy/local/servers.js';
import { readProcStat } from './processSampler.js';

export interface MemoryReading {
  rssBytes: number;
  /** V8 heap in use after a forced full GC. */
  heapUsedBytes: number;
  heapTotalBytes: number;
}

/** NODE_OPTIONS for a child whose heap is read later, and the inspector port it will listen on. */
export async function inspectableNodeOptions(): Promise<{ port: number; nodeOptions: string }> {
  const port = await freePort();
  return { port, nodeOptions: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${port}`.trim() };
}

export class InspectorHeap {
  private nextId = 0;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly ws: WebSocket, private readonly pid: number) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (m.id !== undefined) this.pending.get(m.id)?.(m.error ? Promise.reject(new Error(m.error.message)) : m.result);
    });
  }

  /** Connects to the inspector of `pid` listening on 127.0.0.1:`port`. */
  static async connect(port: number, pid: number): Promise<InspectorHeap> {
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as Array<{ webSocketDebuggerUrl: string }>;
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new InspectorHeap(ws, pid);
  }

  private call<T>(method: string): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer within 60 s`)), 60_000);
      this.pending.set(id, (result) => { clearTimeout(timer); this.pending.delete(id); Promise.resolve(result).then((r) => resolve(r as T), reject); });
      this.ws.send(JSON.stringify({ id, method }));
    });
  }

  /** Two full GCs (the second collects what finalizers of the first released), then heap and RSS. */
  async read(): Promise<MemoryReading> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const heap = await this.call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
    const rss = readProcStat(this.pid)?.rssBytes ?? Number.NaN;
    return { rssBytes: rss, heapUsedBytes: heap.usedSize, heapTotalBytes: heap.totalSize };
  }

  close(): void {
    this.ws.terminate();
  }
}
