/**
 * What the payments actor and the webhook endpoint need from a payment
 * processor, in switchyard's own types (plain JSON, camelCase): services
 * receive these interfaces by injection and never see the vendor SDK. The
 * Stripe implementation is integrations/stripe.ts.
 *
 * Amounts are integers in the currency's minor unit (cents); times are Unix
 * seconds, as Stripe sends them.
 */

/** Stripe's PaymentIntent lifecycle. */
export type PaymentIntentStatus =
  | 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing'
  | 'requires_capture' | 'canceled' | 'succeeded';

export interface PaymentIntentRecord {
  id: string;
  status: PaymentIntentStatus;
  amount: number;
  amountReceived: number;
  currency: string;
  customer: string | null;
  metadata: Record<string, string>;
  created: number;
  /** Handed to the paying client (Stripe.js) to confirm the payment. A secret: never log it. */
  clientSecret: string | null;
  /** Why the last attempt failed, when it did. */
  lastPaymentError: { code: string | null; declineCode: string | null; message: string | null } | null;
  livemode: boolean;
}

export interface RefundRecord {
  id: string;
  paymentIntent: string | null;
  amount: number;
  currency: string;
  /** pending, requires_action, succeeded, failed or canceled. */
  status: string | null;
  created: number;
  metadata: Record<string, string>;
}

/** The charge of a payment, as `charge.*` events carry it (refund totals live here). */
export interface ChargeRecord {
  id: string;
  paymentIntent: string | null;
  amount: number;
  amountRefunded: number;
  refunded: boolean;
  currency: string;
  status: string;
  /** The charge's own metadata (the webhook endpoint routes by an order id found here). */
  metadata: Record<string, string>;
}

export interface CreatePaymentIntentInput {
  amount: number;
  /** ISO currency code, lower case (`usd`). */
  currency: string;
  /** Processor customer id, when the payer has one. */
  customer?: string;
  /** Copied onto the PaymentIntent; put the order/entity id here so webhooks and reconciliation find their way back. */
  metadata: Record<string, string>;
  description?: string;
}

export interface CreateRefundInput {
  paymentIntent: string;
  /** Omitted: the whole remaining amount. */
  amount?: number;
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
  metadata?: Record<string, string>;
}

export interface ListRecentPaymentIntentsInput {
  /** Only PaymentIntents created at or after this time. */
  createdAfter: Date;
  /** Upper bound on how many are returned (pages are fetched until it is reached), 1 to MAX_LIST_LIMIT. */
  limit: number;
}

/** The most PaymentIntents one listRecentPaymentIntents call returns. */
export const MAX_LIST_LIMIT = 1000;

/**
 * Calls to the payment processor's API. Every call that creates something
 * takes an idempotency key, which callers build from entity + command id so a
 * retried or redelivered command creates nothing twice (the processor, not
 * switchyard, enforces it). Failures throw IntegrationError: PAYMENT_DECLINED,
 * VALIDATION, NOT_FOUND, CONFLICT and VENDOR_REJECTED are final; UNAVAILABLE
 * (rate limits, 5xx, network, timeouts) is transient.
 */
export interface PaymentGateway {
  createPaymentIntent(input: CreatePaymentIntentInput, idempotencyKey: string): Promise<PaymentIntentRecord>;
  retrievePaymentIntent(id: string): Promise<PaymentIntentRecord>;
  /** Newest first, following pages until `limit` (reconciliation). */
  listRecentPaymentIntents(input: ListRecentPaymentIntentsInput): Promise<PaymentIntentRecord[]>;
  createRefund(input: CreateRefundInput, idempotencyKey: string): Promise<RefundRecord>;
}

/** A verified webhook event, reduced to what switchyard acts on; plain JSON, safe to publish on NATS. */
export interface PaymentWebhookEvent {
  /** Event id (`evt_…`): the dedup key (Nats-Msg-Id) downstream. */
  id: string;
  /** e.g. `payment_intent.succeeded`, `charge.refunded`, `refund.updated`. */
  type: string;
  created: number;
  livemode: boolean;
  apiVersion: string | null;
  /** The `object` field of the event's subject (`payment_intent`, `charge`, `refund`, …). */
  objectType: string;
  /** Set when objectType is `payment_intent`. */
  paymentIntent?: PaymentIntentRecord;
  /** Set when objectType is `charge`. */
  charge?: ChargeRecord;
  /** Set when objectType is `refund`. */
  refund?: RefundRecord;
}

export interface VerifyWebhookOptions {
  /** Largest accepted age of the signed timestamp, seconds; 0 turns the check off. @default the verifier's configured tolerance */
  toleranceS?: number;
}

/**
 * Verifies webhook deliveries on the raw request body. It proves the sender
 * knows the signing secret and that the signature is recent; it does NOT
 * reject a replay of the same event id inside the tolerance window — that is
 * the consumer's job (JetStream dedup by event id, then the actor's applied
 * ids). Failures throw IntegrationError WEBHOOK_SIGNATURE_INVALID with
 * `details.reason`: missing_signature, bad_signature, stale_timestamp or
 * malformed_payload.
 */
export interface PaymentWebhookVerifier {
  verifyWebhook(rawBody: Buffer | string, signatureHeader: string | undefined, options?: VerifyWebhookOptions): PaymentWebhookEvent;
}
