/**
 * The per-worker limit on AI generations (SY_AI_WORKER_CONCURRENCY): at most
 * `limit` stream from providers at once on this worker; the others wait in
 * arrival order. Waiting is safe: the command stays held (the runtime keeps
 * its message alive with in-progress acks), and a cancel, timeout or
 * partition loss while waiting ends the wait.
 */
import { aiGenerationsWaiting } from './metrics.js';

interface Waiter {
  grant: () => void;
}

export class WorkerGenerationSlots {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limit: number) {}

  get running(): number {
    return this.active;
  }

  /** Resolves with a slot, or rejects with the signal's reason if it fires first (no slot held then). */
  async acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    aiGenerationsWaiting.inc();
    try {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          grant: () => { signal.removeEventListener('abort', onAbort); resolve(); },
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(waiter);
      });
    } finally {
      aiGenerationsWaiting.dec();
    }
  }

  /** Hands the slot to the next waiter, if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.active--;
  }
}
