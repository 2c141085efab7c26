/**
 * A Stripe webhook event as the gateway forwards it to the payments actor:
 * `POST /webhooks/stripe` verifies the signature, reduces the event to the
 * snapshot below (never the PaymentIntent's client secret) and publishes it
 * as command `stripe.event` to the order named in the object's metadata
 * (`ORDER_METADATA_KEY`), with `Nats-Msg-Id` = the event id, from the system
 * sender `system:stripe` (see systemCommands.ts). Stripe delivers events at
 * least once and in any order; the actor applies each once and never moves
 * an order backwards.
 */
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { EntityId } from '../frames.js';
import { ORDER_METADATA_KEY } from './commands.js';

const closed = { additionalProperties: false } as const;
const Minor = Type.Integer({ minimum: 0 });
const Metadata = Type.Record(Type.String(), Type.String());
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** The command name of a forwarded webhook event. */
export const STRIPE_EVENT_COMMAND = 'stripe.event';
/** The system sender (Sy-User) of forwarded webhook events. */
export const STRIPE_WEBHOOK_SENDER = 'system:stripe';

/** Stripe's PaymentIntent lifecycle. */
export const PaymentIntentStatus = Type.Union([
  Type.Literal('requires_payment_method'), Type.Literal('requires_confirmation'), Type.Literal('requires_action'),
  Type.Literal('processing'), Type.Literal('requires_capture'), Type.Literal('canceled'), Type.Literal('succeeded'),
]);

export const PaymentIntentSnapshot = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255 }),
  status: PaymentIntentStatus,
  amount: Minor,
  amountReceived: Minor,
  currency: Type.String(),
  metadata: Metadata,
  /** Unix seconds. */
  created: Type.Integer(),
  lastPaymentError: Type.Union([Type.Null(), Type.Object({ code: NullableString, declineCode: NullableString, message: NullableString }, closed)]),
}, closed);

export const ChargeSnapshot = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255 }),
  paymentIntent: NullableString,
  amount: Minor,
  /** Everything refunded of this charge so far (it only grows). */
  amountRefunded: Minor,
  refunded: Type.Boolean(),
  currency: Type.String(),
  status: Type.String(),
  metadata: Metadata,
}, closed);

export const RefundSnapshot = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 255 }),
  paymentIntent: NullableString,
  amount: Minor,
  currency: Type.String(),
  /** pending, requires_action, succeeded, failed or canceled. */
  status: NullableString,
  created: Type.Integer(),
  metadata: Metadata,
}, closed);

/** Data of command `stripe.event`: exactly one of the snapshots, as `objectType` says. */
export const StripeEventCommand = Type.Object({
  /** `evt_…`: also the command's Nats-Msg-Id. */
  id: Type.String({ minLength: 1, maxLength: 255 }),
  /** e.g. `payment_intent.succeeded`, `charge.refunded`, `refund.updated`. */
  type: Type.String({ minLength: 1, maxLength: 100 }),
  /** Unix seconds. */
  created: Type.Integer(),
  livemode: Type.Boolean(),
  objectType: Type.Union([Type.Literal('payment_intent'), Type.Literal('charge'), Type.Literal('refund')]),
  paymentIntent: Type.Optional(PaymentIntentSnapshot),
  charge: Type.Optional(ChargeSnapshot),
  refund: Type.Optional(RefundSnapshot),
}, closed);

export type PaymentIntentSnapshot = Static<typeof PaymentIntentSnapshot>;
export type ChargeSnapshot = Static<typeof ChargeSnapshot>;
export type RefundSnapshot = Static<typeof RefundSnapshot>;
export type StripeEventCommand = Static<typeof StripeEventCommand>;

const checkEntityId = Compile(EntityId);

/** The order id a Stripe object's metadata names (ORDER_METADATA_KEY), when it is a valid entity id. */
export function orderInMetadata(metadata: Readonly<Record<string, string>>): string | undefined {
  const order = Object.hasOwn(metadata, ORDER_METADATA_KEY) ? metadata[ORDER_METADATA_KEY] : undefined;
  return order !== undefined && checkEntityId.Check(order) ? order : undefined;
}

/** The order a forwarded event concerns: named in its PaymentIntent's, charge's or refund's metadata. */
export function orderOfStripeEvent(event: StripeEventCommand): string | undefined {
  const snapshot = event.paymentIntent ?? event.charge ?? event.refund;
  return snapshot ? orderInMetadata(snapshot.metadata) : undefined;
}
