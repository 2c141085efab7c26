/**
 * crypto: which order a deposit address belongs to — a side collection
 * `crypto_deposit_addresses`, `_id` = the lower-case address, written by
 * checkout BEFORE the commit that opens the order (an idempotent upsert: a
 * retry writes the same thing; a leftover of a checkout that never
 * committed names an order that is still 'none', which ignores transfers).
 * The chain watcher looks up the recipients of each block here, by _id.
 */
import type { Collection, Db } from 'mongodb';

export const DEPOSIT_ADDRESS_COLLECTION = 'crypto_deposit_addresses';

interface DepositAddressDocument {
  _id: string;
  order: string;
  asset: string;
}

export class DepositAddressIndex {
  private readonly collection: Collection<DepositAddressDocument>;

  constructor(db: Db) {
    this.collection = db.collection<DepositAddressDocument>(DEPOSIT_ADDRESS_COLLECTION);
  }

  /** Records `address` → `order`; answers the order that holds the address (another one only on a derivation collision). */
  async claim(address: string, order: string, asset: string): Promise<string> {
    const _id = address.toLowerCase();
    await this.collection.updateOne({ _id }, { $setOnInsert: { order, asset } }, { upsert: true });
    const doc = await this.collection.findOne({ _id });
    return doc?.order ?? order;
  }

  /** The orders of those `addresses` that are deposit addresses, by lower-case address. */
  async ordersOf(addresses: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (addresses.length === 0) return found;
    const ids = [...new Set(addresses.map((a) => a.toLowerCase()))];
    for (const doc of await this.collection.find({ _id: { $in: ids } }).toArray()) found.set(doc._id, doc.order);
    return found;
  }
}
