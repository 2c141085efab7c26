/**
 * accepted → result timing of one command, as every panel and the command
 * log show it: milliseconds from `send()` to `accepted` (durable in
 * JetStream), to the first `progress` push (if any), and to the `result`.
 */
import type { CommandHandle } from '../index.js';

export interface CommandTiming {
  /** ms from send() to `accepted`. */
  accepted?: number;
  /** ms from send() to the first `progress` push. */
  firstProgress?: number;
  /** ms from send() to the `result`. */
  result?: number;
  /** `ok`, or the error code the command ended with. */
  outcome?: string;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '…';
  return ms < 100 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** `accepted 3.1 ms → first progress 40 ms → result 2.4 s`, plus the error code when it failed. */
export function describeTiming(t: CommandTiming): string {
  const steps = [`accepted ${formatMs(t.accepted)}`];
  if (t.firstProgress !== undefined) steps.push(`first progress ${formatMs(t.firstProgress)}`);
  steps.push(`result ${formatMs(t.result)}`);
  return `${steps.join(' → ')}${t.outcome && t.outcome !== 'ok' ? ` (${t.outcome})` : ''}`;
}

/** Measures one command from its creation; `onChange` is called after each step with the timing so far. */
export class CommandTimer {
  private readonly started = performance.now();
  private readonly timing: CommandTiming = {};

  constructor(private readonly onChange: (timing: CommandTiming) => void) {}

  /** Call from the command's onProgress. */
  progressed(): void {
    if (this.timing.firstProgress !== undefined) return;
    this.timing.firstProgress = this.elapsed();
    this.onChange(this.timing);
  }

  follow(handle: CommandHandle<unknown>): void {
    handle.accepted.then(() => { this.timing.accepted ??= this.elapsed(); this.onChange(this.timing); }, () => {});
    handle.result.then(
      () => { this.finish('ok'); },
      (err: { code?: string }) => { this.finish(err.code ?? 'error'); },
    );
  }

  private finish(outcome: string): void {
    this.timing.result = this.elapsed();
    this.timing.outcome = outcome;
    this.onChange(this.timing);
  }

  private elapsed(): number {
    return performance.now() - this.started;
  }
}
