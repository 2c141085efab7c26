/**
 * payments: the handlers of what Stripe tells us — a forwarded webhook
 * event, or a PaymentIntent snapshot the reconciler found ahead of the
 * order. Both apply forward only (orderService.ts), so duplicates and
 * out-of-order deliveries change nothing; the runtime's applied-command
 * memory (keyed by the event id, the Nats-Msg-Id) answers exact redeliveries
 * before this runs.
 */
import type { StripeEventCommand } from '../../protocol/index.js';
import type { Controller } from '../runtime/index.js';
import type { PaymentsDeps } from './dependencies.js';
import { orderDecision } from './orderDecision.js';
import { applyCharge, applyPaymentIntent, applyRefund, type OrderChange } from './orderService.js';
import type { PaymentsState } from './paymentsState.js';
import type { ReconcileCommand } from './reconcileCommands.js';
import { orderIn } from './validator.js';

type PaymentsController<T> = Controller<PaymentsState, T, PaymentsDeps>;

/** What a system command answers (results of system commands are kept in the applied memory, not sent). */
function outcome(change: OrderChange): { applied: boolean; ignored?: string; status: string } {
  return change.ignored === undefined
    ? { applied: change.changed, status: change.state.status }
    : { applied: false, ignored: change.ignored, status: change.state.status };
}

export const stripeEventController: PaymentsController<StripeEventCommand> = async (state, event, ctx) => {
  const order = orderIn(state);
  let change: OrderChange;
  if (event.objectType === 'payment_intent') change = applyPaymentIntent(ctx.entity, order, event.paymentIntent!, event.type, event.id, ctx.now);
  else if (event.objectType === 'charge') change = applyCharge(ctx.entity, order, event.charge!, event.id, ctx.now);
  else change = applyRefund(ctx.entity, order, event.refund!, event.id, ctx.now);
  if (change.ignored) ctx.log.info({ event: event.id, type: event.type, ignored: change.ignored }, 'stripe event does not concern this order');
  await ctx.deps.ledger.write(ctx.entity, change.entries);
  return orderDecision(ctx.entity, change, outcome(change));
};

export const reconcileController: PaymentsController<ReconcileCommand> = async (state, data, ctx) => {
  const change = applyPaymentIntent(ctx.entity, orderIn(state), data.paymentIntent, undefined, ctx.key, ctx.now);
  if (change.changed) ctx.log.info({ paymentIntent: data.paymentIntent.id, status: change.state.status }, 'order reconciled: its webhook had not arrived');
  await ctx.deps.ledger.write(ctx.entity, change.entries);
  return orderDecision(ctx.entity, change, outcome(change));
};
