/**
 * Events of the payments feature, all published from the order's outbox
 * after the change is committed (at least once; dedupe by `seq` / `id`).
 *
 * To the payer: an `event` frame named `payments.order` with the OrderView
 * on topic `user.<payer>` (the payer's subject token; only the payer may
 * join it) on every change of one of their orders.
 *
 * Domain events: `evt.payments.<status>` on the EVT stream whenever an order
 * enters a status, body = the runtime's domain event envelope with
 * PaymentsStatusChanged as `data`.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { subjectToken } from '../subjects.js';
import { OrderStatus, OrderView } from './views.js';
import { domainEventSchema } from '../messages.js';

/** Name of the topic event carrying an order's new view. */
export const PAYMENTS_ORDER_EVENT = 'payments.order';

/** The topic a user's own payment pushes go to (`user.<subject token>`). */
export function paymentsUserTopic(user: string): string {
  return `user.${subjectToken(user)}`;
}

export const PaymentsStatusChanged = Type.Object({
  order: OrderView,
  /** The payer (JWT `sub`). */
  user: Type.String(),
  /** The status before; null when the order was just created. */
  previous: Type.Union([OrderStatus, Type.Null()]),
}, { additionalProperties: false });

/** `evt.payments.<name>`: one per status an order can enter. */
export const PAYMENTS_DOMAIN_EVENTS = {
  created: PaymentsStatusChanged,
  requires_action: PaymentsStatusChanged,
  processing: PaymentsStatusChanged,
  succeeded: PaymentsStatusChanged,
  failed: PaymentsStatusChanged,
  partially_refunded: PaymentsStatusChanged,
  refunded: PaymentsStatusChanged,
} as const satisfies Record<OrderStatus, TSchema>;

export type PaymentsDomainEventName = keyof typeof PAYMENTS_DOMAIN_EVENTS;
export type PaymentsStatusChanged = Static<typeof PaymentsStatusChanged>;

/** The whole body of `evt.payments.<name>`: the runtime's envelope (more fields may be added) with this feature's `data`. */
export function paymentsDomainEvent<N extends PaymentsDomainEventName>(name: N) {
  return domainEventSchema('payments', name, PAYMENTS_DOMAIN_EVENTS[name], 'The order.');
}
