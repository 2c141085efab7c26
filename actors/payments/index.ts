/**
 * payments: Stripe payments of orders (entity = order id), webhooks applied
 * exactly once in any order, a double-entry ledger, a reconciliation cron
 * job, team notifications. See README.md in this folder. Runs where
 * SY_STRIPE_SECRET_KEY is set.
 */
import { PAYMENTS_ACTOR } from '../../protocol/index.js';
import { defineActor } from '../runtime/index.js';
import { paymentsDependencies } from './dependencies.js';
import { RECONCILER_ENTITY } from './paymentsState.js';
import { RECONCILE_TICK_MS } from './reconcilerController.js';
import { paymentsRepository } from './repository.js';
import { RECONCILE_TICK_COMMAND, paymentsRouter } from './router.js';

export const paymentsActor = defineActor({
  name: PAYMENTS_ACTOR,
  repository: paymentsRepository,
  router: paymentsRouter,
  dependencies: paymentsDependencies,
  cron: [{ name: 'reconcile', everyMs: RECONCILE_TICK_MS, entity: RECONCILER_ENTITY, command: RECONCILE_TICK_COMMAND, missed: 'fire-latest' }],
  enabled: (config) => config.stripeSecretKey !== '',
});

export { LedgerStore, LEDGER_COLLECTION } from './ledgerStore.js';
export type { LedgerTotals } from './ledgerStore.js';
export { PAYMENTS_COLLECTION } from './repository.js';
export { RECONCILER_ENTITY } from './paymentsState.js';
export { isBalanced } from './ledgerService.js';
export { PAYMENTS_METRICS } from './metrics.js';
export { PAYMENTS_CONFIG } from './config.js';
