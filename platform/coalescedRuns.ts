/**
 * One task that never runs twice at once, and never misses a request: run()
 * starts it, or, while a run is under way, asks for one more run right after
 * it. Any number of requests during a run make that one extra run (they
 * coalesce). The promise run() returns settles when the runs it joined are
 * over (never rejects: a failed run goes to `onError`, and a requested
 * extra run still happens). cancelPending() drops the extra run asked for so
 * far; the run under way finishes.
 *
 * Used where a trigger must see the world as it is after the trigger (a
 * rebalance round after a peer died, a heartbeat after a Redis reconnect,
 * a replay after a broker failover), but two runs must not overlap.
 */
export class CoalescedRuns {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly task: () => Promise<void>, private readonly onError: (err: unknown) => void) {}

  /** Runs the task now, or once more right after the run under way. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.task();
        } catch (err) {
          this.onError(err);
        }
      } while (this.again);
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** True while a run is under way. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Forgets the extra run requested during the one under way. */
  cancelPending(): void {
    this.again = false;
  }
}
