/**
 * The metrics integrations/ owns: every call to an external service, counted
 * and timed by vendorCallMetrics.ts (platform/metricSection.ts: the contract
 * of a section). `operation` values are fixed names per vendor.
 */
import { Counter, Histogram } from 'prom-client';
import { VENDOR_CALL_BUCKETS, registry, type MetricSection } from '../platform/index.js';

export const integrationCalls = new Counter({
  name: 'switchyard_integration_calls_total',
  help: 'Calls to external services, by vendor (stripe, discord, ai, crypto), operation and outcome (ok or the switchyard error code).',
  labelNames: ['vendor', 'operation', 'outcome'] as const,
  registers: [registry],
});

export const integrationCallDuration = new Histogram({
  name: 'switchyard_integration_call_duration_seconds',
  help: 'Duration of calls to external services including retries and rate-limit waits, by vendor and operation.',
  labelNames: ['vendor', 'operation'] as const,
  buckets: VENDOR_CALL_BUCKETS,
  registers: [registry],
});

export const integrationRetries = new Counter({
  name: 'switchyard_integration_retries_total',
  help: 'Requests to external services sent again by switchyard, by vendor and reason (rate_limited, server_error, network, timeout).',
  labelNames: ['vendor', 'reason'] as const,
  registers: [registry],
});

export const INTEGRATION_METRICS: MetricSection = {
  title: 'integrations (vendor calls)',
  owner: 'integrations',
  metrics: [integrationCalls, integrationCallDuration, integrationRetries],
  labels: {
    vendor: 'external service: stripe, discord, ai',
    operation: 'fixed call name per vendor (integrations/*.ts), e.g. create_payment_intent, notify, chat_stream',
    outcome: 'vendor calls: ok or an error code',
    reason: 'why a vendor call was retried: rate_limited, server_error, network, timeout',
  },
};
