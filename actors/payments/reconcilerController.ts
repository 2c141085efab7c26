/**
 * payments: the reconciliation pass, run by the reconciler entity on the
 * runtime's cron tick (exactly once per tick across all workers). A tick
 * runs a pass when SY_PAYMENTS_RECONCILE_INTERVAL_S has passed since the
 * last one: list the PaymentIntents Stripe created in the lookback window,
 * compare with the committed orders, send each order that is behind a
 * `reconcile` command (reconcileCommands.ts). A Stripe outage fails the
 * pass transiently; the runtime retries it.
 */
import { toPaymentIntentSnapshot } from '../../integrations/index.js';
import { paymentsReconcilePasses, paymentsReconciledOrders } from './metrics.js';
import type { Controller } from '../runtime/index.js';
import type { PaymentsDeps } from './dependencies.js';
import type { PaymentsState } from './paymentsState.js';
import { orderOf, ordersToReconcile, passDue } from './reconcileService.js';
import { reconcilerIn } from './validator.js';

/** The cron job's period; each tick checks whether a pass is due. */
export const RECONCILE_TICK_MS = 5_000;
/** Most PaymentIntents one pass looks at (newest first). */
export const RECONCILE_LIST_LIMIT = 1000;

export const reconcileTickController: Controller<PaymentsState, { job: string; tick: number }, PaymentsDeps> = async (state, data, ctx) => {
  const reconciler = reconcilerIn(state);
  if (!passDue(reconciler, data.tick, ctx.deps.reconcileIntervalMs)) return { result: { pass: false } };
  const listed = await ctx.deps.payments.listRecentPaymentIntents({
    createdAfter: new Date(data.tick - ctx.deps.reconcileLookbackMs),
    limit: RECONCILE_LIST_LIMIT,
  });
  const snapshots = listed.map(toPaymentIntentSnapshot);
  const orders = [...new Set(snapshots.flatMap((pi) => orderOf(pi) ?? []))];
  const behind = ordersToReconcile(snapshots, await ctx.deps.orders.find(orders));
  await ctx.deps.reconcile.send(data.tick, behind);
  paymentsReconcilePasses.inc();
  paymentsReconciledOrders.inc(behind.length);
  if (behind.length > 0) ctx.log.info({ listed: snapshots.length, behind: behind.length }, 'reconciliation found orders behind Stripe');
  return {
    state: { ...reconciler, lastPassAt: data.tick, passes: reconciler.passes + 1, lastListed: snapshots.length, lastFixed: behind.length },
    result: { pass: true, listed: snapshots.length, behind: behind.length },
  };
};
