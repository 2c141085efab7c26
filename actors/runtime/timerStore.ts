/**
 * Durable timers: one MongoDB collection `actor_timers`, one document per
 * (actor, entity, key) with its due time. Timers are written by the outbox
 * relay after the commit that set them (so a timer exists only if the
 * command that set it was applied) and fired by the scheduler leader as
 * commands; see scheduler.ts.
 */
import type { Collection, Db } from 'mongodb';

export const TIMERS_COLLECTION = 'actor_timers';

export interface TimerDocument {
  /** `<actor>/<entity>/<key>` */
  _id: string;
  actor: string;
  entity: string;
  key: string;
  /** The command sent when the timer fires. */
  name: string;
  data?: unknown;
  /** Epoch ms. */
  due: number;
}

export function timerId(actor: string, entity: string, key: string): string {
  return `${actor}/${entity}/${key}`;
}

export class TimerStore {
  readonly collection: Collection<TimerDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TimerDocument>(TIMERS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ due: 1 });
  }

  /** Sets or moves a timer (idempotent: the relay may run it more than once). */
  async set(timer: TimerDocument): Promise<void> {
    const { _id, ...fields } = timer;
    await this.collection.updateOne({ _id }, { $set: fields }, { upsert: true });
  }

  async cancel(id: string): Promise<void> {
    await this.collection.deleteOne({ _id: id });
  }

  /** The earliest due timers. */
  async due(now: number, limit: number): Promise<TimerDocument[]> {
    return this.collection.find({ due: { $lte: now } }).sort({ due: 1 }).limit(limit).toArray();
  }

  /** Removes a fired timer unless it was moved meanwhile (a new due time is a new firing). */
  async removeFired(timer: TimerDocument): Promise<void> {
    await this.collection.deleteOne({ _id: timer._id, due: timer.due });
  }
}
