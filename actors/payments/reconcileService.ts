/**
 * payments: reconciliation, as pure functions. Every pass lists the
 * PaymentIntents Stripe created in the lookback window and picks those
 * whose order (named in their metadata) is committed with a lower phase than
 * the PaymentIntent shows — the orders whose webhook never arrived. Those
 * orders are sent a `reconcile` command with the snapshot, which applies it
 * like a webhook event (forward only), so a pass that races a late webhook
 * does no harm.
 */
import { orderInMetadata, type PaymentIntentSnapshot } from '../../protocol/index.js';
import { phaseOf, phaseRank } from './orderService.js';
import type { PaymentPhase, ReconcilerState } from './paymentsState.js';
import { RECONCILER_ENTITY } from './paymentsState.js';

/** An order as committed, as far as reconciliation needs it. */
export interface CommittedOrder {
  order: string;
  paymentIntent: string;
  phase: PaymentPhase;
}

/** The order a PaymentIntent's metadata names, if it is a valid order id. */
export function orderOf(pi: Pick<PaymentIntentSnapshot, 'metadata'>): string | undefined {
  const order = orderInMetadata(pi.metadata);
  return order === RECONCILER_ENTITY ? undefined : order;
}

/** The PaymentIntents that would move their committed order forward, one per order. */
export function ordersToReconcile(pis: readonly PaymentIntentSnapshot[], committed: ReadonlyMap<string, CommittedOrder>): Array<{ order: string; paymentIntent: PaymentIntentSnapshot }> {
  const picked = new Map<string, PaymentIntentSnapshot>();
  for (const pi of pis) {
    const order = orderOf(pi);
    if (order === undefined || picked.has(order)) continue;
    const known = committed.get(order);
    if (!known || known.paymentIntent !== pi.id) continue;
    if (phaseRank(phaseOf(pi)) > phaseRank(known.phase)) picked.set(order, pi);
  }
  return [...picked].map(([order, paymentIntent]) => ({ order, paymentIntent }));
}

/** A cron tick runs a pass when the configured interval has passed since the last one. */
export function passDue(state: ReconcilerState, tick: number, intervalMs: number): boolean {
  return tick - state.lastPassAt >= intervalMs;
}
