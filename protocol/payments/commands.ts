/**
 * The payments actor (`actor: "payments"`, `entity: <order id>`): the data
 * of the commands a client sends it, as TypeBox schemas. The actor
 * validates every command against these before any business rule;
 * protocol/README.md ("Payments") describes them with their results.
 *
 * An order id is chosen by the client (a random id, e.g. a UUID) when it
 * checks out; the user who checks out owns the order and is the only one who
 * may read or refund it.
 */
import Type, { type Static } from 'typebox';

export const PAYMENTS_ACTOR = 'payments';

export const PAYMENTS_LIMITS = {
  /** Largest amount of one order, in the currency's minor unit (Stripe's own limit for most currencies). */
  maxAmount: 99_999_999,
  /** Longest order description, shown on the payer's statement page and in notifications. */
  descriptionLength: 200,
  /** Refunds one order may have (the order document stays bounded). */
  maxRefunds: 20,
} as const;

/**
 * The PaymentIntent (and refund) metadata key naming the order. The actor
 * sets it when it creates them; the webhook endpoint routes events by it and
 * the reconciler finds orders by it.
 */
export const ORDER_METADATA_KEY = 'order';

const closed = { additionalProperties: false } as const;

/** An amount in the currency's minor unit (cents for usd/eur). */
export const Amount = Type.Integer({ minimum: 1, maximum: PAYMENTS_LIMITS.maxAmount });
/** ISO 4217 currency code, lower case (`usd`). */
export const Currency = Type.String({ pattern: '^[a-z]{3}$' });
export const RefundReason = Type.Union([Type.Literal('duplicate'), Type.Literal('fraudulent'), Type.Literal('requested_by_customer')]);
/** Commands without data accept no data or an empty object. */
const NoData = Type.Union([Type.Undefined(), Type.Object({}, closed)]);

export const PaymentCommands = {
  /**
   * Creates the order's PaymentIntent (once per order) and answers the
   * client secret the payer's browser confirms it with (Stripe.js).
   */
  checkout: Type.Object({
    amount: Amount,
    currency: Currency,
    description: Type.Optional(Type.String({ minLength: 1, maxLength: PAYMENTS_LIMITS.descriptionLength })),
  }, closed),
  /** Owner only, after the payment succeeded: refunds `amount` (no data or no amount: everything not yet refunded). */
  refund: Type.Union([Type.Undefined(), Type.Object({ amount: Type.Optional(Amount), reason: Type.Optional(RefundReason) }, closed)]),
  /** Owner only: the order. */
  get: NoData,
  /** Owner only: the order's committed ledger entries. */
  ledger: NoData,
} as const;

export type PaymentCommandName = keyof typeof PaymentCommands;
export type PaymentCommandData<N extends PaymentCommandName> = Static<(typeof PaymentCommands)[N]>;
