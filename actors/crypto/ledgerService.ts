/**
 * crypto: the double-entry ledger of on-chain payments, as pure functions.
 * An order posts when it closes and whenever a closed order's confirmed
 * money grows (a late transfer, the confirmed excess of an overpayment):
 *
 *   paid (amount due A):      debit crypto_wallet A   credit sales A
 *   owed back R (excess of an overpayment, all of an expired order, late transfers):
 *                             debit crypto_wallet R   credit refunds_payable R
 *
 * Both posted amounts only grow, so the entries to post are the differences
 * between the position reached and the position posted; each entry balances
 * on its own. Amounts are base units of the order's asset (bigint strings).
 */
import type { CryptoLedgerEntry } from '../../protocol/index.js';
import type { PostedPosition } from './cryptoState.js';

export const CRYPTO_LEDGER_ACCOUNTS = {
  /** What the deposit addresses hold (an asset). */
  wallet: 'crypto_wallet',
  sales: 'sales',
  /** Received but owed back to the payer (a liability). */
  refundsPayable: 'refunds_payable',
} as const;

export interface CryptoLedgerTarget {
  sales: bigint;
  refundDue: bigint;
}

export function cryptoLedgerEntryId(order: string, seq: number): string {
  return `${order}:${seq}`;
}

export function entriesToPost(
  order: string, asset: string, posted: PostedPosition, target: CryptoLedgerTarget, source: string, at: number,
): { entries: CryptoLedgerEntry[]; posted: PostedPosition } {
  const entries: CryptoLedgerEntry[] = [];
  let seq = posted.seq;
  const add = (kind: CryptoLedgerEntry['kind'], account: string, amount: bigint) => {
    seq++;
    entries.push({
      id: cryptoLedgerEntryId(order, seq), order, seq, kind, asset, source, at,
      lines: [{ account: CRYPTO_LEDGER_ACCOUNTS.wallet, debit: String(amount), credit: '0' }, { account, debit: '0', credit: String(amount) }],
    });
  };
  const sales = target.sales - BigInt(posted.sales);
  if (sales > 0n) add('payment', CRYPTO_LEDGER_ACCOUNTS.sales, sales);
  const refundDue = target.refundDue - BigInt(posted.refundDue);
  if (refundDue > 0n) add('refund_due', CRYPTO_LEDGER_ACCOUNTS.refundsPayable, refundDue);
  const max = (a: bigint, b: string) => String(a > BigInt(b) ? a : BigInt(b));
  return { entries, posted: { seq, sales: max(target.sales, posted.sales), refundDue: max(target.refundDue, posted.refundDue) } };
}

/** Debits equal credits and every line is one-sided and non-negative. */
export function isCryptoEntryBalanced(entry: Pick<CryptoLedgerEntry, 'lines'>): boolean {
  let debits = 0n;
  let credits = 0n;
  for (const line of entry.lines) {
    const d = BigInt(line.debit);
    const c = BigInt(line.credit);
    if (d < 0n || c < 0n || (d > 0n && c > 0n)) return false;
    debits += d;
    credits += c;
  }
  return debits === credits;
}
