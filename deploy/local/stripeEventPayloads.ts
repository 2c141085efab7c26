/**
 * Stripe webhook payloads as Stripe POSTs them, built from stripe-mock's
 * fixture objects. stripe-mock answers API calls but never sends webhooks,
 * so whoever plays Stripe's part locally (the payments tests, the demo's
 * payment confirmer) builds the events with these.
 */

/** Pinned like the SDK's own API version; the receiving code records it, nothing depends on it. */
const EVENT_API_VERSION = '2026-10-28.endive';

/** A Stripe event (what Stripe POSTs to a webhook endpoint) carrying `object`. */
export function stripeEventPayload(id: string, type: string, object: Record<string, unknown>): string {
  return JSON.stringify({
    id, object: 'event', type, api_version: EVENT_API_VERSION, created: Math.floor(Date.now() / 1000), livemode: false,
    pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object },
  });
}

export interface PaymentIntentFacts {
  id: string;
  status: string;
  amount: number;
  /** @default 'usd' */
  currency?: string;
  /** @default 0 */
  amountReceived?: number;
}

/** A PaymentIntent of `order` (metadata.order, which routes its events) on stripe-mock's fixture `template`. */
export function paymentIntentObject(template: Record<string, unknown>, order: string, pi: PaymentIntentFacts): Record<string, unknown> {
  return {
    ...template, id: pi.id, status: pi.status, amount: pi.amount, amount_received: pi.amountReceived ?? 0,
    currency: pi.currency ?? 'usd', metadata: { order }, last_payment_error: null, created: Math.floor(Date.now() / 1000),
  };
}
