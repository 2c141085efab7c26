/**
 * payments: what the controllers get as ctx.deps, built once per worker —
 * the Stripe PaymentGateway and the Discord Notifier (integrations/), the
 * ledger, committed-order reads, and the reconciler's command fan-out.
 */
import { jetstream } from '@nats-io/jetstream';
import { notifierFromConfig, stripePaymentGatewayFromConfig, type Notifier, type PaymentGateway } from '../../integrations/index.js';
import type { ActorPlatform } from '../runtime/index.js';
import { CommittedOrders } from './committedOrders.js';
import { LedgerStore } from './ledgerStore.js';
import { PAYMENTS_METRICS } from './metrics.js';
import { ReconcileCommands } from './reconcileCommands.js';

export interface PaymentsDeps {
  payments: PaymentGateway;
  notifier: Notifier;
  ledger: LedgerStore;
  orders: CommittedOrders;
  reconcile: ReconcileCommands;
  /** SY_PAYMENTS_RECONCILE_INTERVAL_S in ms. */
  reconcileIntervalMs: number;
  /** SY_PAYMENTS_RECONCILE_LOOKBACK_S in ms. */
  reconcileLookbackMs: number;
}

export async function paymentsDependencies({ db, nc, config, logger }: ActorPlatform): Promise<PaymentsDeps> {
  const ledger = new LedgerStore(db);
  await ledger.ensureIndexes();
  PAYMENTS_METRICS.declareSeries?.();
  return {
    payments: stripePaymentGatewayFromConfig(config, logger),
    notifier: notifierFromConfig(config, logger),
    ledger,
    orders: new CommittedOrders(db),
    reconcile: new ReconcileCommands(jetstream(nc), config.partitions),
    reconcileIntervalMs: config.paymentsReconcileIntervalS * 1000,
    reconcileLookbackMs: config.paymentsReconcileLookbackS * 1000,
  };
}
