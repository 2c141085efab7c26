/**
 * crypto: command schemas (compiled once) and business rules. Orders are
 * private: anyone but the payer is told the order does not exist. Chain
 * observations are accepted only from the chain watcher's system sender;
 * timers and cron ticks only from the runtime.
 */
import Type from 'typebox';
import { CHAIN_WATCHER_SENDER, CryptoCommands, CryptoTransferObserved } from '../../protocol/index.js';
import { BusinessError, commandValidator, type CommandContext } from '../runtime/index.js';
import { WATCHER_ENTITY, type CryptoOrderState, type CryptoState, type WatcherState } from './cryptoState.js';

const closed = { additionalProperties: false } as const;

export function orderIn(state: CryptoState): CryptoOrderState {
  if (state.kind !== 'order') throw new BusinessError('VALIDATION', `${WATCHER_ENTITY} is not an order id.`);
  return state;
}

export function watcherIn(state: CryptoState): WatcherState {
  if (state.kind !== 'watcher') throw new BusinessError('VALIDATION', `Watch ticks go to ${WATCHER_ENTITY}.`);
  return state;
}

function ownOrder(state: CryptoState, ctx: CommandContext<unknown>): CryptoOrderState {
  const order = orderIn(state);
  if (order.status === 'none' || order.owner !== ctx.user) throw new BusinessError('NOT_FOUND', `No order ${ctx.entity} of yours exists.`);
  return order;
}

export const checkoutValidator = commandValidator(CryptoCommands.checkout, (_data, state: CryptoState, ctx) => {
  if (ctx.entity.startsWith('_')) throw new BusinessError('VALIDATION', 'Order ids starting with _ are reserved.');
  const order = orderIn(state);
  if (order.status !== 'none') {
    throw new BusinessError('CONFLICT', `Order ${ctx.entity} is already checked out; use a new order id for a new payment.`, { details: { status: order.status } });
  }
});

export const getValidator = commandValidator(CryptoCommands.get, (_data, state: CryptoState, ctx) => { ownOrder(state, ctx); });
export const ledgerValidator = commandValidator(CryptoCommands.ledger, (_data, state: CryptoState, ctx) => { ownOrder(state, ctx); });

export const transferValidator = commandValidator(CryptoTransferObserved, (_data, state: CryptoState, ctx) => {
  if (ctx.user !== CHAIN_WATCHER_SENDER) throw new BusinessError('FORBIDDEN', `Command ${ctx.name} is accepted only from ${CHAIN_WATCHER_SENDER}.`);
  orderIn(state);
});

const Tick = Type.Object({ job: Type.String(), tick: Type.Integer({ minimum: 0 }) }, closed);

export const watchTickValidator = commandValidator(Tick, (_data, state: CryptoState, ctx) => {
  if (ctx.user !== '') throw new BusinessError('FORBIDDEN', 'Watch ticks are sent by the cron job only.');
  watcherIn(state);
});

export const expireValidator = commandValidator(Type.Union([Type.Undefined(), Type.Object({}, closed)]), (_data, state: CryptoState) => { orderIn(state); });

export const notifyValidator = commandValidator(
  Type.Object({ order: Type.String(), status: Type.String(), amount: Type.String(), asset: Type.String(), refundDue: Type.String(), txHashes: Type.Array(Type.String()) }, closed),
  (_data, state: CryptoState) => { orderIn(state); },
);
