/**
 * payments: command schemas (compiled once) and business rules. Orders are
 * private: anyone but the payer is told the order does not exist. System
 * commands (webhook events, reconciliation) are accepted only from their
 * system sender; timers and cron ticks only from the runtime.
 */
import Type from 'typebox';
import {
  PaymentCommands, PaymentIntentSnapshot, STRIPE_WEBHOOK_SENDER, StripeEventCommand, OrderStatus, PAYMENTS_LIMITS,
} from '../../protocol/index.js';
import { BusinessError, commandValidator, type CommandContext } from '../runtime/index.js';
import { refundable } from './orderService.js';
import { RECONCILER_ENTITY, type OrderState, type PaymentsState, type ReconcilerState } from './paymentsState.js';
import { RECONCILER_SENDER } from './reconcileCommands.js';

const closed = { additionalProperties: false } as const;

/** The order in `state`; refuses commands for the reconciler entity. */
export function orderIn(state: PaymentsState): OrderState {
  if (state.kind !== 'order') throw new BusinessError('VALIDATION', `${RECONCILER_ENTITY} is not an order id.`);
  return state;
}

export function reconcilerIn(state: PaymentsState): ReconcilerState {
  if (state.kind !== 'reconciler') throw new BusinessError('VALIDATION', `Reconciliation ticks go to ${RECONCILER_ENTITY}.`);
  return state;
}

/** The sender's own checked-out order. */
function ownOrder(state: PaymentsState, ctx: CommandContext<unknown>): OrderState {
  const order = orderIn(state);
  if (order.status === 'none' || order.owner !== ctx.user) throw new BusinessError('NOT_FOUND', `No order ${ctx.entity} of yours exists.`);
  return order;
}

function fromSystemSender(ctx: CommandContext<unknown>, sender: string): void {
  if (ctx.user !== sender) throw new BusinessError('FORBIDDEN', `Command ${ctx.name} is accepted only from ${sender}.`);
}

export const checkoutValidator = commandValidator(PaymentCommands.checkout, (_data, state: PaymentsState, ctx) => {
  if (ctx.entity.startsWith('_')) throw new BusinessError('VALIDATION', 'Order ids starting with _ are reserved.');
  const order = orderIn(state);
  if (order.status !== 'none') {
    throw new BusinessError('CONFLICT', `Order ${ctx.entity} is already checked out; use a new order id for a new payment.`, { details: { status: order.status } });
  }
});

export const refundValidator = commandValidator(PaymentCommands.refund, (data, state: PaymentsState, ctx) => {
  const order = ownOrder(state, ctx);
  if (order.status !== 'succeeded' && order.status !== 'partially_refunded') {
    throw new BusinessError('CONFLICT', `Only a paid order can be refunded; order ${ctx.entity} is ${order.status}.`, { details: { status: order.status } });
  }
  const left = refundable(order);
  if (left === 0 || (data?.amount !== undefined && data.amount > left)) {
    throw new BusinessError('CONFLICT', `At most ${left} can still be refunded.`, { details: { refundable: left } });
  }
  if (order.refunds.length >= PAYMENTS_LIMITS.maxRefunds) {
    throw new BusinessError('LIMIT_EXCEEDED', `An order can have at most ${PAYMENTS_LIMITS.maxRefunds} refunds.`);
  }
});

export const getValidator = commandValidator(PaymentCommands.get, (_data, state: PaymentsState, ctx) => { ownOrder(state, ctx); });

export const ledgerValidator = commandValidator(PaymentCommands.ledger, (_data, state: PaymentsState, ctx) => { ownOrder(state, ctx); });

export const stripeEventValidator = commandValidator(StripeEventCommand, (data, state: PaymentsState, ctx) => {
  fromSystemSender(ctx, STRIPE_WEBHOOK_SENDER);
  orderIn(state);
  const snapshot = data.objectType === 'payment_intent' ? data.paymentIntent : data.objectType === 'charge' ? data.charge : data.refund;
  if (!snapshot) throw new BusinessError('VALIDATION', `Event ${data.id} of type ${data.objectType} carries no ${data.objectType} snapshot.`);
});

export const reconcileValidator = commandValidator(
  Type.Object({ tick: Type.Integer({ minimum: 0 }), paymentIntent: PaymentIntentSnapshot }, closed),
  (_data, state: PaymentsState, ctx) => {
    fromSystemSender(ctx, RECONCILER_SENDER);
    orderIn(state);
  },
);

/** The runtime's cron tick: `{job, tick}`, from the scheduler itself (no sender). */
export const reconcileTickValidator = commandValidator(
  Type.Object({ job: Type.String(), tick: Type.Integer({ minimum: 0 }) }, closed),
  (_data, state: PaymentsState, ctx) => {
    if (ctx.user !== '') throw new BusinessError('FORBIDDEN', 'Reconciliation passes are started by the cron job only.');
    reconcilerIn(state);
  },
);

export const notifyValidator = commandValidator(
  Type.Object({
    order: Type.String(),
    status: OrderStatus,
    amount: Type.Integer({ minimum: 0 }),
    currency: Type.String(),
    amountReceived: Type.Integer({ minimum: 0 }),
    amountRefunded: Type.Integer({ minimum: 0 }),
    version: Type.Integer({ minimum: 0 }),
    description: Type.Optional(Type.String()),
  }, closed),
  (_data, state: PaymentsState) => { orderIn(state); },
);
