/**
 * payments: the order state machine, as pure functions of state and input.
 *
 * Stripe delivers webhook events at least once and in any order, and the
 * reconciler may report a state a webhook already brought, so every input is
 * applied as "move forward if this says more than we know":
 *
 * - the payment phase is ranked created < requires_action < processing <
 *   failed < succeeded and only moves up (a late `processing` after
 *   `succeeded` changes nothing; `failed` can still become `succeeded`,
 *   since Stripe lets the payer try again);
 * - refunded amounts only grow: the total is the larger of the refunds we
 *   know to have succeeded and the charge's own `amount_refunded`;
 * - a refund's status moves from pending to a final status once.
 *
 * Applying the same input twice therefore changes nothing the second time,
 * which is what makes redelivered or replayed events harmless even after
 * the runtime's memory of applied command ids has moved on.
 */
import { createHash } from 'node:crypto';
import {
  PAYMENTS_LIMITS, type ChargeSnapshot, type LedgerEntryView, type OrderStatus, type OrderView, type PaymentIntentSnapshot, type RefundSnapshot,
} from '../../protocol/index.js';
import { entriesToPost } from './ledgerService.js';
import type { OrderRefund, OrderState, PaymentPhase } from './paymentsState.js';

const PHASE_RANK: Readonly<Record<PaymentPhase, number>> = { created: 0, requires_action: 1, processing: 2, failed: 3, succeeded: 4 };

/** Refund statuses that are final: nothing changes them afterwards. */
const FINAL_REFUND_STATUSES = new Set(['succeeded', 'failed', 'canceled']);
const PENDING_REFUND_STATUSES = new Set(['pending', 'requires_action']);

/** Why an input was not applied. */
export type IgnoredReason = 'no_order' | 'other_payment_intent' | 'currency_mismatch' | 'too_many_refunds';

/** The outcome of applying one input to an order. */
export interface OrderChange {
  /** The next state (the same object when nothing changed). */
  state: OrderState;
  previous: OrderStatus | 'none';
  previousPhase: PaymentPhase;
  /** Ledger entries to write before the state is committed. */
  entries: LedgerEntryView[];
  changed: boolean;
  /** Set when the input did not concern this order. */
  ignored?: IgnoredReason;
}

export function phaseRank(phase: PaymentPhase): number {
  return PHASE_RANK[phase];
}

/** The phase a PaymentIntent snapshot shows; a `payment_intent.payment_failed` event is a failure whatever the status says. */
export function phaseOf(pi: Pick<PaymentIntentSnapshot, 'status'>, eventType?: string): PaymentPhase {
  if (eventType === 'payment_intent.payment_failed') return 'failed';
  switch (pi.status) {
    case 'requires_payment_method':
    case 'requires_confirmation':
      return 'created';
    case 'requires_action':
      return 'requires_action';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    case 'succeeded':
      return 'succeeded';
    case 'canceled':
      return 'failed';
  }
}

/** What was refunded: known succeeded refunds or the charge's own total, whichever is larger, never more than was received. */
export function refundedTotal(state: OrderState): number {
  const known = state.refunds.reduce((sum, r) => sum + (r.status === 'succeeded' ? r.amount : 0), 0);
  return Math.min(state.amountReceived, Math.max(known, state.chargeRefunded));
}

export function pendingRefunds(state: OrderState): number {
  return state.refunds.reduce((sum, r) => sum + (PENDING_REFUND_STATUSES.has(r.status) ? r.amount : 0), 0);
}

/** What a new refund may still take. */
export function refundable(state: OrderState): number {
  return Math.max(0, state.amountReceived - refundedTotal(state) - pendingRefunds(state));
}

export function statusOf(state: OrderState): OrderStatus {
  if (state.phase !== 'succeeded') return state.phase;
  const refunded = refundedTotal(state);
  if (refunded === 0) return 'succeeded';
  return refunded >= state.amountReceived ? 'refunded' : 'partially_refunded';
}

export function orderView(order: string, state: OrderState): OrderView {
  if (state.status === 'none') throw new Error(`order ${order} has not been checked out`);
  const view: OrderView = {
    order, status: state.status, amount: state.amount, currency: state.currency, paymentIntent: state.paymentIntent,
    amountReceived: state.amountReceived, amountRefunded: refundedTotal(state), refundable: refundable(state),
    version: state.version, updatedAt: state.updatedAt,
  };
  if (state.description !== undefined) view.description = state.description;
  return view;
}

/**
 * A Stripe idempotency key for one command: entity + command key (the same
 * on every delivery and retry of the command), hashed when longer than
 * Stripe's 255 characters.
 */
export function stripeIdempotencyKey(actor: string, entity: string, commandKey: string): string {
  const key = `${actor}:${entity}:${commandKey}`;
  return key.length <= 255 ? key : `${actor}:sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

function unchanged(state: OrderState, ignored?: IgnoredReason): OrderChange {
  return ignored === undefined
    ? { state, previous: state.status, previousPhase: state.phase, entries: [], changed: false }
    : { state, previous: state.status, previousPhase: state.phase, entries: [], changed: false, ignored };
}

/** Derives status and ledger entries of `candidate`; returns no change when it says nothing new. */
function settle(order: string, prev: OrderState, candidate: OrderState, source: string, now: number): OrderChange {
  const status = statusOf(candidate);
  const { entries, posted } = entriesToPost(order, candidate.currency, prev.ledger, { received: candidate.amountReceived, refunded: refundedTotal(candidate) }, source, now);
  const next: OrderState = { ...candidate, status, ledger: posted };
  const same = next.status === prev.status && next.phase === prev.phase && next.amountReceived === prev.amountReceived
    && next.chargeRefunded === prev.chargeRefunded && next.paymentIntent === prev.paymentIntent && entries.length === 0
    && JSON.stringify(next.refunds) === JSON.stringify(prev.refunds);
  if (same) return unchanged(prev);
  return { state: { ...next, version: prev.version + 1, updatedAt: now }, previous: prev.status, previousPhase: prev.phase, entries, changed: true };
}

/** What a succeeded PaymentIntent received (Stripe reports amount_received; a snapshot without it received the full amount). */
function receivedOf(pi: PaymentIntentSnapshot): number {
  return pi.amountReceived > 0 ? pi.amountReceived : pi.amount;
}

export interface CheckoutInput {
  owner: string;
  amount: number;
  currency: string;
  description?: string | undefined;
  paymentIntent: PaymentIntentSnapshot;
}

/** The order after its PaymentIntent was created. */
export function checkout(order: string, state: OrderState, input: CheckoutInput, source: string, now: number): OrderChange {
  const phase = phaseOf(input.paymentIntent);
  const candidate: OrderState = {
    ...state, owner: input.owner, amount: input.amount, currency: input.currency, paymentIntent: input.paymentIntent.id, phase,
    amountReceived: phase === 'succeeded' ? receivedOf(input.paymentIntent) : 0,
  };
  if (input.description !== undefined) candidate.description = input.description;
  return settle(order, state, candidate, source, now);
}

/** A PaymentIntent snapshot (webhook event or reconciliation) applied to the order it names. */
export function applyPaymentIntent(order: string, state: OrderState, pi: PaymentIntentSnapshot, eventType: string | undefined, source: string, now: number): OrderChange {
  if (state.status === 'none') return unchanged(state, 'no_order');
  if (pi.id !== state.paymentIntent) return unchanged(state, 'other_payment_intent');
  if (pi.currency !== state.currency) return unchanged(state, 'currency_mismatch');
  const phase = phaseOf(pi, eventType);
  if (phaseRank(phase) <= phaseRank(state.phase)) return unchanged(state);
  const candidate: OrderState = { ...state, phase, amountReceived: phase === 'succeeded' ? receivedOf(pi) : state.amountReceived };
  return settle(order, state, candidate, source, now);
}

/** A charge snapshot (`charge.refunded` and friends): its refunded total only ever raises ours. */
export function applyCharge(order: string, state: OrderState, charge: ChargeSnapshot, source: string, now: number): OrderChange {
  if (state.status === 'none') return unchanged(state, 'no_order');
  if (charge.paymentIntent !== state.paymentIntent) return unchanged(state, 'other_payment_intent');
  if (charge.currency !== state.currency) return unchanged(state, 'currency_mismatch');
  if (charge.amountRefunded <= state.chargeRefunded) return unchanged(state);
  return settle(order, state, { ...state, chargeRefunded: charge.amountRefunded }, source, now);
}

/** A refund (created by the refund command, or a `refund.*` event): added, or its status moved on from pending. */
export function applyRefund(order: string, state: OrderState, refund: Pick<RefundSnapshot, 'id' | 'paymentIntent' | 'amount' | 'currency' | 'status'>, source: string, now: number): OrderChange {
  if (state.status === 'none') return unchanged(state, 'no_order');
  if (refund.paymentIntent !== state.paymentIntent) return unchanged(state, 'other_payment_intent');
  if (refund.currency !== state.currency) return unchanged(state, 'currency_mismatch');
  const status = refund.status ?? 'pending';
  const known = state.refunds.find((r) => r.id === refund.id);
  let refunds: OrderRefund[];
  if (known) {
    if (FINAL_REFUND_STATUSES.has(known.status) || known.status === status) return unchanged(state);
    refunds = state.refunds.map((r) => (r.id === refund.id ? { ...r, status } : r));
  } else {
    if (state.refunds.length >= PAYMENTS_LIMITS.maxRefunds) return unchanged(state, 'too_many_refunds');
    refunds = [...state.refunds, { id: refund.id, amount: refund.amount, status }];
  }
  return settle(order, state, { ...state, refunds }, source, now);
}
