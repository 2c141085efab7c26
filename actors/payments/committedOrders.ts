/**
 * payments: reads of COMMITTED orders from outside an order's handler (the
 * reconciler). It reads the entity documents the runtime writes
 * (`entities_payments`, the order under `state`), by _id, projecting only
 * what it needs. Those documents change only by the runtime's one atomic
 * commit, so what they say is what the order actor decided.
 */
import type { Collection, Db } from 'mongodb';
import type { CommittedOrder } from './reconcileService.js';
import type { OrderState } from './paymentsState.js';
import { PAYMENTS_COLLECTION } from './repository.js';

interface OrderDocument {
  _id: string;
  state?: Partial<OrderState>;
}

export class CommittedOrders {
  private readonly collection: Collection<OrderDocument>;

  constructor(db: Db) {
    this.collection = db.collection<OrderDocument>(PAYMENTS_COLLECTION);
  }

  /** The checked-out orders among `orders`, by id. */
  async find(orders: readonly string[]): Promise<Map<string, CommittedOrder>> {
    const found = new Map<string, CommittedOrder>();
    if (orders.length === 0) return found;
    const docs = await this.collection
      .find({ _id: { $in: [...orders] } }, { projection: { 'state.kind': 1, 'state.status': 1, 'state.paymentIntent': 1, 'state.phase': 1 } })
      .toArray();
    for (const doc of docs) {
      const s = doc.state;
      if (s?.kind !== 'order' || s.status === 'none' || !s.paymentIntent || !s.phase) continue;
      found.set(doc._id, { order: doc._id, paymentIntent: s.paymentIntent, phase: s.phase });
    }
    return found;
  }
}
