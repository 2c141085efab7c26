/**
 * Reading a request body on uWS: chunks are copied (uWS neuters them after
 * the callback), the size is capped (FRAME_TOO_LARGE, 413), the whole body
 * must arrive within `timeoutMs` (REQUEST_TIMEOUT, 408: a client trickling
 * its body cannot hold a request open; uWS's own idle timeout only catches
 * silence), and an aborted request settles the promise instead of leaving
 * it hanging. The caller
 * must have copied everything it needs from `req` before awaiting this.
 */
import type { HttpResponse } from '@trufflesuite/uws-js-unofficial';
import { SwitchyardError } from '../protocol/index.js';

export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
  readonly code = 'REQUEST_ABORTED';
}

/** Registers onAborted; `aborted()` tells whether the response may still be written. */
export function trackAbort(res: HttpResponse): { aborted: () => boolean; onAbort: (fn: () => void) => void } {
  let aborted = false;
  const handlers: Array<() => void> = [];
  res.onAborted(() => {
    aborted = true;
    for (const fn of handlers) fn();
  });
  return { aborted: () => aborted, onAbort: (fn) => handlers.push(fn) };
}

export function readBody(res: HttpResponse, maxBytes: number, abort: ReturnType<typeof trackAbort>, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(new SwitchyardError('REQUEST_TIMEOUT', `The body did not arrive within ${timeoutMs} ms.`, { details: { bodyTimeoutMs: timeoutMs } }));
    }, timeoutMs);
    abort.onAbort(() => {
      clearTimeout(timer);
      if (!done) { done = true; reject(new RequestAbortedError('The client went away before the body was read.')); }
    });
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        done = true;
        clearTimeout(timer);
        reject(new SwitchyardError('FRAME_TOO_LARGE', `The body may be at most ${maxBytes} bytes.`, { details: { maxFrameBytes: maxBytes } }));
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        done = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks, size));
      }
    });
  });
}
