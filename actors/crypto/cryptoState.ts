/**
 * crypto: what one entity of the crypto actor holds. Entities are orders
 * (id chosen by the client at checkout) and one chain watcher entity
 * (WATCHER_ENTITY) that the watch cron ticks go to. Amounts are base-unit
 * decimal strings (bigint in the services).
 */
import type { CryptoOrderStatus, ChainTransfer } from '../../protocol/index.js';

/** The entity the chain watcher's cron ticks are sent to; never an order. */
export const WATCHER_ENTITY = '_watcher';

/** A transfer to the order's address, as last observed. */
export interface TransferState {
  /** `<chainId>:<txHash>:<logIndex>` */
  id: string;
  txHash: string;
  amount: string;
  blockNumber: number;
  blockHash: string;
  confirmations: number;
  /** Arrived after the order closed: owed back, never credited to the order. */
  late: boolean;
}

/** What the ledger already holds for an order (both only grow). */
export interface PostedPosition {
  seq: number;
  sales: string;
  refundDue: string;
}

export interface CryptoOrderState {
  kind: 'order';
  status: CryptoOrderStatus | 'none';
  owner: string;
  asset: string;
  decimals: number;
  /** ERC-20 contract; '' for native ETH. */
  token: string;
  chainId: number;
  address: string;
  /** Below SY_CRYPTO_XPUB. */
  path: string;
  amount: string;
  amountDue: string;
  required: number;
  expiresAt: number;
  description?: string;
  transfers: TransferState[];
  ledger: PostedPosition;
  version: number;
  updatedAt: number;
}

/** A block the watcher has processed. */
export interface BlockRef {
  number: number;
  hash: string;
}

/** A transfer the watcher still reports confirmations of (until `required`). */
export interface PendingTransfer {
  order: string;
  transfer: ChainTransfer;
  /** Confirmations last sent to the order. */
  sent: number;
}

export interface WatcherState {
  kind: 'watcher';
  /** The last processed block; null before the first tick. */
  checkpoint: BlockRef | null;
  /** The last processed blocks, oldest first (checkpoint last): where a reorg's common ancestor is looked for. */
  recent: BlockRef[];
  pending: PendingTransfer[];
  blocksScanned: number;
  reorgs: number;
}

export type CryptoState = CryptoOrderState | WatcherState;

export function initialCryptoState(entity: string): CryptoState {
  if (entity === WATCHER_ENTITY) return { kind: 'watcher', checkpoint: null, recent: [], pending: [], blocksScanned: 0, reorgs: 0 };
  return {
    kind: 'order', status: 'none', owner: '', asset: '', decimals: 0, token: '', chainId: 0, address: '', path: '', amount: '0', amountDue: '0',
    required: 0, expiresAt: 0, transfers: [], ledger: { seq: 0, sales: '0', refundDue: '0' }, version: 0, updatedAt: 0,
  };
}
