/**
 * The per-user limit on AI generations (SY_AI_USER_CONCURRENCY), across
 * all workers: one MongoDB document per user in `ai_user_generations`,
 * `{_id: user, version, slots: {<command digest>: <expires at, epoch ms>}}`,
 * changed with single-document conditional writes only (FerretDB-safe).
 *
 * A slot belongs to a command key, so a command that runs again (a retry,
 * or a redelivery after its worker died) takes its own slot again instead
 * of a second one. A slot is released when the generation ends; one left by
 * a killed worker expires after `holdMs` (longer than a generation may run).
 */
import type { Collection, Db } from 'mongodb';
import { commandDigest } from './commandDigest.js';

interface UserGenerationsDoc {
  _id: string;
  version: number;
  slots: Record<string, number>;
}

export type SlotGrant = { granted: true } | { granted: false; running: number };

/** Concurrent writers of one user document retry this often before the attempt fails (transient). */
const MAX_CONFLICTS = 16;

export class UserGenerationLimit {
  private readonly docs: Collection<UserGenerationsDoc>;

  constructor(db: Db, readonly max: number, private readonly holdMs: number) {
    this.docs = db.collection<UserGenerationsDoc>('ai_user_generations');
  }

  /** Takes (or renews) the slot of `commandKey`, unless `user` already holds `max` other live slots. */
  async acquire(user: string, commandKey: string, now: number): Promise<SlotGrant> {
    const slot = commandDigest(commandKey);
    for (let conflict = 0; conflict < MAX_CONFLICTS; conflict++) {
      const doc = await this.docs.findOne({ _id: user });
      if (!doc) {
        try {
          await this.docs.insertOne({ _id: user, version: 1, slots: { [slot]: now + this.holdMs } });
          return { granted: true };
        } catch (err) {
          if (isDuplicateKey(err)) continue;
          throw err;
        }
      }
      const others = Object.entries(doc.slots).filter(([id]) => id !== slot);
      const running = others.filter(([, until]) => until > now).length;
      if (running >= this.max) return { granted: false, running };
      const expired = others.filter(([, until]) => until <= now).map(([id]) => [`slots.${id}`, ''] as const);
      const update = {
        $set: { [`slots.${slot}`]: now + this.holdMs },
        $inc: { version: 1 },
        ...(expired.length > 0 ? { $unset: Object.fromEntries(expired) } : {}),
      };
      const written = await this.docs.updateOne({ _id: user, version: doc.version }, update);
      if (written.matchedCount === 1) return { granted: true };
    }
    throw new Error(`ai_user_generations: ${MAX_CONFLICTS} write conflicts in a row for one user`);
  }

  async release(user: string, commandKey: string): Promise<void> {
    await this.docs.updateOne({ _id: user }, { $unset: { [`slots.${commandDigest(commandKey)}`]: '' }, $inc: { version: 1 } });
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
