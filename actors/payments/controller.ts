/**
 * payments: the handlers of the payer's commands. Stripe is called here,
 * through ctx.deps, with an idempotency key built from the order and the
 * command key — the same on every retry and redelivery, so a worker that
 * dies between the Stripe call and the commit makes the next attempt get
 * the same PaymentIntent (or refund) back instead of a second one. Ledger
 * entries are written before the decision is returned (see ledgerStore.ts).
 */
import { ORDER_METADATA_KEY, type CheckoutResult, type LedgerResult, type PaymentCommandData, type RefundResult } from '../../protocol/index.js';
import { toPaymentIntentSnapshot } from '../../integrations/index.js';
import type { Controller } from '../runtime/index.js';
import type { PaymentsDeps } from './dependencies.js';
import { orderDecision } from './orderDecision.js';
import { applyRefund, checkout, orderView, refundable, stripeIdempotencyKey } from './orderService.js';
import type { PaymentsState } from './paymentsState.js';
import { orderIn } from './validator.js';

type PaymentsController<T> = Controller<PaymentsState, T, PaymentsDeps>;

export const checkoutController: PaymentsController<PaymentCommandData<'checkout'>> = async (state, data, ctx) => {
  const order = orderIn(state);
  const created = await ctx.deps.payments.createPaymentIntent({
    amount: data.amount,
    currency: data.currency,
    metadata: { [ORDER_METADATA_KEY]: ctx.entity },
    ...(data.description === undefined ? {} : { description: data.description }),
  }, stripeIdempotencyKey(ctx.actor, ctx.entity, ctx.key));
  const change = checkout(ctx.entity, order, {
    owner: ctx.user, amount: data.amount, currency: data.currency, description: data.description, paymentIntent: toPaymentIntentSnapshot(created),
  }, ctx.key, ctx.now);
  await ctx.deps.ledger.write(ctx.entity, change.entries);
  const result: CheckoutResult = { order: orderView(ctx.entity, change.state), clientSecret: created.clientSecret };
  return orderDecision(ctx.entity, change, result);
};

export const refundController: PaymentsController<PaymentCommandData<'refund'>> = async (state, data, ctx) => {
  const order = orderIn(state);
  const amount = data?.amount ?? refundable(order);
  const refund = await ctx.deps.payments.createRefund({
    paymentIntent: order.paymentIntent,
    amount,
    metadata: { [ORDER_METADATA_KEY]: ctx.entity },
    ...(data?.reason === undefined ? {} : { reason: data.reason }),
  }, stripeIdempotencyKey(ctx.actor, ctx.entity, ctx.key));
  // The refund is of this order's PaymentIntent, in its currency, whatever else the answer says.
  const status = refund.status ?? 'pending';
  const change = applyRefund(ctx.entity, order, { id: refund.id, paymentIntent: order.paymentIntent, amount: refund.amount, currency: order.currency, status }, ctx.key, ctx.now);
  await ctx.deps.ledger.write(ctx.entity, change.entries);
  const result: RefundResult = { order: orderView(ctx.entity, change.state), refund: { id: refund.id, amount: refund.amount, status } };
  return orderDecision(ctx.entity, change, result);
};

export const getController: PaymentsController<unknown> = (state, _data, ctx) => ({ result: orderView(ctx.entity, orderIn(state)) });

/** The order's committed entries (the state a handler gets is the committed one). */
export const ledgerController: PaymentsController<unknown> = async (state, _data, ctx) => {
  const order = orderIn(state);
  const result: LedgerResult = { order: ctx.entity, entries: await ctx.deps.ledger.committed(ctx.entity, order.ledger.seq) };
  return { result };
};
