/**
 * Group round trips: requests made in the same turn of the event loop, or
 * while the previous round trips are in flight, go to the store together.
 * Used for entity loads (one `find` by `_id $in`) and commits (one unordered
 * `bulkWrite`). At most `maxInFlight` round trips run at once; each carries
 * at most `maxBatch` requests.
 *
 * Contract of `send`: it answers every request of its batch, in order, with
 * a value or an Error of that request alone; if it throws, every request of
 * the batch gets that error. A round trip that has not answered within
 * `timeoutMs` fails every request of its batch and frees its slot: the
 * MongoDB driver can leave an operation pending forever when the server
 * restarts under it (seen in fault test (c)), and one such round trip would
 * otherwise hold every later one back. A write that lands after its timeout
 * is harmless: the caller runs again from the stored document, and every
 * write is conditional on the version it read.
 */
export class RoundTripBatcher<Req, Res> {
  private readonly queue: Array<{ req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly send: (batch: Req[]) => Promise<Array<Res | Error>>,
    private readonly maxBatch: number,
    private readonly maxInFlight: number,
    private readonly timeoutMs: number,
  ) {}

  request(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight && this.queue.length > 0) void this.flush(this.queue.splice(0, this.maxBatch));
    });
  }

  private async flush(batch: typeof this.queue): Promise<void> {
    this.inFlight++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer a round trip within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const answers = await Promise.race([this.send(batch.map((b) => b.req)), timeout]);
      batch.forEach((b, i) => {
        const a = answers[i];
        if (a instanceof Error) b.reject(a);
        else b.resolve(a as Res);
      });
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      clearTimeout(timer);
      this.inFlight--;
      this.schedule();
    }
  }
}
