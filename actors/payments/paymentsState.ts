/**
 * payments: what one entity of the payments actor holds. Entities are
 * orders (id chosen by the client at checkout) and one reconciler entity
 * (RECONCILER_ENTITY) that the reconciliation cron ticks are sent to.
 */
import type { OrderStatus } from '../../protocol/index.js';

/** The entity the reconciliation cron job sends its ticks to; never an order. */
export const RECONCILER_ENTITY = '_reconciler';

/** Where the payment itself stands, before refunds (ranked: it only moves up, see orderService.ts). */
export type PaymentPhase = 'created' | 'requires_action' | 'processing' | 'failed' | 'succeeded';

export interface OrderRefund {
  /** Stripe refund id. */
  id: string;
  amount: number;
  /** Stripe's refund status: pending, requires_action, succeeded, failed, canceled. */
  status: string;
}

/** What the ledger already holds for an order: the position posted so far and the seq of its last entry. */
export interface PostedPosition {
  seq: number;
  received: number;
  refunded: number;
}

export interface OrderState {
  kind: 'order';
  /** 'none' until checkout. */
  status: OrderStatus | 'none';
  /** The paying user (JWT `sub`); '' until checkout. */
  owner: string;
  amount: number;
  currency: string;
  description?: string;
  /** Stripe PaymentIntent id; '' until checkout. */
  paymentIntent: string;
  phase: PaymentPhase;
  amountReceived: number;
  /** Refunds this order knows of, newest last (at most PAYMENTS_LIMITS.maxRefunds). */
  refunds: OrderRefund[];
  /** The highest `amount_refunded` Stripe reported on the payment's charge (also counts refunds made outside switchyard). */
  chargeRefunded: number;
  ledger: PostedPosition;
  /** Counts changes; 0 before checkout. */
  version: number;
  updatedAt: number;
}

export interface ReconcilerState {
  kind: 'reconciler';
  /** Tick time (epoch ms) of the last reconciliation pass; 0 = never. */
  lastPassAt: number;
  passes: number;
  lastListed: number;
  lastFixed: number;
}

export type PaymentsState = OrderState | ReconcilerState;

export function initialPaymentsState(entity: string): PaymentsState {
  if (entity === RECONCILER_ENTITY) return { kind: 'reconciler', lastPassAt: 0, passes: 0, lastListed: 0, lastFixed: 0 };
  return {
    kind: 'order', status: 'none', owner: '', amount: 0, currency: '', paymentIntent: '', phase: 'created',
    amountReceived: 0, refunds: [], chargeRefunded: 0, ledger: { seq: 0, received: 0, refunded: 0 }, version: 0, updatedAt: 0,
  };
}
