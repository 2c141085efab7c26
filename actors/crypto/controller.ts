/**
 * crypto: the handlers of orders — the payer's checkout, get and ledger;
 * the watcher's transfer observations; the expiry timer; the paid notice.
 * Ledger entries are written before the decision is returned
 * (cryptoLedgerStore.ts), the deposit address claimed before the order
 * opens (depositAddressIndex.ts).
 */
import type { CryptoCommandData, CryptoLedgerResult, CryptoTransferObserved } from '../../protocol/index.js';
import { BusinessError, type Controller } from '../runtime/index.js';
import { assetNamed, toBaseUnits } from './assets.js';
import type { CryptoState } from './cryptoState.js';
import type { CryptoDeps } from './dependencies.js';
import { EXPIRE_COMMAND, NOTIFY_COMMAND, orderDecision, viewOf, type CryptoNotice } from './orderDecision.js';
import { applyObservation, expireOrder, openOrder, type CryptoOrderChange } from './orderService.js';
import { orderIn } from './validator.js';

type CryptoController<T> = Controller<CryptoState, T, CryptoDeps>;

export const checkoutController: CryptoController<CryptoCommandData<'checkout'>> = async (state, data, ctx) => {
  const order = orderIn(state);
  const asset = assetNamed(ctx.deps.assets, data.asset);
  const amountDue = toBaseUnits(data.amount, asset.decimals);
  const chainId = await ctx.deps.chain.chainId();
  const deposit = ctx.deps.depositAddresses.forOrder(ctx.entity);
  const holder = await ctx.deps.addresses.claim(deposit.address, ctx.entity, asset.symbol);
  if (holder !== ctx.entity) throw new BusinessError('CONFLICT', `Order id ${ctx.entity} maps to a deposit address already in use; choose another order id.`);
  const change = openOrder(order, {
    owner: ctx.user, asset: asset.symbol, decimals: asset.decimals, token: asset.token, chainId, address: deposit.address, path: deposit.path,
    amount: data.amount, amountDue, required: ctx.deps.confirmations, expiresAt: ctx.now + ctx.deps.orderTtlMs, description: data.description,
  }, ctx.now);
  const decision = orderDecision(ctx.entity, change, viewOf(ctx.entity, change.state));
  decision.setTimers = [...(decision.setTimers ?? []), { key: EXPIRE_COMMAND, name: EXPIRE_COMMAND, at: change.state.expiresAt }];
  return decision;
};

export const getController: CryptoController<unknown> = (state, _data, ctx) => ({ result: viewOf(ctx.entity, orderIn(state)) });

export const ledgerController: CryptoController<unknown> = async (state, _data, ctx) => {
  const result: CryptoLedgerResult = { order: ctx.entity, entries: await ctx.deps.ledger.committed(ctx.entity, orderIn(state).ledger.seq) };
  return { result };
};

function outcome(change: CryptoOrderChange): { applied: boolean; status: string; ignored?: string } {
  return change.ignored === undefined ? { applied: change.changed, status: change.state.status } : { applied: false, status: change.state.status, ignored: change.ignored };
}

async function decide(change: CryptoOrderChange, ctx: Parameters<CryptoController<unknown>>[2]) {
  await ctx.deps.ledger.write(ctx.entity, change.entries);
  return orderDecision(ctx.entity, change, outcome(change));
}

export const transferController: CryptoController<CryptoTransferObserved> = async (state, observed, ctx) => {
  const change = applyObservation(ctx.entity, orderIn(state), observed, ctx.key, ctx.now);
  if (change.ignored) ctx.log.warn({ transfer: observed.transfer.id, ignored: change.ignored }, 'chain transfer does not concern this order');
  return decide(change, ctx);
};

export const expireController: CryptoController<unknown> = async (state, _data, ctx) => decide(expireOrder(ctx.entity, orderIn(state), ctx.key, ctx.now), ctx);

export const notifyController: CryptoController<CryptoNotice> = async (_state, notice, ctx) => {
  const headline = notice.status === 'overpaid' ? 'Crypto payment received (overpaid)' : 'Crypto payment received';
  const fields = [{ name: 'Order', value: notice.order, inline: true }, { name: 'Amount', value: notice.amount, inline: true }];
  if (notice.status === 'overpaid') fields.push({ name: 'To refund', value: notice.refundDue, inline: true });
  const receipt = await ctx.deps.notifier.notify({
    content: `${headline}: order ${notice.order}, ${notice.amount}`,
    embeds: [{ title: headline, color: 0x2e7d32, fields, description: notice.txHashes.join('\n') }],
  }, ctx.key);
  return { result: receipt };
};

export { NOTIFY_COMMAND };
