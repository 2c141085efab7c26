/** What the crypto actor answers and pushes: the order view, ledger entries, results. */
import Type, { type Static } from 'typebox';
import { BaseUnits, CryptoAsset } from './commands.js';

/**
 * awaiting → seen (the whole amount is in blocks, fewer than `required`
 * confirmations) → paid | overpaid; underpaid = some but not all of it
 * seen; expired = the expiry passed before the amount was seen. paid,
 * overpaid and expired are final. A transfer reorged out before it was
 * confirmed takes seen/underpaid back to what is left (awaiting).
 */
export const CryptoOrderStatus = Type.Union([
  Type.Literal('awaiting'), Type.Literal('underpaid'), Type.Literal('seen'), Type.Literal('paid'), Type.Literal('overpaid'), Type.Literal('expired'),
]);
export type CryptoOrderStatus = Static<typeof CryptoOrderStatus>;

export const CryptoTransferView = Type.Object({
  id: Type.String(),
  txHash: Type.String(),
  amount: BaseUnits,
  blockNumber: Type.Integer(),
  confirmations: Type.Integer(),
  /** Arrived after the order closed (paid or expired): recorded for refund, not credited. */
  late: Type.Boolean(),
}, { additionalProperties: false });

export const CryptoOrderView = Type.Object({
  order: Type.String(),
  status: CryptoOrderStatus,
  asset: CryptoAsset,
  chainId: Type.Integer(),
  /** The order's own deposit address (checksummed). */
  address: Type.String(),
  /** The ERC-20 contract of the asset; absent for native ETH. */
  token: Type.Optional(Type.String()),
  decimals: Type.Integer(),
  /** Amount due, in base units, and as the payer typed it. */
  amountDue: BaseUnits,
  amount: Type.String(),
  /** Sum of transfers in blocks (any confirmations), not counting late ones. */
  amountSeen: BaseUnits,
  /** Sum of transfers with at least `required` confirmations, not counting late ones. */
  amountConfirmed: BaseUnits,
  /** What is owed back to the payer: the excess of an overpayment, everything received by an expired order, late transfers. */
  refundDue: BaseUnits,
  /** Fewest confirmations among the transfers still counting towards the amount (0 when none). */
  confirmations: Type.Integer(),
  required: Type.Integer(),
  /** EIP-681 URI a wallet pays the order with. */
  paymentUri: Type.String(),
  expiresAt: Type.Integer(),
  description: Type.Optional(Type.String()),
  transfers: Type.Array(CryptoTransferView),
  version: Type.Integer(),
  updatedAt: Type.Integer(),
}, { additionalProperties: false });
export type CryptoOrderView = Static<typeof CryptoOrderView>;

/** One side of a ledger entry, in base units of the entry's asset. */
export const CryptoLedgerLine = Type.Object({
  account: Type.String(),
  debit: BaseUnits,
  credit: BaseUnits,
}, { additionalProperties: false });

export const CryptoLedgerEntry = Type.Object({
  /** `<order>:<seq>` */
  id: Type.String(),
  order: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  kind: Type.Union([Type.Literal('payment'), Type.Literal('refund_due')]),
  asset: CryptoAsset,
  lines: Type.Array(CryptoLedgerLine),
  /** The observation (command key) that posted it. */
  source: Type.String(),
  at: Type.Integer(),
}, { additionalProperties: false });
export type CryptoLedgerEntry = Static<typeof CryptoLedgerEntry>;

export const CryptoLedgerResult = Type.Object({ order: Type.String(), entries: Type.Array(CryptoLedgerEntry) }, { additionalProperties: false });
export type CryptoLedgerResult = Static<typeof CryptoLedgerResult>;
