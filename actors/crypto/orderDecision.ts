/**
 * crypto: what a change of an order publishes, committed with it (outbox):
 * every change pushes `crypto.order` with the new view to the payer's topic
 * `user.<payer>` (a transfer seen, each confirmation, k of N); every status
 * entered publishes `evt.crypto.<status>`; entering paid or overpaid sets
 * a timer due at once whose `notify` command posts the team notice
 * (Discord), apart from this commit.
 */
import { CRYPTO_ORDER_EVENT, userTopic, type CryptoOrderView, type CryptoStatusChanged } from '../../protocol/index.js';
import { paymentUri } from '../../integrations/index.js';
import type { Decision } from '../runtime/index.js';
import type { CryptoOrderState, CryptoState } from './cryptoState.js';
import { displayAmount, orderView, type CryptoOrderChange } from './orderService.js';

export const NOTIFY_COMMAND = 'notify';
export const EXPIRE_COMMAND = 'expire';

/** What a `notify` command carries. */
export interface CryptoNotice {
  order: string;
  status: string;
  amount: string;
  asset: string;
  refundDue: string;
  txHashes: string[];
}

export function viewOf(order: string, state: CryptoOrderState): CryptoOrderView {
  const uri = paymentUri({ chainId: state.chainId, to: state.address, amount: BigInt(state.amountDue), ...(state.token === '' ? {} : { token: state.token }) });
  return orderView(order, state, uri);
}

export function orderDecision(order: string, change: CryptoOrderChange, result: unknown): Decision<CryptoState> {
  if (!change.changed) return { result };
  const { state } = change;
  const view = viewOf(order, state);
  const decision: Decision<CryptoState> = { state, result, events: [{ topic: userTopic(state.owner), name: CRYPTO_ORDER_EVENT, data: view }] };
  if (state.status !== change.previous && state.status !== 'none') {
    const data: CryptoStatusChanged = { order: view, user: state.owner, previous: change.previous === 'none' ? null : change.previous };
    decision.domainEvents = [{ name: state.status, data }];
    if (state.status === 'paid' || state.status === 'overpaid') {
      const notice: CryptoNotice = {
        order, status: state.status, amount: displayAmount(BigInt(state.amountDue), state), asset: state.asset,
        refundDue: displayAmount(BigInt(view.refundDue), state), txHashes: state.transfers.filter((t) => !t.late).map((t) => t.txHash),
      };
      decision.setTimers = [{ key: `notify:${state.status}`, name: NOTIFY_COMMAND, afterMs: 0, data: notice }];
    }
    if (state.status === 'paid' || state.status === 'overpaid' || state.status === 'expired') decision.cancelTimers = [EXPIRE_COMMAND];
  }
  return decision;
}
