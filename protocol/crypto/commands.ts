/**
 * The crypto actor (`actor: "crypto"`, `entity: <order id>`): on-chain
 * payments of orders. A client checks an order out with an asset and an
 * amount; the order answers a deposit address of its own, the amount due in
 * the asset's base unit and an EIP-681 payment URI, and is then paid by a
 * transfer to that address, which the chain watcher observes and sends to
 * the order (CryptoTransferObserved). protocol/crypto.md describes the flow.
 *
 * Amounts travel as decimal strings: 1 ETH is 10^18 wei, past what a JSON
 * number carries exactly.
 */
import Type, { type Static } from 'typebox';

export const CRYPTO_ACTOR = 'crypto';

export const CRYPTO_LIMITS = {
  /** Longest order description. */
  descriptionLength: 200,
  /** Most digits of an amount (integer and fraction part together). */
  amountDigits: 40,
  /** Transfers one order keeps (its document stays bounded); further ones are still credited in the totals. */
  maxTransfers: 50,
} as const;

const closed = { additionalProperties: false } as const;

/** An asset symbol as configured on the worker (`ETH`, the test token's `TUSD`). */
export const CryptoAsset = Type.String({ pattern: '^[A-Z][A-Z0-9]{1,9}$' });
/** A positive decimal amount in the asset's whole unit (`"0.05"`, `"12.5"`); at most the asset's decimals after the point. */
export const CryptoAmount = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$', maxLength: CRYPTO_LIMITS.amountDigits + 1 });
/** An amount in the asset's base unit (wei, the token's smallest unit), as a decimal string. */
export const BaseUnits = Type.String({ pattern: '^[0-9]{1,80}$' });
const NoData = Type.Union([Type.Undefined(), Type.Object({}, closed)]);

export const CryptoCommands = {
  /** Opens the order (once per order id): deposit address, amount due, expiry, payment URI. */
  checkout: Type.Object({
    asset: CryptoAsset,
    amount: CryptoAmount,
    description: Type.Optional(Type.String({ minLength: 1, maxLength: CRYPTO_LIMITS.descriptionLength })),
  }, closed),
  /** Owner only: the order. */
  get: NoData,
  /** Owner only: the order's committed ledger entries. */
  ledger: NoData,
} as const;

export type CryptoCommandName = keyof typeof CryptoCommands;
export type CryptoCommandData<N extends CryptoCommandName> = Static<(typeof CryptoCommands)[N]>;

/** The system sender of chain observations (protocol/systemCommands.ts). */
export const CHAIN_WATCHER_SENDER = 'system:chain-watcher';
/** The system command carrying one observation of one transfer to its order. */
export const CHAIN_TRANSFER_COMMAND = 'chain.transfer';

/**
 * One transfer to an order's deposit address as the chain watcher saw it.
 * `id` = `<chainId>:<txHash>:<logIndex>` names the transfer (logIndex is
 * `native` for a plain ETH transfer); the order credits each id once.
 */
export const ChainTransfer = Type.Object({
  id: Type.String({ maxLength: 200 }),
  chainId: Type.Integer({ minimum: 1 }),
  txHash: Type.String({ pattern: '^0x[0-9a-f]{64}$' }),
  logIndex: Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('native')]),
  asset: CryptoAsset,
  from: Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }),
  to: Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' }),
  amount: BaseUnits,
  blockNumber: Type.Integer({ minimum: 0 }),
  blockHash: Type.String({ pattern: '^0x[0-9a-f]{64}$' }),
}, closed);
export type ChainTransfer = Static<typeof ChainTransfer>;

/**
 * Data of `chain.transfer`: the transfer, how many blocks (its own
 * included) stand on it on the watched chain, or that it was reorged out of
 * `blockHash`. Its Nats-Msg-Id is `chain/<transfer id>/<block hash>/<confirmations | removed>`
 * (chainTransferCommandId): one per observation, so a replay is dropped and
 * a re-inclusion in another block after a reorg is a new observation.
 */
export const CryptoTransferObserved = Type.Object({
  transfer: ChainTransfer,
  confirmations: Type.Integer({ minimum: 0 }),
  removed: Type.Boolean(),
}, closed);
export type CryptoTransferObserved = Static<typeof CryptoTransferObserved>;

/** The transfer id the issue and the docs call the de-duplication key: `<chainId>:<txHash>:<logIndex>`. */
export function chainTransferId(chainId: number, txHash: string, logIndex: number | 'native'): string {
  return `${chainId}:${txHash}:${logIndex}`;
}

/** Nats-Msg-Id of one observation (a '/' inside: never equal to a client command key). */
export function chainTransferCommandId(observed: CryptoTransferObserved): string {
  return `chain/${observed.transfer.id}/${observed.transfer.blockHash}/${observed.removed ? 'removed' : observed.confirmations}`;
}
