/**
 * One entity's mailbox on this worker: its commands, in arrival order (=
 * CMD stream order, since one partition consumer delivers them in order),
 * run in takes (entityTake.ts): everything waiting when a take begins (up to
 * TAKE_MAX) is one take, committed in one write; commands that arrive
 * meanwhile wait for the next take. One take at a time per entity, so every
 * write of the entity's document is serialised on this worker. Different
 * entities' mailboxes run concurrently, bounded by the handler limits. A
 * mailbox exists only while it holds work.
 *
 * Serialising every write of a document also keeps the dev/test server
 * correct: FerretDB v1 applies an update as read-then-write without a
 * transaction, so two concurrent conditional writes of one document could
 * both "match" and one would silently undo the other.
 */
import type { CommandEnvelope } from './commandEnvelope.js';
import { TAKE_MAX } from './entityTake.js';

export class EntityMailbox {
  private readonly queue: CommandEnvelope[] = [];
  private current: CommandEnvelope[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly run: (take: CommandEnvelope[]) => Promise<void>, private readonly onIdle: () => void) {}

  enqueue(env: CommandEnvelope): void {
    this.queue.push(env);
    this.running ??= this.drain();
  }

  /** The held command (running or waiting) with this key. */
  find(key: string): CommandEnvelope | undefined {
    return this.held().find((e) => e.key === key);
  }

  /** Every command held: the running take, then the waiting ones. */
  held(): CommandEnvelope[] {
    return this.current.length === 0 ? this.queue : [...this.current, ...this.queue];
  }

  /** Drops waiting commands (they stay unacked for the next owner). */
  clear(): void {
    this.queue.length = 0;
  }

  /** Resolves when the mailbox has nothing left to run. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        this.current = this.queue.splice(0, TAKE_MAX);
        await this.run(this.current);
        this.current = [];
      }
    } finally {
      this.current = [];
      this.running = undefined;
      this.onIdle();
    }
  }
}
