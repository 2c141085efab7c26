/**
 * crypto: the order state machine, as pure functions of state and input.
 *
 * The watcher reports every transfer to the order's address once per
 * (block, confirmation count), and once more if a reorg removes it; any of
 * these may be delivered again. The order keeps its transfers by transfer id
 * (`<chainId>:<txHash>:<logIndex>`), so applying an observation twice
 * changes nothing, and a transfer re-included in another block after a
 * reorg replaces its earlier sighting: it is credited once.
 *
 * Status, derived from the transfers that arrived while the order was open:
 * awaiting (nothing seen) → underpaid (some) → seen (the amount due, in
 * blocks) → paid | overpaid (the amount due with `required` confirmations);
 * expired when the expiry passes while awaiting or underpaid. paid,
 * overpaid and expired are final: transfers arriving afterwards are `late`,
 * recorded for refund and never credited. The only step back is a reorg
 * removing an unconfirmed transfer (seen/underpaid → what is left).
 */
import type { ChainTransfer, CryptoLedgerEntry, CryptoOrderStatus, CryptoOrderView, CryptoTransferObserved } from '../../protocol/index.js';
import { CRYPTO_LIMITS } from '../../protocol/index.js';
import { fromBaseUnits } from './assets.js';
import type { CryptoOrderState, TransferState } from './cryptoState.js';
import { entriesToPost } from './ledgerService.js';

const FINAL: ReadonlySet<CryptoOrderStatus | 'none'> = new Set(['paid', 'overpaid', 'expired']);

export function isFinal(state: CryptoOrderState): boolean {
  return FINAL.has(state.status);
}

export interface CryptoOrderChange {
  state: CryptoOrderState;
  previous: CryptoOrderStatus | 'none';
  entries: CryptoLedgerEntry[];
  changed: boolean;
  ignored?: 'other_address' | 'other_asset' | 'too_many_transfers' | 'not_checked_out';
}

export interface OpenOrderInput {
  owner: string;
  asset: string;
  decimals: number;
  token: string | undefined;
  chainId: number;
  address: string;
  path: string;
  amount: string;
  amountDue: bigint;
  required: number;
  expiresAt: number;
  description: string | undefined;
}

export function openOrder(prev: CryptoOrderState, input: OpenOrderInput, now: number): CryptoOrderChange {
  const state: CryptoOrderState = {
    ...prev, status: 'awaiting', owner: input.owner, asset: input.asset, decimals: input.decimals, token: input.token ?? '', chainId: input.chainId,
    address: input.address, path: input.path, amount: input.amount, amountDue: String(input.amountDue), required: input.required,
    expiresAt: input.expiresAt, transfers: [], version: prev.version + 1, updatedAt: now,
  };
  if (input.description !== undefined) state.description = input.description;
  return { state, previous: prev.status, entries: [], changed: true };
}

const sum = (ts: readonly TransferState[]) => ts.reduce((a, t) => a + BigInt(t.amount), 0n);

export function totals(state: CryptoOrderState): { seen: bigint; confirmed: bigint; confirmedAll: bigint } {
  const counting = state.transfers.filter((t) => !t.late);
  const confirmedOf = (ts: readonly TransferState[]) => sum(ts.filter((t) => t.confirmations >= state.required));
  return { seen: sum(counting), confirmed: confirmedOf(counting), confirmedAll: confirmedOf(state.transfers) };
}

/** The status the transfers show for an open order at `now`. */
function openStatus(state: CryptoOrderState, now: number): CryptoOrderStatus {
  const due = BigInt(state.amountDue);
  const { seen, confirmed } = totals(state);
  if (confirmed >= due) return confirmed > due ? 'overpaid' : 'paid';
  if (seen >= due) return 'seen';
  if (now >= state.expiresAt) return 'expired';
  return seen > 0n ? 'underpaid' : 'awaiting';
}

/** Derives status and ledger entries of `candidate` after `prev`; no change when nothing differs. */
function settle(order: string, prev: CryptoOrderState, candidate: CryptoOrderState, source: string, now: number): CryptoOrderChange {
  const status = isFinal(prev) ? prev.status : openStatus(candidate, now);
  const next: CryptoOrderState = { ...candidate, status };
  let entries: CryptoLedgerEntry[] = [];
  if (FINAL.has(status)) {
    const sales = status === 'expired' ? 0n : BigInt(next.amountDue);
    const posting = entriesToPost(order, next.asset, next.ledger, { sales, refundDue: totals(next).confirmedAll - sales }, source, now);
    entries = posting.entries;
    next.ledger = posting.posted;
  }
  const same = status === prev.status && entries.length === 0 && JSON.stringify(next.transfers) === JSON.stringify(prev.transfers);
  if (same) return { state: prev, previous: prev.status, entries: [], changed: false };
  return { state: { ...next, version: prev.version + 1, updatedAt: now }, previous: prev.status, entries, changed: true };
}

/** Applies one observation of the watcher. */
export function applyObservation(order: string, state: CryptoOrderState, observed: CryptoTransferObserved, source: string, now: number): CryptoOrderChange {
  const t: ChainTransfer = observed.transfer;
  const unchanged = (ignored?: CryptoOrderChange['ignored']): CryptoOrderChange => ({ state, previous: state.status, entries: [], changed: false, ...(ignored ? { ignored } : {}) });
  if (state.status === 'none') return unchanged('not_checked_out');
  if (t.to.toLowerCase() !== state.address.toLowerCase()) return unchanged('other_address');
  if ((state.token === '') !== (t.logIndex === 'native') || t.asset !== state.asset) return unchanged('other_asset');
  const known = state.transfers.find((x) => x.id === t.id);
  let transfers: TransferState[];
  if (observed.removed) {
    // Only an unconfirmed sighting in that very block can be taken back.
    if (!known || known.blockHash !== t.blockHash || known.confirmations >= state.required) return unchanged();
    transfers = state.transfers.filter((x) => x !== known);
  } else if (known && known.blockHash === t.blockHash) {
    const confirmations = Math.min(observed.confirmations, state.required);
    if (confirmations <= known.confirmations) return unchanged();
    transfers = state.transfers.map((x) => (x === known ? { ...x, confirmations } : x));
  } else {
    if (!known && state.transfers.length >= CRYPTO_LIMITS.maxTransfers) return unchanged('too_many_transfers');
    const late = isFinal(state) || (now >= state.expiresAt && openStatus(state, now) === 'expired');
    const sighting: TransferState = {
      id: t.id, txHash: t.txHash, amount: t.amount, blockNumber: t.blockNumber, blockHash: t.blockHash,
      confirmations: Math.min(observed.confirmations, state.required), late: known?.late ?? late,
    };
    transfers = known ? state.transfers.map((x) => (x === known ? sighting : x)) : [...state.transfers, sighting];
  }
  return settle(order, state, { ...state, transfers }, source, now);
}

/** The expiry timer: closes an order still awaiting (or underpaid) at its expiry; a seen order waits for its confirmations. */
export function expireOrder(order: string, state: CryptoOrderState, source: string, now: number): CryptoOrderChange {
  if (state.status === 'none' || isFinal(state)) return { state, previous: state.status, entries: [], changed: false };
  return settle(order, state, state, source, Math.max(now, state.expiresAt));
}

/** Fewest confirmations among the open transfers still counting towards the amount. */
function progress(state: CryptoOrderState): number {
  const counting = state.transfers.filter((t) => !t.late);
  if (counting.length === 0) return 0;
  return Math.min(...counting.map((t) => t.confirmations));
}

export function orderView(order: string, state: CryptoOrderState, paymentUri: string): CryptoOrderView {
  if (state.status === 'none') throw new Error(`crypto order ${order} has not been checked out`);
  const { seen, confirmed, confirmedAll } = totals(state);
  const sales = state.status === 'paid' || state.status === 'overpaid' ? BigInt(state.amountDue) : 0n;
  const view: CryptoOrderView = {
    order, status: state.status, asset: state.asset, chainId: state.chainId, address: state.address, decimals: state.decimals,
    amountDue: state.amountDue, amount: state.amount, amountSeen: String(seen), amountConfirmed: String(confirmed),
    refundDue: String(FINAL.has(state.status) ? confirmedAll - sales : 0n),
    confirmations: progress(state), required: state.required, paymentUri, expiresAt: state.expiresAt,
    transfers: state.transfers.map((t) => ({ id: t.id, txHash: t.txHash, amount: t.amount, blockNumber: t.blockNumber, confirmations: t.confirmations, late: t.late })),
    version: state.version, updatedAt: state.updatedAt,
  };
  if (state.token !== '') view.token = state.token;
  if (state.description !== undefined) view.description = state.description;
  return view;
}

/** `0.05 ETH` */
export function displayAmount(units: bigint, state: Pick<CryptoOrderState, 'decimals' | 'asset'>): string {
  return `${fromBaseUnits(units, state.decimals)} ${state.asset}`;
}
