/**
 * The metrics the payments feature owns (platform/metricSection.ts: the
 * contract of a section), registered in actors/registry.ts. Its series are
 * created at zero when a worker builds the payments actor's dependencies.
 * Webhook deliveries are counted where they arrive, by the gateway
 * (platform/metrics.ts).
 */
import { Counter } from 'prom-client';
import { registry, type MetricSection } from '../../platform/index.js';

export const NOTIFICATION_OUTCOMES = ['delivered', 'skipped', 'failed', 'refused'] as const;

export const paymentsReconcilePasses = new Counter({
  name: 'switchyard_payments_reconcile_passes_total',
  help: 'Reconciliation passes run (each lists recent Stripe PaymentIntents once).',
  registers: [registry],
});

export const paymentsReconciledOrders = new Counter({
  name: 'switchyard_payments_reconciled_orders_total',
  help: 'Orders a reconciliation pass found behind Stripe (their webhook had not arrived) and sent a reconcile command.',
  registers: [registry],
});

export const paymentsNotifications = new Counter({
  name: 'switchyard_payments_notifications_total',
  help: 'Payment notifications (Discord), by outcome: delivered, skipped (no destination configured), failed (transient; the runtime retries), refused (final: configuration or message).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const PAYMENTS_METRICS: MetricSection = {
  title: 'payments',
  owner: 'actors/payments',
  metrics: [paymentsReconcilePasses, paymentsReconciledOrders, paymentsNotifications],
  labels: { outcome: `notifications: ${NOTIFICATION_OUTCOMES.join(', ')}` },
  declareSeries() {
    for (const outcome of NOTIFICATION_OUTCOMES) paymentsNotifications.inc({ outcome }, 0);
    paymentsReconcilePasses.inc(0);
    paymentsReconciledOrders.inc(0);
  },
};
