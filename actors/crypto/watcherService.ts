/**
 * crypto: the chain watcher's bookkeeping, as pure functions — the recent
 * blocks it keeps to find a reorg's common ancestor, and the transfers it
 * still owes confirmation reports for.
 */
import { chainTransferId, type ChainTransfer, type CryptoTransferObserved } from '../../protocol/index.js';
import type { BlockRef, PendingTransfer, WatcherState } from './cryptoState.js';
import type { Observation } from './transferCommands.js';

/** Processed blocks the watcher remembers: the deepest reorg it can rewind. */
export const RECENT_BLOCKS = 128;
/** Transfers awaiting confirmation reports at once (beyond, the oldest are reported as confirmed as they age out). */
export const MAX_PENDING = 1000;

export function appendRecent(recent: readonly BlockRef[], block: BlockRef): BlockRef[] {
  const next = [...recent, block];
  return next.length > RECENT_BLOCKS ? next.slice(next.length - RECENT_BLOCKS) : next;
}

/**
 * Rewinds to `ancestor`: forgets the blocks above it and answers a removal
 * for every pending transfer in them (the orders take them back).
 */
export function rewind(state: WatcherState, ancestor: BlockRef): { state: WatcherState; removals: Observation[] } {
  const removals: Observation[] = [];
  const pending: PendingTransfer[] = [];
  for (const p of state.pending) {
    if (p.transfer.blockNumber > ancestor.number) removals.push({ order: p.order, observed: { transfer: p.transfer, confirmations: 0, removed: true } });
    else pending.push(p);
  }
  return {
    state: { ...state, checkpoint: ancestor, recent: state.recent.filter((b) => b.number <= ancestor.number), pending, reorgs: state.reorgs + 1 },
    removals,
  };
}

/** The ChainTransfer of a sighting. */
export function chainTransfer(chainId: number, asset: string, block: BlockRef, t: { txHash: string; logIndex: number | 'native'; from: string; to: string; amount: bigint }): ChainTransfer {
  return {
    id: chainTransferId(chainId, t.txHash, t.logIndex), chainId, txHash: t.txHash, logIndex: t.logIndex, asset, from: t.from, to: t.to,
    amount: String(t.amount), blockNumber: block.number, blockHash: block.hash,
  };
}

/**
 * With `tip` the newest processed block: the confirmation reports due
 * (a transfer in block b has tip - b + 1 confirmations, reported up to
 * `required`), and the pending list without the transfers now confirmed.
 */
export function confirmationReports(pending: readonly PendingTransfer[], tip: number, required: number): { reports: Observation[]; pending: PendingTransfer[] } {
  const reports: Observation[] = [];
  const still: PendingTransfer[] = [];
  for (const p of pending) {
    const confirmations = Math.min(required, tip - p.transfer.blockNumber + 1);
    const observed: CryptoTransferObserved = { transfer: p.transfer, confirmations, removed: false };
    if (confirmations > p.sent) reports.push({ order: p.order, observed });
    if (confirmations < required) still.push({ ...p, sent: Math.max(p.sent, confirmations) });
  }
  const overflow = still.length - MAX_PENDING;
  return { reports, pending: overflow > 0 ? still.slice(overflow) : still };
}
