/** Every schema of the payments feature by name, for the JSON Schema export (schema/payments.json). */
import type { TSchema } from 'typebox';
import { PaymentCommands } from './commands.js';
import { PAYMENTS_DOMAIN_EVENTS, PaymentsStatusChanged, paymentsDomainEvent } from './events.js';
import { ChargeSnapshot, PaymentIntentSnapshot, RefundSnapshot, StripeEventCommand } from './stripeEvents.js';
import { CheckoutResult, LedgerEntryView, LedgerResult, OrderStatus, OrderView, RefundResult } from './views.js';

function pascal(name: string): string {
  return name.split(/[._]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export const PAYMENTS_SCHEMAS: Record<string, TSchema> = {
  ...Object.fromEntries(Object.entries(PaymentCommands).map(([name, schema]) => [`${pascal(name)}Command`, schema])),
  CheckoutResult, RefundResult, LedgerResult, OrderView, OrderStatus, LedgerEntryView,
  PaymentsStatusChanged,
  ...Object.fromEntries(Object.keys(PAYMENTS_DOMAIN_EVENTS).map((name) => [`${pascal(name)}DomainEvent`, paymentsDomainEvent(name as keyof typeof PAYMENTS_DOMAIN_EVENTS)])),
  StripeEventCommand, PaymentIntentSnapshot, ChargeSnapshot, RefundSnapshot,
};
