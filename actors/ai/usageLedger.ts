/**
 * Per-user AI usage in MongoDB (`ai_usage`, one document per user):
 * requests, completed and cancelled generations, prompt and completion
 * tokens (and how many of them were estimates). Counted once per command
 * key: the write is one conditional upsert that matches only while the
 * key's digest is not yet in `counted`, so a command run again after a
 * crash, or a retried write, adds nothing. `counted` keeps the latest
 * COUNTED_MEMORY digests (trimmed in code; FerretDB has no $push+$slice).
 */
import type { Collection, Db } from 'mongodb';
import type { ChatUsage } from '../../integrations/index.js';
import { commandDigest } from './commandDigest.js';
import { isDuplicateKey } from './userGenerationLimit.js';

export interface UsageTotals {
  requests: number;
  completed: number;
  cancelled: number;
  promptTokens: number;
  completionTokens: number;
  /** Tokens (prompt + completion) that are estimates: the provider reported none, or the generation was cut short. */
  estimatedTokens: number;
}

interface UsageDoc extends UsageTotals {
  _id: string;
  updatedAt: number;
  /** Command digest → when it was counted (epoch ms). */
  counted: Record<string, number>;
}

/** Command keys remembered per user: far more than can be redelivered at once. */
const COUNTED_MEMORY = 256;

export class UsageLedger {
  private readonly docs: Collection<UsageDoc>;

  constructor(db: Db) {
    this.docs = db.collection<UsageDoc>('ai_usage');
  }

  /** Adds one generation's usage to `user`'s totals; false when this command key was counted before. */
  async record(user: string, commandKey: string, usage: ChatUsage, outcome: 'completed' | 'cancelled', now: number): Promise<boolean> {
    const digest = commandDigest(commandKey);
    const tokens = usage.promptTokens + usage.completionTokens;
    let after: UsageDoc | null;
    try {
      after = await this.docs.findOneAndUpdate(
        { _id: user, [`counted.${digest}`]: { $exists: false } },
        {
          $inc: {
            requests: 1, completed: outcome === 'completed' ? 1 : 0, cancelled: outcome === 'cancelled' ? 1 : 0, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
            estimatedTokens: usage.estimated ? tokens : 0,
          },
          $set: { [`counted.${digest}`]: now, updatedAt: now },
        },
        { upsert: true, returnDocument: 'after' },
      );
    } catch (err) {
      if (isDuplicateKey(err)) return false; // the document exists and already counts this key
      throw err;
    }
    if (after && Object.keys(after.counted).length > 2 * COUNTED_MEMORY) await this.trim(user, after.counted);
    return true;
  }

  async totals(user: string): Promise<UsageTotals> {
    const doc = await this.docs.findOne({ _id: user });
    return {
      requests: doc?.requests ?? 0, completed: doc?.completed ?? 0, cancelled: doc?.cancelled ?? 0,
      promptTokens: doc?.promptTokens ?? 0, completionTokens: doc?.completionTokens ?? 0, estimatedTokens: doc?.estimatedTokens ?? 0,
    };
  }

  private async trim(user: string, counted: Record<string, number>): Promise<void> {
    const oldest = Object.entries(counted).sort((a, b) => a[1] - b[1]).slice(0, Object.keys(counted).length - COUNTED_MEMORY);
    await this.docs.updateOne({ _id: user }, { $unset: Object.fromEntries(oldest.map(([d]) => [`counted.${d}`, ''])) });
  }
}
