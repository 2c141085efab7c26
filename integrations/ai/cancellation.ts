/** How a generation ends when its AbortSignal fires: CANCELLED, also while waiting. */
import { IntegrationError } from '../integrationError.js';

export function cancelledGeneration(): IntegrationError {
  return new IntegrationError('ai', 'CANCELLED', 'The generation was cancelled.');
}

/** Waits `ms`; rejects with CANCELLED as soon as `signal` fires. */
export function sleepUnlessCancelled(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(cancelledGeneration()); return; }
    const onAbort = () => { clearTimeout(timer); reject(cancelledGeneration()); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
