/**
 * payments: the ledger, a side collection `payments_ledger` with one
 * document per entry, `_id` = `<order>:<seq>`.
 *
 * The order actor writes an entry here BEFORE the entity commit that moves
 * the order's posted position (`state.ledger.seq`) to it, with a
 * replace-by-_id upsert: doing it again (a retry, a redelivery, a new owner
 * after a crash) writes the same document, and a leftover of an attempt
 * that never committed sits above the committed seq, where the next write
 * replaces or removes it. Readers only ever take seq <= the committed seq,
 * so a leftover is never seen. This gives exactly-once entries without
 * multi-document transactions. Every entry balances on its own, so the
 * collection as a whole always balances, leftovers included.
 */
import type { Collection, Db } from 'mongodb';
import type { LedgerEntryView } from '../../protocol/index.js';

interface LedgerDocument extends LedgerEntryView {
  _id: string;
}

export const LEDGER_COLLECTION = 'payments_ledger';

function toEntry(doc: LedgerDocument): LedgerEntryView {
  const { _id, ...entry } = doc;
  return entry;
}

/** Sums of debits and credits per currency. */
export type LedgerTotals = Record<string, { debits: number; credits: number }>;

export class LedgerStore {
  private readonly collection: Collection<LedgerDocument>;

  constructor(db: Db) {
    this.collection = db.collection<LedgerDocument>(LEDGER_COLLECTION);
  }

  /** (order, seq) is unique: a second copy of an entry can never be stored. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ order: 1, seq: 1 }, { unique: true, name: 'order_seq' });
  }

  /**
   * Stores `entries` (consecutive seqs of one order, after its committed
   * seq) and drops any leftover above the last of them. Idempotent.
   */
  async write(order: string, entries: readonly LedgerEntryView[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.order !== order) throw new Error(`ledger entry ${entry.id} belongs to ${entry.order}, not ${order}`);
      await this.collection.replaceOne({ _id: entry.id }, { ...entry }, { upsert: true });
    }
    await this.collection.deleteMany({ order, seq: { $gt: entries[entries.length - 1]!.seq } });
  }

  /** The order's entries up to its committed seq, in order. */
  async committed(order: string, committedSeq: number): Promise<LedgerEntryView[]> {
    if (committedSeq <= 0) return [];
    const docs = await this.collection.find({ order, seq: { $lte: committedSeq } }).sort({ seq: 1 }).toArray();
    return docs.map(toEntry);
  }

  /** Debits and credits of every stored entry, per currency (operators' and tests' balance check). */
  async totals(): Promise<LedgerTotals> {
    const totals: LedgerTotals = {};
    for await (const doc of this.collection.find({}, { projection: { currency: 1, lines: 1 } })) {
      const t = (totals[doc.currency] ??= { debits: 0, credits: 0 });
      for (const line of doc.lines) {
        t.debits += line.debit;
        t.credits += line.credit;
      }
    }
    return totals;
  }
}
