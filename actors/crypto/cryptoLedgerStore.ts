/**
 * crypto: the ledger, a side collection `crypto_ledger`, one document per
 * entry, `_id` = `<order>:<seq>`. Same contract as the payments ledger
 * (actors/payments/ledgerStore.ts): an order writes its entries BEFORE the
 * entity commit that moves its posted seq to them, by replace-upsert on
 * _id (a retry writes the same document; a leftover of an attempt that
 * never committed lies above the committed seq, is replaced or removed by
 * the next write, and is never read). Amounts are base-unit strings here.
 */
import type { Collection, Db } from 'mongodb';
import type { CryptoLedgerEntry } from '../../protocol/index.js';

export const CRYPTO_LEDGER_COLLECTION = 'crypto_ledger';

interface EntryDocument extends CryptoLedgerEntry {
  _id: string;
}

export class CryptoLedgerStore {
  private readonly collection: Collection<EntryDocument>;

  constructor(db: Db) {
    this.collection = db.collection<EntryDocument>(CRYPTO_LEDGER_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ order: 1, seq: 1 }, { unique: true, name: 'order_seq' });
  }

  /** Stores `entries` (consecutive seqs of one order) and drops leftovers above the last. Idempotent. */
  async write(order: string, entries: readonly CryptoLedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.order !== order) throw new Error(`ledger entry ${entry.id} belongs to ${entry.order}, not ${order}`);
      await this.collection.replaceOne({ _id: entry.id }, { ...entry }, { upsert: true });
    }
    await this.collection.deleteMany({ order, seq: { $gt: entries[entries.length - 1]!.seq } });
  }

  async committed(order: string, committedSeq: number): Promise<CryptoLedgerEntry[]> {
    if (committedSeq <= 0) return [];
    const docs = await this.collection.find({ order, seq: { $lte: committedSeq } }).sort({ seq: 1 }).toArray();
    return docs.map(({ _id, ...entry }) => entry);
  }
}
