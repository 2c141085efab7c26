/**
 * The payments feature's settings (platform/config.ts: how sections
 * compose; registered in actors/registry.ts). Stripe and Discord are
 * configured in integrations/integrationsConfig.ts.
 */
import Type from 'typebox';
import { defineConfigSection, field, type SectionValues } from '../../platform/index.js';

const FIELDS = {
  paymentsReconcileIntervalS: field('SY_PAYMENTS_RECONCILE_INTERVAL_S', Type.Integer({ default: 300, minimum: 1, maximum: 86400, description: 'How often the payments reconciler lists recent Stripe PaymentIntents and fixes orders whose webhook never arrived, seconds (checked on a 5 s cron tick).' })),
  paymentsReconcileLookbackS: field('SY_PAYMENTS_RECONCILE_LOOKBACK_S', Type.Integer({ default: 259200, minimum: 60, maximum: 2592000, description: 'How far back each reconciliation pass looks (PaymentIntents created since), seconds; Stripe retries a webhook for up to 3 days.' })),
} as const;

export const PAYMENTS_CONFIG = defineConfigSection('payments', 'actors/payments', FIELDS);

declare module '../../platform/config.js' {
  interface Config extends SectionValues<typeof FIELDS> {}
}
