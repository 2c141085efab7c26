/**
 * payments: the team notifications (Discord) about orders, as pure
 * functions. A notice is decided in the commit that changes the order's
 * status (a timer the order sets for itself, due at once) and sent by a
 * separate `notify` command, so a slow or failing Discord never holds up
 * the payment's own commit.
 */
import type { OrderStatus, OrderView } from '../../protocol/index.js';
import type { NotificationMessage } from '../../integrations/index.js';

/** The statuses the team hears about. */
export const NOTIFIED_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['succeeded', 'failed', 'partially_refunded', 'refunded']);

/** What a `notify` command carries: the order as it was when the status changed. */
export interface Notice {
  order: string;
  status: OrderStatus;
  amount: number;
  currency: string;
  amountReceived: number;
  amountRefunded: number;
  version: number;
  description?: string;
}

export function noticeOf(view: OrderView): Notice {
  const notice: Notice = {
    order: view.order, status: view.status, amount: view.amount, currency: view.currency,
    amountReceived: view.amountReceived, amountRefunded: view.amountRefunded, version: view.version,
  };
  if (view.description !== undefined) notice.description = view.description;
  return notice;
}

/** Timer key of one notice: unique per change and status, so a later change never moves an earlier notice. */
export function noticeTimerKey(version: number, status: OrderStatus): string {
  return `notify:${version}:${status}`;
}

/** Currencies without a minor unit (ISO 4217 exponent 0, as Stripe lists them). */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** `12.34 USD` from 1234 usd. */
export function formatAmount(minor: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency) ? String(minor) : (minor / 100).toFixed(2);
  return `${major} ${currency.toUpperCase()}`;
}

const HEADLINES: Partial<Record<OrderStatus, { text: string; color: number }>> = {
  succeeded: { text: 'Payment succeeded', color: 0x2e7d32 },
  failed: { text: 'Payment failed', color: 0xc62828 },
  partially_refunded: { text: 'Payment partially refunded', color: 0xef6c00 },
  refunded: { text: 'Payment refunded', color: 0x6a1b9a },
};

export function notificationMessage(notice: Notice): NotificationMessage {
  const headline = HEADLINES[notice.status] ?? { text: `Payment ${notice.status}`, color: 0x607d8b };
  const fields = [
    { name: 'Order', value: notice.order, inline: true },
    { name: 'Amount', value: formatAmount(notice.amount, notice.currency), inline: true },
  ];
  if (notice.amountRefunded > 0) fields.push({ name: 'Refunded', value: formatAmount(notice.amountRefunded, notice.currency), inline: true });
  const embed: NonNullable<NotificationMessage['embeds']>[number] = { title: headline.text, color: headline.color, fields };
  if (notice.description !== undefined) embed.description = notice.description;
  return { content: `${headline.text}: order ${notice.order}, ${formatAmount(notice.amount, notice.currency)}`, embeds: [embed] };
}
