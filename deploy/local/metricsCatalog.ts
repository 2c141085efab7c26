/**
 * The metrics catalog: docs/metrics.md, generated from platform/metrics.ts
 * (`npm run docs:metrics` writes it; a test fails when it is stale), and the
 * "no unbounded label values" rule, checked on every metric of the registry.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registry } from '../../platform/metrics.js';
import { LABEL_VALUE_SETS, UNBOUNDED_LABEL_PATTERN } from '../../platform/metricLabels.js';

export const CATALOG_PATH = 'docs/metrics.md';

export interface MetricEntry {
  name: string;
  type: string;
  help: string;
  labels: string[];
  /** Histogram bucket upper bounds, seconds. */
  buckets?: number[];
}

/** Every metric in the registry, switchyard's first, each group sorted by name. */
export function metricEntries(): MetricEntry[] {
  return registry.getMetricsAsArray()
    .map((metric) => {
      const m = metric as unknown as { labelNames?: string[]; upperBounds?: number[] };
      const entry: MetricEntry = { name: metric.name, type: String(metric.type), help: metric.help, labels: [...(m.labelNames ?? [])] };
      if (m.upperBounds) entry.buckets = [...m.upperBounds];
      return entry;
    })
    .sort((a, b) => Number(!a.name.startsWith('switchyard_')) - Number(!b.name.startsWith('switchyard_')) || a.name.localeCompare(b.name));
}

/**
 * Problems with label names: one that looks unbounded (a user, entity,
 * session, topic or other id as a label) or one whose value set is not
 * declared in platform/metricLabels.ts. Empty when the rule holds.
 */
export function labelProblems(entries: readonly MetricEntry[]): string[] {
  return entries.filter((e) => e.name.startsWith('switchyard_')).flatMap((e) => e.labels.flatMap((label) => {
    if (UNBOUNDED_LABEL_PATTERN.test(label)) return [`${e.name}: label "${label}" looks unbounded (one value per user, entity, session, topic or id); use a bounded label or none`];
    if (!Object.hasOwn(LABEL_VALUE_SETS, label)) return [`${e.name}: label "${label}" has no declared value set; add it to LABEL_VALUE_SETS in platform/metricLabels.ts`];
    return [];
  }));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** docs/metrics.md as text. */
export function renderMetricsCatalog(entries: readonly MetricEntry[] = metricEntries()): string {
  const own = entries.filter((e) => e.name.startsWith('switchyard_'));
  const runtime = entries.filter((e) => !e.name.startsWith('switchyard_'));
  const buckets = [...new Set(own.flatMap((e) => e.buckets ? [e.buckets.join(', ')] : []))];
  return [
    '# Metrics',
    '',
    '<!-- Generated from platform/metrics.ts by `npm run docs:metrics`; do not edit by hand (a test compares). -->',
    '',
    'Every metric switchyard exports, from the one metrics module (`platform/metrics.ts`). Gateways serve them on',
    '`/metrics` of their WebSocket port; workers on `/metrics` of `SY_WORKER_METRICS_PORT`. Prometheus adds',
    '`job` and `instance` (and, in Kubernetes, `pod`); no metric carries a user, entity, session or topic id.',
    'Dashboards and alerts built on these names: `deploy/grafana/`, `deploy/prometheus/`.',
    '',
    '## switchyard metrics',
    '',
    '| name | type | labels | meaning |',
    '|---|---|---|---|',
    ...own.map((e) => `| \`${e.name}\` | ${e.type} | ${e.labels.length ? e.labels.map((l) => `\`${l}\``).join(', ') : '—'} | ${cell(e.help)} |`),
    '',
    '## Label values',
    '',
    'Every label takes its values from a small fixed set (`platform/metricLabels.ts`):',
    '',
    '| label | values |',
    '|---|---|',
    ...Object.entries(LABEL_VALUE_SETS).map(([label, values]) => `| \`${label}\` | ${cell(values)} |`),
    '',
    'Processes create their labelled series at zero on start (`declareGatewaySeries`, `declareActorSeries`),',
    'so `rate()` and `increase()` see the first event and boards show 0 rather than "No data".',
    '',
    '## Histogram buckets',
    '',
    ...buckets.map((b) => `Latency histograms use these upper bounds (seconds): ${b}.`),
    '',
    '## Runtime metrics',
    '',
    'The Node.js process metrics of prom-client (`collectDefaultMetrics`), on every process:',
    '',
    '| name | type | meaning |',
    '|---|---|---|',
    ...runtime.map((e) => `| \`${e.name}\` | ${e.type} | ${cell(e.help)} |`),
    '',
    '## Metrics from outside switchyard',
    '',
    'The boards and alerts also read these, from exporters deployed beside switchyard:',
    '',
    '| source | names | deployed by |',
    '|---|---|---|',
    '| Prometheus itself | `up`, `scrape_*` | every scrape |',
    '| [prometheus-nats-exporter](https://github.com/nats-io/prometheus-nats-exporter) with `-jsz=all` | `jetstream_consumer_num_pending`, `jetstream_consumer_num_ack_pending`, `jetstream_stream_total_messages`, … | the NATS Helm chart (`promExporter.enabled`, see deploy/k8s/nats/values.yaml) or the `nats-exporter` service of deploy/docker-compose.yml |',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CATALOG_PATH, renderMetricsCatalog());
  process.stdout.write(`wrote ${CATALOG_PATH}\n`);
}
