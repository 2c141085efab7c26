/**
 * One entity's mailbox on this worker: everything that writes the entity's
 * document — its commands, in arrival order (= CMD stream order, since one
 * partition consumer delivers them in order), and the deferred outbox
 * clear — runs here one at a time. Different entities' mailboxes run
 * concurrently, bounded by the handler limits. A mailbox exists only while
 * it holds work.
 *
 * Serialising every write of a document also keeps the dev/test server
 * correct: FerretDB v1 applies an update as read-then-write without a
 * transaction, so two concurrent conditional writes of one document could
 * both "match" and one would silently undo the other.
 */
import type { CommandEnvelope } from './commandEnvelope.js';

/** A command, or a task of the runtime itself (the outbox clear). */
export type MailboxJob = { env: CommandEnvelope } | { task: () => Promise<void> };

export class EntityMailbox {
  private readonly queue: MailboxJob[] = [];
  private current: MailboxJob | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly run: (env: CommandEnvelope) => Promise<void>, private readonly onIdle: () => void) {}

  enqueue(job: MailboxJob): void {
    this.queue.push(job);
    this.running ??= this.drain();
  }

  /** The held command (running or waiting) with this key. */
  find(key: string): CommandEnvelope | undefined {
    return this.held().find((e) => e.key === key);
  }

  /** Every command held: the running one, then the waiting ones. */
  held(): CommandEnvelope[] {
    const jobs = this.current ? [this.current, ...this.queue] : this.queue;
    return jobs.flatMap((j) => ('env' in j ? [j.env] : []));
  }

  /** Drops waiting jobs (commands stay unacked for the next owner). */
  clear(): void {
    this.queue.length = 0;
  }

  /** Resolves when the mailbox has nothing left to run. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        this.current = job;
        await ('env' in job ? this.run(job.env) : job.task());
        this.current = undefined;
      }
    } finally {
      this.current = undefined;
      this.running = undefined;
      this.onIdle();
    }
  }
}
