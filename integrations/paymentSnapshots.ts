/**
 * The payment records of paymentGateway.ts in the wire shapes of
 * protocol/payments (what travels on NATS): the gateway forwards webhook
 * events in them and the payments actor sends reconciliation snapshots in
 * them. Secrets stay behind — a PaymentIntent's client secret never enters
 * a stream.
 */
import type { ChargeSnapshot, PaymentIntentSnapshot, RefundSnapshot, StripeEventCommand } from '../protocol/index.js';
import type { ChargeRecord, PaymentIntentRecord, PaymentWebhookEvent, RefundRecord } from './paymentGateway.js';

export function toPaymentIntentSnapshot(pi: PaymentIntentRecord): PaymentIntentSnapshot {
  return {
    id: pi.id, status: pi.status, amount: pi.amount, amountReceived: pi.amountReceived, currency: pi.currency,
    metadata: { ...pi.metadata }, created: pi.created, lastPaymentError: pi.lastPaymentError ? { ...pi.lastPaymentError } : null,
  };
}

export function toChargeSnapshot(c: ChargeRecord): ChargeSnapshot {
  return {
    id: c.id, paymentIntent: c.paymentIntent, amount: c.amount, amountRefunded: c.amountRefunded, refunded: c.refunded,
    currency: c.currency, status: c.status, metadata: { ...c.metadata },
  };
}

export function toRefundSnapshot(r: RefundRecord): RefundSnapshot {
  return { id: r.id, paymentIntent: r.paymentIntent, amount: r.amount, currency: r.currency, status: r.status, created: r.created, metadata: { ...r.metadata } };
}

/** The `stripe.event` command data of a verified event, or undefined for an event about something else (a customer, a payout…). */
export function toStripeEventCommand(event: PaymentWebhookEvent): StripeEventCommand | undefined {
  const base = { id: event.id, type: event.type, created: event.created, livemode: event.livemode };
  if (event.objectType === 'payment_intent' && event.paymentIntent) return { ...base, objectType: 'payment_intent', paymentIntent: toPaymentIntentSnapshot(event.paymentIntent) };
  if (event.objectType === 'charge' && event.charge) return { ...base, objectType: 'charge', charge: toChargeSnapshot(event.charge) };
  if (event.objectType === 'refund' && event.refund) return { ...base, objectType: 'refund', refund: toRefundSnapshot(event.refund) };
  return undefined;
}
