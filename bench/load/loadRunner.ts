/**
 * The coordinator side of the load generator: starts one worker thread per
 * plan, prints progress, and merges the threads' reports. The threads do
 * the client work so that the generator is not the bottleneck of a run on
 * its own (its CPU is reported next to everyone else's).
 */
import { Worker } from 'node:worker_threads';
import type { CoordinatorMessage, ThreadMessage, ThreadPlan, ThreadReport } from './loadPlan.js';

export interface RunningLoad {
  /** The schedule's start (epoch ms), once every thread is connected. */
  started: Promise<number>;
  /** Resolves when every thread reported. */
  done: Promise<ThreadReport[]>;
  /** Idle role: resolves when every thread has opened its sockets. */
  idleOpen: Promise<{ opened: number; failed: number; firstError?: string }>;
  /** Idle role: tells every thread to close its sockets and finish. Subscribers role: stop listening now. */
  closeIdle(): void;
  /** Stops every thread at once (on an error elsewhere). */
  terminate(): Promise<void>;
}

/**
 * Threads load loadThread.ts through tsx's loader, registered inside the
 * thread (a `--import tsx` in execArgv is not applied to a worker's entry on Node 20).
 */
const THREAD_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./loadThread.ts', import.meta.url).href)}); })`;

export function startLoad(plans: ThreadPlan[], onProgress?: (line: string) => void): RunningLoad {
  const workers = plans.map((plan) => new Worker(THREAD_BOOTSTRAP, { eval: true, workerData: plan }));
  const progress = new Map<number, Extract<ThreadMessage, { type: 'progress' }>>();
  const idle = new Map<number, { opened: number; failed: number; firstError?: string }>();
  const connected = new Set<number>();
  let resolveStart: (startAt: number) => void = () => {};
  const started = new Promise<number>((r) => { resolveStart = r; });
  if (plans[0]!.startAt > 0) resolveStart(plans[0]!.startAt);
  let lastPrint = 0;
  let resolveIdle: (v: { opened: number; failed: number; firstError?: string }) => void = () => {};
  const idleOpen = new Promise<{ opened: number; failed: number; firstError?: string }>((r) => { resolveIdle = r; });
  const done = Promise.all(workers.map((worker, k) => new Promise<ThreadReport>((resolve, reject) => {
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'connected') {
        connected.add(m.threadIndex);
        // Every thread has its connections up: the schedule starts shortly, the same instant for all.
        if (connected.size === workers.length && plans[0]!.startAt === 0) {
          const startAt = Date.now() + 300;
          resolveStart(startAt);
          for (const w of workers) w.postMessage({ type: 'go', startAt } satisfies CoordinatorMessage);
        }
      } else if (m.type === 'done') { resolve(m.report); void worker.terminate(); }
      else if (m.type === 'failed') reject(new Error(`load thread ${m.threadIndex} failed: ${m.error}`));
      else if (m.type === 'idle-open') {
        idle.set(m.threadIndex, { opened: m.opened, failed: m.failed, ...(m.firstError ? { firstError: m.firstError } : {}) });
        if (idle.size === workers.length) {
          const all = [...idle.values()];
          const firstError = all.find((a) => a.firstError)?.firstError;
          resolveIdle({ opened: all.reduce((s, a) => s + a.opened, 0), failed: all.reduce((s, a) => s + a.failed, 0), ...(firstError ? { firstError } : {}) });
        }
      } else {
        progress.set(m.threadIndex, m);
        const t = Date.now();
        if (onProgress && t - lastPrint >= 2000) {
          lastPrint = t;
          const sum = (f: 'sent' | 'accepted' | 'results' | 'events' | 'open') => [...progress.values()].reduce((s, p) => s + p[f], 0);
          onProgress(`sent ${sum('sent')}  accepted ${sum('accepted')}  results ${sum('results')}${sum('events') ? `  events ${sum('events')}` : ''}  connections up ${sum('open')}`);
        }
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0 && !progress.has(-1)) reject(new Error(`load thread ${plans[k]!.threadIndex} exited with ${code}`)); });
  })));
  return {
    started,
    done,
    idleOpen,
    closeIdle: () => { for (const w of workers) w.postMessage({ type: 'close-idle' } satisfies CoordinatorMessage); },
    terminate: async () => { progress.set(-1, undefined as never); await Promise.all(workers.map((w) => w.terminate())); },
  };
}
