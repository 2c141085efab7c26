/**
 * payments: the double-entry ledger, as pure functions. An order's ledger
 * entries follow its money position — what Stripe received for it and what
 * was refunded — and both amounts only grow, so the entries to post are the
 * differences between the position the order reached and the position
 * already posted. Each entry balances on its own (its debits equal its
 * credits), so any set of entries does.
 *
 *   payment of A:  debit stripe_balance A   credit sales A
 *   refund of R:   debit sales_refunds R    credit stripe_balance R
 */
import type { LedgerEntryView, LedgerLine } from '../../protocol/index.js';
import type { PostedPosition } from './paymentsState.js';

export const LEDGER_ACCOUNTS = {
  /** Money Stripe holds for us (an asset). */
  processor: 'stripe_balance',
  /** Payments received (income). */
  sales: 'sales',
  /** Refunds given (a contra account of sales). */
  refunds: 'sales_refunds',
} as const;

/** The amounts an order has reached. */
export interface LedgerTarget {
  received: number;
  refunded: number;
}

export function ledgerEntryId(order: string, seq: number): string {
  return `${order}:${seq}`;
}

function debit(account: string, amount: number): LedgerLine {
  return { account, debit: amount, credit: 0 };
}

function credit(account: string, amount: number): LedgerLine {
  return { account, debit: 0, credit: amount };
}

/**
 * The entries that move `posted` to `target` (none when nothing grew), with
 * consecutive seqs after `posted.seq`, and the position they post.
 */
export function entriesToPost(
  order: string, currency: string, posted: PostedPosition, target: LedgerTarget, source: string, at: number,
): { entries: LedgerEntryView[]; posted: PostedPosition } {
  const entries: LedgerEntryView[] = [];
  let seq = posted.seq;
  const add = (kind: LedgerEntryView['kind'], lines: LedgerLine[]) => {
    seq++;
    entries.push({ id: ledgerEntryId(order, seq), order, seq, kind, currency, lines, source, at });
  };
  const received = target.received - posted.received;
  if (received > 0) add('payment', [debit(LEDGER_ACCOUNTS.processor, received), credit(LEDGER_ACCOUNTS.sales, received)]);
  const refunded = target.refunded - posted.refunded;
  if (refunded > 0) add('refund', [debit(LEDGER_ACCOUNTS.refunds, refunded), credit(LEDGER_ACCOUNTS.processor, refunded)]);
  return {
    entries,
    posted: { seq, received: Math.max(posted.received, target.received), refunded: Math.max(posted.refunded, target.refunded) },
  };
}

/** Debits equal credits, and every line is one-sided with a non-negative integer amount. */
export function isBalanced(entry: Pick<LedgerEntryView, 'lines'>): boolean {
  let debits = 0;
  let credits = 0;
  for (const line of entry.lines) {
    if (!Number.isSafeInteger(line.debit) || !Number.isSafeInteger(line.credit) || line.debit < 0 || line.credit < 0) return false;
    if (line.debit > 0 && line.credit > 0) return false;
    debits += line.debit;
    credits += line.credit;
  }
  return debits === credits;
}
