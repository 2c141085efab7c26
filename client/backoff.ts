/**
 * Reconnect delays: exponential backoff with full jitter (a uniformly random
 * delay between 0 and min(cap, base · 2^attempt)), so a fleet of clients
 * cut off at once does not come back at once.
 */
export interface BackoffOptions {
  /** First ceiling, ms. @default 250 */
  baseMs?: number;
  /** Largest ceiling, ms. @default 10000 */
  capMs?: number;
  /** Source of randomness in [0, 1). @default Math.random */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 250;
    this.capMs = options.capMs ?? 10_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call raises the ceiling. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
