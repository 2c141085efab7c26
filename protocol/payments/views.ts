/** What the payments actor answers and pushes about an order and its ledger. */
import Type, { type Static } from 'typebox';
import { Amount, Currency } from './commands.js';

const closed = { additionalProperties: false } as const;
const Minor = Type.Integer({ minimum: 0 });

/**
 * An order's state: created → requires_action → processing → succeeded |
 * failed, then partially_refunded → refunded. It never moves backwards
 * (a late or repeated Stripe event changes nothing); `failed` is the one
 * state a later success may still replace, since Stripe lets the payer try
 * again.
 */
export const OrderStatus = Type.Union([
  Type.Literal('created'), Type.Literal('requires_action'), Type.Literal('processing'),
  Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('partially_refunded'), Type.Literal('refunded'),
]);

export const OrderView = Type.Object({
  order: Type.String(),
  status: OrderStatus,
  amount: Amount,
  currency: Currency,
  description: Type.Optional(Type.String()),
  /** The Stripe PaymentIntent id. */
  paymentIntent: Type.String(),
  amountReceived: Minor,
  amountRefunded: Minor,
  /** What a refund may still take (received − refunded − refunds pending). */
  refundable: Minor,
  /** Counts the order's changes: of two views of one order, the higher version is the newer. */
  version: Type.Integer({ minimum: 1 }),
  /** Epoch ms of the last change. */
  updatedAt: Type.Number(),
}, closed);

export const CheckoutResult = Type.Object({
  order: OrderView,
  /** Hand to Stripe.js to confirm the payment. A secret: only this result carries it. */
  clientSecret: Type.Union([Type.String(), Type.Null()]),
}, closed);

export const RefundView = Type.Object({
  id: Type.String(),
  amount: Minor,
  /** pending, requires_action, succeeded, failed or canceled (Stripe's refund status). */
  status: Type.String(),
}, closed);

export const RefundResult = Type.Object({ order: OrderView, refund: RefundView }, closed);

/** One line of a ledger entry: exactly one of debit and credit is non-zero. */
export const LedgerLine = Type.Object({ account: Type.String(), debit: Minor, credit: Minor }, closed);

/**
 * One balanced ledger entry (double entry: its debits equal its credits).
 * Accounts: `stripe_balance` (money held for us by Stripe), `sales`
 * (payments received), `sales_refunds` (refunds, a contra account of sales).
 */
export const LedgerEntryView = Type.Object({
  /** `<order>:<seq>` */
  id: Type.String(),
  order: Type.String(),
  /** 1, 2, … per order. */
  seq: Type.Integer({ minimum: 1 }),
  kind: Type.Union([Type.Literal('payment'), Type.Literal('refund')]),
  currency: Currency,
  lines: Type.Array(LedgerLine),
  /** What caused it: a Stripe event id, a command key or a reconciliation tick. */
  source: Type.String(),
  /** Epoch ms. */
  at: Type.Number(),
}, closed);

export const LedgerResult = Type.Object({ order: Type.String(), entries: Type.Array(LedgerEntryView) }, closed);

export type OrderStatus = Static<typeof OrderStatus>;
export type OrderView = Static<typeof OrderView>;
export type CheckoutResult = Static<typeof CheckoutResult>;
export type RefundView = Static<typeof RefundView>;
export type RefundResult = Static<typeof RefundResult>;
export type LedgerLine = Static<typeof LedgerLine>;
export type LedgerEntryView = Static<typeof LedgerEntryView>;
export type LedgerResult = Static<typeof LedgerResult>;
